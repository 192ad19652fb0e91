"""Text of the Learn page "Offline RL ideas" (pages/learn_offline.py)."""

TEXT = {
    "lo.used.cql": {"en": "CQL and CQL-Lagrange", "zh": "CQL 与 CQL-Lagrange"},
    "lo.used.iql": {"en": "IQL's value updates", "zh": "IQL 值函数更新"},
    "lo.used.awr": {"en": "AWAC and IQL", "zh": "AWAC 与 IQL"},
    "lo.used.ens": {"en": "SAC-N and EDAC", "zh": "SAC-N 与 EDAC"},
    "lo.used.bc": {"en": "BC, AWAC and IQL", "zh": "BC、AWAC 与 IQL"},
    "lo.title": {"en": "Offline RL ideas", "zh": "离线强化学习思想"},
    "lo.intro": {
        "en": "Offline RL learns from a fixed dataset: the agent can never try an action to see "
        "what happens. Every idea below fights the same enemy — values of actions the data "
        "never shows, which nothing corrects. Each toy runs the same `rlcore` function the "
        "offline algorithms train with.",
        "zh": "离线强化学习只从固定的数据集中学习：智能体无法尝试新动作来验证结果。下面的每个思想"
        "都在对付同一个敌人——数据中从未出现过的动作的价值，没有任何东西会去纠正它。每个小实"
        "验调用的都是离线算法训练时使用的同一个 `rlcore` 函数。",
    },
    "lo.action": {"en": "action a", "zh": "动作 a"},
    "lo.steps": {"en": "gradient steps", "zh": "梯度步数"},
    "lo.per_click": {"en": "Steps per click / per tick", "zh": "每次点击 / 每次刷新前进的步数"},
    "lo.restart": {
        "en": "Changing a setting restarts the training from step 0: press Step or Play.",
        "zh": "修改任何设置都会让训练从第 0 步重新开始：请点击“单步”或“自动播放”。",
    },
    # -- 9. CQL
    "lo.cql.title": {"en": "CQL: conservative Q-learning", "zh": "CQL：保守Q学习"},
    "lo.cql.question": {
        "en": "Where does the max over μ in CQL(R) come from, and why not simply set μ = π_k? How "
        "does CQL(H)-Lagrange use τ to update α by dual gradient descent? What do the naive "
        "and the improved regulariser do?",
        "zh": "CQL(R) 中 max(μ) 是怎么推出来的？为什么要取最大化的策略 μ，而不是直接令 μ = π_k？"
        "CQL(H)(Lagrange) 中引入 τ 来利用双梯度下降法更新 α？朴素正则项和改进的正则项分别做"
        "了什么？",
    },
    "lo.cql.variant": {"en": "Penalty", "zh": "惩罚项"},
    "lo.cql.v.naive": {"en": "naive: push down", "zh": "朴素：只压低"},
    "lo.cql.v.improved": {
        "en": "improved: push down, push up data",
        "zh": "改进：压低 + 抬高数据动作",
    },
    "lo.cql.v.cql_h": {"en": "CQL(H): log-sum-exp", "zh": "CQL(H)：对数和指数"},
    "lo.cql.v.lagrange": {"en": "CQL(H)-Lagrange: α tracks τ", "zh": "CQL(H)-Lagrange：α 跟踪 τ"},
    "lo.cql.alpha_in": {"en": "Penalty weight α", "zh": "惩罚权重 α"},
    "lo.cql.tau": {"en": "Lagrange threshold τ", "zh": "拉格朗日阈值 τ"},
    "lo.cql.range": {"en": "Actions covered by the dataset", "zh": "数据集覆盖的动作范围"},
    "lo.cql.gamma": {"en": "Discount γ", "zh": "折扣因子 γ"},
    "lo.cql.fig_q": {
        "en": "Learned Q(a) (green band: the data)",
        "zh": "学到的 Q(a)（绿色区域：数据）",
    },
    "lo.cql.fig_history": {"en": "Over the training steps", "zh": "随训练步数的变化"},
    "lo.cql.true": {
        "en": "true Q (best data action after)",
        "zh": "真实 Q（之后一直执行数据中最好的动作）",
    },
    "lo.cql.baseline": {"en": "TD only (no penalty)", "zh": "仅 TD（无惩罚）"},
    "lo.cql.penalised": {"en": "TD + {variant}", "zh": "TD + {variant}"},
    "lo.cql.data": {"en": "dataset actions", "zh": "数据集中的动作"},
    "lo.cql.gap_baseline": {"en": "gap, TD only", "zh": "差距（仅 TD）"},
    "lo.cql.gap_cql": {"en": "gap, with penalty", "zh": "差距（加惩罚）"},
    "lo.cql.penalty": {"en": "penalty R", "zh": "惩罚项 R"},
    "lo.cql.empty": {
        "en": "press Step or Play to train",
        "zh": "点击“单步”或“自动播放”开始训练",
    },
    "lo.cql.alpha": {"en": "weight α", "zh": "权重 α"},
    "lo.cql.caption_penalty": {
        "en": "The CQL critic loss on this one-state toy: TD error plus α times the penalty. μ is "
        "the policy π(a) ∝ exp(Q(a)/T) here (naive and improved).",
        "zh": "本单状态小实验中 CQL 的评论家损失：TD 误差加上 α 乘以惩罚项。朴素和改进两种版本中"
        " μ 取当前策略 π(a) ∝ exp(Q(a)/T)。",
    },
    "lo.cql.caption_lse": {
        "en": "CQL(H): the μ that maximises the penalty plus its entropy has a closed form, the "
        "softmax of Q, and the maximum is LogSumExp(Q) = log Σᵢ exp Q(aᵢ).",
        "zh": "CQL(H)：使“惩罚 + μ 的熵”最大的 μ 有闭式解，即 Q 的 softmax，最大值就是 "
        "LogSumExp(Q) = log Σᵢ exp Q(aᵢ)。",
    },
    "lo.cql.caption_lagrange": {
        "en": "CQL-Lagrange: dual gradient descent on α' (the weight becomes α·α'), the same rule "
        "as SAC's temperature.",
        "zh": "CQL-Lagrange：对 α' 做对偶梯度下降（总权重为 α·α'），与 SAC 的温度系数是同一条规则"
        "。",
    },
    "lo.cql.answer": {
        "en": "**What you see.** One state, actions in [-1, 1], a dataset that covers only part "
        "of them (green band). The grey network learns by TD alone: off the data it just "
        "extends the data's slope, and because the TD target takes the **max over all "
        "actions**, that made-up value leaks back into the data's values — the whole grey "
        "curve ends above the true one, and its *gap* (mean Q on the data minus mean Q off "
        "it) is negative. The red network adds a CQL penalty:\n\n- **naive** (eq. 1) only "
        "pushes Q *down* where μ looks. Whatever action becomes the best is pushed next, so "
        "every value ends below the truth: a uniform lower bound, too pessimistic even on "
        "the data.\n- **improved** (eq. 2) also pushes Q *up* on the dataset's actions. On "
        "the data the two pushes cancel on average, so in-data values stay near the truth; "
        "only the unseen actions fall. The gap grows: CQL's *gap-expanding* property.\n- "
        "**CQL(H)** answers the notes' question about max over μ. CQL(R) lets μ be the "
        "*worst case*, the distribution that makes the penalty largest (that is where "
        "over-estimation hides), with a regulariser R(μ) so the max stays finite. With R = "
        "entropy the max has a closed form, μ* ∝ exp Q, and its value is log Σ exp Q — so "
        "there is **no need to sample from π_k** at all. Setting μ = π_k directly is "
        "possible (that is the *improved* variant here: average Q over the policy's "
        "actions), but you then need the policy's samples and get a weaker, policy-specific "
        "bound. Over continuous actions the log-sum-exp is estimated by importance sampling "
        "from uniform (and policy) actions: `rlcore.core.ops.cql_logsumexp`, as the CQL trainer "
        "does.\n- **Lagrange**: τ is a budget for the penalty. The weight α' *rises while "
        "the penalty is above τ* and decays once it is below (watch the purple curve): dual "
        "gradient descent with `rlcore.core.ops.dual_loss`, exactly SAC's rule for its "
        "temperature (see the Lagrange explorer in the Maths toolbox). You no longer pick α "
        "by hand, only how large a gap you accept.\n\nThe paper built discrete-action CQL "
        "on QR-DQN and continuous CQL on SAC; here they are `rlcore.algos.cql_discrete` (on "
        "a Q-network) and `rlcore.algos.cql`.",
        "zh": "**你看到的是什么。** 只有一个状态，动作在 [-1, 1] 之间，数据集只覆盖其中一部分（绿"
        "色区域）。灰色网络只用 TD 学习：在数据之外它只是把数据的斜率延伸出去；又因为 TD 目"
        "标取的是**所有动作上的最大值**，这个凭空想象出来的值会回流到数据内的动作上——整条灰"
        "色曲线最终都高于真实值，它的“差距”（数据内平均 Q 减去数据外平均 Q）是负的。红色网络"
        "加上了 CQL 惩罚：\n\n- **朴素正则项**（论文式 1）只在 μ 关注的地方把 Q *压低*。哪个"
        "动作变成最好的，下一步就压它，所以所有值最终都低于真实值：一个统一的下界，连数据内"
        "的动作也被估计得过于悲观。\n- **改进的正则项**（式 2）还会把数据集中动作的 Q *抬高"
        "*。在数据上两种力量平均起来相互抵消，所以数据内的值保持在真实值附近，只有没见过的动"
        "作被压低。差距不断扩大：这就是 CQL 的“差距扩大”（gap-expanding）性质。\n- "
        "**CQL(H)** 回答了笔记中关于 max(μ) 的问题。CQL(R) 让 μ 取*最坏情况*，也就是使惩罚最"
        "大的分布（高估正藏在那里），再加一个正则项 R(μ) 让最大值有限。取 R = 熵时最大值有闭"
        "式解：μ* ∝ exp Q，最大值就是 log Σ exp Q——所以**根本不需要从 π_k 采样**。直接令 μ "
        "= π_k 也可以（这里的“改进”版本就是这样：在策略的动作上对 Q 取平均），但这样需要策略"
        "的样本，得到的界也更弱、只针对这个策略。在连续动作上，对数和指数通过从均匀分布（以"
        "及策略）采样做重要性采样来估计：`rlcore.core.ops.cql_logsumexp`，CQL 训练代码也是这样做"
        "的。\n- **Lagrange 版本**：τ 是惩罚项的预算。权重 α' 在*惩罚高于 τ 时上升*，低于 τ "
        "后衰减（看紫色曲线）：这是用 `rlcore.core.ops.dual_loss` 做的对偶梯度下降，与 SAC 调节温"
        "度系数的规则完全相同（见数学工具箱中的拉格朗日乘子探索器）。你不再需要手动挑选 α，"
        "只需决定能接受多大的差距。\n\n论文中离散动作的 CQL 基于 QR-DQN 实现，连续动作的 "
        "CQL 基于 SAC 实现；本项目中分别是 `rlcore.algos.cql_discrete`（基于 Q 网络）和 "
        "`rlcore.algos.cql`。",
    },
    # -- 10. IQL expectile
    "lo.iql.title": {
        "en": "IQL: expectile regression (asymmetric least squares)",
        "zh": "IQL：期望分位数回归（非对称最小二乘）",
    },
    "lo.iql.question": {
        "en": "How does the asymmetric least-squares loss of IQL's value function work, what are "
        "its weights, and why does τ → 1 approach a max?",
        "zh": "IQL 值函数的非对称最小二乘损失是怎么工作的？它的权重是什么？为什么 τ → 1 时会接近最"
        "大值？",
    },
    "lo.iql.correction": {
        "en": 'the weight is not "actual minus predicted". It is |τ − 1(u < 0)|, a function of '
        "the *sign* of the residual u = y − f(x) (target minus prediction): τ when the "
        "target is above the prediction (u ≥ 0), 1 − τ when below. With τ > 0.5, "
        "under-estimating costs more than over-estimating, so the fit settles *above* the "
        "mean — at the max as τ → 1.",
        "zh": "权重不是“实际值 − 预测值”。它是 |τ − 1(u < 0)|，取决于残差 u = y − f(x)（目标减预测"
        "）的*符号*：目标高于预测（u ≥ 0）时权重为 τ，低于预测时为 1 − τ。τ > 0.5 时低估的代"
        "价比高估大，所以拟合结果停在均值*之上*——τ → 1 时趋向最大值。",
    },
    "lo.iql.tau": {"en": "Expectile τ", "zh": "期望分位数 τ"},
    "lo.iql.kind": {
        "en": "Targets y (IQL: Q(s, a) of the data's actions)",
        "zh": "目标 y（IQL 中是数据动作的 Q(s, a)）",
    },
    "lo.iql.k.normal": {"en": "normal", "zh": "正态"},
    "lo.iql.k.skewed": {"en": "skewed (long right tail)", "zh": "右偏（长右尾）"},
    "lo.iql.k.bimodal": {"en": "bimodal (a few good actions)", "zh": "双峰（少数好动作）"},
    "lo.iql.n": {"en": "Sample size", "zh": "样本数"},
    "lo.iql.lr": {"en": "Learning rate", "zh": "学习率"},
    "lo.iql.fig_sample": {
        "en": "Targets y, sized by their weight |τ − 1(u<0)|",
        "zh": "目标 y，点的大小表示权重 |τ − 1(u<0)|",
    },
    "lo.iql.fig_curve": {
        "en": "Expectile m_τ as τ goes 0.5 → 1",
        "zh": "期望分位数 m_τ 随 τ 从 0.5 → 1 的变化",
    },
    "lo.iql.fig_fit": {"en": "Gradient descent on v", "zh": "对 v 做梯度下降"},
    "lo.iql.above": {"en": "u ≥ 0: weight τ = {w}", "zh": "u ≥ 0：权重 τ = {w}"},
    "lo.iql.below": {"en": "u < 0: weight 1 − τ = {w}", "zh": "u < 0：权重 1 − τ = {w}"},
    "lo.iql.mean": {"en": "mean (τ = 0.5)", "zh": "均值（τ = 0.5）"},
    "lo.iql.exact": {"en": "expectile m_τ, τ = {tau}", "zh": "期望分位数 m_τ，τ = {tau}"},
    "lo.iql.estimate": {"en": "estimate v", "zh": "估计值 v"},
    "lo.iql.max": {"en": "max", "zh": "最大值"},
    "lo.iql.curve": {"en": "m_τ", "zh": "m_τ"},
    "lo.iql.caption": {
        "en": "The expectile loss on the residual u (target minus prediction). IQL fits V(s) with "
        "it, so V(s) becomes an upper expectile of Q(s, a) over the data's actions: a max "
        "over actions, without ever querying an unseen action.",
        "zh": "作用在残差 u（目标减预测）上的期望分位数损失。IQL 用它拟合 V(s)，于是 V(s) 成为数据"
        "动作上 Q(s, a) 的一个上侧期望分位数：相当于对动作取最大值，却从不查询没见过的动作。",
    },
    "lo.iql.answer": {
        "en": "**What you see.** The dots are the targets y (in IQL, Q(s, a) for the dataset's "
        "actions at one state). The purple line v starts at the lowest target and descends "
        "the expectile loss step by step (`rlcore.core.ops.expectile_loss`, the function IQL's "
        "value loss calls). Targets above v (u ≥ 0) pull it up with weight τ, targets below "
        "pull it down with weight 1 − τ; v stops where the two pulls balance, the exact "
        "expectile m_τ (green). At τ = 0.5 both weights are equal: ordinary least squares, "
        "m = the mean. As τ → 1 the targets below hardly matter and m_τ climbs to the max "
        "(bottom left). That is how IQL gets a *max over the data's actions* — the value of "
        "the best action the data supports — without evaluating any action outside the "
        "dataset, which is where offline over-estimation comes from. Unlike a quantile, the "
        "expectile uses squared errors, so it is smooth and moves continuously with the "
        "data (try the skewed and bimodal samples).",
        "zh": "**你看到的是什么。** 点是目标 y（在 IQL 中是某个状态下数据集动作的 Q(s, a)）。紫色"
        "线 v 从最低的目标出发，一步步沿期望分位数损失下降（`rlcore.core.ops.expectile_loss`，正"
        "是 IQL 值函数损失调用的函数）。高于 v 的目标（u ≥ 0）以权重 τ 把它往上拉，低于 v 的"
        "以权重 1 − τ 往下拉；两股力量平衡之处就是精确的期望分位数 m_τ（绿色）。τ = 0.5 时两"
        "个权重相等：就是普通最小二乘，m = 均值。τ → 1 时下方的目标几乎不起作用，m_τ 一路升"
        "到最大值（左下图）。IQL 正是这样得到*数据动作上的最大值*——数据所支持的最好动作的价"
        "值——而从不评估数据集之外的动作，离线学习中的高估正是从那里来的。与分位数不同，期望"
        "分位数用的是平方误差，所以它是光滑的，会随数据连续变化（试试右偏和双峰样本）。",
    },
    # -- 11. AWR
    "lo.awr.title": {
        "en": "AWR: advantage-weighted regression and clipped weights",
        "zh": "AWR：优势加权回归与权重截断",
    },
    "lo.awr.question": {
        "en": "The code computes exp(adv / beta) but the paper writes exp(β·A): is the formula "
        'wrong? What does "clip exponentiated advantages" do?',
        "zh": "代码中是 exp(adv / beta)，论文公式却是 exp(β·A)：是公式有问题吗？“clip "
        "exponentiated advantages”（截断指数化优势）是做什么的？",
    },
    "lo.awr.correction": {
        "en": "neither is wrong. The IQL and AWAC papers write exp(β·A) with β an *inverse* "
        "temperature; the code in the notes divides by its `beta`, which is a *temperature* "
        "λ = 1/β (the AWR paper's convention). They are the same family of weights: "
        "exp(β·A) = exp(A/λ) when λ = 1/β. In `rlcore`, `beta` is always the inverse "
        "temperature.",
        "zh": "两者都没错。IQL 和 AWAC 论文写的是 exp(β·A)，其中 β 是*逆*温度；笔记中的代码除以它"
        "的 `beta`，那个 `beta` 其实是*温度* λ = 1/β（AWR 论文的写法）。它们是同一族权重：λ "
        "= 1/β 时 exp(β·A) = exp(A/λ)。在 `rlcore` 中，`beta` 始终表示逆温度。",
    },
    "lo.awr.convention": {"en": "Convention", "zh": "写法"},
    "lo.awr.conv_beta": {
        "en": "inverse temperature β: exp(β·A) (IQL, AWAC, rlcore)",
        "zh": "逆温度 β：exp(β·A)（IQL、AWAC、rlcore）",
    },
    "lo.awr.conv_lambda": {
        "en": "temperature λ: exp(A/λ) (AWR paper, the notes' code)",
        "zh": "温度 λ：exp(A/λ)（AWR 论文、笔记中的代码）",
    },
    "lo.awr.beta_help": {
        "en": "Large β: only the best actions count (greedy). β → 0: all weights 1, plain "
        "behaviour cloning.",
        "zh": "β 大：只有最好的动作起作用（贪心）。β → 0：所有权重为 1，就是普通的行为克隆。",
    },
    "lo.awr.lambda_help": {
        "en": "Small λ: only the best actions count (greedy). λ → ∞: all weights 1, plain "
        "behaviour cloning.",
        "zh": "λ 小：只有最好的动作起作用（贪心）。λ → ∞：所有权重为 1，就是普通的行为克隆。",
    },
    "lo.awr.clip": {"en": "Clip w_max", "zh": "截断上限 w_max"},
    "lo.awr.n": {"en": "Samples in the batch", "zh": "批次中的样本数"},
    "lo.awr.spread": {"en": "Spread of the advantages", "zh": "优势值的离散程度"},
    "lo.awr.beta_metric": {"en": "β (inverse temperature)", "zh": "β（逆温度）"},
    "lo.awr.lambda_metric": {"en": "λ = 1/β (temperature)", "zh": "λ = 1/β（温度）"},
    "lo.awr.ess": {"en": "Effective samples: raw → clipped", "zh": "有效样本数：截断前 → 截断后"},
    "lo.awr.ess_help": {
        "en": "Kish's effective sample size (Σw)² / Σw²: how many samples the weighted loss "
        "really learns from.",
        "zh": "Kish 有效样本数 (Σw)² / Σw²：加权损失实际上是从多少个样本中学习。",
    },
    "lo.awr.n_clipped": {"en": "Weights clipped", "zh": "被截断的权重个数"},
    "lo.awr.fig_weights": {
        "en": "Weight per sample (log scale)",
        "zh": "每个样本的权重（对数坐标）",
    },
    "lo.awr.fig_share": {"en": "Share of the total weight", "zh": "占总权重的比例"},
    "lo.awr.fig_curve": {"en": "Both conventions, one curve", "zh": "两种写法，同一条曲线"},
    "lo.awr.raw": {"en": "unclipped", "zh": "截断前"},
    "lo.awr.clipped": {"en": "clipped", "zh": "截断后"},
    "lo.awr.sample": {"en": "sample (sorted by advantage)", "zh": "样本（按优势排序）"},
    "lo.awr.samples": {"en": "the batch", "zh": "本批样本"},
    "lo.awr.advantage": {"en": "advantage A", "zh": "优势 A"},
    "lo.awr.caption": {
        "en": "Advantage weights and the weighted behaviour-cloning loss of AWR, AWAC and IQL's "
        "policy step.",
        "zh": "AWR、AWAC 以及 IQL 策略提取步骤中的优势权重和加权行为克隆损失。",
    },
    "lo.awr.answer": {
        "en": "**What you see.** A batch of dataset actions with their advantages A = Q(s, a) − "
        "V(s): most small, a few large. Each action is copied (behaviour cloning) with "
        "weight exp(β·A), so better-than-average actions count more. Switch the convention: "
        "exp(β·A) with the inverse temperature β and exp(A/λ) with the temperature λ = 1/β "
        "draw the *same* curve (right). Because the weight is exponential, one large "
        "advantage can dwarf the batch: without the clip a single sample may carry most of "
        "the total weight (middle, red) and the effective number of samples drops towards 1 "
        "— the gradient then rests on one action and its possibly wrong advantage estimate. "
        "**Clipping** the exponentiated advantages at w_max caps those few huge weights and "
        "spreads the learning back over the batch; the ordering of the actions is unchanged "
        "below the cap.",
        "zh": "**你看到的是什么。** 一批数据集动作及其优势 A = Q(s, a) − V(s)：大多很小，少数很大"
        "。每个动作以权重 exp(β·A) 被模仿（行为克隆），所以好于平均的动作权重更大。切换写法"
        "试试：逆温度 β 的 exp(β·A) 与温度 λ = 1/β 的 exp(A/λ) 画出的是*同一条*曲线（右图）"
        "。由于权重是指数函数，一个大的优势就能压倒整个批次：不截断时，一个样本可能占据总权"
        "重的大部分（中图，红色），有效样本数降到接近 1——梯度就只依赖一个动作以及它可能并不"
        "准确的优势估计。对指数化优势做**截断**（上限 w_max）可以限制这少数几个巨大的权重，"
        "让学习重新分散到整个批次上；低于上限的动作之间的排序保持不变。",
    },
    # -- 12. SAC-N / EDAC
    "lo.cql.improved_only": {"en": "improved only", "zh": "仅改进版"},
    "lo.ens.title": {
        "en": "SAC-N and EDAC: ensembles of critics",
        "zh": "SAC-N 与 EDAC：评论家集成",
    },
    "lo.ens.question": {
        "en": "Why does taking the min over N critics (SAC-N) help offline, why does it need so "
        "many, and how does EDAC's gradient diversity let a small N do? What are the "
        "eigenvalues of the (sample) variance matrix about?",
        "zh": "为什么离线时对 N 个评论家取最小值（SAC-N）有效？为什么需要那么多个？EDAC 的梯度多"
        "样性项为什么能让较小的 N 就够用？采样方差矩阵的特征值（特征向量对应的特征值）在说什"
        "么？",
    },
    "lo.ens.n": {"en": "Ensemble size N", "zh": "集成大小 N"},
    "lo.ens.eta": {"en": "Diversity weight η (0 = SAC-N)", "zh": "多样性权重 η（0 即 SAC-N）"},
    "lo.ens.noise": {"en": "Spread of the data's actions", "zh": "数据动作的离散程度"},
    "lo.ens.state": {"en": "State s shown", "zh": "显示的状态 s"},
    "lo.ens.std_on": {"en": "Std of Q on the data", "zh": "数据上 Q 的标准差"},
    "lo.ens.std_off": {"en": "Std of Q off the data", "zh": "数据外 Q 的标准差"},
    "lo.ens.diversity": {"en": "Diversity loss", "zh": "多样性损失"},
    "lo.ens.mse": {"en": "Fit error (MSE)", "zh": "拟合误差（MSE）"},
    "lo.ens.fig_members": {
        "en": "Q_i(s, a₁) of each member (green band: the data)",
        "zh": "各成员的 Q_i(s, a₁)（绿色区域：数据）",
    },
    "lo.ens.fig_k": {"en": "min over k members minus true Q", "zh": "k 个成员的最小值减去真实 Q"},
    "lo.ens.fig_sim": {
        "en": "Gradient similarity ⟨∇ₐQᵢ, ∇ₐQⱼ⟩ (cosine, data mean)",
        "zh": "梯度相似度 ⟨∇ₐQᵢ, ∇ₐQⱼ⟩（余弦，数据上的平均）",
    },
    "lo.ens.fig_eig": {
        "en": "Its eigenvalues (all ≥ 0, sum = N)",
        "zh": "它的特征值（都 ≥ 0，和为 N）",
    },
    "lo.ens.band": {"en": "mean ± std", "zh": "均值 ± 标准差"},
    "lo.ens.member": {"en": "members", "zh": "集成成员"},
    "lo.ens.true": {"en": "true Q", "zh": "真实 Q"},
    "lo.ens.min": {"en": "min over N = {n}", "zh": "N = {n} 个成员的最小值"},
    "lo.ens.off": {"en": "off the data", "zh": "数据外"},
    "lo.ens.on": {"en": "on the data", "zh": "数据上"},
    "lo.ens.bias": {"en": "mean (min − true)", "zh": "平均（最小值 − 真实值）"},
    "lo.ens.caption_min": {
        "en": "SAC-N's target takes the min over N critics. For N estimates that scatter with "
        "standard deviation σ_Q, the min sits about c_N·σ_Q below their mean (Blom's "
        "approximation; Φ⁻¹ is the standard normal quantile).",
        "zh": "SAC-N 的目标对 N 个评论家取最小值。若 N 个估计以标准差 σ_Q 分散，最小值大约比它们"
        "的均值低 c_N·σ_Q（Blom 近似；Φ⁻¹ 是标准正态分布的分位数函数）。",
    },
    "lo.ens.caption_div": {
        "en": "EDAC's diversity term (An et al. 2021, eq. 5): the mean cosine similarity of the "
        "members' action gradients at the data, added to the critic loss.",
        "zh": "EDAC 的多样性项（An 等 2021，式 5）：各成员在数据点上对动作的梯度的平均余弦相似度，"
        "加到评论家损失中。",
    },
    "lo.ens.answer": {
        "en": "**What you see.** N critics (one `rlcore.core.nn.EnsembleCritic`, one batched pass) "
        "are "
        "fitted to the same data: one action per state, near the behaviour policy (green "
        "band). On the data they agree — the data pins them down. Off the data nothing does,"
        " so they disagree (blue band): the **variance of Q grows away from the data**, and "
        "the min over the members (red, `rlcore.core.ops.clipped_min`, the same min SAC's "
        "clipped double Q takes over 2) falls below their mean exactly there. More members, "
        "lower min: the top-right curve can only go down with k, and the expected drop is "
        "c_N·σ with {factors}. So the min over N is a penalty that is small on the data and "
        "large off it — an uncertainty penalty, which is why SAC-N works offline. But "
        "members trained alike tend to agree off the data too, so SAC-N needed large N (up "
        "to hundreds). **EDAC** adds the diversity term (`rlcore.core.ops.edac_diversity`): it "
        "makes the members' action gradients point in different directions at the data "
        "(negative entries in the similarity matrix), so their values fan out as soon as "
        "the action moves off the data, and a small N gets the same spread. With a single "
        "action dimension (Pendulum) there are no directions to spread: each unit gradient "
        "is ±1, the term only counts sign agreements and has no gradient, so EDAC trains "
        "exactly like SAC-N there. That is where SAC-N can fail on a small dataset: on our "
        "Pendulum medium-replay data (2,561 transitions) ten members agree off the data, Q "
        "of the policy's actions climbs above Q of the data's, and after about 3k steps the "
        "return falls below the data's mean. A layer norm in each critic "
        "(`critic_layer_norm`, on in the Pendulum preset) bounds how large a member's Q can "
        "get and keeps the return well above the data's mean. About the "
        "eigenvalues: the similarity matrix is a Gram matrix of unit vectors, so it is "
        "positive semi-definite — its eigenvalues are ≥ 0 and sum to its trace, N. All "
        "gradients aligned gives one eigenvalue N and the rest 0; diverse gradients spread "
        "the spectrum. EDAC's analysis looks at the same idea through the variance matrix "
        "of the gradients: along its eigenvector with the *smallest* eigenvalue the members "
        "agree most, so that is the direction where the min penalises least; diversifying "
        "raises that smallest eigenvalue (see the covariance explorer in the Maths toolbox).",
        "zh": "**你看到的是什么。** N 个评论家（一个 `rlcore.core.nn.EnsembleCritic`，"
        "一次批量前向）拟"
        "合同一份数据：每个状态一个动作，靠近行为策略（绿色区域）。在数据上它们意见一致——数"
        "据把它们钉住了。数据之外没有任何约束，所以它们各说各话（蓝色带）：**Q 的方差在远离"
        "数据处变大**，成员的最小值（红色，`rlcore.core.ops.clipped_min`，与 SAC 的 clipped "
        "double Q 对 2 个网络取的最小值是同一个函数）恰好在那里低于均值。成员越多，最小值越"
        "低：右上图的曲线随 k 只会下降，期望下降量约为 c_N·σ，其中 {factors}。所以对 N 个取"
        "最小值就是一个在数据上小、在数据外大的惩罚——一种不确定性惩罚，这正是 SAC-N 在离线场"
        "景有效的原因。但以相同方式训练的成员在数据外也往往意见一致，所以 SAC-N 需要很大的 "
        "N（多达数百个）。**EDAC** 加入了多样性项（`rlcore.core.ops.edac_diversity`）：它让各成员"
        "在数据点上对动作的梯度指向不同方向（相似度矩阵中出现负值），于是动作一离开数据，它"
        "们的值就迅速散开，较小的 N 也能得到同样的分散程度。动作只有一维时（Pendulum）没有方向可"
        "分散：每个单位梯度都是 ±1，这一项只统计符号是否一致，对参数没有梯度，所以在那里 EDAC "
        "的训练与 SAC-N 完全相同。这正是 SAC-N 在小数据集上可能失败的地方：在我们的 Pendulum "
        "medium-replay 数据（2,561 条转移）上，十个成员在数据外意见一致，策略动作的 Q 逐渐超过数据"
        "动作的 Q，大约 3k 步之后回报跌到数据均值以下。在每个评论家中加入层归一化"
        "（`critic_layer_norm`，Pendulum 预设中已开启）限制了成员 Q 能达到的大小，使回报保持在"
        "数据均值之上很多。关于特征值：相似度矩阵是单位向量"
        "的 Gram 矩阵，所以它是半正定的——特征值都 ≥ 0，和等于它的迹 N。所有梯度方向一致时只"
        "有一个特征值为 N，其余为 0；梯度多样时特征值会分散开。EDAC 的分析通过梯度的方差矩阵"
        "看同一件事：沿着*最小*特征值对应的特征向量，各成员最一致，那就是最小值惩罚最弱的方"
        "向；增加多样性就是抬高这个最小特征值（见数学工具箱中的协方差探索器）。",
    },
    # -- 13. BC
    "lo.bc.title": {
        "en": "Behaviour cloning is maximum likelihood",
        "zh": "行为克隆就是最大似然估计",
    },
    "lo.bc.question": {
        "en": "What is behaviour cloning? Why is it a maximum-likelihood problem, supervised "
        "learning under the maximum-likelihood criterion? Why does the objective of "
        "advantage-weighted regression look so much like behaviour cloning?",
        "zh": "去了解一下行为克隆？为什么它是极大似然估计问题、最大似然准则下的监督学习？优势加权"
        "回归提取策略的目标函数为什么和行为克隆很像？",
    },
    "lo.bc.good_fraction": {"en": "Share of good demonstrations", "zh": "好示范所占比例"},
    "lo.bc.n": {"en": "Dataset size", "zh": "数据集大小"},
    "lo.bc.beta": {
        "en": "Advantage weighting β (0 = plain BC)",
        "zh": "优势加权 β（0 即普通行为克隆）",
    },
    "lo.bc.mean": {"en": "Data's mean action", "zh": "数据的平均动作"},
    "lo.bc.mle": {"en": "Max-likelihood μ (closed form)", "zh": "最大似然 μ（闭式解）"},
    "lo.bc.actor": {"en": "μ of the trained BC actor", "zh": "训练出的 BC 策略的 μ"},
    "lo.bc.weighted": {"en": "μ of weighted BC (AWR)", "zh": "加权行为克隆（AWR）的 μ"},
    "lo.bc.fig_data": {
        "en": "Dataset actions and the cloned policies",
        "zh": "数据集动作与克隆出的策略",
    },
    "lo.bc.fig_ll": {"en": "Average log-likelihood vs μ", "zh": "平均对数似然随 μ 的变化"},
    "lo.bc.good": {"en": "good demonstrator", "zh": "好的示范者"},
    "lo.bc.bad": {"en": "bad demonstrator", "zh": "差的示范者"},
    "lo.bc.density": {
        "en": "BC policy (trained GaussianActor)",
        "zh": "BC 策略（训练好的 GaussianActor）",
    },
    "lo.bc.density_weighted": {"en": "weighted BC, β = {beta}", "zh": "加权行为克隆，β = {beta}"},
    "lo.bc.mark_bc": {"en": "BC mean", "zh": "BC 均值"},
    "lo.bc.mark_good": {"en": "good", "zh": "好动作"},
    "lo.bc.mark_bad": {"en": "bad", "zh": "差动作"},
    "lo.bc.mark_weighted": {"en": "weighted", "zh": "加权"},
    "lo.bc.returns": {
        "en": "Reward of the action each policy takes: BC {bc}, weighted BC {weighted}, the good "
        "action {best}.",
        "zh": "各策略所选动作的奖励：BC {bc}，加权行为克隆 {weighted}，好动作 {best}。",
    },
    "lo.bc.caption": {
        "en": "BC maximises the log-likelihood of the dataset's actions; for a Gaussian policy "
        "the maximiser is the data's mean action.",
        "zh": "行为克隆最大化数据集动作的对数似然；对高斯策略，最优解就是数据的平均动作。",
    },
    "lo.bc.caption_weighted": {
        "en": "AWR / AWAC / IQL's policy step is the same problem with a weight per sample: the "
        "maximiser becomes the weighted mean.",
        "zh": "AWR / AWAC / IQL 的策略步骤是同一个问题，只是每个样本有一个权重：最优解变成加权平均"
        "。",
    },
    "lo.bc.answer": {
        "en": "**What you see.** Two demonstrators filled the dataset: a good one (green, near "
        "the best action) and a bad one (red). Behaviour cloning is supervised learning of "
        "the action from the state: it picks the policy under which the dataset's actions "
        "are most probable — **maximum likelihood**. For a Gaussian policy the "
        "log-likelihood (right) is a parabola in μ whose top is the data's mean action, and "
        "the trained `GaussianActor` (BC's own network, fitted with `log_prob` by Adam) "
        "lands on the same number. So BC copies the data **good and bad alike**: with half "
        "bad demonstrations its action sits between the two, worse than either "
        "demonstrator's typical action. BC is the baseline that offline RL must beat on "
        "mixed data. Raise β: with weights exp(β·A) (A = reward minus the average) the "
        "maximiser becomes a weighted mean that moves to the good actions — that is "
        "advantage-weighted regression. It *is* behaviour cloning, with a weight per sample;"
        " that is why the two objectives look alike.",
        "zh": "**你看到的是什么。** 数据集来自两个示范者：一个好的（绿色，靠近最好的动作），一个差"
        "的（红色）。行为克隆是从状态到动作的监督学习：它选择使数据集中的动作出现概率最大的"
        "策略——**最大似然估计**。对高斯策略，对数似然（右图）是关于 μ 的抛物线，顶点正是数据"
        "的平均动作；训练得到的 `GaussianActor`（BC 算法自己的网络，用 Adam 优化 "
        "`log_prob`）也落在同一个数上。所以行为克隆**不分好坏**地复制数据：若一半是差的示范"
        "，它的动作就落在两者之间，比任何一个示范者的典型动作都差。这正是离线强化学习在混合"
        "数据上必须打败的基线。把 β 调大：使用权重 exp(β·A)（A = 奖励减去平均奖励）后，最优"
        "解变成加权平均，移向好的动作——这就是优势加权回归。它*就是*每个样本带权重的行为克隆"
        "，所以两者的目标函数看起来如此相像。",
    },
}
