"""Text of the course (the Home page): sections, lessons, experiments, verdicts."""

TEXT = {
    "course.title": {"en": "Your notes, as a course", "zh": "你的笔记，变成一门课"},
    "course.intro": {
        "en": "Every question of the study notes, in their order. Each opens a lesson: the "
        "explorer that answers it, a prediction to make, and a real training run that shows "
        "the same idea — then the result, drawn over your prediction.",
        "zh": "学习笔记中的每个问题，按笔记的顺序排列。每个问题打开一课：回答它的交互演示、"
        "一次预测，以及展示同一思想的真实训练——然后把结果画在你的预测之上。",
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
        "en": "This one is maths: the explorer computes it exactly, no training run needed.",
        "zh": "这个问题是数学：交互演示会精确地算出来，不需要训练。",
    },
    "course.predict": {"en": "2 · Predict", "zh": "2 · 预测"},
    "course.run": {"en": "3 · Run it for real", "zh": "3 · 真实训练"},
    "course.run.button": {"en": "Run it", "zh": "开始训练"},
    "course.need_dataset": {
        "en": "This experiment trains on a Pendulum dataset and none is on this server yet: "
        "build one (e.g. mixed) on the Datasets page, then come back.",
        "zh": "这个实验需要一个 Pendulum 数据集，而本服务器上还没有：请先在“数据集”页面构建一个"
        "（例如 mixed），再回来。",
    },
    "course.runs_done": {"en": "{done} of {n} runs done", "zh": "{n} 次运行中已完成 {done} 次"},
    "course.waiting": {
        "en": "Training… the answer appears when every run has finished.",
        "zh": "训练中……所有运行结束后会给出答案。",
    },
    "course.answer": {"en": "The runs say: {answer}.", "zh": "训练结果：{answer}。"},
    "course.right": {"en": "You predicted it.", "zh": "你预测对了。"},
    "course.wrong": {"en": "You predicted “{guess}”.", "zh": "你的预测是“{guess}”。"},
    "course.fig.q": {"en": "{algo}: Q(s₀) believed", "zh": "{algo}：网络估计的 Q(s₀)"},
    "course.fig.mc": {"en": "{algo}: return obtained", "zh": "{algo}：实际得到的回报"},
    "course.fig.value": {"en": "discounted return", "zh": "折扣回报"},
    "course.fig.target": {"en": "target entropy", "zh": "目标熵"},
    "course.box": {
        "en": "Course · question {n} of {total}",
        "zh": "课程 · 第 {n} 个问题（共 {total} 个）",
    },
    "course.box.run": {"en": "Run it for real: {what}", "zh": "真实训练：{what}"},
    "course.box.back": {"en": "Back to the lesson", "zh": "回到这一课"},
}

