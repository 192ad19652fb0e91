r"""The Algorithms page's notes in Chinese, beside the English ones in rlcore.

The English notes are each algorithm module's docstring (``AlgoSpec.doc``). ``DOC_ZH``
holds, per registered algorithm name, the same notes in Chinese with the display equations
left out: ``[[eq1]]``, ``[[eq2]]``, ... stand for the English notes' ``$$...$$`` blocks in
order (``ui.forms.algo_doc`` puts them in), so each equation is written once, in rlcore.
``tests/test_i18n.py`` checks that every registered algorithm has notes here and that the
markers match its equations.
"""

DOC_ZH = {
    "dqn": r"""深度 Q 网络（Mnih 等 2015），可选 Double DQN 与 Dueling 结构。

神经网络逼近最优动作价值 $Q^*(s,a)$，用时序差分（TD）学习向一个*目标网络*
$Q_{\bar\theta}$ 回归；目标网络每隔 ``target_update_interval`` 个环境步从在线网络复制一次：

[[eq1]]

[[eq2]]

其中 $\ell$ 为 Huber 损失（或平方误差）。**Double DQN**（van Hasselt 等 2016）用在线网络选出
下一个动作、用目标网络评估它，
$y = r + \gamma(1-d)\,Q_{\bar\theta}(s', \arg\max_{a'} Q_\theta(s',a'))$，消除了 max 运算带来的
大部分高估。**Dueling**（Wang 等 2016）把 Q 写成
$Q(s,a) = V(s) + A(s,a) - \frac{1}{|A|}\sum_{a'} A(s,a')$。探索采用 $\varepsilon$-贪心，
$\varepsilon$ 线性衰减。
""",
    "reinforce": r"""REINFORCE：蒙特卡洛策略梯度（Williams 1992），可选基线。

策略梯度定理把期望回报的梯度变成一个可以采样的期望；观测到的回报
$G_t = \sum_{k\ge t}\gamma^{k-t} r_k$ 是 $Q_\pi(s_t,a_t)$ 的无偏样本：

[[eq1]]

任何不依赖动作的基线 $b(s)$ 都不改变梯度的期望，却能大幅降低方差；这里
$b(s) = V_\psi(s)$，用最小二乘拟合 $G_t$。每次更新使用 ``episodes_per_update`` 个完整回合。
""",
    "a2c": r"""同步优势演员-评论家（A2C；Mnih 等 2016）。

演员 $\pi_\phi(a|s)$ 和评论家 $V_\psi(s)$ 一起从 $N$ 个并行环境中学习，每次 $T$ 步。
评论家给出的 $n$ 步 / GAE 优势取代了 REINFORCE 的蒙特卡洛回报，降低策略梯度的方差：

[[eq1]]

[[eq2]]

其中 $\hat R_t = \hat A_t + V_\psi(s_t)$。遇到时间上限截断时，用真实的最后观测做自举
（$d_t = 0$），与 Stable-Baselines3 相同。
""",
    "ppo": r"""近端策略优化（PPO-Clip；Schulman 等 2017）。

TRPO 信赖域思想的一阶版本：在同一个 rollout 上用小批量 SGD 训练多轮，每个样本的概率比
$\rho_t = \pi_\theta(a_t|s_t) / \pi_{\theta_{old}}(a_t|s_t)$ 被裁剪，使它离开
$[1-\epsilon, 1+\epsilon]$ 不再带来任何收益（式 7）：

[[eq1]]

[[eq2]]

$\hat A_t$ 是在 $N$ 个并行环境上计算的 GAE(λ)（式 11），在每个小批量内标准化。可选：把价值预测
裁剪在 rollout 时的价值附近（``clip_range_vf``）；当近似 KL
$\mathbb{E}[(\rho - 1) - \log\rho]$ 超过 ``target_kl`` 的 1.5 倍时提前停止本轮训练（与
Stable-Baselines3 相同）；把学习率和 $\epsilon$ 线性退火到 0。
""",
    "trpo": r"""信赖域策略优化（TRPO；Schulman 等 2015）。

每一步策略更新都在采集 rollout 的旧策略周围的一个 KL 球内，最大化重要性采样的替代目标（式 14）：

[[eq1]]

把 $L$ 取线性近似（$g = \nabla_\theta L$）、把 KL 取二次近似（$\tfrac12 s^\top F s$，$F$ 为
Fisher 矩阵），解就是缩放到球边界的自然梯度（附录 C）：

[[eq2]]

随后回溯线搜索不断缩小 $\beta$，直到*真实* KL 不超过 $\delta$ 且 $L$ 有所提升；若没有任何
步长通过，策略保持不变。价值函数单独用回归拟合 $\hat R_t$（Adam，``n_critic_updates`` 轮小批量）。
""",
    "ddpg": r"""深度确定性策略梯度（Lillicrap 等 2016）。

一个确定性演员 $\mu_\phi(s)$ 和一个评论家 $Q_\theta(s,a)$，各自带一个缓慢移动的
（Polyak）目标副本：

[[eq1]]

演员沿评论家的梯度上升（确定性策略梯度，Silver 等 2014）：

[[eq2]]

探索时给 $\mu_\phi(s)$ 加上高斯噪声 $\mathcal{N}(0, \sigma^2)$（按动作范围缩放）。
TD3（``td3.py``）在此类上加入其论文的三项改动。
""",
    "td3": r"""双延迟 DDPG（TD3，Fujimoto 等 2018）：DDPG 加上三项针对高估的修正。

1. **截断双 Q**：两个评论家，目标取较小者，
   $y = r + \gamma(1-d)\min_{i=1,2} Q_{\bar\theta_i}(s', \tilde a')$。
2. **目标策略平滑**：$\tilde a' = \mathrm{clip}\big(\mu_{\bar\phi}(s') +
   \mathrm{clip}(\epsilon, -c, c), a_{low}, a_{high}\big)$，$\epsilon\sim\mathcal{N}(0,\sigma^2)$。
3. **延迟策略更新**：每 ``policy_delay`` 次评论家更新，演员和目标网络才更新一次。

两个评论家回归同一个 $y$；演员最大化 $Q_{\theta_1}(s, \mu_\phi(s))$。
""",
    "sac": r"""柔性演员-评论家（SAC，Haarnoja 等 2018a），带自动温度调节（2018b）。

最大熵强化学习：最大化 $\sum_t \mathbb{E}[r_t + \alpha\,\mathcal{H}(\pi(\cdot|s_t))]$。
使用压缩高斯（tanh）演员、两个评论家（截断双 Q）和 Polyak 目标网络。

柔性 TD 目标，其中 $\tilde a' \sim \pi_\phi(\cdot|s')$：

[[eq1]]

演员通过**重参数化** $\tilde a = \tanh(\mu_\phi(s) + \sigma_\phi(s)\odot\epsilon)$，
$\epsilon\sim\mathcal{N}(0,I)$ 求梯度：

[[eq2]]

温度通过对熵约束 $\mathbb{E}[-\log\pi] \ge \bar{\mathcal{H}}$（目标
$\bar{\mathcal H} = -|\mathcal{A}|$）做对偶梯度下降来调节：

[[eq3]]

因此熵低于目标时 $\alpha$ 上升，高于目标时下降。我们优化 $\log\alpha$（与 SB3 和 CleanRL
相同），以保证 $\alpha > 0$。
""",
    "bc": r"""行为克隆：对数据集中的动作做监督学习（最大似然）。

[[eq1]]

离散动作下这就是 softmax 策略的交叉熵；连续动作下是高斯 $\mathcal{N}(\mu_\phi(s), \sigma^2)$
的对数似然，其最优解 $\mu_\phi(s)$ 是数据在 $s$ 处的*平均*动作。BC 不分好坏地复制数据：
在混合质量的数据上，它是每个离线强化学习方法都必须超越的基线。
""",
    "cql": r"""保守 Q 学习（CQL，Kumar 等 2020）：基于 SAC 的 CQL(H)，可选拉格朗日版本。

离线时，贝尔曼目标中的 max 会在数据从未出现过的动作上查询 Q，而那里的误差只会被向上修正。
CQL 在每个评论家的 TD 损失上加一个惩罚项：在一个宽分布的动作上（对动作的软最大值）把 Q
*压低*，在数据集的动作上把 Q *抬高*（式 4，CQL(H)）：

[[eq1]]

[[eq2]]

连续动作空间上的 log-sum-exp 用重要性采样估计：从均匀分布、以及策略在 $s$ 和 $s'$ 处
各采 $M$ 个动作（附录 F）：$\log\frac{1}{3M}\sum_j e^{Q(s,a_j)}/\mu(a_j)$。没有数据项的
“朴素”惩罚 $\mathbb{E}_{a\sim\mu}Q$ 会把所有价值都压低；减去数据项则保留数据内的价值，
并拉大与未见动作之间的差距。

**拉格朗日版本**：打开 ``lagrange`` 后，权重变为 $\alpha_{cql}\,\alpha'$，其中 $\alpha' \ge 0$
通过对偶梯度下降调节，使惩罚保持在阈值 $\tau$（``target_action_gap``）附近：
$\min_{\alpha'} -\alpha'(\mathcal R - \tau)$，与 SAC 调节温度的规则相同。离散版本
（``cql_discrete.py``）在所有动作上精确计算 log-sum-exp。
""",
    "cql_discrete": r"""离散动作的保守 Q 学习（Kumar 等 2020），基于 Q 网络。

动作有限时，log-sum-exp 可以精确计算：

[[eq1]]

其中 $y = r + \gamma(1-d)\max_{a'}Q_{\bar\theta}(s',a')$ 为 DQN 的目标（可选 Double DQN），
目标网络每隔 ``target_update_interval`` 个**梯度步**复制一次。继承 :class:`DQN`，只改动
``critic_loss``。
""",
    "iql": r"""隐式 Q 学习（IQL，Kostrikov、Nair 与 Levine 2021）。

IQL 从不在数据集以外的动作上查询 Q。价值网络拟合 $Q$ 在数据动作上的一个较高*期望分位数*
（式 5），评论家回归到 $r + \gamma V(s')$（式 6），策略通过优势加权回归提取（式 7）：

[[eq1]]

[[eq2]]

[[eq3]]

$\tau$ 即 ``expectile``（0.5 = 均值，→ 1 = 数据动作上的最大值）；$\beta$ 是*逆*温度
（论文中的 $\exp(\beta A)$；温度 $\lambda = 1/\beta$ 给出等价的 $\exp(A/\lambda)$）。
$Q_{\bar\theta}$ 是两个目标评论家中的较小者。
""",
    "awac": r"""优势加权演员-评论家（AWAC，Nair 等 2020），基于 SAC 的实现。

评论家用 TD 学习当前策略的 $Q^\pi$（没有熵项）：
$y = r + \gamma(1-d)\min_i Q_{\bar\theta_i}(s', a'),\ a'\sim\pi_\phi(\cdot|s')$。
演员在数据集的动作上做*优势加权*的最大似然拟合，从而保持接近数据（AWR，Peng 等 2019）：

[[eq1]]

$\beta$ 是逆温度（论文记号中为 $\exp(A/\lambda)$，$\lambda = 1/\beta$）。继承 :class:`SAC`：
高斯策略、没有温度，并替换了 ``actor_loss`` / ``target_value``。
""",
    "td3_bc": r"""TD3+BC（Fujimoto 与 Gu 2021）：在 TD3 的演员损失上加一个行为克隆项。

[[eq1]]

$\lambda$ 用 Q 的平均幅值（不回传梯度）对 Q 项做归一化，因此权衡系数 $\alpha$
（``bc_alpha``，论文中为 2.5）与奖励尺度无关。状态按数据集的均值和标准差标准化。只改动
``actor_loss``。
""",
    "sac_n": r"""SAC-N（An 等 2021）：带 N 个评论家、取所有评论家最小值的 SAC。

[[eq1]]

N 个估计的最小值是一个置信下界：数据密集处各成员意见一致，离开数据后它们分散开来，
最小值因而是悲观的。仅凭这一点，只要 N 足够大（10-500），SAC 就能离线工作。集成是一个
:class:`~rlcore.core.nn.EnsembleCritic`（每层一次批量矩阵乘法），所以 N=10 的代价远小于
5 倍的 N=2。

``critic_layer_norm`` 在每个成员的每个隐藏 ReLU 之前加一个层归一化（与 RLPD，Ball 等 2023，
以及 ReBRAC 相同）。最后一层读到的特征大小有界，因此离开数据后，无论最小值如何，单个成员
的 Q 都不能无限增长。在小而窄的数据集上，各成员在数据之外也可能意见一致，最小值不再悲观，
策略动作的 Q 会爬到数据动作的 Q 之上；层归一化限制了这种攀升（测量见
:mod:`rlcore.core.envs` 中的 Pendulum 预设）。
""",
    "edac": r"""EDAC：集成多样化演员-评论家（An 等 2021）。

SAC-N 需要很多评论家，因为它们在数据之外也往往意见一致。EDAC 在评论家损失上加一项，
使各成员在数据点处的*动作梯度多样化*（式 5），这样一个小集成就和大集成一样悲观：

[[eq1]]

（帽子表示单位化的梯度，因此该项是余弦相似度之和；动作只有一维时它们为 ±1，该项没有梯度，
此时 EDAC 就是 SAC-N，并跳过该项的第二次反向传播。）继承 :class:`SACN`，只改动
``critic_loss``。
""",
}

TEXT = {
    "algos.doc_original": {"en": "The notes in English", "zh": "英文原文"},
}
