"""Text of the Foundations page: randomness of returns, TD learning, occupancy measure."""

TEXT = {
    "lf.title": {"en": "Foundations", "zh": "基础概念"},
    "lf.intro": {
        "en": "Three ideas everything else builds on, each on a small gridworld that can be "
        "solved exactly, so every sampled number can be checked against the true one.",
        "zh": "后面所有内容的三个基础概念。每个都放在一个可以精确求解的小网格世界里，"
        "所以每个采样得到的数都能和真实值对照。",
    },
    # shared controls
    "lf.temperature": {
        "en": "Policy temperature T (0 = greedy, large = random)",
        "zh": "策略温度 T（0 = 贪心，越大越随机）",
    },
    "lf.slip": {
        "en": "Slip probability (the ice moves you sideways)",
        "zh": "打滑概率（冰面把你推向侧面）",
    },
    "lf.gamma": {"en": "Discount factor γ", "zh": "折扣因子 γ"},
    "lf.state": {"en": "state", "zh": "状态"},
    "lf.actions": {"en": "↑ up,→ right,↓ down,← left", "zh": "↑ 上,→ 右,↓ 下,← 左"},
    # 1. randomness
    "lf.rand.title": {
        "en": "Two sources of randomness: π(a|s) and p(s'|s,a)",
        "zh": "两个随机性来源：π(a|s) 与 p(s'|s,a)",
    },
    "lf.rand.question": {
        "en": "“随机性被期望消除？… 难道 U_t 的观测值 u_t，本质上都可以当作 U_π、V_π、Q* 吗？” "
        "(Does the expectation remove the randomness? Can an observed return u_t stand "
        "for V_π or Q*?)",
        "zh": "“随机性被期望消除？… 难道 U_t 的观测值 u_t，本质上都可以当作 U_π、V_π、Q* 吗？”",
    },
    "lf.rand.n": {"en": "Sampled episodes N", "zh": "采样回合数 N"},
    "lf.rand.first": {"en": "First action at S", "zh": "在起点 S 的第一个动作"},
    "lf.rand.follow": {"en": "follow π", "zh": "按 π 选择"},
    "lf.rand.map": {
        "en": "V_π on the map (arrow: most likely action)",
        "zh": "地图上的 V_π（箭头：概率最大的动作）",
    },
    "lf.rand.hist": {"en": "Spread of sampled returns u₀", "zh": "采样回报 u₀ 的分布"},
    "lf.rand.running": {"en": "Running mean of u₀", "zh": "u₀ 的累计平均"},
    "lf.rand.return": {"en": "discounted return u₀", "zh": "折扣回报 u₀"},
    "lf.rand.episodes": {"en": "episodes n", "zh": "回合数 n"},
    "lf.rand.samples": {"en": "samples", "zh": "样本"},
    "lf.rand.mean": {"en": "sample mean", "zh": "样本均值"},
    "lf.rand.exact": {"en": "exact {what}", "zh": "精确的 {what}"},
    "lf.rand.caption": {
        "en": "The return is random; its expectation over both π and p is a plain number "
        "per state, computed here by solving the linear Bellman equation.",
        "zh": "回报是随机变量；对 π 和 p 同时求期望后，每个状态得到一个确定的数，"
        "这里通过求解线性贝尔曼方程精确算出。",
    },
    "lf.rand.answer": {
        "en": "Each episode rolls two kinds of dice: the policy picks an action with "
        "probability π(a|s), then the ice picks the next state with probability p(s'|s,a). "
        "So the return u₀ differs from episode to episode (left). Taking the **expectation** "
        "over both dice removes the randomness: V_π(s) is no longer random, it is one number "
        "per state, and the running mean of the samples converges to it (right). That is "
        "what *unbiased* means: on average u₀ equals V_π(S) (or Q_π(S, a) when you fix the "
        "first action). Set T = 0 and slip = 0 and both dice disappear: every episode gives "
        "the same return.\n\n"
        "So can u_t stand for these values? It is an unbiased sample of **Q_π(s_t, a_t)** of "
        "the policy that generated it (REINFORCE uses exactly this), but **not** of Q* or V* "
        "unless π is optimal: with T > 0 the running mean settles below the greedy policy's "
        "value. DQN learns Q* differently: with TD targets (next section).",
        "zh": "每个回合要掷两种骰子：策略按概率 π(a|s) 选动作，冰面再按概率 p(s'|s,a) "
        "决定下一个状态。所以回报 u₀ 每个回合都不一样（左图）。对这两种骰子同时求**期望**，"
        "随机性就被消掉了：V_π(s) 不再是随机变量，而是每个状态对应的一个数，"
        "样本的累计平均会收敛到它（右图）。这就是**无偏**的含义：u₀ 的平均值等于 V_π(S)"
        "（如果固定第一个动作，则等于 Q_π(S, a)）。把 T 和打滑概率都设为 0，两种随机性都消失，"
        "每个回合的回报完全相同。\n\n"
        "那么 u_t 能当作这些值吗？它是产生它的那个策略的 **Q_π(s_t, a_t)** 的无偏样本"
        "（REINFORCE 正是这样用的），但**不是** Q* 或 V* 的样本，除非 π 本身是最优策略："
        "T > 0 时累计平均会停在比贪心策略更低的值上。"
        "DQN 学习 Q* 用的是另一种办法：TD 目标（见下一节）。",
    },
    # 2. TD learning
    "lf.td.title": {
        "en": "TD learning: where does the Q-table come from?",
        "zh": "时序差分学习：Q 表格是怎么来的？",
    },
    "lf.td.question": {
        "en": "“TD-Learning 算法的表格是怎么来的？” (Where does the TD-learning table come from?)",
        "zh": "“TD-Learning 算法的表格是怎么来的？”",
    },
    "lf.td.method": {"en": "Update rule", "zh": "更新规则"},
    "lf.td.q_learning": {"en": "Q-learning (off-policy)", "zh": "Q-learning（离轨策略）"},
    "lf.td.sarsa": {"en": "SARSA (on-policy)", "zh": "SARSA（同轨策略）"},
    "lf.td.alpha": {"en": "Step size α", "zh": "学习率 α"},
    "lf.td.epsilon": {"en": "Exploration ε (ε-greedy)", "zh": "探索率 ε（ε-贪心）"},
    "lf.td.map": {
        "en": "max_a Q(s,a) and greedy arrows (circle: the agent)",
        "zh": "max_a Q(s,a) 与贪心动作箭头（圆圈：智能体位置）",
    },
    "lf.td.table": {
        "en": "The Q-table (box: the entry just updated)",
        "zh": "Q 表格（方框：刚刚更新的那一格）",
    },
    "lf.td.steps": {"en": "Steps", "zh": "步数"},
    "lf.td.episodes": {"en": "Episodes", "zh": "回合数"},
    "lf.td.dp_gap": {"en": "max |Q − Q_DP|", "zh": "max |Q − Q_DP|"},
    "lf.td.last": {
        "en": "Last step: s = {s}, a = {a}, r = {r:.0f}, s' = {s1}{a1} → TD target "
        "y = {y:.3f}, TD error δ = y − Q(s,a) = {d:.3f}",
        "zh": "上一步：s = {s}, a = {a}, r = {r:.0f}, s' = {s1}{a1} → TD 目标 "
        "y = {y:.3f}，TD 误差 δ = y − Q(s,a) = {d:.3f}",
    },
    "lf.td.none": {
        "en": "Press **Step** (or turn on **Play**) to take the first step.",
        "zh": "点击**单步**（或打开**自动播放**）走出第一步。",
    },
    "lf.td.or": {"en": "or", "zh": "或"},
    "lf.td.caption": {
        "en": "The TD target y uses the table itself for the next state's value "
        "(bootstrapping); each step moves one entry a fraction α of the way to y.",
        "zh": "TD 目标 y 用表格自己估计下一状态的价值（自举）；每一步把一格向 y 移动 α 的比例。",
    },
    "lf.td.answer": {
        "en": "Nobody writes the table down: it **starts as all zeros** (one row per state, "
        "one column per action) and fills in one entry per step. The agent is in s, takes a, "
        "observes r and s', and forms the TD target y from its own table. The entry Q(s,a) "
        "moves a little towards y. Rewards near the goal and the cliff enter first and then "
        "spread backwards, step by step, along the paths the agent tries. With enough "
        "exploration Q-learning's table converges to the Q* that dynamic programming (value "
        "iteration) computes from the model — the gap metric shrinks to 0 — yet TD never "
        "needed p(s'|s,a), only samples. SARSA bootstraps from the action it will really "
        "take, so it learns the value of its ε-greedy behaviour and prefers the safe path "
        "away from the cliff. DQN replaces the table with a neural network (next page).",
        "zh": "没有人事先写下这张表：它**一开始全是 0**（每个状态一行，每个动作一列），"
        "每一步只填一格。智能体在 s 执行 a，观察到 r 和 s'，再用自己的表格构造 TD 目标 y，"
        "把 Q(s,a) 朝 y 移动一点。终点和悬崖附近的奖励最先进入表格，然后沿着智能体尝试过的路径"
        "一步步向后传播。只要探索充分，Q-learning 的表格会收敛到动态规划（价值迭代）"
        "利用环境模型算出的 Q*（差距指标降到 0），但 TD 从不需要 p(s'|s,a)，只需要样本。"
        "SARSA 用它真正将要执行的动作来自举，因此学到的是其 ε-贪心行为的价值，"
        "会选择远离悬崖的安全路线。DQN 用神经网络代替这张表（见下一页）。",
    },
    # 16. occupancy
    "lf.occ.title": {"en": "Occupancy measure ρ_π(s,a)", "zh": "占用度量 ρ_π(s,a)"},
    "lf.occ.question": {
        "en": "“占用度量通常指的是在一个特定状态下，某个动作被执行的频率或持续时间。” "
        "(The notes define it as how often an action is picked.) What is it really?",
        "zh": "“占用度量通常指的是在一个特定状态下，某个动作被执行的频率或持续时间。”"
        "它到底是什么？",
    },
    "lf.occ.correction": {
        "en": "the occupancy measure is the (discounted) distribution of **state-action "
        "pairs** a policy visits, ρ_π(s,a) = (1−γ) Σ_t γ^t P(s_t = s, a_t = a). It is a "
        "probability distribution over (s, a) — it sums to 1 — not a preference for actions: "
        "an action the policy always picks in a state it never reaches has ρ = 0.",
        "zh": "占用度量是策略访问到的**状态-动作对**的（折扣）分布，"
        "ρ_π(s,a) = (1−γ) Σ_t γ^t P(s_t = s, a_t = a)。它是 (s, a) 上的概率分布（总和为 1），"
        "而不是对动作的偏好：在一个永远到不了的状态里，即使策略总选某个动作，它的 ρ 也是 0。",
    },
    "lf.occ.n": {"en": "Monte-Carlo episodes N", "zh": "蒙特卡洛采样回合数 N"},
    "lf.occ.series": {"en": "series after t = {t} terms", "zh": "级数前 t = {t} 项"},
    "lf.occ.exact": {"en": "exact (matrix form)", "zh": "精确值（矩阵形式）"},
    "lf.occ.mc": {"en": "Monte-Carlo ({n} episodes)", "zh": "蒙特卡洛（{n} 个回合）"},
    "lf.occ.map": {
        "en": "State occupancy d_π(s) = Σ_a ρ_π(s,a)",
        "zh": "状态占用 d_π(s) = Σ_a ρ_π(s,a)",
    },
    "lf.occ.table": {"en": "ρ_π(s,a), exact", "zh": "ρ_π(s,a)，精确值"},
    "lf.occ.t": {"en": "Terms summed t", "zh": "已求和项数 t"},
    "lf.occ.mass": {"en": "Mass 1 − γ^t", "zh": "总质量 1 − γ^t"},
    "lf.occ.l1": {"en": "Σ|series − exact|", "zh": "Σ|级数 − 精确值|"},
    "lf.occ.sum": {"en": "Σ ρ (exact)", "zh": "Σ ρ（精确值）"},
    "lf.occ.caption": {
        "en": "Matrix form: d_π = (1−γ)(I − γP_πᵀ)⁻¹μ₀ and ρ_π(s,a) = d_π(s)π(a|s). Here the "
        "task is continuing: reaching G or H sends the agent back to S.",
        "zh": "矩阵形式：d_π = (1−γ)(I − γP_πᵀ)⁻¹μ₀，ρ_π(s,a) = d_π(s)π(a|s)。"
        "这里任务是连续的：到达 G 或 H 后智能体回到起点 S。",
    },
    "lf.occ.answer": {
        "en": "ρ_π answers “if I stop the agent at a random time — time t with probability "
        "(1−γ)γ^t — where is it and what is it doing?”. **Step** adds one term of the series: "
        "the state distribution at time t, weighted by (1−γ)γ^t. After t terms the mass is "
        "1 − γ^t, so the series approaches the exact matrix solution, whose total is exactly "
        "1. The Monte-Carlo map counts discounted visits in sampled episodes and converges to "
        "the same thing. Raise γ and the occupancy spreads further from S; raise T and it "
        "spreads over more actions. Offline RL uses ρ to talk about the data a policy would "
        "generate (CQL, AWR), and the expected return is simply Σ ρ(s,a) r(s,a) / (1−γ).",
        "zh": "ρ_π 回答的是：“如果在一个随机时刻让智能体停下（在时刻 t 停下的概率为 (1−γ)γ^t），"
        "它在哪个状态、正在做哪个动作？”。**单步**会给级数加上一项：时刻 t 的状态分布，乘以权重 "
        "(1−γ)γ^t。加了 t 项之后总质量是 1 − γ^t，所以级数逐渐逼近矩阵形式的精确解，"
        "而精确解的总和恰好为 1。蒙特卡洛地图统计采样回合中的折扣访问次数，也收敛到同一个结果。"
        "增大 γ，占用会从 S 扩散得更远；增大 T，它会分散到更多动作上。离线强化学习用 ρ "
        "描述一个策略会产生的数据分布（CQL、AWR），而期望回报就是 Σ ρ(s,a) r(s,a) / (1−γ)。",
    },
}
