"""Help of every hyperparameter and run setting: English from rlcore's ``hp(...)``, Chinese here.

Each text is keyed by its owner, the config class whose body declares the field
(``SACConfig.tau``, ``DiscreteCQLConfig.target_update_interval``): a subclass that
re-declares a field with another meaning has its own help in both languages, and a field
it inherits shares its parent's. The English is the ``hp(...)`` help itself, read from
rlcore, so it is written once; ``ZH`` holds the Chinese beside the same key. ``TEXT``
gives ``t()`` the pair as ``hp.<Owner>.<field>``. ``tests/test_i18n.py`` checks that every
field of every registered algorithm has its Chinese here, and that no key is left over.
"""

from __future__ import annotations

from rlcore.algos.registry import ALGORITHMS
from rlcore.core.config import RunConfig, hparams


def owner(cls: type, name: str) -> type:
    """The class whose body declares field ``name`` of the config class ``cls``."""
    return next(c for c in cls.__mro__ if name in vars(c).get("__annotations__", {}))


def hp_key(cls: type, name: str) -> str:
    """The text key of field ``name`` of ``cls``: ``hp.<Owner>.<name>``."""
    return f"hp.{owner(cls, name).__name__}.{name}"


def config_classes() -> list[type]:
    """The run config and every registered algorithm's config."""
    return [RunConfig, *(s.config_cls for s in ALGORITHMS.values())]


def english() -> dict[str, str]:
    """``Owner.field`` -> its English help, as declared with ``hp(...)`` in rlcore."""
    return {
        hp_key(cls, p.name).removeprefix("hp."): p.help
        for cls in config_classes()
        for p in hparams(cls)
    }