# -- the experiments: what runs, the prediction, the verdict ----------------------------
TEXT.update(
    {
        "course.exp.seeds.short": {
            "en": "DQN on CartPole, 3 seeds",
            "zh": "DQN / CartPole，3 个种子",
        },
        "course.exp.seeds.what": {
            "en": "DQN on CartPole, three seeds — same code, same settings — 20,000 steps each.",
            "zh": "DQN 在 CartPole 上训练，三个种子——同样的代码、同样的设置——每个 20,000 步。",
        },
        "course.exp.seeds.predict": {
            "en": "How close will the three seeds' final returns be?",
            "zh": "三个种子的最终回报会有多接近？",
        },
        "course.exp.seeds.opt.close": {"en": "within 20% of each other", "zh": "相差 20% 以内"},
        "course.exp.seeds.opt.apart": {
            "en": "far apart (more than 20%)",
            "zh": "相差很大（超过 20%）",
        },
        "course.exp.seeds.result": {
            "en": "The three seeds ended between {low} and {high}.",
            "zh": "三个种子的最终回报在 {low} 到 {high} 之间。",
        },
        "course.exp.seeds.look": {
            "en": "Each line is a seed. Every difference comes from randomness — of π (the "
            "exploration) and of p (the start states and transitions) — not from the settings.",
            "zh": "每条线是一个种子。所有差异都来自随机性——π 的（探索）和 p 的（初始状态与转移）——"
            "而不是设置。",
        },
        "course.exp.dqn.short": {"en": "DQN on CartPole", "zh": "DQN / CartPole"},
        "course.exp.dqn.what": {
            "en": "DQN on CartPole, 20,000 steps. At every evaluation the network's Q(s₀, π(s₀)) "
            "is set against the discounted return the policy really obtains from s₀.",
            "zh": "DQN 在 CartPole 上训练 20,000 步。每次评估时，把网络的 Q(s₀, π(s₀)) 与策略从 s₀ "
            "出发实际得到的折扣回报相比较。",
        },
        "course.exp.dqn.predict": {
            "en": "Will the network's Q(s₀) end above or below the return it really gets?",
            "zh": "网络的 Q(s₀) 最终会高于还是低于实际得到的回报？",
        },
        "course.exp.dqn.opt.above": {"en": "above (over-estimation)", "zh": "高于（高估）"},
        "course.exp.dqn.opt.below": {"en": "below (under-estimation)", "zh": "低于（低估）"},
        "course.exp.dqn.result": {
            "en": "Q(s₀) was {gap} off the return obtained, on average over the evaluations.",
            "zh": "在各次评估上平均，Q(s₀) 与实际回报相差 {gap}。",
        },
        "course.exp.dqn.look": {
            "en": "Solid: what the network believes; dashed: what really happens. Their gap is "
            "the estimation error TD learning leaves.",
            "zh": "实线：网络的估计；虚线：实际发生的。两者之差就是 TD 学习留下的估计误差。",
        },
        "course.exp.cliff.short": {"en": "DQN on CliffWalking", "zh": "DQN / CliffWalking"},
        "course.exp.cliff.what": {
            "en": "DQN on CliffWalking (one-hot states: a table in a network), 30,000 steps.",
            "zh": "DQN 在 CliffWalking 上训练（独热状态：网络里的一张表），30,000 步。",
        },
        "course.exp.cliff.predict": {
            "en": "Will the greedy policy walk the short path along the cliff (−13) or a "
            "safer detour?",
            "zh": "贪心策略会走沿着悬崖的最短路径（−13），还是更安全的绕行路线？",
        },
        "course.exp.cliff.opt.short": {"en": "the short path (−13)", "zh": "最短路径（−13）"},
        "course.exp.cliff.opt.safe": {"en": "a longer, safer path", "zh": "更长但更安全的路线"},
        "course.exp.cliff.result": {
            "en": "The greedy policy's return: {final}.",
            "zh": "贪心策略的回报：{final}。",
        },
        "course.exp.cliff.look": {
            "en": "Evaluation is greedy (no exploration): the learned table alone picks the path. "
            "Q-learning's target takes the max, so it learns the short path even while "
            "exploring near the cliff.",
            "zh": "评估是贪心的（不探索）：只由学到的表决定路线。Q-learning 的目标取最大值，"
            "所以即使探索时靠近悬崖，它学到的也是最短路径。",
        },
        "course.exp.pg.short": {
            "en": "REINFORCE vs A2C on CartPole",
            "zh": "REINFORCE 对比 A2C / CartPole",
        },
        "course.exp.pg.what": {
            "en": "REINFORCE (whole-episode returns) and A2C (a learned critic) on CartPole, "
            "60,000 steps each.",
            "zh": "REINFORCE（整回合回报）与 A2C（学习的评论家）在 CartPole 上各训练 60,000 步。",
        },
        "course.exp.pg.predict": {
            "en": "Which reaches the higher return in the same number of steps?",
            "zh": "相同步数下，哪一个的回报更高？",
        },
        "course.exp.pg.opt.reinforce": {"en": "REINFORCE", "zh": "REINFORCE"},
        "course.exp.pg.opt.a2c": {"en": "A2C", "zh": "A2C"},
        "course.exp.pg.result": {
            "en": "Final evaluation returns: REINFORCE {reinforce}, A2C {a2c}.",
            "zh": "最终评估回报：REINFORCE {reinforce}，A2C {a2c}。",
        },
        "course.exp.pg.look": {
            "en": "A critic (a baseline learned by TD) lowers the variance of the policy "
            "gradient: the same steps buy more learning — on most seeds.",
            "zh": "评论家（用 TD 学到的基线）降低了策略梯度的方差：同样的步数换来更多的学习——"
            "在大多数种子上如此。",
        },
        "course.exp.sac.short": {"en": "SAC on Pendulum", "zh": "SAC / Pendulum"},
        "course.exp.sac.what": {
            "en": "SAC on Pendulum, 8,000 steps, with the automatic temperature α.",
            "zh": "SAC 在 Pendulum 上训练 8,000 步，温度 α 自动调节。",
        },
        "course.exp.sac.predict": {
            "en": "α adapts so that the policy's entropy reaches a target (−1 here). Where will "
            "the entropy end?",
            "zh": "α 会自动调节，使策略的熵达到目标（这里是 −1）。熵最终会在哪里？",
        },
        "course.exp.sac.opt.above": {"en": "above the target", "zh": "高于目标"},
        "course.exp.sac.opt.at": {"en": "at the target (±0.25)", "zh": "在目标附近（±0.25）"},
        "course.exp.sac.opt.below": {"en": "below the target", "zh": "低于目标"},
        "course.exp.sac.result": {
            "en": "Entropy {entropy} against the target {target}; α = {alpha}.",
            "zh": "熵为 {entropy}，目标为 {target}；α = {alpha}。",
        },
        "course.exp.sac.look": {
            "en": "Left: the policy's entropy and its target. Right: α, a Lagrange multiplier "
            "— it rises while the entropy is under the target and falls while it is over "
            "(dual gradient ascent).",
            "zh": "左：策略的熵与目标。右：α，一个拉格朗日乘子——熵低于目标时它上升，高于目标时"
            "它下降（对偶梯度上升）。",
        },
        "course.exp.cdq.short": {"en": "TD3 vs DDPG on Pendulum", "zh": "TD3 对比 DDPG / Pendulum"},
        "course.exp.cdq.what": {
            "en": "DDPG and TD3 on Pendulum, the preset's 20,000 steps each. TD3 = DDPG + the min "
            "of two critics as the target, a delayed actor and target smoothing.",
            "zh": "DDPG 与 TD3 在 Pendulum 上各训练预设的 20,000 步。TD3 = DDPG + 以两个评论家的"
            "最小值为目标、延迟更新演员、目标平滑。",
        },
        "course.exp.cdq.predict": {
            "en": "Which critic over-estimates its own return more?",
            "zh": "哪个评论家对自己回报的高估更严重？",
        },
        "course.exp.cdq.opt.ddpg": {"en": "DDPG (one critic)", "zh": "DDPG（一个评论家）"},
        "course.exp.cdq.opt.td3": {"en": "TD3 (min of two)", "zh": "TD3（两个取最小）"},
        "course.exp.cdq.result": {
            "en": "Q above the return obtained, on average: DDPG {ddpg}, TD3 {td3}.",
            "zh": "Q 平均高出实际回报：DDPG {ddpg}，TD3 {td3}。",
        },
        "course.exp.cdq.look": {
            "en": "Solid: the Q(s₀) each critic believes; dashed: the discounted return really "
            "obtained. The max over noisy estimates is biased upwards; the min of two shrinks it.",
            "zh": "实线：各评论家估计的 Q(s₀)；虚线：实际得到的折扣回报。"
            "对带噪声估计取最大会向上偏；"
            "两个取最小会把偏差缩小。",
        },
        "course.exp.offline.short": {
            "en": "BC, CQL and IQL on a Pendulum dataset",
            "zh": "BC、CQL、IQL / Pendulum 数据集",
        },
        "course.exp.offline.what": {
            "en": "BC, CQL and IQL on your newest local Pendulum dataset, 5,000 gradient "
            "steps each.",
            "zh": "BC、CQL 与 IQL 在你最新的本地 Pendulum 数据集上各训练 5,000 个梯度步。",
        },
        "course.exp.offline.predict": {
            "en": "Which scores highest on this dataset?",
            "zh": "在这个数据集上，哪一个得分最高？",
        },
        "course.exp.offline.opt.bc": {"en": "BC (imitate the data)", "zh": "BC（模仿数据）"},
        "course.exp.offline.opt.cql": {"en": "CQL (conservative Q)", "zh": "CQL（保守 Q）"},
        "course.exp.offline.opt.iql": {"en": "IQL (expectile)", "zh": "IQL（期望分位数）"},
        "course.exp.offline.result": {
            "en": "Normalised scores: BC {bc}, CQL {cql}, IQL {iql}.",
            "zh": "归一化分数：BC {bc}，CQL {cql}，IQL {iql}。",
        },
        "course.exp.offline.look": {
            "en": "100 = the expert that made the data, 0 = random. BC copies the data, good "
            "and bad; CQL and IQL can beat the data's average by staying near its actions.",
            "zh": "100 = 生成数据的专家，0 = 随机。BC 照搬数据，好的坏的都学；CQL 和 IQL 通过"
            "靠近数据中的动作，可以超过数据的平均水平。",
        },
    }
)
