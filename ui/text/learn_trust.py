"""Text of the Learn page on policy optimisation (PPO's clip, GAE, TRPO's trust region)."""

TEXT = {
    "page.learn_trust": {"en": "PPO & TRPO: trust regions", "zh": "PPO 与 TRPO：信赖域"},
    "lt.title": {
        "en": "Policy optimisation: how far may one update move the policy?",
        "zh": "策略优化：一次更新能让策略移动多远？",
    },
    "lt.intro": {
        "en": "A policy-gradient step that is too large can ruin a policy that took thousands of "
        "episodes to learn, and the data collected with the old policy no longer describe the new "
        "one. TRPO bounds each step by a KL divergence and solves that constrained problem with a "
        "natural-gradient step; PPO gets most of the effect with a clipped objective and plain "
        "SGD. Both estimate advantages with GAE(λ). Every figure here calls the same functions "
        "the PPO and TRPO agents train with.",
        "zh": "步子太大的策略梯度更新可能毁掉一个花了成千上万个回合才学到的策略，"
        "而且旧策略采集的数据已不能描述新策略。TRPO 用 KL 散度限制每一步，"
        "并用自然梯度求解这个带约束的问题；PPO 用裁剪后的目标函数和普通的 SGD 得到大部分效果。"
        "两者都用 GAE(λ) 估计优势函数。本页每个图都调用 PPO 和 TRPO 智能体训练时所用的同一批函数。",
    },
    # -- the clipped surrogate -------------------------------------------------------------
    "lt.clip.title": {
        "en": "PPO's clipped surrogate and KL as a distance",
        "zh": "PPO 的裁剪替代目标与作为“距离”的 KL",
    },
    "lt.clip.question": {
        "en": "Does the KL divergence measure a distance?",
        "zh": "kl散度，衡量距离？",
    },
    "lt.clip.eps": {"en": "Clip range ε", "zh": "裁剪范围 ε"},
    "lt.clip.plain": {"en": "ρ·A (unclipped)", "zh": "ρ·A（不裁剪）"},
    "lt.clip.clipped": {"en": "L^CLIP", "zh": "L^CLIP"},
    "lt.clip.edge": {"en": "1 ± ε", "zh": "1 ± ε"},
    "lt.clip.pos": {"en": "advantage A = +1", "zh": "优势 A = +1"},
    "lt.clip.neg": {"en": "advantage A = −1", "zh": "优势 A = −1"},
    "lt.clip.caption": {
        "en": "The probability ratio ρ says how much more (or less) likely the new policy makes "
        "an action the old one took; ε is PPO's clip_range.",
        "zh": "概率比 ρ 表示新策略让旧策略采取过的动作变得更可能（或更不可能）多少；ε 就是 PPO 的 "
        "clip_range。",
    },
    "lt.clip.read": {
        "en": "**How to read it.** For a good action (A > 0) the objective grows with ρ only up "
        "to 1 + ε: beyond that it is flat, so the gradient stops pushing the action's probability "
        "up. For a bad action (A < 0) it is flat below 1 − ε. On the other side the min keeps the "
        "unclipped line: if an update made a good action *less* likely (ρ < 1 − ε), the full "
        "gradient pulls it back. The clip removes the incentive to move far, it does not forbid "
        "it.",
        "zh": "**怎么看。** 对好动作（A > 0），目标只在 ρ 不超过 1 + ε 时随 ρ 增长："
        "超过后目标是平的，梯度不再继续提高该动作的概率。对坏动作（A < 0），目标在 ρ 低于 1 − ε "
        "时是平的。在另一侧，min 保留了不裁剪的直线：如果一次更新让好动作的概率*下降*（ρ < 1 − ε）"
        "，完整的梯度会把它拉回来。裁剪去掉的是“走远”的动力，而不是禁止走远。",
    },
    "lt.upd.title": {
        "en": "One update of a small policy, by four rules",
        "zh": "一个小策略的一次更新：四种规则",
    },
    "lt.upd.setup": {
        "en": "A bandit with four actions of expected rewards {rewards}; the old policy prefers "
        "the worst one. Advantages are exact (A = r − E_π_old[r]) and expectations are taken "
        "exactly over π_old, so nothing here is sampling noise.",
        "zh": "一个四臂老虎机，各动作的期望奖励为 {rewards}；旧策略偏爱最差的那个动作。"
        "优势函数是精确的（A = r − E_π_old[r]），期望也在 π_old 上精确计算，"
        "所以这里没有任何采样噪声。",
    },
    "lt.upd.lr": {"en": "Step size η", "zh": "步长 η"},
    "lt.upd.epochs": {
        "en": "Steps on the same data (PPO, KL penalty)",
        "zh": "同一批数据上的步数（PPO、KL 惩罚）",
    },
    "lt.upd.beta": {"en": "KL penalty weight β", "zh": "KL 惩罚权重 β"},
    "lt.upd.delta": {"en": "Trust region δ (TRPO)", "zh": "信赖域 δ（TRPO）"},
    "lt.upd.pg": {"en": "plain PG (1 step)", "zh": "普通策略梯度（1 步）"},
    "lt.upd.ppo": {"en": "PPO clip", "zh": "PPO 裁剪"},
    "lt.upd.kl_penalty": {"en": "KL penalty", "zh": "KL 惩罚"},
    "lt.upd.trpo": {"en": "TRPO", "zh": "TRPO"},
    "lt.upd.old": {"en": "π_old", "zh": "π_old"},
    "lt.upd.action": {"en": "action", "zh": "动作"},
    "lt.upd.method": {"en": "update rule", "zh": "更新规则"},
    "lt.upd.probs": {"en": "The policy before and after", "zh": "更新前后的策略"},
    "lt.upd.kls": {"en": "KL in both directions", "zh": "两个方向的 KL"},
    "lt.upd.kl_axis": {"en": "KL (nats, log scale)", "zh": "KL（奈特，对数坐标）"},
    "lt.upd.gain": {"en": "expected reward gain", "zh": "期望奖励提升"},
    "lt.upd.caption": {
        "en": "PG takes one step of size η; PPO and the KL penalty take the given number of "
        "gradient steps of size η on their objectives; TRPO takes the natural-gradient step to KL "
        "= δ and shrinks it until the true KL is within δ.",
        "zh": "普通策略梯度走一步，步长 η；PPO 和 KL 惩罚在各自目标上走给定步数、每步步长 η；TRPO "
        "沿自然梯度走到 KL = δ 处，再缩小步长直到真实 KL 不超过 δ。",
    },
    "lt.upd.answer": {
        "en": "**What to see.** With a large η, plain PG jumps far: the KL to the old policy can "
        "exceed 1 nat. PPO's first step is exactly PG's; the clip only stops the *further* steps "
        "once every ratio has left [1 − ε, 1 + ε] in its improving direction, so with a large η "
        "it overshoots just as far, and with a small η it stops just past the clip edges, however "
        "many steps you allow. The KL penalty keeps moving until β·KL balances the gain. TRPO's "
        "step stays within δ whatever η is.\n\n**KL is a divergence, not a distance.** KL(π_old ‖ "
        "π_new) and KL(π_new ‖ π_old) differ (right chart), the more so the larger the step, and "
        "neither obeys the triangle inequality. Close to π_old both agree to second order: KL ≈ ½ "
        "Δθᵀ F Δθ with the Fisher matrix F. That local quadratic is what makes KL usable as a "
        "step-size measure, and it is TRPO's model of the trust region (last section).",
        "zh": "**可以看到什么。** η 很大时，普通策略梯度跳得很远：与旧策略的 KL 可以超过 1 奈特。"
        "PPO 的第一步和普通策略梯度完全相同；裁剪只会在每个概率比都朝改进方向离开 [1 − ε, 1 + ε] "
        "之后阻止*后续*的步子，所以 η 很大时它同样会冲过头，而 η 较小时无论允许多少步，"
        "它都停在刚越过裁剪边界的地方。KL 惩罚会一直移动，直到 β·KL 与收益平衡。无论 η 多大，TRPO "
        "的一步都保持在 δ 以内。\n\n**KL 是散度，不是距离。** KL(π_old ‖ π_new) 与 KL(π_new ‖ "
        "π_old) 不相等（右图），步子越大差别越大，而且两者都不满足三角不等式。在 π_old 附近，"
        "两者在二阶上一致：KL ≈ ½ Δθᵀ F Δθ，其中 F 是 Fisher 矩阵。正是这个局部二次形式让 KL "
        "可以用来衡量步长，它也是 TRPO 对信赖域的模型（见最后一节）。",
    },
    # -- GAE --------------------------------------------------------------------------------
    "lt.gae.title": {"en": "GAE(λ): bias against variance", "zh": "GAE(λ)：偏差与方差的权衡"},
    "lt.gae.question": {
        "en": "Why does PPO use λ = 0.95 rather than a one-step TD advantage or the full "
        "Monte-Carlo return?",
        "zh": "为什么 PPO 用 λ = 0.95，而不是单步 TD 优势或完整的蒙特卡洛回报？",
    },
    "lt.gae.setup": {
        "en": "FrozenLake's 4x4 map (−0.02 per move, +1 goal, −1 hole), a Boltzmann policy of Q*, "
        "γ = 0.95. 1,000 environments run 32 steps each, as in a PPO rollout; the advantages are "
        "compared with the exact Q_π(s,a) − V̂(s) solved from the Bellman equations. The critic "
        "is V̂ = V_π + error·z(s) with a fixed random z.",
        "zh": "FrozenLake 的 4x4 地图（每步 −0.02，到达终点 +1，掉进冰洞 −1），策略是 Q* 的 "
        "Boltzmann 策略，γ = 0.95。1,000 个环境各运行 32 步，与 PPO 的一次 rollout 相同；"
        "把优势估计与由贝尔曼方程精确求出的 Q_π(s,a) − V̂(s) 比较。评论家为 V̂ = V_π + 误差·z(s)，"
        "z 是固定的随机数。",
    },
    "lt.gae.error": {"en": "Critic error", "zh": "评论家误差"},
    "lt.gae.slip": {"en": "Slip probability", "zh": "打滑概率"},
    "lt.gae.limit": {"en": "Time limit (steps)", "zh": "时间上限（步）"},
    "lt.gae.as_terminal": {
        "en": "Treat the time limit as terminal (wrong)",
        "zh": "把时间上限当作终止（错误做法）",
    },
    "lt.gae.bias2": {"en": "bias²", "zh": "偏差²"},
    "lt.gae.variance": {"en": "variance", "zh": "方差"},
    "lt.gae.mse": {"en": "mean squared error", "zh": "均方误差"},
    "lt.gae.axis": {"en": "error of Â (squared)", "zh": "Â 的误差（平方）"},
    "lt.gae.fig": {"en": "Error of the advantage estimates vs λ", "zh": "优势估计误差随 λ 的变化"},
    "lt.gae.now": {
        "en": "{n:,} advantage estimates per λ, {episodes:,} episode ends in the rollout; the "
        "lowest mean squared error is at λ = {best:.2f} (vertical line).",
        "zh": "每个 λ 有 {n:,} 个优势估计，rollout 中有 {episodes:,} 次回合结束；均方误差最小处为 "
        "λ = {best:.2f}（竖线）。",
    },
    "lt.gae.caption": {
        "en": "d_t is the *terminated* bit only. At a time-limit truncation the episode ends (the "
        "sum stops) but V̂ of the true final state is still bootstrapped.",
        "zh": "d_t 只表示*终止*。在时间上限截断处，回合结束（求和在此停止），"
        "但仍然用真实最终状态的 V̂ 做自举。",
    },
    "lt.gae.answer": {
        "en": "**What to see.** With an exact critic (error 0) every λ is unbiased and only the "
        "variance changes: it grows with λ, because each further reward adds the randomness of "
        "the policy and of the slippery ice (with no slip the one-step estimate at λ = 0 has no "
        "variance at all). With an erroneous critic, small λ leans on V̂ and inherits its error "
        "(bias), large λ leans on sampled rewards (variance): raise the critic error and the best "
        "λ moves right. In deep RL the critic is a network fitted to the same noisy returns, far "
        "from exact, one reason why values such as 0.9-0.98 work well there. Now switch on *treat "
        "the time limit as terminal*: cutting the bootstrap at truncations adds a bias that grows "
        "with λ, which is why the agents bootstrap on truncated and not on terminated.",
        "zh": "**可以看到什么。** 评论家精确时（误差为 0），任何 λ 都无偏，变化的只有方差：λ "
        "越大方差越大，因为每多加一个奖励就多一份策略和冰面打滑带来的随机性（不打滑时，λ = 0 "
        "的单步估计完全没有方差）。评论家有误差时，小 λ 依赖 V̂，继承了它的误差（偏差）；大 λ "
        "依赖采样得到的奖励（方差）：调大评论家误差，最佳 λ 就向右移动。在深度强化学习中，"
        "评论家是用同样带噪声的回报拟合出的网络，远非精确，这也是 0.9-0.98 "
        "这样的取值在实践中效果好的原因之一。再打开*把时间上限当作终止*：在截断处不再自举会带来随 "
        "λ 增大的偏差——这就是智能体在截断时自举、在终止时不自举的原因。",
    },
    # -- the trust-region step ----------------------------------------------------------------
    "lt.tr.title": {
        "en": "TRPO's step: a constrained problem, solved with the natural gradient",
        "zh": "TRPO 的一步：用自然梯度求解的约束优化问题",
    },
    "lt.tr.question": {
        "en": "Gradient projection to solve an optimisation problem?",
        "zh": "梯度投影算法求最优化问题？",
    },
    "lt.tr.setup": {
        "en": "A softmax policy over three actions (rewards {rewards}) with logits (θ1, θ2, 0): "
        "two parameters, so the whole problem fits in the plane. Colours: the surrogate L(θ) − "
        "L(θ_old); solid black: the exact KL(π_old ‖ π_θ) = δ; dashed: its quadratic model ½ Δθᵀ "
        "F Δθ = δ.",
        "zh": "一个三动作的 softmax 策略（奖励为 {rewards}），logits 为 (θ1, θ2, 0)："
        "只有两个参数，整个问题可以画在平面上。颜色：替代目标 L(θ) − L(θ_old)；黑色实线：精确的 "
        "KL(π_old ‖ π_θ) = δ；虚线：它的二次模型 ½ Δθᵀ F Δθ = δ。",
    },
    "lt.tr.surrogate": {"en": "surrogate gain", "zh": "替代目标提升"},
    "lt.tr.kl_ball": {"en": "exact KL = δ", "zh": "精确 KL = δ"},
    "lt.tr.model_ball": {"en": "quadratic model = δ", "zh": "二次模型 = δ"},
    "lt.tr.gradient": {"en": "plain gradient step", "zh": "普通梯度步"},
    "lt.tr.natural": {"en": "natural gradient step", "zh": "自然梯度步"},
    "lt.tr.accepted": {"en": "after the line search", "zh": "线搜索之后"},
    "lt.tr.metric_help": {
        "en": "Surrogate gain of the step; the linear model predicted {model:+.4f}; its exact KL "
        "is {kl:.4f}.",
        "zh": "这一步带来的替代目标提升；线性模型的预测为 {model:+.4f}；其精确 KL 为 {kl:.4f}。",
    },
    "lt.tr.backtracks": {"en": "line-search backtracks", "zh": "线搜索回溯次数"},
    "lt.tr.now": {
        "en": "Fisher matrix F = {f}, gradient g = {g}, natural direction F⁻¹g = {s} (by "
        "conjugate gradient). Exact KL of the steps: gradient {kl_g:.4f}, natural {kl_s:.4f}, "
        "accepted {kl_a:.4f}.",
        "zh": "Fisher 矩阵 F = {f}，梯度 g = {g}，自然梯度方向 F⁻¹g = {s}（由共轭梯度求得）。"
        "各步的精确 KL：普通梯度 {kl_g:.4f}，自然梯度 {kl_s:.4f}，线搜索后 {kl_a:.4f}。",
    },
    "lt.tr.caption": {
        "en": "Linear model of the surrogate, quadratic model of the KL: the maximiser is the "
        "natural gradient F⁻¹g scaled to the ellipse's edge. TRPO never forms F: conjugate "
        "gradient needs only products F·v, two backward passes each.",
        "zh": "替代目标取线性模型，KL 取二次模型：最优解是缩放到椭圆边界的自然梯度 F⁻¹g。TRPO "
        "从不显式构造 F：共轭梯度只需要乘积 F·v，每次两遍反向传播。",
    },
    "lt.tr.answer": {
        "en": "**What to see.** Both full steps end on the dashed ellipse, the same *model* KL; "
        "the natural step gains more because it is the best direction inside the ellipse, while "
        "the plain gradient is the best direction inside a *circle* of parameter distance. Move θ "
        "so that the best action becomes rare: the plain gradient, scaled by that action's small "
        "probability, points the wrong way round the ellipse. The exact KL ball (solid) is not "
        "the ellipse, so the full natural step can land outside it: the line search then shrinks "
        "it (the backtracks).\n\n**Gradient projection?** Not quite. Projected gradient ascent "
        "takes a gradient step and projects the point back onto the feasible set. TRPO instead "
        "changes the *metric*: it asks for the steepest ascent when distance is measured by the "
        "KL (the Fisher matrix), which gives the direction F⁻¹g, then goes along it to the "
        "boundary and checks the true constraint with a line search. PPO drops the constraint and "
        "approximates its effect with the clipped objective.",
        "zh": "**可以看到什么。** 两个完整的步子都落在虚线椭圆上，即*模型* KL 相同；"
        "自然梯度步的收益更大，因为它是椭圆内的最优方向，"
        "而普通梯度只是参数空间中一个*圆*内的最优方向。移动 θ 让最好的动作变得罕见："
        "普通梯度被该动作的小概率缩小，沿着椭圆指向了不理想的方向。精确的 KL 球（实线）"
        "并不是那个椭圆，所以完整的自然梯度步可能落在它外面：线搜索随后把它缩小（即回溯次数）。"
        "\n\n**是梯度投影吗？** 不完全是。投影梯度法先走一步梯度，再把点投影回可行集。TRPO "
        "则改变了*度量*：它求的是以 KL（Fisher 矩阵）衡量距离时的最速上升方向，即 F⁻¹g，"
        "然后沿此方向走到边界，再用线搜索检验真实的约束。PPO 去掉了约束，"
        "用裁剪后的目标来近似它的效果。",
    },
}
