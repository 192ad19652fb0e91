"""Text of the PPO/TRPO insides panels and metrics on the Train and Compare pages."""

TEXT = {
    "chart.clipping": {
        "en": "Probability ratio and clipping (PPO)",
        "zh": "概率比与裁剪（PPO）",
    },
    "chart.clipping.help": {
        "en": "ρ = π_new(a|s) / π_old(a|s) on the rollout's samples: the share of samples "
        "outside [1 − ε, 1 + ε] (where the clipped surrogate stops pushing), the spread of ρ "
        "and its largest distance from 1. A clip fraction near 0 means the policy barely moves; "
        "above ~0.3 the updates are large.",
        "zh": "在 rollout 样本上的 ρ = π_new(a|s) / π_old(a|s)：落在 [1 − ε, 1 + ε] 之外的样本比例"
        "（裁剪后的替代目标在那里不再推动策略）、ρ 的离散程度，以及 ρ 离 1 的最大距离。"
        "裁剪比例接近 0 说明策略几乎没动；超过约 0.3 说明更新很大。",
    },
    "chart.kl": {"en": "Policy change: KL(π_old ‖ π_new)", "zh": "策略变化：KL(π_old ‖ π_new)"},
    "chart.kl.help": {
        "en": "How far one update moved the policy, as a KL divergence averaged over the "
        "rollout's states. PPO estimates it from samples (E[(ρ − 1) − log ρ]); TRPO computes "
        "it exactly and never accepts a step above its bound δ (target_kl).",
        "zh": "一次更新让策略移动了多远：在 rollout 的状态上平均的 KL 散度。PPO 用样本估计它"
        "（E[(ρ − 1) − log ρ]）；TRPO 精确计算它，并且从不接受超过界限 δ（target_kl）的步长。",
    },
    "chart.epochs": {
        "en": "Epochs run per rollout (PPO)",
        "zh": "每个 rollout 实际运行的轮数（PPO）",
    },
    "chart.epochs.help": {
        "en": "Passes over each rollout actually made: fewer than n_epochs when the approximate "
        "KL passed 1.5 × target_kl and the epochs stopped early.",
        "zh": "每个 rollout 实际遍历的轮数：当近似 KL 超过 1.5 × target_kl 而提前停止时，会少于 "
        "n_epochs。",
    },
    "chart.trust_step": {"en": "Trust-region step (TRPO)", "zh": "信赖域步长（TRPO）"},
    "chart.trust_step.help": {
        "en": "β × the line-search fraction, the multiple of the natural-gradient direction "
        "F⁻¹g taken, and the length of the step in parameter space.",
        "zh": "β 乘以线搜索接受的比例（沿自然梯度方向 F⁻¹g 走的倍数），"
        "以及这一步在参数空间中的长度。",
    },
    "chart.line_search": {"en": "Line search (TRPO)", "zh": "线搜索（TRPO）"},
    "chart.line_search.help": {
        "en": "How many times the step was shrunk before it stayed within the KL bound and "
        "improved the surrogate, and whether any step was accepted (1) or the policy kept (0).",
        "zh": "步长被缩小了几次才满足 KL 界限并提升替代目标，"
        "以及是否接受了某个步长（1）还是保持策略不变（0）。",
    },
    "chart.surrogate": {
        "en": "Surrogate gain and CG residual (TRPO)",
        "zh": "替代目标提升与共轭梯度残差（TRPO）",
    },
    "chart.surrogate.help": {
        "en": "The improvement of E[ρ Â] by the accepted step, and ‖g − (F + λI)s‖ left by the "
        "conjugate-gradient solve (small: the direction is the natural gradient).",
        "zh": "接受的步长让 E[ρ Â] 提升了多少，以及共轭梯度求解后剩下的 ‖g − (F + λI)s‖"
        "（很小说明方向就是自然梯度）。",
    },
    "chart.value_fit": {"en": "Value fit: explained variance", "zh": "价值拟合：解释方差"},
    "chart.value_fit.help": {
        "en": "1 − Var[R̂ − V]/Var[R̂] on each rollout, before the update: 1 = the critic "
        "predicts the returns, 0 = no better than their mean, below 0 = worse.",
        "zh": "每个 rollout 上（更新前）的 1 − Var[R̂ − V]/Var[R̂]："
        "1 = 评论家能预测回报，0 = 不比回报的均值好，小于 0 = 更差。",
    },
    "metric.train/clip_fraction": {"en": "clip fraction", "zh": "裁剪比例"},
    "metric.train/clip_range": {"en": "ε (clip range)", "zh": "ε（裁剪范围）"},
    "metric.train/ratio_std": {"en": "std of ρ", "zh": "ρ 的标准差"},
    "metric.train/ratio_max": {"en": "max |ρ − 1|", "zh": "最大 |ρ − 1|"},
    "metric.train/approx_kl": {"en": "approx. KL (PPO)", "zh": "近似 KL（PPO）"},
    "metric.train/kl": {"en": "KL after the step", "zh": "更新后的 KL"},
    "metric.train/target_kl": {"en": "target_kl", "zh": "target_kl（KL 目标）"},
    "metric.train/epochs": {"en": "epochs run", "zh": "实际轮数"},
    "metric.train/step_size": {"en": "step size β", "zh": "步长 β"},
    "metric.train/step_norm": {"en": "step length ‖Δθ‖", "zh": "步长 ‖Δθ‖"},
    "metric.train/backtracks": {"en": "backtracks", "zh": "回溯次数"},
    "metric.train/accepted": {"en": "step accepted", "zh": "接受了步长"},
    "metric.train/surrogate_improvement": {"en": "surrogate gain", "zh": "替代目标提升"},
    "metric.train/cg_residual": {"en": "CG residual", "zh": "共轭梯度残差"},
    "metric.train/explained_variance": {"en": "explained variance", "zh": "解释方差"},
    "metric.train/policy_loss": {"en": "policy loss (−L^CLIP)", "zh": "策略损失（−L^CLIP）"},
    "metric.train/std": {"en": "policy std", "zh": "策略标准差"},
}
