"""Text of the Offline training page (pages/offline.py) and of the offline charts."""

TEXT = {
    "offline.title": {"en": "Train offline", "zh": "离线训练"},
    "offline.intro": {
        "en": "Pick a dataset and an offline algorithm: the agent learns only from the "
        "dataset's transitions, never touching the environment while it trains. Every "
        "evaluation plays real episodes and reports the return and the D4RL-style "
        "normalised score 100 × (R − R_random) / (R_expert − R_random): 0 is a random "
        "policy, 100 the expert that built the dataset's references.",
        "zh": "选择一个数据集和一个离线算法：智能体只从数据集的转移中学习，训练期间从不与环境交互。"
        "每次评估都在真实环境中运行回合，并报告回报和 D4RL 式归一化分数 "
        "100 × (R − R_random) / (R_expert − R_random)：0 相当于随机策略，100 相当于专家。",
    },
    "offline.no_datasets": {
        "en": "No offline dataset on this server yet. Build one on the Datasets page "
        "(random, medium, expert, medium-replay or a mixture), or import a D4RL-style file.",
        "zh": "服务器上还没有离线数据集。请到“数据集”页面构建一个"
        "（random、medium、expert、medium-replay 或混合），或导入 D4RL 格式的文件。",
    },
    "offline.to_datasets": {"en": "Open the Datasets page", "zh": "打开数据集页面"},
    "offline.dataset": {"en": "Dataset", "zh": "数据集"},
    "offline.dataset.help": {
        "en": "A local Minari dataset (build or import them on the Datasets page). Its "
        "environment decides which algorithms fit: continuous actions for CQL, IQL, "
        "AWAC, TD3+BC, SAC-N and EDAC; discrete for discrete CQL; BC for both.",
        "zh": "本地的 Minari 数据集（在“数据集”页面构建或导入）。它的环境决定了可用的算法："
        "连续动作可用 CQL、IQL、AWAC、TD3+BC、SAC-N、EDAC；离散动作可用离散 CQL；BC 两者皆可。",
    },
    "offline.dataset.caption": {
        "en": "**{id}** — {kind}: {n} transitions in {episodes} episodes, episode return "
        "{mean} ± {std} (random {random}, expert {expert}); source: {source}",
        "zh": "**{id}** — {kind}：{episodes} 个回合共 {n} 条转移，回合回报 {mean} ± {std}"
        "（随机 {random}，专家 {expert}）；来源：{source}",
    },
    "offline.steps_note": {
        "en": "In offline training, steps are gradient steps on minibatches of the dataset.",
        "zh": "离线训练中，步数指在数据集小批量上的梯度步数。",
    },
    "offline.compare": {
        "en": "Compare algorithms on this dataset",
        "zh": "在此数据集上比较各算法",
    },
    "url.bad_dataset": {
        "en": "This link names a dataset that is not on this server ({value}); using "
        "another one instead.",
        "zh": "链接中的数据集不在此服务器上（{value}），已改用其他数据集。",
    },
    # reference lines and panels of the live view
    "chart.ref_dataset": {"en": "dataset mean", "zh": "数据集均值"},
    "chart.ref_expert": {"en": "expert", "zh": "专家"},
    "chart.ref_random": {"en": "random", "zh": "随机"},
    "chart.score": {"en": "Normalised score", "zh": "归一化分数"},
    "chart.score.help": {
        "en": "D4RL-style score of each evaluation: 0 = random policy, 100 = expert.",
        "zh": "每次评估的 D4RL 式分数：0 = 随机策略，100 = 专家。",
    },
    "chart.conservative": {"en": "Conservative penalty", "zh": "保守惩罚"},
    "chart.conservative.help": {
        "en": "CQL's penalty: soft maximum of Q over sampled actions minus Q on the data "
        "actions, and its weight α (tuned against τ in the Lagrange version).",
        "zh": "CQL 的惩罚项：采样动作上 Q 的软最大值减去数据动作上的 Q，及其权重 α"
        "（拉格朗日版本中按阈值 τ 自动调节）。",
    },
    "chart.q_data_vs_ood": {"en": "Q on data vs other actions", "zh": "数据动作与其他动作的 Q"},
    "chart.q_data_vs_ood.help": {
        "en": "CQL pushes Q up on the dataset's actions and down on random and policy "
        "actions: the gap between these lines is the conservatism.",
        "zh": "CQL 抬高数据集动作上的 Q，压低随机动作和策略动作上的 Q："
        "这些曲线之间的差距就是保守程度。",
    },
    "chart.weights": {"en": "Policy weights", "zh": "策略权重"},
    "chart.weights.help": {
        "en": "IQL/AWAC: exp(β·advantage) weights of the data actions (mean, max, share "
        "clipped); TD3+BC: λ = α / mean|Q|.",
        "zh": "IQL/AWAC：数据动作的 exp(β·优势) 权重（均值、最大值、被截断比例）；"
        "TD3+BC：λ = α / mean|Q|。",
    },
    "chart.ensemble": {"en": "Ensemble", "zh": "集成"},
    "chart.ensemble.help": {
        "en": "Standard deviation across the critics (their disagreement) and EDAC's "
        "gradient-diversity loss.",
        "zh": "各评论家之间的标准差（分歧程度），以及 EDAC 的梯度多样性损失。",
    },
    "metric.eval/normalized_score": {"en": "normalised score", "zh": "归一化分数"},
    "metric.train/cql_penalty": {"en": "CQL penalty", "zh": "CQL 惩罚"},
    "metric.train/cql_weight": {"en": "penalty weight α", "zh": "惩罚权重 α"},
    "metric.train/cql_lse": {"en": "log-sum-exp of Q", "zh": "Q 的 log-sum-exp"},
    "metric.train/q_data_mean": {"en": "Q on data actions", "zh": "数据动作上的 Q"},
    "metric.train/q_rand_mean": {"en": "Q on random actions", "zh": "随机动作上的 Q"},
    "metric.train/q_policy_mean": {"en": "Q on policy actions", "zh": "策略动作上的 Q"},
    "metric.train/weight_mean": {"en": "weight mean", "zh": "权重均值"},
    "metric.train/weight_max": {"en": "weight max", "zh": "权重最大值"},
    "metric.train/weight_clipped_frac": {"en": "share clipped", "zh": "被截断比例"},
    "metric.train/bc_lambda": {"en": "λ (TD3+BC)", "zh": "λ（TD3+BC）"},
    "metric.train/ensemble_std": {"en": "critics' std", "zh": "评论家标准差"},
    "metric.train/diversity_loss": {"en": "diversity loss", "zh": "多样性损失"},
    "chart.dataset_scores": {
        "en": "Algorithms on {dataset}: final normalised score",
        "zh": "{dataset} 上的各算法：最终归一化分数",
    },
    "cmp.datasets": {"en": "Algorithms on one dataset", "zh": "同一数据集上的算法"},
    "cmp.dataset_pick": {"en": "Dataset", "zh": "数据集"},
    "cmp.dataset.help": {
        "en": "Each bar is one algorithm's mean final normalised score over its finished "
        "runs (seeds, each once) on this dataset. Bars and error bars (as the legend "
        "says): {band}. The dotted line is the dataset's own mean episode return on the "
        "same scale.",
        "zh": "每根柱子是某算法在此数据集上已完成运行（各随机种子，每个只算一次）的"
        "最终归一化分数均值。柱与误差线（与图例相同）：{band}。虚线是数据集自身平均回合回报在同一尺度上的分数。",
    },
    "col.dataset": {"en": "dataset", "zh": "数据集"},
    "col.score": {"en": "score", "zh": "分数"},
}
