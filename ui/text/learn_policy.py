"""Text of the Policy & actor-critic page: reparameterisation, SAC's α, policy gradient."""

TEXT = {
    "lp.title": {"en": "Policy gradient and actor-critic", "zh": "策略梯度与演员-评论家"},
    "lp.intro": {
        "en": "How a policy network gets its gradient: through the sample (reparameterization) "
        "or through the log-probability (score function / REINFORCE); how SAC tunes its "
        "temperature α; and why a baseline or a critic makes policy gradients usable.",
        "zh": "策略网络如何得到梯度：穿过样本（重参数化），"
        "或者通过对数概率（得分函数 / REINFORCE）；"
        "SAC 如何自动调节温度系数 α；以及为什么基线或评论家让策略梯度变得好用。",
    },
    # 6. reparameterization
    "lp.rep.title": {
        "en": "The reparameterization trick",
        "zh": "重参数化技巧",
    },
    "lp.rep.question": {
        "en": "“根据高斯分布来采样动作是不可导的，所以需要用到重参数化技巧……"
        "这样对于策略函数是可导的。” "
        "(Sampling is not differentiable, so SAC reparameterizes — but why is that better?)",
        "zh": "“根据高斯分布来采样动作是不可导的，所以需要用到重参数化技巧……"
        "这样对于策略函数是可导的。”"
        "但它为什么更好？",
    },
    "lp.rep.function": {"en": "Function f(x)", "zh": "函数 f(x)"},
    "lp.rep.f.square": {"en": "x²", "zh": "x²"},
    "lp.rep.f.sin": {"en": "sin x", "zh": "sin x"},
    "lp.rep.f.bump": {"en": "exp(−x²/2)  (a Q-like bump)", "zh": "exp(−x²/2)（类似 Q 函数的峰）"},
    "lp.rep.mu": {"en": "Mean μ", "zh": "均值 μ"},
    "lp.rep.sigma": {"en": "Standard deviation σ", "zh": "标准差 σ"},
    "lp.rep.m": {"en": "Samples per estimate M", "zh": "每次估计的样本数 M"},
    "lp.rep.reparam": {"en": "reparameterized (pathwise)", "zh": "重参数化（路径导数）"},
    "lp.rep.score": {"en": "score function (REINFORCE)", "zh": "得分函数（REINFORCE）"},
    "lp.rep.true": {"en": "true gradient", "zh": "真实梯度"},
    "lp.rep.hist": {
        "en": "500 gradient estimates, each from M samples",
        "zh": "500 次梯度估计，每次用 M 个样本",
    },
    "lp.rep.estimate": {"en": "estimate of d/dμ E[f(x)]", "zh": "d/dμ E[f(x)] 的估计"},
    "lp.rep.std": {"en": "Spread of the estimate vs M", "zh": "估计的标准差随 M 的变化"},
    "lp.rep.std_axis": {"en": "standard deviation", "zh": "标准差"},
    "lp.rep.now": {
        "en": "At M = {m}: true gradient {g:.4f}; reparameterized mean {r:.4f} (std {rs:.4f}); "
        "score-function mean {s:.4f} (std {ss:.4f}).",
        "zh": "M = {m} 时：真实梯度 {g:.4f}；重参数化均值 {r:.4f}（标准差 {rs:.4f}）；"
        "得分函数均值 {s:.4f}（标准差 {ss:.4f}）。",
    },
    "lp.rep.caption": {
        "en": "Both estimators are unbiased (their histograms centre on the true gradient); "
        "gradients computed by autograd, exactly as a policy loss would be.",
        "zh": "两种估计都是无偏的（直方图都以真实梯度为中心）；梯度由自动求导计算，"
        "与策略损失的计算方式完全相同。",
    },
    "lp.rep.same_idea": {
        "en": "Same sampling as training: x = μ + σ·ε with ε ~ N(0, 1) is the line "
        "`u = mean + std * torch.randn_like(mean)` of `rlcore.core.nn.TanhGaussianActor`, the "
        "actor SAC trains (it then squashes with tanh).",
        "zh": "与训练时的采样方式相同：x = μ + σ·ε、ε ~ N(0, 1) 正是 "
        "`rlcore.core.nn.TanhGaussianActor` "
        "中的 `u = mean + std * torch.randn_like(mean)`，"
        "也就是 SAC 训练的演员网络（之后再经过 tanh 压缩）。",
    },
    "lp.rep.answer": {
        "en": "A sample x ~ N(μ, σ²) is a dead end for the gradient: there is no path from "
        "x back to μ. Writing x = μ + σε moves the randomness into ε, which does not depend "
        "on μ, so the gradient flows *through the sample*: each sample reports how f changes "
        "when x moves (f′(x)). The score-function estimator needs no such path, only "
        "∇log p(x), but it learns only from how f *values* correlate with the noise, and its "
        "spread is much larger — try f = x² with μ far from 0. Both spreads shrink like "
        "1/√M, so the reparameterized estimate reaches the same accuracy with far fewer "
        "samples. That is why SAC's actor loss differentiates Q(s, ã) through ã. The price: "
        "f must be differentiable in x (SAC's Q is; a discrete reward is not).",
        "zh": "对样本 x ~ N(μ, σ²) 来说，梯度走到这里就断了：没有从 x 回到 μ 的路径。"
        "写成 x = μ + σε 后，随机性转移到与 μ 无关的 ε 上，梯度便可以*穿过样本*回传："
        "每个样本告诉我们 x 变化时 f 如何变化（f′(x)）。得分函数估计不需要这条路径，只需要 "
        "∇log p(x)，但它只能从 f 的*取值*与噪声的相关性中学习，方差大得多——试试 f = x²、"
        "μ 远离 0 的情况。两者的标准差都按 1/√M 下降，因此重参数化估计用少得多的样本就能达到"
        "同样的精度。这就是 SAC 的演员损失通过 ã 对 Q(s, ã) 求导的原因。代价是：f 必须对 x "
        "可导（SAC 的 Q 函数可导，离散的奖励则不行）。",
    },
    # 7. SAC alpha
    "lp.alpha.title": {
        "en": "SAC's temperature α: dual ascent to a target entropy",
        "zh": "SAC 的温度系数 α：对偶上升逼近目标熵",
    },
    "lp.alpha.question": {
        "en": "“熵正则项系数损失函数：alpha_loss = torch.mean((entropy - self.target_entropy)"
        ".detach() * self.log_alpha.exp())” (what does this loss do to α?)",
        "zh": "“熵正则项系数损失函数：alpha_loss = torch.mean((entropy - self.target_entropy)"
        ".detach() * self.log_alpha.exp())”——这个损失对 α 做了什么？",
    },
    "lp.alpha.target": {"en": "Target entropy H̄ (nats)", "zh": "目标熵 H̄（奈特）"},
    "lp.alpha.alpha_lr": {"en": "Learning rate of log α", "zh": "log α 的学习率"},
    "lp.alpha.policy_lr": {"en": "Learning rate of the policy", "zh": "策略的学习率"},
    "lp.alpha.autotune": {"en": "Auto-tune α", "zh": "自动调节 α"},
    "lp.alpha.autotune_help": {
        "en": "Off: α stays where it is and only the policy learns.",
        "zh": "关闭时 α 保持不变，只有策略在学习。",
    },
    "lp.alpha.entropy_panel": {"en": "Policy entropy H(π)", "zh": "策略熵 H(π)"},
    "lp.alpha.alpha_panel": {"en": "Temperature α (log scale)", "zh": "温度系数 α（对数坐标）"},
    "lp.alpha.entropy": {"en": "entropy H(π)", "zh": "熵 H(π)"},
    "lp.alpha.target_line": {"en": "target H̄", "zh": "目标 H̄"},
    "lp.alpha.alpha": {"en": "α", "zh": "α"},
    "lp.alpha.alpha_star": {"en": "α* (exact, for this toy)", "zh": "α*（此玩具问题的精确值）"},
    "lp.alpha.update": {"en": "update", "zh": "更新次数"},
    "lp.alpha.m_step": {"en": "Updates", "zh": "更新次数"},
    "lp.alpha.m_alpha": {"en": "α", "zh": "α"},
    "lp.alpha.m_entropy": {"en": "Entropy H(π)", "zh": "熵 H(π)"},
    "lp.alpha.m_std": {"en": "Policy std s", "zh": "策略标准差 s"},
    "lp.alpha.setup": {
        "en": "Toy: a 1-D Gaussian policy π = N(m, s²), the critic Q(a) = −a²/2 known "
        "exactly. For a fixed α the best policy has s² = α, so one α hits each target "
        "entropy: α* = exp(2H̄)/(2πe).",
        "zh": "玩具问题：一维高斯策略 π = N(m, s²)，评论家 Q(a) = −a²/2 精确已知。"
        "对固定的 α，最优策略满足 s² = α，因此每个目标熵对应唯一的 α* = exp(2H̄)/(2πe)。",
    },
    "lp.alpha.caption": {
        "en": "Each update: one Adam step of the actor loss on (m, log s) with 64 "
        "reparameterized samples, then one Adam step of the temperature loss on log α.",
        "zh": "每次更新：先用 64 个重参数化样本对演员损失在 (m, log s) 上做一步 Adam，"
        "再对温度损失在 log α 上做一步 Adam。",
    },
    "lp.alpha.answer": {
        "en": "α is a **Lagrange multiplier** for the constraint “entropy ≥ H̄”. Its loss "
        "−α(log π + H̄) — in the notes' code (entropy − H̄)·α, the same thing since entropy "
        "= −log π — has gradient −(log π + H̄) = entropy − H̄ per unit α: while the entropy is "
        "**below** the target, gradient descent **raises** α, the actor is paid more for "
        "randomness and widens; once the entropy is above target α falls. It settles where "
        "the entropy equals the target (left) and α equals the exact α* (right). This is "
        "dual gradient descent, the same rule as CQL-Lagrange's α and "
        "`rlcore.core.ops.dual_loss`. Turn tuning off to see a fixed α leave the entropy wherever "
        "that α puts it; move the target while playing and watch α chase it.",
        "zh": "α 是约束“熵 ≥ H̄”的**拉格朗日乘子**。它的损失 −α(log π + H̄)——笔记代码里写成 "
        "(entropy − H̄)·α，因为 entropy = −log π，两者相同——对单位 α 的梯度是 "
        "−(log π + H̄) = entropy − H̄：熵**低于**目标时，梯度下降会**增大** α，演员因随机性获得"
        "更多奖励而变宽；熵高于目标后 α 随之减小。最终熵等于目标（左图），α 等于精确的 α*"
        "（右图）。这就是对偶梯度下降，与 CQL-Lagrange 的 α 以及 `rlcore.core.ops.dual_loss` "
        "是同一条规则。关闭自动调节，可以看到固定的 α 让熵停在它决定的位置；"
        "播放时移动目标熵，可以看到 α 追着它走。",
    },
    # 8. policy gradient
    "lp.pg.title": {
        "en": "Policy gradient: REINFORCE, baseline, critic",
        "zh": "策略梯度：REINFORCE、基线与评论家",
    },
    "lp.pg.question": {
        "en": "“Policy-Based Reinforcement Learning … Actor-Critic Method … 无偏估计？” — the "
        "notes' sections are empty (pictures lost): what do a baseline and a critic add?",
        "zh": "“Policy-Based Reinforcement Learning … Actor-Critic Method … 无偏估计？”"
        "——笔记里这两节只剩标题（图片丢失）：基线和评论家到底带来了什么？",
    },
    "lp.pg.noise": {"en": "Reward noise σ", "zh": "奖励噪声 σ"},
    "lp.pg.offset": {
        "en": "Reward offset c (added to every reward)",
        "zh": "奖励偏移 c（加到每个奖励上）",
    },
    "lp.pg.batch": {"en": "Samples per update B", "zh": "每次更新的样本数 B"},
    "lp.pg.lr": {"en": "Policy learning rate η", "zh": "策略学习率 η"},
    "lp.pg.bandit": {
        "en": "A 5-armed bandit with mean rewards {means} plus c and Gaussian noise; a "
        "softmax policy over the arms, starting uniform.",
        "zh": "一个 5 臂老虎机，平均奖励为 {means}，再加上 c 和高斯噪声；策略是各臂上的 softmax，"
        "初始为均匀分布。",
    },
    "lp.pg.reinforce": {"en": "REINFORCE: A = r", "zh": "REINFORCE：A = r"},
    "lp.pg.baseline": {"en": "with baseline: A = r − b", "zh": "带基线：A = r − b"},
    "lp.pg.critic": {"en": "actor-critic: A = Q̂(a) − V̂", "zh": "演员-评论家：A = Q̂(a) − V̂"},
    "lp.pg.variance": {
        "en": "Gradient variance at the start (2000 batches)",
        "zh": "初始策略处的梯度方差（2000 个批次）",
    },
    "lp.pg.variance_axis": {"en": "E‖ĝ − ∇J‖² (log)", "zh": "E‖ĝ − ∇J‖²（对数）"},
    "lp.pg.method": {"en": "estimator", "zh": "估计方式"},
    "lp.pg.curves": {
        "en": "Learning speed (mean of 16 runs, band: ±1 s.e.)",
        "zh": "学习速度（16 次运行的均值，阴影：±1 标准误）",
    },
    "lp.pg.j": {"en": "expected reward J(θ) − c", "zh": "期望奖励 J(θ) − c"},
    "lp.pg.iteration": {"en": "update", "zh": "更新次数"},
    "lp.pg.best": {"en": "best arm", "zh": "最优臂"},
    "lp.pg.caption": {
        "en": "For a softmax policy ∇_θ log π(a) = e_a − π. Variance panel: the ideal "
        "baseline b = V_π and the exact critic Q̂ = Q_π; learning panel: b is a running "
        "mean of rewards and Q̂ a table learned from the same samples.",
        "zh": "对 softmax 策略，∇_θ log π(a) = e_a − π。"
        "方差图：理想基线 b = V_π、精确评论家 Q̂ = Q_π；"
        "学习曲线：b 是奖励的滑动平均，Q̂ 是用同样的样本学习的表格。",
    },
    "lp.pg.answer": {
        "en": "All three estimate the same gradient — subtracting a baseline b that does not "
        "depend on the action changes nothing on average, because E[∇log π(a)] = 0. But the "
        "variance differs by orders of magnitude. REINFORCE weights ∇log π(a) by the raw "
        "reward, so with an offset c every action looks good and the update is mostly noise: "
        "raise c and watch its variance grow like c² and its learning stall. The baseline "
        "asks “better or worse than usual?” and is immune to c; a critic goes further and "
        "replaces the noisy reward by a learned Q̂(a), removing the reward noise too. That is "
        "the actor-critic idea (A2C uses a learned V to form advantages); the price is the "
        "critic's own error, a little bias early on.",
        "zh": "三者估计的是同一个梯度——减去一个与动作无关的基线 b 在期望上不改变任何东西，"
        "因为 E[∇log π(a)] = 0。但它们的方差相差几个数量级。REINFORCE 用原始奖励给 ∇log π(a) "
        "加权，所以有偏移 c 时每个动作看起来都不错，更新几乎全是噪声：增大 c，"
        "它的方差像 c² 一样增长，学习也停滞了。基线问的是“比平常好还是差？”，不受 c 影响；"
        "评论家更进一步，用学到的 Q̂(a) 代替带噪声的奖励，把奖励噪声也去掉了。"
        "这就是演员-评论家的思想（A2C 用学到的 V 构造优势函数）；代价是评论家自身的误差，"
        "在早期带来少量偏差。",
    },
}
