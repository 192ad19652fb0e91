"""Text of the course (the Home page): sections, lessons, experiments, verdicts."""

TEXT = {
    "course.title": {"en": "Your notes, as a course", "zh": "你的笔记，变成一门课"},
    "course.intro": {
        "en": "Every question of the study notes, in their order. Each opens a lesson with the "
        "explorer that answers it; {n} of the {total} also ask for a prediction and test it "
        "with an experiment (real training runs, or a computation done here), read over "
        "several seeds. The others are explorer only.",
        "zh": "学习笔记中的每个问题，按笔记的顺序排列。每个问题打开一课，带有回答它的交互演示；"
        "{total} 个中有 {n} 个还会请你先做预测，再用实验检验（真实训练，或在这里完成的计算），"
        "结果在多个种子上读取。其余的只有交互演示。",
    },
    "course.progress": {
        "en": "{n} of {total} questions explored",
        "zh": "已探索 {total} 个问题中的 {n} 个",
    },
    "course.section.basics": {"en": "Basics and the notes' questions", "zh": "基本概念与疑问"},
    "course.section.online": {
        "en": "Online algorithms: DDPG and SAC",
        "zh": "在线强化学习：DDPG 与 SAC",
    },
    "course.section.offline": {
        "en": "Offline RL: CQL, IQL, AWR, EDAC",
        "zh": "离线强化学习：CQL、IQL、AWR、EDAC",
    },
    "course.section.maths": {"en": "Maths basics", "zh": "基础知识"},
    "course.section.pytorch": {"en": "PyTorch", "zh": "PyTorch"},
    "course.has_run": {"en": "real run", "zh": "真实训练"},
    "course.back": {"en": "All questions", "zh": "全部问题"},
    "course.number": {"en": "Question {n} of {total}", "zh": "第 {n} 个问题（共 {total} 个）"},
    "course.explore": {"en": "1 · Explore", "zh": "1 · 探索"},
    "course.explore.link": {"en": "Open the explorer: {title}", "zh": "打开交互演示：{title}"},
    "course.maths_only": {
        "en": "This question has no experiment: its explorer answers it (computed exactly, "
        "no training run).",
        "zh": "这个问题没有实验：由交互演示来回答（精确计算，不需要训练）。",
    },
    "course.predict": {"en": "2 · Predict", "zh": "2 · 预测"},
    "course.run": {"en": "3 · Run it for real", "zh": "3 · 真实训练"},
    "course.run.button": {"en": "Run it", "zh": "开始训练"},
    "course.need_dataset": {
        "en": "This experiment trains on a Pendulum dataset and none is on this server yet. "
        "Build a small one here in one click (half random, half from an expert SAC trained "
        "6,000 steps first; 10,000 transitions; about a minute on one core, most of it "
        "training the expert), or a bigger one on the Datasets page.",
        "zh": "这个实验需要一个 Pendulum 数据集，而本服务器上还没有。可以在这里一键构建一个小的"
        "（一半随机、一半来自先训练 6,000 步的 SAC 专家；10,000 条转移；"
        "单核上约一分钟，主要用于训练专家），或在“数据集”页面构建更大的。",
    },
    "course.build.button": {"en": "Build a small dataset here", "zh": "在这里构建一个小数据集"},
    "course.building": {
        "en": "Building the dataset… the lesson continues by itself when it is ready.",
        "zh": "正在构建数据集……完成后这一课会自动继续。",
    },
    "course.runs_done": {"en": "{done} of {n} runs done", "zh": "{n} 次运行中已完成 {done} 次"},
    "course.waiting": {
        "en": "Training… the answer appears when every run has finished.",
        "zh": "训练中……所有运行结束后会给出答案。",
    },
    "course.fig.q": {"en": "{algo}: Q(s₀) believed", "zh": "{algo}：网络估计的 Q(s₀)"},
    "course.fig.mc": {"en": "{algo}: return obtained", "zh": "{algo}：实际得到的回报"},
    "course.fig.value": {"en": "discounted return", "zh": "折扣回报"},
    "course.fig.target": {"en": "target entropy", "zh": "目标熵"},
    "course.box": {
        "en": "Course · question {n} of {total}",
        "zh": "课程 · 第 {n} 个问题（共 {total} 个）",
    },
    "course.box.run": {
        "en": "Its experiment (starts when you press Run it): {what}",
        "zh": "它的实验（按下“开始训练”才会开始）：{what}",
    },
    "course.box.back": {"en": "Back to the lesson", "zh": "回到这一课"},
}

