"""Text of the Value-based page: a live DQN, clipped double Q, LogSumExp."""

TEXT = {
    "lv.title": {"en": "Value-based methods", "zh": "基于价值的方法"},
    "lv.intro": {
        "en": "DQN learns Q* with a neural network and TD targets. Below: a real DQN run, "
        "why the max in its target over-estimates, and the smooth maximum (LogSumExp) that "
        "soft methods use instead.",
        "zh": "DQN 用神经网络和 TD 目标学习 Q*。下面依次是：一次真实的 DQN 训练、"
        "为什么目标里的 max 会高估，以及软方法用来代替 max 的平滑最大值（LogSumExp）。",
    },
    # 3. DQN
    "lv.dqn.title": {
        "en": "DQN: a network approximating Q*",
        "zh": "DQN：用神经网络近似 Q*",
    },
    "lv.dqn.question": {
        "en": "“DQN 就是用神经网络近似 Q* 函数。如何训练 DQN？利用 TD learning。” "
        "(DQN approximates Q* with a network, trained by TD learning — how well does it?)",
        "zh": "“DQN 就是用神经网络近似 Q* 函数。如何训练 DQN？利用 TD learning。”"
        "那它近似得怎么样？",
    },
    "lv.dqn.steps": {"en": "Environment steps", "zh": "环境步数"},
    "lv.dqn.gamma": {"en": "Discount factor γ", "zh": "折扣因子 γ"},
    "lv.dqn.target": {
        "en": "Target network update interval C (steps)",
        "zh": "目标网络更新间隔 C（步）",
    },
    "lv.dqn.double": {"en": "Double DQN target", "zh": "使用 Double DQN 目标"},
    "lv.dqn.run": {"en": "Train DQN on CartPole", "zh": "在 CartPole 上训练 DQN"},
    "lv.dqn.hint": {
        "en": "Press **Train DQN on CartPole** to run a real DQN (the catalogue's CartPole "
        "preset with the settings above, on the CPU: a few seconds). Results are cached: "
        "the same settings show instantly the next time.",
        "zh": "点击**在 CartPole 上训练 DQN**，运行一次真实的 DQN（使用目录中的 CartPole "
        "预设参数和上面的设置，在 CPU 上只需几秒）。结果会被缓存，相同设置下次立即显示。",
    },
    "lv.dqn.shown": {
        "en": "Showing the run with {steps} steps, γ = {gamma}, C = {c}, double = {double}.",
        "zh": "当前显示的训练：{steps} 步，γ = {gamma}，C = {c}，double = {double}。",
    },
    "lv.dqn.used_by": {"en": "the Train page and the CLI", "zh": "训练页面和命令行"},
    "lv.dqn.training": {"en": "Training DQN…", "zh": "正在训练 DQN…"},
    "lv.dqn.values": {
        "en": "Q estimate vs what the policy really gets",
        "zh": "Q 估计值与策略实际得到的回报",
    },
    "lv.dqn.lag": {
        "en": "Online vs target network at a fixed start state",
        "zh": "固定起始状态下在线网络与目标网络的值",
    },
    "lv.dqn.q_start": {"en": "Q(s₀, π(s₀)) — network estimate", "zh": "Q(s₀, π(s₀))：网络估计"},
    "lv.dqn.mc": {
        "en": "Monte-Carlo discounted return",
        "zh": "蒙特卡洛折扣回报",
    },
    "lv.dqn.ceiling": {"en": "largest possible value 1/(1−γ)", "zh": "可能的最大值 1/(1−γ)"},
    "lv.dqn.online": {"en": "online network max_a Q_θ(s₀,a)", "zh": "在线网络 max_a Q_θ(s₀,a)"},
    "lv.dqn.target_net": {
        "en": "target network max_a Q_θ̄(s₀,a)",
        "zh": "目标网络 max_a Q_θ̄(s₀,a)",
    },
    "lv.dqn.step": {"en": "environment step", "zh": "环境步数"},
    "lv.dqn.value": {"en": "value", "zh": "价值"},
    "lv.dqn.caption": {
        "en": "The target y is built by rlcore.core.ops.td_target from the frozen target "
        "network θ̄, copied from θ every C steps.",
        "zh": "目标 y 由 rlcore.core.ops.td_target 根据冻结的目标网络 θ̄ 计算，"
        "θ̄ 每 C 步从 θ 复制一次。",
    },
    "lv.dqn.answer": {
        "en": "The network starts near Q = 0 and can only climb as fast as its own targets: "
        "each target uses the **target network**, a copy frozen for C steps (right: the "
        "preset trains in bursts of 128 updates every 256 steps, so the online value jumps; "
        "the target copy follows only every C steps — pick C = 1000 to see it lag). "
        "Meanwhile the greedy policy's real discounted return (dashed) is measured by "
        "playing episodes. Early on "
        "the estimate is *below* it (not yet learned); later it can rise *above* it — and "
        "even above 1/(1−γ), the most any CartPole state can be worth, since the reward is +1 "
        "per step. That part is **over-estimation**: the target takes a max over noisy "
        "estimates, and the max of noisy numbers is biased upwards (next section). Double DQN "
        "reduces it; TD3 and SAC take the min of two critics. Longer runs (more steps) show "
        "the overshoot more clearly.",
        "zh": "网络从 Q ≈ 0 开始，只能以它自己的目标允许的速度上升：每个目标都由**目标网络**计算，"
        "它是一份冻结 C 步的副本（右图：该预设每 256 步集中做 128 次更新，"
        "所以在线网络的值跳跃上升；"
        "目标网络每 C 步才跟上一次——把 C 设为 1000 可以看到明显的滞后）。同时，通过实际玩若干回合"
        "测得贪心策略的真实折扣回报（虚线）。训练初期估计值*低于*它（还没学会）；之后估计值可能"
        "*高于*它，甚至超过 1/(1−γ)——由于每步奖励是 +1，这是 CartPole 中任何状态可能的最大价值。"
        "这一部分就是**高估**：目标对带噪声的估计取 max，而带噪声的数取最大值会偏大（见下一节）。"
        "Double DQN 能减轻它；TD3 和 SAC 取两个评论家的最小值。训练更多步时这种超出会更明显。",
    },
    # 4. clipped double Q
    "lv.cdq.title": {
        "en": "Clipped double Q: why take the min of two critics?",
        "zh": "截断双 Q（Clipped Double Q）：为什么取两个评论家的最小值？",
    },
    "lv.cdq.question": {
        "en": "“clipped double Q-learning？” — the notes name it (TD3, SAC, IQL use it) but do "
        "not say why it works.",
        "zh": "“clipped double Q-learning？”——笔记提到了它（TD3、SAC、IQL 都在用），"
        "但没有说明它为什么有效。",
    },
    "lv.cdq.n": {"en": "Number of actions n", "zh": "动作数 n"},
    "lv.cdq.std": {"en": "Noise of each estimate σ", "zh": "每个估计的噪声 σ"},
    "lv.cdq.gap": {
        "en": "Gap between true action values",
        "zh": "真实动作价值之间的差距",
    },
    "lv.cdq.show": {"en": "Estimators in the histogram", "zh": "直方图中显示的估计方式"},
    "lv.cdq.one": {"en": "1: max_a Q̂(a)", "zh": "1 个：max_a Q̂(a)"},
    "lv.cdq.two": {"en": "2: max_a min(Q̂₁, Q̂₂)", "zh": "2 个：max_a min(Q̂₁, Q̂₂)"},
    "lv.cdq.both": {"en": "both", "zh": "两者"},
    "lv.cdq.curve": {
        "en": "Bias of the bootstrapped value vs number of actions",
        "zh": "自举价值的偏差随动作数的变化",
    },
    "lv.cdq.exact_one": {"en": "1 estimator, exact", "zh": "1 个估计，精确值"},
    "lv.cdq.exact_two": {"en": "clipped min of 2, exact", "zh": "2 个取最小，精确值"},
    "lv.cdq.mc_one": {"en": "1 estimator, Monte-Carlo", "zh": "1 个估计，蒙特卡洛"},
    "lv.cdq.mc_two": {"en": "clipped min of 2, Monte-Carlo", "zh": "2 个取最小，蒙特卡洛"},
    "lv.cdq.bias": {"en": "bias E[estimate] − max_a Q(a)", "zh": "偏差 E[估计] − max_a Q(a)"},
    "lv.cdq.error": {
        "en": "error of the bootstrapped value",
        "zh": "自举价值的误差",
    },
    "lv.cdq.zero": {"en": "no bias", "zh": "无偏"},
    "lv.cdq.caption": {
        "en": "Jensen's inequality: max is convex, so the expected max of unbiased estimates "
        "is at least the max of the true values. Exact curves by numerical integration of "
        "the max's distribution; markers by 20 000 Monte-Carlo draws.",
        "zh": "詹森不等式：max 是凸函数，所以无偏估计的最大值的期望不小于真实值的最大值。"
        "精确曲线通过对最大值分布数值积分得到；标记点来自 20 000 次蒙特卡洛采样。",
    },
    "lv.cdq.answer": {
        "en": "Each Q̂(a) is right on average, yet the **max** over them is not: whichever "
        "estimate happens to be too high wins the max. The bias grows with the noise σ and "
        "with the number of actions n (left, blue), and TD learning feeds it back into the "
        "next targets, so it compounds. Taking the **min of two independent critics** for "
        "each action first pulls every estimate down, so the max lands much closer to the "
        "truth — slightly below it for few actions (a mild, safer under-estimation), still "
        "above for many. A gap between the true values makes both biases smaller: the max is "
        "then rarely taken by a wrong action.",
        "zh": "每个 Q̂(a) 平均而言是准确的，但对它们取 **max** 就不准了：哪个估计碰巧偏高，"
        "哪个就赢得 max。偏差随噪声 σ 和动作数 n 增大（左图蓝线），而 TD 学习又会把它带入"
        "下一轮目标，层层累积。先对每个动作取**两个独立评论家的最小值**，把每个估计都往下拉，"
        "这样 max 就更接近真实值——动作少时会略低于真实值（温和而更安全的低估），"
        "动作多时仍略高。真实动作价值之间有差距时两种偏差都会变小：此时错误的动作很少能赢得 max。",
    },
    # 5. LSE
    "lv.lse.title": {
        "en": "LogSumExp: a smooth maximum, and softmax",
        "zh": "LogSumExp：平滑的最大值，以及 softmax",
    },
    "lv.lse.question": {
        "en": "“LogSumExp 是平滑最大值近似的原因在于它的公式结构"
        "可以看作对最大值操作 (max) 的一种连续化形式。” "
        "(Why is LogSumExp a smooth max?)",
        "zh": "“LogSumExp 是平滑最大值近似的原因在于它的公式结构"
        "可以看作对最大值操作 (max) 的一种连续化形式。”"
        "为什么？",
    },
    "lv.lse.correction": {
        "en": "the notes write LogSumExp(x₁,…,xₙ) = log Σᵢ eˣ, dropping the index. The sum "
        "runs over the entries: LogSumExp(x) = log Σᵢ exp(xᵢ); with a temperature, "
        "LSE_T(x) = T log Σᵢ exp(xᵢ/T).",
        "zh": "笔记把 LogSumExp(x₁,…,xₙ) 写成 log Σᵢ eˣ，丢掉了下标。求和是对各个分量进行的："
        "LogSumExp(x) = log Σᵢ exp(xᵢ)；带温度时 LSE_T(x) = T log Σᵢ exp(xᵢ/T)。",
    },
    "lv.lse.values": {"en": "Values x (comma separated)", "zh": "数值 x（用逗号分隔）"},
    "lv.lse.bad": {
        "en": "Could not read “{text}”: using {default}.",
        "zh": "无法解析“{text}”：改用 {default}。",
    },
    "lv.lse.temperature": {"en": "Temperature T", "zh": "温度 T"},
    "lv.lse.curve": {"en": "LSE_T(x) between its bounds", "zh": "LSE_T(x) 及其上下界"},
    "lv.lse.lse": {"en": "LSE_T(x)", "zh": "LSE_T(x)"},
    "lv.lse.max": {"en": "max_i x_i", "zh": "max_i x_i"},
    "lv.lse.upper": {"en": "max + T log n", "zh": "max + T log n"},
    "lv.lse.t_axis": {"en": "temperature T", "zh": "温度 T"},
    "lv.lse.softmax": {"en": "softmax(x/T) and the argmax", "zh": "softmax(x/T) 与 argmax"},
    "lv.lse.prob": {"en": "softmax(x/T)", "zh": "softmax(x/T)"},
    "lv.lse.onehot": {"en": "one-hot argmax (T → 0)", "zh": "argmax 的 one-hot（T → 0）"},
    "lv.lse.index": {"en": "index i", "zh": "下标 i"},
    "lv.lse.now": {
        "en": "At T = {t}: LSE = {lse:.4f}, max = {max:.4f}, max + T log n = {upper:.4f}.",
        "zh": "T = {t} 时：LSE = {lse:.4f}，max = {max:.4f}，max + T log n = {upper:.4f}。",
    },
    "lv.lse.caption": {
        "en": "The bounds hold because exp(max/T) ≤ Σᵢ exp(xᵢ/T) ≤ n·exp(max/T); the "
        "gradient of LSE_T is softmax(x/T).",
        "zh": "上下界成立是因为 exp(max/T) ≤ Σᵢ exp(xᵢ/T) ≤ n·exp(max/T)；"
        "LSE_T 的梯度就是 softmax(x/T)。",
    },
    "lv.lse.answer": {
        "en": "The largest term dominates the sum of exponentials, so the log of the sum is "
        "close to the largest entry: LSE never goes below max and never more than T log n "
        "above it. Lower the temperature and the gap closes (LSE → max) while softmax, its "
        "gradient, sharpens into the one-hot argmax; raise it and LSE grows like T log n "
        "while softmax flattens to uniform. Unlike max it is differentiable everywhere and "
        "every entry gets some gradient, which is why CQL's penalty and soft (max-entropy) "
        "Q-learning use it in place of max.",
        "zh": "指数之和由最大的那一项主导，所以和的对数接近最大的分量：LSE 永远不小于 max，"
        "也不会比它大超过 T log n。降低温度，差距缩小（LSE → max），而它的梯度 softmax "
        "锐化成 argmax 的 one-hot 向量；升高温度，LSE 像 T log n 那样增长，softmax 变得接近均匀。"
        "与 max 不同，它处处可导，而且每个分量都能得到梯度，所以 CQL 的惩罚项和软（最大熵）"
        "Q 学习用它代替 max。",
    },
}