ZH = {
    # -- run settings (rlcore.core.config.RunConfig) ---------------------------------
    "RunConfig.algo": "注册表中的算法名。",
    "RunConfig.env": "环境 id：来自目录；在本地配置下也可以是自定义环境"
    "（RLCORE_ENV_MODULES 或 module:Class）。",
    "RunConfig.seed": "随机种子（torch、numpy 和环境）。",
    "RunConfig.steps": "训练的环境总步数。",
    "RunConfig.device": "auto 在有 CUDA 时选用 GPU。",
    "RunConfig.eval_every": "每隔多少步评估一次（在线为环境步，离线为梯度步）；"
    "0 = 自动：在整个运行中均匀评估 20 次。",
    "RunConfig.eval_episodes": "确定性评估的回合数。",
    "RunConfig.log_every": "每隔多少步汇总一次训练指标。",
    "RunConfig.threads": "本次运行的 torch CPU 线程数；0 = 自动：小网络用一个，"
    "否则用其他训练空出的核心。",
    "RunConfig.dataset": "离线数据集 id（仅离线算法）。",
    "RunConfig.matmul_precision": "float32 矩阵乘法的内部精度：highest = 完整 float32；"
    "high / medium 允许硬件使用 TF32（NVIDIA GPU）或 bfloat16（带 AMX 的 CPU，仅 medium）："
    "乘法快 2-4 倍，每个约 3 位有效数字。",
    "RunConfig.compile": "用 torch.compile 编译整个更新（含优化器），先一次性编译"
    "（相同形状的后续运行复用缓存）。是否划算取决于机器：在 2 核 CPU 上它让 DQN 和 SAC 变慢了；"
    "运行会测量并报告编译前后的速度，以及何时（如果会）收回编译时间。适用于离策略和离线算法。",
    "RunConfig.tensorboard": "同时在 metrics.jsonl 旁写入 TensorBoard 事件文件（我们的指标名，"
    "以及 Stable-Baselines3 的：rollout/ep_rew_mean、eval/mean_reward、time/fps）；需要安装 "
    "tensorboard 包。",
    # -- every algorithm (AlgoConfig) and the off-policy ones (OffPolicyConfig) -------
    "AlgoConfig.gamma": "折扣因子 γ：未来奖励的权重。",
    "AlgoConfig.lr": "所有优化器的学习率（Adam）。",
    "AlgoConfig.hidden": "每个网络的隐藏层大小（例如 256,256）。",
    "OffPolicyConfig.buffer_size": "经验回放缓冲区容量（转移样本数）。",
    "OffPolicyConfig.batch_size": "每个梯度步的小批量大小。",
    "OffPolicyConfig.learning_starts": "开始学习前用随机动作收集的步数。",
    "OffPolicyConfig.train_freq": "两次训练之间的环境步数。",
    "OffPolicyConfig.gradient_steps": "每次训练执行的梯度步数。",
    "OffPolicyConfig.n_envs": (
        "并行环境数：每一步在所有环境中同时行动（一次批量前向计算）。训练预算、learning_starts "
        "和 train_freq 仍按转移样本计数，因此每个转移样本对应的梯度步数不变。"
    ),
    # -- DQN -----------------------------------------------------------------------
    "DQNConfig.lr": "学习率（Adam）。",
    "DQNConfig.batch_size": "小批量大小。",
    "DQNConfig.train_freq": "两次训练之间的环境步数。",
    "DQNConfig.target_update_interval": "两次目标网络更新之间的环境步数。",
    "DQNConfig.tau": "目标网络更新系数（1 = 直接复制，<1 = Polyak 软更新）。",
    "DQNConfig.exploration_fraction": "ε 线性衰减所占训练过程的比例。",
    "DQNConfig.exploration_initial_eps": "ε-贪心的初始 ε。",
    "DQNConfig.exploration_final_eps": "ε-贪心的最终 ε。",
    "DQNConfig.max_grad_norm": "梯度裁剪的范数上限（0 = 不裁剪）。",
    "DQNConfig.double_q": "Double DQN：在线网络选择 a'，目标网络评估它。",
    "DQNConfig.dueling": "Dueling 结构：Q = V + A − mean(A)。",
    "DQNConfig.loss": "TD 损失：huber（平滑 L1）或 mse。",
    # -- REINFORCE -----------------------------------------------------------------
    "REINFORCEConfig.lr": "学习率（Adam）。",
    "REINFORCEConfig.hidden": "策略网络（及基线网络）的隐藏层。",
    "REINFORCEConfig.episodes_per_update": "每个梯度步使用的完整回合数。",
    "REINFORCEConfig.baseline": "减去学习到的状态价值基线 V(s)。",
    "REINFORCEConfig.normalize_returns": "在每个批次内标准化 G_t − b(s)。",
    "REINFORCEConfig.ent_coef": "熵奖励的权重。",
    "REINFORCEConfig.max_grad_norm": "梯度裁剪的范数上限（0 = 不裁剪）。",
    # -- A2C -----------------------------------------------------------------------
    "A2CConfig.lr": "学习率。",
    "A2CConfig.hidden": "演员和评论家网络的隐藏层。",
    "A2CConfig.n_envs": "并行环境数。",
    "A2CConfig.n_steps": "每次更新每个环境采样的步数。",
    "A2CConfig.gae_lambda": "GAE 的 λ（1 = n 步回报）。",
    "A2CConfig.ent_coef": "熵奖励的权重 c_e。",
    "A2CConfig.vf_coef": "价值损失的权重 c_v。",
    "A2CConfig.max_grad_norm": "梯度裁剪的范数上限（0 = 不裁剪）。",
    "A2CConfig.optimizer": "优化器。",
    "A2CConfig.normalize_advantage": "在每个批次内标准化优势函数。",
    # -- DDPG, TD3 -------------------------------------------------------------------
    "DDPGConfig.lr": "演员和评论家的学习率（Adam）。",
    "DDPGConfig.tau": "目标网络的 Polyak 软更新系数。",
    "DDPGConfig.exploration_noise": "高斯动作噪声的标准差（占动作范围的比例）。",
    "TD3Config.policy_delay": "每次演员更新对应的评论家更新次数。",
    "TD3Config.target_policy_noise": "目标策略平滑噪声的标准差（占动作范围的比例）。",
    "TD3Config.target_noise_clip": "目标平滑噪声的裁剪范围。",
    # -- SAC -----------------------------------------------------------------------
    "SACConfig.lr": "演员、评论家和 α 的学习率（Adam）。",
    "SACConfig.tau": "目标评论家的 Polyak 软更新系数。",
    "SACConfig.alpha": "初始（或固定的）温度 α。",
    "SACConfig.autotune": "通过对偶梯度下降自动调节 α，使熵趋近目标熵。",
    "SACConfig.target_entropy_scale": "目标熵 = −scale × 动作维度。",
    # -- offline: BC, CQL, discrete CQL, IQL, AWAC, TD3+BC, SAC-N, EDAC -----------------
    "BCConfig.lr": "学习率（Adam）。",
    "BCConfig.batch_size": "小批量大小。",
    "CQLConfig.cql_alpha": "保守惩罚的权重 α。",
    "CQLConfig.cql_n_actions": "每个来源采样的动作数（均匀、π(s)、π(s')）。",
    "CQLConfig.cql_temperature": "log-sum-exp 的温度。",
    "CQLConfig.lagrange": "根据阈值 τ 自动调节惩罚权重。",
    "CQLConfig.target_action_gap": "拉格朗日版本的阈值 τ（惩罚的目标值）。",
    "DiscreteCQLConfig.lr": "学习率（Adam）。",
    "DiscreteCQLConfig.batch_size": "小批量大小。",
    "DiscreteCQLConfig.target_update_interval": "两次目标网络复制之间的梯度步数。",
    "DiscreteCQLConfig.cql_alpha": "保守惩罚的权重 α。",
    "IQLConfig.batch_size": "小批量大小。",
    "IQLConfig.tau": "目标评论家的 Polyak 软更新系数。",
    "IQLConfig.expectile": "价值拟合的期望分位数 τ（0.5 = 均值，→ 1 = 最大值）。",
    "IQLConfig.beta": "优势权重的逆温度 β。",
    "IQLConfig.max_weight": "指数化优势权重的裁剪上限。",
    "AWACConfig.autotune": "AWAC 没有熵温度（保持关闭）。",
    "AWACConfig.beta": "优势权重的逆温度 β（λ = 1/β）。",
    "AWACConfig.max_weight": "指数化优势权重的裁剪上限。",
    "TD3BCConfig.lr": "演员和评论家的学习率。",
    "TD3BCConfig.bc_alpha": "α：Q 项相对于行为克隆项的权重。",
    "SACNConfig.n_critics": "集成大小 N。",
    "SACNConfig.critic_layer_norm": "在每个评论家的隐藏层中使用层归一化（LayerNorm）。",
    "EDACConfig.eta": "梯度多样性项的权重 η。",
    # -- PPO and TRPO (rlcore.algos.on_policy, ppo, trpo) ------------------------------
    "OnPolicyConfig.hidden": "演员和评论家各自的隐藏层大小。",
    "OnPolicyConfig.n_envs": "并行环境数。",
    "OnPolicyConfig.n_steps": "每次 rollout 中每个环境采样的步数。",
    "OnPolicyConfig.gae_lambda": "GAE 的 λ：0 = 单步 TD 优势，1 = 蒙特卡洛。",
    "OnPolicyConfig.normalize_advantage": "标准化优势函数（PPO 在每个小批量内）。",
    "OnPolicyConfig.normalize": "用滑动统计量归一化观测并缩放奖励（即 VecNormalize）。",
    "OnPolicyConfig.log_std_init": "高斯策略的初始对数标准差。",
    "OnPolicyConfig.ortho_init": "网络的正交初始化（PPO 的做法）。",
    "PPOConfig.lr": "学习率（Adam）。",
    "PPOConfig.anneal_lr": "训练过程中把学习率线性退火到 0。",
    "PPOConfig.batch_size": "小批量大小（一个 rollout 有 n_envs × n_steps 个样本）。",
    "PPOConfig.n_epochs": "每个 rollout 上遍历数据的轮数。",
    "PPOConfig.clip_range": "概率比的裁剪范围 ε。",
    "PPOConfig.anneal_clip": "训练过程中把 ε 线性退火到 0。",
    "PPOConfig.clip_range_vf": "每个 rollout 内价值变化的裁剪范围（0 = 关闭）。",
    "PPOConfig.ent_coef": "熵奖励的权重 c_e。",
    "PPOConfig.vf_coef": "价值损失的权重 c_v。",
    "PPOConfig.max_grad_norm": "梯度裁剪的范数上限（0 = 不裁剪）。",
    "PPOConfig.target_kl": "近似 KL 超过该值的 1.5 倍时停止本轮训练（0 = 关闭）。",
    "TRPOConfig.lr": "价值函数的学习率（Adam）。",
    "TRPOConfig.target_kl": "信赖域半径 δ：平均 KL 的上限。",
    "TRPOConfig.cg_max_steps": "共轭梯度的迭代次数。",
    "TRPOConfig.cg_damping": "加到 Fisher 矩阵上的阻尼 λ。",
    "TRPOConfig.line_search_shrink": "每次回溯时步长的缩小因子。",
    "TRPOConfig.line_search_max_iter": "线搜索最多尝试的次数。",
    "TRPOConfig.n_critic_updates": "每个 rollout 上价值函数的训练轮数。",
    "TRPOConfig.batch_size": "价值回归的小批量大小。",
}

# A field without Chinese (a test failure already) shows its English rather than failing.
TEXT = {f"hp.{k}": {"en": en, "zh": ZH.get(k, en)} for k, en in english().items()}