# -- reading a verdict: no clear difference, not enough data, why a run disagrees -------
TEXT.update(
    {
        "course.explorer_only": {"en": "explorer only", "zh": "仅交互演示"},
        "course.computed": {"en": "computed here", "zh": "当场计算"},
        "course.answer": {"en": "The runs say: {answer}.", "zh": "训练结果：{answer}。"},
        "course.answer.computed": {
            "en": "The numbers say: {answer}.",
            "zh": "计算结果：{answer}。",
        },
        "course.right": {"en": "You predicted it.", "zh": "你预测对了。"},
        "course.wrong": {"en": "You predicted “{guess}”.", "zh": "你的预测是“{guess}”。"},
        "course.tie": {
            "en": "No clear difference.",
            "zh": "没有明显差别。",
        },
        "course.tie.pred": {
            "en": "Your prediction (“{guess}”) is neither right nor wrong: these runs cannot "
            "tell the options apart.",
            "zh": "你的预测（“{guess}”）既不算对也不算错：这些运行分不出选项之间的差别。",
        },
        "course.no_data": {
            "en": "Not enough data to read a result.",
            "zh": "数据不足，无法得出结论。",
        },
        "course.no_data.pred": {
            "en": "Your prediction (“{guess}”) is not judged.",
            "zh": "你的预测（“{guess}”）不作评判。",
        },
        "course.claim": {
            "en": "The textbook effect: {claim}. Measured: {measure}, over {seeds} seeds, "
            "evaluations during the warm-up left out; differences under {margin} count as none.",
            "zh": "教科书中的效应：{claim}。测量：{measure}，共 {seeds} 个种子，"
            "不计预热阶段的评估；小于 {margin} 的差别视为没有差别。",
        },
        "course.disagree": {
            "en": "These runs do not show the textbook effect. Likely: {reasons}. Try: {tries}.",
            "zh": "这些运行没有显示出教科书中的效应。可能的原因：{reasons}。可以尝试：{tries}。",
        },
        "course.reason.not_converged": {
            "en": "not converged yet — the measure was still moving at the end of the run",
            "zh": "尚未收敛——运行结束时测量值仍在变化",
        },
        "course.reason.few_evals": {
            "en": "too few evaluations after the warm-up",
            "zh": "预热之后的评估次数太少",
        },
        "course.reason.one_seed": {
            "en": "one seed per configuration, and one seed is never read as a law",
            "zh": "每种配置只有一个种子，而一个种子不能当作规律",
        },
        "course.reason.noise": {
            "en": "the difference lies within the seeds' noise",
            "zh": "差别在种子之间的随机波动之内",
        },
        "course.reason.small_effect": {
            "en": "the effect is small on this task (under the margin)",
            "zh": "在这个任务上效应很小（低于阈值）",
        },
        "course.reason.reversed": {
            "en": "on this task, at this budget, the effect clearly goes the other way — a "
            "textbook effect holds on average over tasks, not on every one",
            "zh": "在这个任务和这个预算下，效应明显反向——教科书中的效应是在许多任务上平均成立，"
            "并非每个任务都成立",
        },
        "course.try.reversed": {
            "en": "a longer run, or the same comparison on another environment (the Train page)",
            "zh": "更长的训练，或在另一个环境上做同样的比较（“训练”页面）",
        },
        "course.claim.nowarm": {
            "en": "The textbook effect: {claim}. Measured: {measure}, over {seeds} seeds; "
            "differences under {margin} count as none.",
            "zh": "教科书中的效应：{claim}。测量：{measure}，共 {seeds} 个种子；"
            "小于 {margin} 的差别视为没有差别。",
        },
        "course.try.not_converged": {
            "en": "a longer run (the Train page, same settings, more steps)",
            "zh": "更长的训练（在“训练”页面用相同设置、更多步数）",
        },
        "course.try.few_evals": {"en": "more steps", "zh": "更多步数"},
        "course.try.one_seed": {"en": "more seeds", "zh": "更多种子"},
        "course.try.noise": {
            "en": "more seeds (the Train page's seeds box)",
            "zh": "更多种子（“训练”页面的种子数）",
        },
        "course.try.small_effect": {
            "en": "a harder task or a longer run, where the effect is larger",
            "zh": "更难的任务或更长的训练，效应会更明显",
        },
        "course.slow": {
            "en": "Within the lesson's budget this effect does not show on every seed (see the "
            "benchmark in the docs): the verdict may be “no clear difference”, and says why.",
            "zh": "在这一课的预算内，这个效应并不是在每个种子上都能显示出来（见文档中的基准测试）："
            "结论可能是“没有明显差别”，并会说明原因。",
        },
        "course.measured": {
            "en": "measured: about {time} to the verdict on two idle cores",
            "zh": "实测：在两个空闲核心上约 {time} 得出结论",
        },
        "course.locked": {
            "en": "Your prediction is locked: the run has started.",
            "zh": "你的预测已锁定：训练已经开始。",
        },
        "course.compute.button": {"en": "Compute it", "zh": "开始计算"},
        "course.ready": {
            "en": "Press the button to start: nothing runs before you do.",
            "zh": "按下按钮才会开始：在此之前不会运行任何东西。",
        },
        "course.datasets_link": {"en": "Datasets page", "zh": "数据集页面"},
    }
)

