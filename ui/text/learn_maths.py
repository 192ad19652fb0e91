"""Text of the Learn page "Maths toolbox" (pages/learn_maths.py)."""

TEXT = {
    "lm.used.dual": {"en": "SAC (α) and CQL-Lagrange (α')", "zh": "SAC（α）与 CQL-Lagrange（α'）"},
    "lm.title": {"en": "Maths toolbox", "zh": "数学工具箱"},
    "lm.intro": {
        "en": "The maths the algorithms lean on, one idea at a time: move the sliders and check "
        "every formula against a simulation.",
        "zh": "算法背后依赖的数学，一次一个概念：拖动滑块，用模拟结果验证每一个公式。",
    },
    "lm.steps": {"en": "steps", "zh": "步数"},
    "lm.per_click": {"en": "Steps per click / per tick", "zh": "每次点击 / 每次刷新前进的步数"},
    # -- 14. KL divergence
    "lm.kl.title": {"en": "KL divergence: not a distance", "zh": "KL散度：不是距离"},
    "lm.kl.question": {
        "en": "Does the KL divergence measure a distance?",
        "zh": "kl散度，衡量距离？",
    },
    "lm.kl.correction": {
        "en": "KL divergence is not a distance (not a metric): KL(p‖q) ≠ KL(q‖p) in general, and "
        "it can break the triangle inequality. It is ≥ 0 and = 0 only when p = q, which is "
        "why it is often *used* like a distance.",
        "zh": "KL散度不是距离（不是度量）：一般来说 KL(p‖q) ≠ KL(q‖p)，而且它可以违反三角不等式。"
        "它总是 ≥ 0，且仅当 p = q 时为 0，所以常被*当作*距离来用。",
    },
    "lm.kl.n": {"en": "Monte-Carlo samples", "zh": "蒙特卡洛样本数"},
    "lm.kl.mu_r": {"en": "μ_r (third Gaussian r)", "zh": "μ_r（第三个高斯分布 r）"},
    "lm.kl.sd_r": {"en": "σ_r (third Gaussian r)", "zh": "σ_r（第三个高斯分布 r）"},
    "lm.kl.closed": {"en": "closed form", "zh": "闭式解"},
    "lm.kl.mc": {"en": "Monte Carlo (n = {n})", "zh": "蒙特卡洛（n = {n}）"},
    "lm.kl.se": {"en": "standard error", "zh": "标准误"},
    "lm.kl.triangle_broken": {
        "en": "Triangle inequality broken: KL(p‖r) = {pr} > KL(p‖q) + KL(q‖r) = {sum}. A distance "
        "could never do this.",
        "zh": "三角不等式被打破：KL(p‖r) = {pr} > KL(p‖q) + KL(q‖r) = {sum}。真正的距离绝不会这样"
        "。",
    },
    "lm.kl.triangle_holds": {
        "en": "Here KL(p‖r) = {pr} ≤ KL(p‖q) + KL(q‖r) = {sum}; move r further from p (e.g. p = "
        "N(0, 1), q = N(1, 2²), r = N(2, 1)) to break it.",
        "zh": "此时 KL(p‖r) = {pr} ≤ KL(p‖q) + KL(q‖r) = {sum}；把 r 移得离 p 更远（例如 p = N(0, "
        "1)，q = N(1, 2²)，r = N(2, 1)）就能打破它。",
    },
    "lm.kl.fig_densities": {"en": "Densities", "zh": "概率密度"},
    "lm.kl.fig_integrands": {
        "en": "Integrands: area = KL(p‖q) (blue), KL(q‖p) (red)",
        "zh": "被积函数：面积 = KL(p‖q)（蓝），KL(q‖p)（红）",
    },
    "lm.kl.caption": {
        "en": "KL divergence of two Gaussians: the expectation under p of the log-ratio, with its "
        "closed form. The Monte-Carlo column averages the log-ratio over samples of p.",
        "zh": "两个高斯分布的KL散度：对数比值在 p 下的期望，以及它的闭式解。蒙特卡洛一栏是对 p 的"
        "样本求对数比值的平均。",
    },
    "lm.kl.answer": {
        "en": "**What you see.** KL(p‖q) averages log(p/q) over samples **from p**: it asks how "
        "surprised q is by what p produces. Swapping the roles changes the question, so the "
        "two numbers differ (blue vs red area) — unless the two Gaussians have the same σ. "
        "When q is wide and p narrow, KL(p‖q) is small (q covers p) but KL(q‖p) is large (p "
        "almost never produces what q does). The integrand can even be negative in places; "
        "only the total is guaranteed ≥ 0 (Gibbs' inequality). With the default r, KL(p‖r) "
        "is larger than going through q: no triangle inequality. So KL is a *divergence*, "
        "not a distance. The direction matters in RL: behaviour cloning's maximum "
        "likelihood minimises KL(data‖π) (mode-covering: π must put mass wherever the data "
        "does); SAC's policy step minimises KL(π‖exp(Q/α)/Z) (mode-seeking); trust-region "
        "methods bound KL(π_old‖π).",
        "zh": "**你看到的是什么。** KL(p‖q) 是对 **p 的样本**求 log(p/q) 的平均：它衡量 q 对 p 产"
        "生的样本有多“意外”。交换角色就换了一个问题，所以两个数不同（蓝色面积与红色面积）"
        "——除非两个高斯分布的 σ 相同。q 宽而 p 窄时，KL(p‖q) 很小（q 覆盖了 p），而 KL(q‖p) "
        "很大（p 几乎产生不了 q 产生的样本）。被积函数在某些地方甚至可以是负的；只有总和保证"
        " ≥ 0（吉布斯不等式）。使用默认的 r 时，KL(p‖r) 比经过 q 绕一圈还要大：不满足三角不"
        "等式。所以KL散度是一种*散度*，而不是距离。方向在强化学习中很重要：行为克隆的最大似"
        "然最小化的是 KL(数据‖π)（覆盖所有模式：数据有的地方 π 都必须有概率）；SAC 的策略更"
        "新最小化 KL(π‖exp(Q/α)/Z)（寻找单个模式）；信赖域方法约束的是 KL(π_old‖π)。",
    },
    # -- 15. Lagrange multipliers
    "lm.dual.title": {
        "en": "Lagrange multipliers and dual gradient descent",
        "zh": "拉格朗日乘子与对偶梯度下降",
    },
    "lm.dual.question": {
        "en": "The Lagrange multiplier method finds an extremum under a constraint — but how does "
        "CQL(H)-Lagrange use τ to update α by dual gradient descent? And what about "
        "projected-gradient methods for constrained optimisation?",
        "zh": "拉格朗日乘子法是在有约束条件下找到函数的极值——那 CQL(H)(Lagrange) 中引入 τ 来利用双"
        "梯度下降法更新 α 是怎么回事？梯度投影算法求最优化问题又是什么？",
    },
    "lm.dual.limit": {"en": "Constraint x₁ + x₂ ≤ c", "zh": "约束 x₁ + x₂ ≤ c"},
    "lm.dual.primal_lr": {"en": "Step size for x", "zh": "x 的步长"},
    "lm.dual.dual_lr": {"en": "Step size for log λ (Adam)", "zh": "log λ 的步长（Adam）"},
    "lm.dual.fig_path": {
        "en": "min (x₁−2)² + (x₂−1)²  s.t.  x₁ + x₂ ≤ c",
        "zh": "min (x₁−2)² + (x₂−1)²  约束 x₁ + x₂ ≤ c",
    },
    "lm.dual.fig_multiplier": {"en": "Multiplier λ", "zh": "乘子 λ"},
    "lm.dual.fig_g": {"en": "Constraint g(x) = x₁ + x₂ − c", "zh": "约束 g(x) = x₁ + x₂ − c"},
    "lm.dual.feasible": {"en": "feasible set", "zh": "可行域"},
    "lm.dual.path": {"en": "path of x", "zh": "x 的轨迹"},
    "lm.dual.violated": {"en": "violated (g > 0)", "zh": "违反约束（g > 0）"},
    "lm.dual.satisfied": {"en": "satisfied (g ≤ 0)", "zh": "满足约束（g ≤ 0）"},
    "lm.dual.caption_lagrangian": {
        "en": "A constrained problem becomes a saddle-point problem of the Lagrangian; λ ≥ 0 is "
        "the Lagrange multiplier.",
        "zh": "有约束的问题变成拉格朗日函数的鞍点问题；λ ≥ 0 就是拉格朗日乘子。",
    },
    "lm.dual.caption_update": {
        "en": "Dual gradient descent: a descent step on x with λ fixed, then a step on λ that "
        "minimises −λ·g(x) (rlcore.core.ops.dual_loss): λ grows while g > 0.",
        "zh": "对偶梯度下降：固定 λ 对 x 做一步下降，然后对 λ 做一步最小化 −λ·g(x)（"
        "rlcore.core.ops.dual_loss）：只要 g > 0，λ 就增大。",
    },
    "lm.dual.caption_rl": {
        "en": "The same rule in RL: SAC's temperature α (entropy below target = violated) and "
        "CQL-Lagrange's α' (penalty above τ = violated).",
        "zh": "强化学习中的同一条规则：SAC 的温度系数 α（熵低于目标即违反约束）和 CQL-Lagrange 的 "
        "α'（惩罚高于 τ 即违反约束）。",
    },
    "lm.dual.answer": {
        "en": "**What you see.** x wants to reach the unconstrained minimum (2, 1), but with c < "
        "3 that point is outside the feasible set (green). x first runs straight towards it;"
        " as soon as it crosses the line, g(x) > 0 (red) and the multiplier λ **rises** — "
        "it is the *price* of violating the constraint, and a higher price pushes x back. "
        "Once x is feasible λ decays again. After some back and forth x settles on the "
        "boundary at x* and λ at λ* = 3 − c, where the pull of f and the push of the "
        "constraint balance (∇f + λ∇g = 0, the KKT conditions). Set c ≥ 3: the constraint "
        "is never violated and λ decays towards 0 — an inactive constraint costs nothing. "
        "The update of λ is `rlcore.core.ops.dual_loss`, the very function SAC uses for its "
        "temperature (its constraint: entropy ≥ target) and CQL-Lagrange for its α' (its "
        "constraint: penalty ≤ τ). Like SAC, the toy steps log λ with Adam, so λ stays "
        "positive. *Projected gradient* is another way to handle a constraint: take a "
        "gradient step, then project x back onto the feasible set. It needs a cheap "
        'projection (easy for this half-plane); there is none for "policy entropy ≥ '
        'target", which is why SAC and CQL learn a multiplier instead.',
        "zh": "**你看到的是什么。** x 想到达无约束的最小点 (2, 1)，但 c < 3 时这个点不在可行域（绿"
        "色）内。x 先直奔过去；一越过边界线，g(x) > 0（红色），乘子 λ 就**上升**——它是违反约"
        "束的*价格*，价格越高，x 就被推回得越多。x 回到可行域后 λ 又会衰减。来回几次之后，x "
        "停在边界上的 x*，λ 停在 λ* = 3 − c，此时 f 的拉力与约束的推力平衡（∇f + λ∇g = 0，即"
        " KKT 条件）。把 c 设为 ≥ 3：约束从不被违反，λ 衰减到 0——不起作用的约束没有代价。λ "
        "的更新就是 `rlcore.core.ops.dual_loss`，正是 SAC 调节温度系数（约束：熵 ≥ 目标）和 "
        "CQL-Lagrange 调节 α'（约束：惩罚 ≤ τ）所用的同一个函数。与 SAC 一样，这里用 Adam 更"
        "新 log λ，使 λ 始终为正。*梯度投影*是处理约束的另一种方法：先走一步梯度，再把 x 投"
        "影回可行域。它需要一个容易计算的投影（对这个半平面很简单）；而“策略熵 ≥ 目标”没有这"
        "样的投影，所以 SAC 和 CQL 改为学习一个乘子。",
    },
    # -- 17. covariance
    "lm.cov.title": {
        "en": "Covariance, Var(aᵀb) = bᵀΣb, eigenvalues, 2-norm and trace",
        "zh": "协方差矩阵、Var(aᵀb) = bᵀΣb、特征值、二范数与迹",
    },
    "lm.cov.question": {
        "en": "Why is the variance of an inner product Var(aᵀb) = bᵀ·Cov(a)·b? What do the "
        "eigenvalues of a covariance (sample variance) matrix mean, and how do they relate "
        "to its trace, the total variance?",
        "zh": "内积的方差为什么是 Var(aᵀb) = bᵀ·Cov(a)·b？协方差矩阵（采样方差矩阵）的特征值是什么"
        "意思，它们与矩阵的迹（总方差）有什么关系？",
    },
    "lm.cov.correction": {
        "en": "a covariance matrix is positive semi-definite: its eigenvalues are all ≥ 0, never "
        'negative (the notes say "均为负", all negative — that is wrong). Each eigenvalue '
        "is the variance along its eigenvector, and a variance cannot be negative. Trace = "
        "sum of the eigenvalues = total variance.",
        "zh": "协方差矩阵是半正定矩阵：它的特征值都 ≥ 0，绝不会是负的（笔记中写的“均为负”是错的）"
        "。每个特征值就是沿其特征向量方向的方差，而方差不可能为负。迹 = 特征值之和 = 总方差"
        "。",
    },
    "lm.cov.rho": {"en": "Correlation ρ", "zh": "相关系数 ρ"},
    "lm.cov.n": {"en": "Monte-Carlo samples", "zh": "蒙特卡洛样本数"},
    "lm.cov.mc_var": {"en": "Sample variance of aᵀb (n = {n})", "zh": "aᵀb 的样本方差（n = {n}）"},
    "lm.cov.eigs": {"en": "Eigenvalues λ₁, λ₂ (≥ 0)", "zh": "特征值 λ₁、λ₂（≥ 0）"},
    "lm.cov.total_mc": {"en": "Total variance (samples)", "zh": "总方差（样本估计）"},
    "lm.cov.bounds": {
        "en": "Between the eigenvalues: λ₁‖b‖² = {low} ≤ bᵀΣb = {var} ≤ λ₂‖b‖² = {high}",
        "zh": "介于特征值之间：λ₁‖b‖² = {low} ≤ bᵀΣb = {var} ≤ λ₂‖b‖² = {high}",
    },
    "lm.cov.fig_samples": {"en": "Samples of a, eigenvectors, b", "zh": "a 的样本、特征向量与 b"},
    "lm.cov.fig_hist": {"en": "aᵀb: samples vs formula", "zh": "aᵀb：样本与公式对比"},
    "lm.cov.fig_dir": {
        "en": "Variance along each unit direction u_θ",
        "zh": "沿每个单位方向 u_θ 的方差",
    },
    "lm.cov.samples": {"en": "samples of a", "zh": "a 的样本"},
    "lm.cov.formula_density": {"en": "N(0, bᵀΣb)", "zh": "N(0, bᵀΣb)"},
    "lm.cov.directional": {"en": "u_θᵀ Σ u_θ", "zh": "u_θᵀ Σ u_θ"},
    "lm.cov.caption_var": {
        "en": "Variance of an inner product with a fixed vector b: expand the square.",
        "zh": "与固定向量 b 的内积的方差：把平方展开即可。",
    },
    "lm.cov.caption_eig": {
        "en": "Every eigenvalue is a variance, so it is ≥ 0 (positive semi-definite); the trace "
        "is the sum of the variances, which equals the sum of the eigenvalues.",
        "zh": "每个特征值都是一个方差，所以 ≥ 0（半正定）；迹是各方差之和，也等于特征值之和。",
    },
    "lm.cov.caption_norm": {
        "en": "The 2-norm is the Euclidean length; along any direction the variance lies between "
        "the smallest and the largest eigenvalue.",
        "zh": "二范数就是欧几里得长度；沿任意方向的方差都介于最小和最大特征值之间。",
    },
    "lm.cov.answer": {
        "en": "**What you see.** Samples of a 2-D Gaussian a with covariance Σ (left). The number "
        "aᵀb = a₁b₁ + a₂b₂ (multiply matching entries, add up) is random because a is; its "
        "sample variance (middle, histogram) matches bᵀΣb (red curve) up to Monte-Carlo "
        "noise, which shrinks as n grows. The covariance matters, not only the two "
        "variances: flip the sign of ρ and the same b gives a different variance. The "
        "eigenvectors are the ellipse's axes and the eigenvalues the variances along them "
        "(right: the variance along every unit direction swings between λ₁ and λ₂). Both "
        "are ≥ 0 for any ρ; at ρ = ±1 the samples lie on a line and λ₁ = 0 — "
        "*semi*-definite. Trace = σ₁² + σ₂² = λ₁ + λ₂ = the average squared distance of a "
        "from its mean. ‖b‖₂ scales everything: Var(aᵀb) = ‖b‖₂² · Var(aᵀ b/‖b‖₂). This is "
        "EDAC's picture: the members' Q along an action direction w varies like "
        "wᵀ·Var(∇ₐQ)·w, and the direction with the smallest eigenvalue is where the "
        "ensemble's min penalises least.",
        "zh": "**你看到的是什么。** 左图是协方差为 Σ 的二维高斯向量 a 的样本。数 aᵀb = a₁b₁ + "
        "a₂b₂（对应位置相乘再相加）因为 a 随机而随机；它的样本方差（中图直方图）与 bᵀΣb（红"
        "色曲线）一致，差别只是蒙特卡洛噪声，n 越大越小。起作用的是协方差，而不只是两个方差"
        "：把 ρ 的符号反过来，同一个 b 会得到不同的方差。特征向量是椭圆的轴，特征值是沿这些"
        "轴的方差（右图：沿每个单位方向的方差在 λ₁ 与 λ₂ 之间摆动）。对任何 ρ 它们都 ≥ 0；ρ "
        "= ±1 时样本落在一条直线上，λ₁ = 0——这就是“*半*正定”。迹 = σ₁² + σ₂² = λ₁ + λ₂ = a "
        "到其均值的平均平方距离。‖b‖₂ 对一切做缩放：Var(aᵀb) = ‖b‖₂² · Var(aᵀ b/‖b‖₂)。这正"
        "是 EDAC 的图景：各成员的 Q 沿动作方向 w 的变化大约是 wᵀ·Var(∇ₐQ)·w，最小特征值对应"
        "的方向就是集成取最小值时惩罚最弱的方向。",
    },
    # -- 18. backpropagation
    "lm.bp.title": {
        "en": "Forward and backward propagation (the chain rule)",
        "zh": "前向传播与反向传播（链式法则）",
    },
    "lm.bp.question": {
        "en": "Forward propagation? Does taking partial derivatives with the chain rule involve "
        'backward propagation? Gradient descent? How should "passing the gradient back" '
        "be understood — it feels so abstract.",
        "zh": "前向传播？链式法则的求偏导，涉及到后向传播？梯度下降？梯度回传怎么理解，好抽象？",
    },
    "lm.bp.target": {"en": "Target y", "zh": "目标 y"},
    "lm.bp.hidden": {"en": "Hidden units", "zh": "隐藏单元数"},
    "lm.bp.activation": {"en": "Activation σ", "zh": "激活函数 σ"},
    "lm.bp.seed": {"en": "Weights (seed)", "zh": "权重（随机种子）"},
    "lm.bp.by_hand": {"en": "chain rule by hand", "zh": "手工链式法则"},
    "lm.bp.autograd": {"en": "torch autograd", "zh": "torch 自动求导"},
    "lm.bp.diff": {"en": "|difference|", "zh": "|差值|"},
    "lm.bp.used_by": {"en": "all the algorithms", "zh": "所有算法"},
    "lm.bp.fig_legend": {
        "en": "each node: name, forward value, <span style='color:#EF553B'>∂L/∂node "
        "(backward)</span>",
        "zh": "每个节点：名称、前向值、<span style='color:#EF553B'>∂L/∂节点（反向）</span>",
    },
    "lm.bp.caption_forward": {
        "en": "Forward pass: compute each value from the ones before it, left to right.",
        "zh": "前向传播：从左到右，用前面的值依次算出每个值。",
    },
    "lm.bp.caption_chain": {
        "en": "Backward pass: the chain rule multiplies local derivatives, right to left; each "
        "node passes ∂L/∂(itself) back to the nodes that feed it.",
        "zh": "反向传播：链式法则从右到左把局部导数相乘；每个节点把 ∂L/∂(自身) 传回给输入它的节点"
        "。",
    },
    "lm.bp.answer": {
        "en": "**What you see.** A two-layer network on one input x. **Forward** (left to right) "
        "computes z = w₁x + b₁, h = σ(z), ŷ = w₂ᵀh + b₂ and the loss L = ½(ŷ − y)². "
        '**Backward** (right to left) answers "how much does L change if this node changes?'
        '". It starts at ∂L/∂L = 1, then ∂L/∂ŷ = ŷ − y; each node multiplies the gradient '
        "it receives by its *local* derivative (w₂ for h, σ'(z) for z, x for w₁) and passes "
        "it on — the chain rule, applied once per edge. Nothing is recomputed: the backward "
        "pass reuses the forward values (z for σ'(z), x for ∂L/∂w₁), which is why the "
        "forward pass comes first and why backpropagation is cheap. The table puts the "
        "hand-derived gradients next to `loss.backward()` (torch autograd): they agree to "
        "rounding error. Gradient descent then moves each weight against its gradient, w ← "
        "w − η·∂L/∂w; every `update()` in rlcore does exactly this, with autograd doing the "
        "bookkeeping. Try ReLU with a negative z: σ'(z) = 0 blocks the gradient of that "
        'unit (a "dead" unit).',
        "zh": "**你看到的是什么。** 一个输入为 x 的两层网络。**前向传播**（从左到右）计算 z = w₁x "
        "+ b₁、h = σ(z)、ŷ = w₂ᵀh + b₂ 以及损失 L = ½(ŷ − y)²。**反向传播**（从右到左）回答"
        "“这个节点变一点，L 会变多少？”。它从 ∂L/∂L = 1 出发，接着 ∂L/∂ŷ = ŷ − y；每个节点把"
        "收到的梯度乘以自己的*局部*导数（h 乘 w₂，z 乘 σ'(z)，w₁ 乘 x）再往回传——这就是链式"
        "法则，每条边用一次。没有任何东西需要重新计算：反向传播复用前向传播的值（σ'(z) 用到 "
        "z，∂L/∂w₁ 用到 x），所以要先做前向传播，也正因如此反向传播很便宜。表格把手工推导的"
        "梯度与 `loss.backward()`（torch 自动求导）并排列出：两者只差舍入误差。梯度下降再让"
        "每个权重沿梯度的反方向移动，w ← w − η·∂L/∂w；rlcore 中每个 `update()` 做的正是这件"
        "事，只是由自动求导来记账。试试 ReLU 且 z 为负：σ'(z) = 0 会挡住这个单元的梯度（“死"
        "亡”单元）。",
    },
    # -- 19. t.max(dim)
    "lm.max.title": {"en": "values, indices = t.max(dim)", "zh": "values, indices = t.max(dim)"},
    "lm.max.question": {
        "en": "`values, indices = tensor.max(dim)` returns the maximum along a dimension and its "
        "index — but which dimension, and what exactly is each output?",
        "zh": "`values, indices = tensor.max(dim)` 返回指定维度上的最大值和对应的索引——到底是哪个"
        "维度，每个输出具体是什么？",
    },
    "lm.max.rows": {"en": "Rows", "zh": "行数"},
    "lm.max.cols": {"en": "Columns", "zh": "列数"},
    "lm.max.fig_tensor": {
        "en": "t: the max of each slice along dim={dim} outlined",
        "zh": "t：沿 dim={dim} 的每个切片中最大值被框出",
    },
    "lm.max.winner": {"en": "max of its slice", "zh": "所在切片的最大值"},
    "lm.max.caption": {
        "en": "dim is the axis that is reduced (and disappears): values are the maxima, indices "
        "their positions along that axis.",
        "zh": "dim 是被归约（并消失）的那个轴：values 是最大值，indices 是它们在该轴上的位置。",
    },
    "lm.max.answer": {
        "en": "**What you see.** `dim` names the axis the max runs *along*, and that axis "
        "disappears from the result. `dim=0` runs down each column: one result per column "
        "(shape `[cols]`), and `indices[j]` is the *row* where column j is largest. `dim=1` "
        "runs along each row: one result per row (shape `[rows]`), and `indices[i]` is the "
        "*column* where row i is largest. `values` holds the maxima themselves; `indices` "
        "holds where they are, so `t.gather(dim, indices.unsqueeze(dim))` gives `values` "
        "back. With ties, the first position is returned. `keepdim=True` keeps the reduced "
        "axis with size 1. In RL this line is everywhere: with Q-values `q` of shape "
        "`[batch, actions]`, `q.max(dim=1).values` is maxₐ Q(s, a) (the DQN target) and `q."
        "max(dim=1).indices` is the greedy action argmaxₐ Q(s, a).",
        "zh": "**你看到的是什么。** `dim` 指定最大值*沿着*哪个轴去取，这个轴会从结果中消失。"
        "`dim=0` 沿每一列向下取：每列一个结果（形状 `[cols]`），`indices[j]` 是第 j 列最大值"
        "所在的*行*。`dim=1` 沿每一行取：每行一个结果（形状 `[rows]`），`indices[i]` 是第 i "
        "行最大值所在的*列*。`values` 是最大值本身；`indices` 是它们的位置，所以 `t."
        "gather(dim, indices.unsqueeze(dim))` 会得回 `values`。有并列时返回第一个位置。"
        "`keepdim=True` 会把被归约的轴保留为长度 1。在强化学习中这行代码随处可见：若 Q 值 "
        "`q` 的形状为 `[batch, actions]`，`q.max(dim=1).values` 就是 maxₐ Q(s, a)（DQN 的目"
        "标），`q.max(dim=1).indices` 就是贪心动作 argmaxₐ Q(s, a)。",
    },
}