# -- the experiments: what runs, the prediction, the claim, the result ------------------
# ".look" states the idea (never an outcome: the verdict says what happened); ".claim" the
# textbook effect the verdict tests; ".measure" what is compared.
TEXT.update(
    {
        "course.exp.seeds.short": {
            "en": "DQN on CartPole, 3 seeds",
            "zh": "DQN / CartPole，3 个种子",
        },
        "course.exp.seeds.what": {
            "en": "DQN on CartPole, three seeds — same code, same settings — 15,000 steps each.",
            "zh": "DQN 在 CartPole 上训练，三个种子——同样的代码、同样的设置——每个 15,000 步。",
        },
        "course.exp.seeds.predict": {
            "en": "How close will the three seeds' returns be (second half of the run)?",
            "zh": "三个种子的回报（训练后半段）会有多接近？",
        },
        "course.exp.seeds.opt.close": {"en": "within 20% of each other", "zh": "相差 20% 以内"},
        "course.exp.seeds.opt.apart": {
            "en": "far apart (more than 20%)",
            "zh": "相差很大（超过 20%）",
        },
        "course.exp.seeds.claim": {
            "en": "seeds of one setup end far apart",
            "zh": "同一设置的不同种子结果相差很大",
        },
        "course.exp.seeds.measure": {
            "en": "the spread of the seeds' mean returns",
            "zh": "各种子平均回报的差距",
        },
        "course.exp.seeds.result": {
            "en": "The three seeds' mean returns over the second half: {low} to {high}.",
            "zh": "三个种子在后半段的平均回报在 {low} 到 {high} 之间。",
        },
        "course.exp.seeds.look": {
            "en": "Each line is a seed. Every difference between them comes from randomness — of "
            "π (the exploration) and of p (the start states and transitions) — not from the "
            "settings.",
            "zh": "每条线是一个种子。它们之间的所有差异都来自随机性——π 的（探索）和 p 的"
            "（初始状态与转移）——而不是设置。",
        },
        "course.exp.dqn.short": {
            "en": "DQN in a noisy corridor, 3 seeds",
            "zh": "DQN / 噪声走廊，3 个种子",
        },
        "course.exp.dqn.what": {
            "en": "DQN in a noisy corridor (Sutton & Barto's maximisation-bias example, drawn "
            "out): ten rooms, eight doors in each, all alike — every door leads on with a "
            "reward of mean +1 and noise (std 2), so every policy returns the same on "
            "average. Three seeds, 10,000 steps each. At every evaluation the network's "
            "Q(s₀, π(s₀)) is set against the discounted return the policy really obtains "
            "from s₀ (100 episodes).",
            "zh": "DQN 在一条噪声走廊里训练（Sutton & Barto 最大化偏差例子的多步版本）："
            "十个房间，每个房间八扇门，全都一样——每扇门都通向下一个房间，奖励均值为 +1、"
            "带噪声（标准差 2），所以任何策略的平均回报都相同。三个种子，每个 10,000 步。"
            "每次评估时，把网络的 Q(s₀, π(s₀)) 与策略从 s₀ 出发实际得到的折扣回报"
            "（100 个回合）相比较。",
        },
        "course.exp.dqn.predict": {
            "en": "Will the network's Q(s₀) lie above or below the return it really gets?",
            "zh": "网络的 Q(s₀) 会高于还是低于实际得到的回报？",
        },
        "course.exp.dqn.opt.above": {"en": "above (over-estimation)", "zh": "高于（高估）"},
        "course.exp.dqn.opt.below": {"en": "below (under-estimation)", "zh": "低于（低估）"},
        "course.exp.dqn.claim": {
            "en": "the max in the target over-estimates: Q(s₀) above the return",
            "zh": "目标中的 max 会导致高估：Q(s₀) 高于实际回报",
        },
        "course.exp.dqn.measure": {
            "en": "(Q(s₀) − return) / |return|, after the warm-up",
            "zh": "（Q(s₀) − 回报）/ |回报|，预热之后",
        },
        "course.exp.dqn.result": {
            "en": "Q(s₀) minus the return obtained, after the warm-up, mean over the seeds: {dqn}.",
            "zh": "预热之后，Q(s₀) 减去实际回报，各种子平均：{dqn}。",
        },
        "course.exp.dqn.look": {
            "en": "Solid: what the network believes; dashed: what really happens. The target "
            "r + γ max Q(s′, a′) takes the max over noisy estimates of equal values, which "
            "picks the luckiest one; bootstrapping carries that luck back room by room. "
            "Double DQN (the Train page's double_q) lets one network pick the door and the "
            "other value it. While Q(s₀) still climbs, the network has not caught up yet.",
            "zh": "实线：网络的估计；虚线：实际发生的。目标 r + γ max Q(s′, a′) 对一组"
            "真实值相同、但带噪声的估计取最大值，会挑中最走运的那个；自举再把这份运气一间"
            "一间地传回起点。Double DQN（“训练”页面的 double_q）让一个网络选门、另一个网络"
            "估值。如果 Q(s₀) 还在上升，说明网络还没有追上。",
        },
        "course.exp.cliff.short": {
            "en": "DQN on CliffWalking, 3 seeds",
            "zh": "DQN / CliffWalking，3 个种子",
        },
        "course.exp.cliff.what": {
            "en": "DQN on CliffWalking (one-hot states: a table in a network), three seeds, "
            "50,000 steps each.",
            "zh": "DQN 在 CliffWalking 上训练（独热状态：网络里的一张表），"
            "三个种子，每个 50,000 步。",
        },
        "course.exp.cliff.predict": {
            "en": "Will the greedy policy walk the short path along the cliff (−13) or a "
            "safer detour?",
            "zh": "贪心策略会走沿着悬崖的最短路径（−13），还是更安全的绕行路线？",
        },
        "course.exp.cliff.opt.short": {"en": "the short path (−13)", "zh": "最短路径（−13）"},
        "course.exp.cliff.opt.safe": {"en": "a longer, safer path", "zh": "更长但更安全的路线"},
        "course.exp.cliff.claim": {
            "en": "Q-learning's max target learns the short path",
            "zh": "Q-learning 以 max 为目标，会学到最短路径",
        },
        "course.exp.cliff.measure": {
            "en": "the greedy return of each seed (last quarter of the run)",
            "zh": "每个种子的贪心回报（最后四分之一）",
        },
        "course.exp.cliff.result": {
            "en": "{short} of {seeds} seeds walked the short path; median greedy return {final}.",
            "zh": "{seeds} 个种子中有 {short} 个走了最短路径；贪心回报的中位数为 {final}。",
        },
        "course.exp.cliff.look": {
            "en": "Evaluation is greedy (no exploration): the learned table alone picks the path. "
            "Q-learning's target takes the max over the next actions, not the exploring "
            "policy's action — the idea that makes it off-policy.",
            "zh": "评估是贪心的（不探索）：只由学到的表决定路线。Q-learning 的目标对下一步动作"
            "取最大值，而不是探索策略实际选的动作——这正是它属于离策略（off-policy）的原因。",
        },
        "course.exp.pg.short": {
            "en": "REINFORCE vs A2C on Acrobot, 4 seeds",
            "zh": "REINFORCE 对比 A2C / Acrobot，4 个种子",
        },
        "course.exp.pg.what": {
            "en": "REINFORCE (whole-episode returns) and A2C (a learned critic) on Acrobot "
            "(−1 a step until the tip swings above the line), four seeds each, 40,000 steps "
            "each.",
            "zh": "REINFORCE（整回合回报）与 A2C（学习的评论家）在 Acrobot 上训练"
            "（末端摆过横线之前每步 −1），各四个种子，每个 40,000 步。",
        },
        "course.exp.pg.predict": {
            "en": "Which gets more return over the same steps (the area under its curve)?",
            "zh": "相同步数内，哪一个获得的回报更多（曲线下的面积）？",
        },
        "course.exp.pg.opt.reinforce": {"en": "REINFORCE", "zh": "REINFORCE"},
        "course.exp.pg.opt.a2c": {"en": "A2C", "zh": "A2C"},
        "course.exp.pg.claim": {
            "en": "a learned critic learns faster than whole-episode returns",
            "zh": "学习的评论家比整回合回报学得更快",
        },
        "course.exp.pg.measure": {
            "en": "the mean evaluation return over the run",
            "zh": "整个训练过程中评估回报的平均值",
        },
        "course.exp.pg.result": {
            "en": "Mean evaluation return over the run: REINFORCE {reinforce}, A2C {a2c}.",
            "zh": "训练过程中的平均评估回报：REINFORCE {reinforce}，A2C {a2c}。",
        },
        "course.exp.pg.look": {
            "en": "A critic (a baseline learned by TD) lowers the variance of the policy "
            "gradient, at the price of a bias while the critic is wrong.",
            "zh": "评论家（用 TD 学到的基线）降低了策略梯度的方差，代价是评论家不准时带来的偏差。",
        },
        "course.exp.sac.short": {
            "en": "SAC on Pendulum, 3 seeds",
            "zh": "SAC / Pendulum，3 个种子",
        },
        "course.exp.sac.what": {
            "en": "SAC on Pendulum, three seeds, 10,000 steps each, with the automatic "
            "temperature α.",
            "zh": "SAC 在 Pendulum 上训练，三个种子，每个 10,000 步，温度 α 自动调节。",
        },
        "course.exp.sac.predict": {
            "en": "α adapts so that the policy's entropy reaches a target (−1 here). Where will "
            "the entropy be over the last quarter of the run?",
            "zh": "α 会自动调节，使策略的熵达到目标（这里是 −1）。训练最后四分之一阶段熵会在哪里？",
        },
        "course.exp.sac.opt.above": {"en": "above the target", "zh": "高于目标"},
        "course.exp.sac.opt.at": {"en": "at the target (±0.25)", "zh": "在目标附近（±0.25）"},
        "course.exp.sac.opt.below": {"en": "below the target", "zh": "低于目标"},
        "course.exp.sac.claim": {
            "en": "α, a Lagrange multiplier, holds the entropy at its target",
            "zh": "α 作为拉格朗日乘子，把熵维持在目标值",
        },
        "course.exp.sac.measure": {
            "en": "the entropy minus its target, last quarter of the run",
            "zh": "训练最后四分之一阶段的熵减去目标",
        },
        "course.exp.sac.result": {
            "en": "Entropy {entropy} against the target {target}; α = {alpha} (last quarter, "
            "mean over the seeds).",
            "zh": "熵为 {entropy}，目标为 {target}；α = {alpha}（最后四分之一，各种子平均）。",
        },
        "course.exp.sac.look": {
            "en": "Left: the policy's entropy and its target. Right: α, a Lagrange multiplier "
            "— it rises while the entropy is under the target and falls while it is over "
            "(dual gradient ascent).",
            "zh": "左：策略的熵与目标。右：α，一个拉格朗日乘子——熵低于目标时它上升，高于目标时"
            "它下降（对偶梯度上升）。",
        },
        "course.exp.cdq.short": {
            "en": "TD3 vs DDPG on Pendulum, 5 seeds",
            "zh": "TD3 对比 DDPG / Pendulum，5 个种子",
        },
        "course.exp.cdq.what": {
            "en": "DDPG and TD3 on Pendulum, five seeds each, 6,000 steps (1,000 of random "
            "warm-up), small 64×64 networks, γ = 0.98, fast target networks (τ = 0.05). "
            "This TD3 keeps only the min of two critics as the target (no delayed actor, no "
            "target smoothing), so the min is the only difference from DDPG.",
            "zh": "DDPG 与 TD3 在 Pendulum 上各训练五个种子，"
            "每个 6,000 步（其中 1,000 步随机预热），64×64 的小网络，γ = 0.98，"
            "目标网络更新较快（τ = 0.05）。这里的 TD3 只保留以两个评论家的最小值为目标"
            "（不延迟演员、不做目标平滑），所以和 DDPG 的唯一区别就是这个最小值。",
        },
        "course.exp.cdq.predict": {
            "en": "Which critic over-estimates its own return more?",
            "zh": "哪个评论家对自己回报的高估更严重？",
        },
        "course.exp.cdq.opt.ddpg": {"en": "DDPG (one critic)", "zh": "DDPG（一个评论家）"},
        "course.exp.cdq.opt.td3": {"en": "TD3 (min of two)", "zh": "TD3（两个取最小）"},
        "course.exp.cdq.claim": {
            "en": "one critic over-estimates more than the min of two",
            "zh": "一个评论家比两个取最小高估得更多",
        },
        "course.exp.cdq.measure": {
            "en": "(Q(s₀) − return) / |return|, last quarter of the run",
            "zh": "（Q(s₀) − 回报）/ |回报|，训练最后四分之一阶段",
        },
        "course.exp.cdq.result": {
            "en": "Q above the return obtained, last quarter of the run, mean over the seeds: "
            "DDPG {ddpg}, TD3 {td3}.",
            "zh": "训练最后四分之一阶段 Q 高出实际回报的比例，各种子平均：DDPG {ddpg}，TD3 {td3}。",
        },
        "course.exp.cdq.look": {
            "en": "Solid: the Q(s₀) each critic believes; dashed: the discounted return really "
            "obtained. The actor climbs its critic, so it finds where the critic errs upwards, "
            "and the target carries that error on; the min of two critics shrinks it, and can "
            "overshoot the other way (under-estimation, which an actor does not chase).",
            "zh": "实线：各评论家估计的 Q(s₀)；虚线：实际得到的折扣回报。演员沿着评论家往上爬，"
            "会找到评论家向上出错的地方，目标值再把这个误差传下去；两个评论家取最小会把偏差缩小，"
            "也可能偏向另一边（低估——演员不会去追逐低估）。",
        },
        "course.exp.offline.short": {
            "en": "BC, CQL and IQL on a Pendulum dataset",
            "zh": "BC、CQL、IQL / Pendulum 数据集",
        },
        "course.exp.offline.what": {
            "en": "BC, CQL and IQL on your newest local Pendulum dataset (the one built here: "
            "half random, half expert), two seeds each, 3,000 gradient steps each, 128×128 "
            "networks (CQL 64×64: its penalty samples actions, the dearest update).",
            "zh": "BC、CQL 与 IQL 在你最新的本地 Pendulum 数据集上"
            "（这里构建的：一半随机、一半专家）各训练两个种子，每个 3,000 个梯度步，"
            "128×128 的网络（CQL 用 64×64：它的惩罚项要采样动作，更新最贵）。",
        },
        "course.exp.offline.predict": {
            "en": "Which scores highest on this dataset?",
            "zh": "在这个数据集上，哪一个得分最高？",
        },
        "course.exp.offline.opt.bc": {"en": "BC (imitate the data)", "zh": "BC（模仿数据）"},
        "course.exp.offline.opt.cql": {"en": "CQL (conservative Q)", "zh": "CQL（保守 Q）"},
        "course.exp.offline.opt.iql": {"en": "IQL (expectile)", "zh": "IQL（期望分位数）"},
        "course.exp.offline.claim": {
            "en": "on mixed data, IQL (offline RL) beats imitating the data",
            "zh": "在混合数据上，IQL（离线强化学习）胜过模仿数据",
        },
        "course.exp.offline.measure": {
            "en": "the normalised score, last quarter of the run",
            "zh": "训练最后四分之一阶段的归一化分数",
        },
        "course.exp.offline.result": {
            "en": "Normalised scores (last quarter, mean over the seeds): BC {bc}, CQL {cql}, "
            "IQL {iql}; the data's own mean return scores {data}.",
            "zh": "归一化分数（最后四分之一，各种子平均）：BC {bc}，CQL {cql}，IQL {iql}；"
            "数据本身的平均回报得分为 {data}。",
        },
        "course.exp.offline.look": {
            "en": "100 = the expert that made the data, 0 = random; the data's own mean sits "
            "between. BC copies the data, good and bad: on half-random data it imitates a "
            "blend of both halves, which is neither, and ends under the data's mean. CQL "
            "pushes down the Q of actions the data never shows and pushes up the data's own, "
            "the random half's included: on this data it stays under the data's mean (measured "
            "in docs/course.md: about 0 to 25, still so after 10,000 steps). IQL learns from "
            "the data's actions only, weighting the better ones up.",
            "zh": "100 = 生成数据的专家，0 = 随机；数据本身的平均值在两者之间。BC 照搬数据，"
            "好的坏的都学：在一半随机的数据上，它模仿的是两半的混合，哪一半都不像，最终低于数据"
            "的平均值。CQL 压低数据中从未出现的动作的 Q 值，同时抬高数据自己的动作（包括随机的"
            "那一半）：在这个数据上它停在数据平均值之下（实测见 docs/course.md：约 0 到 25，"
            "训练 10,000 步后仍然如此）。IQL 只从数据中的动作学习，并提高较好动作的权重。",
        },
        "course.exp.rep.short": {
            "en": "pathwise vs score-function gradients",
            "zh": "路径导数对比得分函数梯度",
        },
        "course.exp.rep.what": {
            "en": "The gradient of E[f(x)] for x ~ N(μ = 1, σ = 0.5), f a Q-like bump "
            "exp(−x²/2): 400 estimates from M = 16 samples each, by both estimators, on five "
            "seeds. Computed here in about a second — no training run.",
            "zh": "对 x ~ N(μ = 1, σ = 0.5) 求 E[f(x)] 的梯度，f 是类似 Q 函数的峰 exp(−x²/2)："
            "两种估计器各做 400 次估计，每次 M = 16 个样本，共五个种子。"
            "在这里大约一秒算完——不需要训练。",
        },
        "course.exp.rep.predict": {
            "en": "Which estimator's gradient varies less from one estimate to the next?",
            "zh": "哪种估计器的梯度在各次估计之间波动更小？",
        },
        "course.exp.rep.opt.pathwise": {
            "en": "reparameterised (pathwise)",
            "zh": "重参数化（路径导数）",
        },
        "course.exp.rep.opt.score": {
            "en": "score function (REINFORCE)",
            "zh": "得分函数（REINFORCE）",
        },
        "course.exp.rep.claim": {
            "en": "the pathwise gradient has the smaller variance for a smooth f",
            "zh": "对光滑的 f，路径导数的方差更小",
        },
        "course.exp.rep.measure": {
            "en": "the standard deviation of one estimate (log scale)",
            "zh": "单次估计的标准差（对数尺度）",
        },
        "course.exp.rep.result": {
            "en": "Standard deviation of one estimate: pathwise {pathwise}, score function "
            "{score} (the true gradient is {true}).",
            "zh": "单次估计的标准差：路径导数 {pathwise}，得分函数 {score}（真实梯度为 {true}）。",
        },
        "course.exp.rep.look": {
            "en": "The pathwise estimator differentiates f through the sample x = μ + σε; the "
            "score function only weighs f(x) by ∇log p(x), and sees none of f's slope.",
            "zh": "路径导数通过样本 x = μ + σε 对 f 求导；得分函数只用 ∇log p(x) 给 f(x) 加权，"
            "完全看不到 f 的斜率。",
        },
    }
)
