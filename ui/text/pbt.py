"""Population-based training (the Train page's Population mode and the DQN explorer's section)."""

TEXT = {
    "train.mode.pbt": {"en": "Population (PBT)", "zh": "种群训练 (PBT)"},
    "batch.pbt": {"en": "population of {n}", "zh": "{n} 个成员的种群"},
    "pbt.members": {"en": "members", "zh": "成员数 (members)"},
    "pbt.members.help": {
        "en": "How many agents train together (2 to {max} here). Each is its own run.",
        "zh": "一起训练的智能体数量（此处为 2 到 {max}）。每个成员都是一个独立的运行。",
    },
    "pbt.params": {"en": "Hyperparameters to evolve (params)", "zh": "要演化的超参数 (params)"},
    "pbt.params.help": {
        "en": "The ones the members may differ in while they train ({allowed}). The first "
        "values are drawn around the form's values (v/10 to 10v for a log-scale one).",
        "zh": "训练中成员之间可以不同的超参数（{allowed}）。初始值在表单数值附近抽取"
        "（对数尺度的参数为 v/10 到 10v）。",
    },
    "pbt.interval": {"en": "interval (steps)", "zh": "间隔 interval（步）"},
    "pbt.interval.help": {
        "en": "Environment steps between ready points, a multiple of the evaluation interval "
        "({ev}). Empty: {auto}.",
        "zh": "两次就绪点之间的环境步数，须为评估间隔（{ev}）的整数倍。留空：{auto}。",
    },
    "pbt.quantile": {"en": "quantile", "zh": "分位 quantile"},
    "pbt.quantile.help": {
        "en": "The bottom fraction that copies the top fraction at each ready point "
        "(above 0 to 0.5).",
        "zh": "每个就绪点上，排名靠后的这一比例成员复制排名靠前的同样比例成员（大于 0 到 0.5）。",
    },
    "pbt.plan": {
        "en": "**What will happen:** {k} members train together in one process, {steps} "
        "steps each. Every {interval} steps (a ready point, {n} in all) each member is scored "
        "by the mean of its last {window} evaluation returns; the bottom {q} ({nb} of {k}) "
        "each copy a member of the top {q} (its weights, optimiser state and replay buffer) "
        "and move {params} by ×0.8 or ×1.2 (or draw it afresh, probability {p}).",
        "zh": "**将会发生什么：** {k} 个成员在一个进程里一起训练，每个 {steps} 步。每 {interval} "
        "步（一个就绪点，共 {n} 个）按每个成员最近 {window} 次评估回报的均值打分；排名后 {q} "
        "（{k} 个中的 {nb} 个）各自复制排名前 {q} 的一个成员（权重、优化器状态和经验回放），"
        "再把 {params} 乘以 ×0.8 或 ×1.2（或以概率 {p} 重新抽取）。",
    },
    "pbt.first": {
        "en": "The first population (drawn with seed {seed}):",
        "zh": "初始种群（以种子 {seed} 抽取）：",
    },
    "pbt.title": {"en": "Population-based training", "zh": "基于种群的训练 (PBT)"},
    "pbt.member": {"en": "member {i}", "zh": "成员 {i}"},
    "pbt.col.member": {"en": "member", "zh": "成员"},
    "pbt.col.step": {"en": "from step", "zh": "起始步"},
    "pbt.returns": {"en": "Evaluation return of each member", "zh": "每个成员的评估回报"},
    "pbt.returns.help": {
        "en": "One line per member. A member that copied another at a ready point continues "
        "from its source's weights, so its line jumps there.",
        "zh": "每个成员一条线。在就绪点复制了别人的成员从被复制者的权重继续训练，"
        "所以它的线在那里跳变。",
    },
    "pbt.hp": {"en": "{name} of each member over steps", "zh": "每个成员的 {name} 随步数变化"},
    "pbt.hp.help": {
        "en": "Each line is one member's value (a step line: it holds until the next ready "
        "point). A jump is an exploit and explore: the member copied a better one and "
        "perturbed the copied value.",
        "zh": "每条线是一个成员的取值（阶梯线：保持到下一个就绪点）。跳变表示一次利用与探索："
        "该成员复制了更好的成员，并扰动了复制来的取值。",
    },
    "pbt.lineage": {"en": "Lineage: who copied whom", "zh": "谱系：谁复制了谁"},
    "pbt.lineage.help": {
        "en": "One row per member. An arrow at step s from member a to member b: at that "
        "ready point b was in the bottom {q} and became a copy of a (a's colour), then "
        "explored. {n} copies so far.",
        "zh": "每个成员一行。第 s 步从成员 a 指向成员 b 的箭头：在那个就绪点 b 排在后 {q}，"
        "变成了 a 的副本（a 的颜色），然后进行了探索。目前共 {n} 次复制。",
    },
    "pbt.lineage.none": {
        "en": "No member has copied another yet (the first ready point is at step {step}).",
        "zh": "还没有成员复制别人（第一个就绪点在第 {step} 步）。",
    },
    "pbt.hover": {
        "en": "step {step}: member {dst} (score {sd}) copied member {src} (score {ss})<br>{change}",
        "zh": "第 {step} 步：成员 {dst}（得分 {sd}）复制了成员 {src}（得分 {ss}）<br>{change}",
    },
    "pbt.best": {
        "en": "**Best member: {i}** (final evaluation return {r}). Its weights were trained "
        "by: {lineage}.",
        "zh": "**最佳成员：{i}**（最终评估回报 {r}）。它的权重依次由这些成员训练：{lineage}。",
    },
    "pbt.best_so_far": {
        "en": "**Best member so far: {i}** (latest evaluation return {r}). Its weights were "
        "trained by: {lineage}. The final schedule is known when the population ends.",
        "zh": "**目前最佳成员：{i}**（最新评估回报 {r}）。它的权重依次由这些成员训练：{lineage}。"
        "种群结束后才能得到最终的日程。",
    },
    "pbt.lineage_part": {"en": "member {m} from step {s}", "zh": "从第 {s} 步起成员 {m}"},
    "pbt.schedule": {
        "en": "Its schedule: the values its weights were trained under, from each step on",
        "zh": "它的日程：从每一步起，其权重训练时所用的取值",
    },
    "pbt.retrain": {
        "en": "Re-train this schedule as one run (a fixed schedule, on the command line):",
        "zh": "把这个日程作为单次运行重新训练（固定日程，命令行）：",
    },
    "pbt.download": {"en": "Download the schedule (JSON)", "zh": "下载日程 (JSON)"},
    "pbt.waiting": {
        "en": "Waiting for the population's first event (its worker is starting).",
        "zh": "等待种群的第一个事件（工作进程正在启动）。",
    },
    # -- the DQN explorer's section (ui/learn/pbt_explorer.py) --
    "pbt.ex.title": {
        "en": "Population-based training: which way will the learning rate go?",
        "zh": "基于种群的训练：学习率会往哪个方向走？",
    },
    "pbt.ex.question": {
        "en": "When weaker DQN agents copy stronger ones and nudge the copied learning rate, "
        "does the population discover a learning rate that falls over training?",
        "zh": "当较弱的 DQN 智能体复制较强者并微调复制来的学习率时，"
        "种群会发现一个随训练下降的学习率吗？",
    },
    "pbt.ex.intro": {
        "en": "{k} DQN agents train on CartPole-v1 together, {steps} steps each. Every "
        "{interval} steps the worst one becomes a copy of one of the best (weights, "
        "optimiser, replay buffer) and multiplies the copied **lr** by 0.8 or 1.2, a coin "
        "flip. Only the copies that do well get copied again, so the lr the best agents end "
        "with is a *schedule* the population found. Predict it before you start.",
        "zh": "{k} 个 DQN 智能体在 CartPole-v1 上一起训练，每个 {steps} 步。每 {interval} 步，"
        "最差的那个变成最好者之一的副本（权重、优化器、经验回放），并把复制来的 **lr** 乘以 0.8 "
        "或 1.2（抛硬币决定）。只有表现好的副本才会被再次复制，所以最佳智能体最终的 lr 是种群"
        "找到的一个*日程*。开始之前先预测一下。",
    },
    "pbt.ex.predict": {
        "en": "Over the run, the best agents' lr will…",
        "zh": "在整个训练中，最佳智能体的 lr 会……",
    },
    "pbt.ex.guess.rise": {"en": "rise", "zh": "上升"},
    "pbt.ex.guess.fall": {"en": "fall", "zh": "下降"},
    "pbt.ex.guess.stay": {"en": "not move clearly", "zh": "没有明显变化"},
    "pbt.ex.predict_first": {
        "en": "Choose a prediction first: Start is enabled once you have one.",
        "zh": "请先选择一个预测：选好后才能开始。",
    },
    "pbt.ex.time": {
        "en": "{total} environment steps in all: {lo} to {hi} s from Start to the verdict on "
        "2 busy CPU cores (measured).",
        "zh": "共 {total} 个环境步：在 2 个繁忙的 CPU 核上，从开始到结论需要 {lo} 到 {hi} 秒"
        "（实测）。",
    },
    "pbt.ex.start": {"en": "Start the population", "zh": "开始种群训练"},
    "pbt.ex.again": {"en": "Predict and run again", "zh": "重新预测并再运行一次"},
    "pbt.ex.progress": {"en": "step {step} of each member", "zh": "每个成员第 {step} 步"},
    "pbt.ex.no_result": {
        "en": "No member finished with an evaluation: there is nothing to conclude.",
        "zh": "没有成员完成评估：无法得出结论。",
    },
    "pbt.ex.schedule": {
        "en": "The best agent (member {i}) trained under this lr schedule, value (from step): "
        "{steps}.",
        "zh": "最佳智能体（成员 {i}）所用的 lr 日程，取值（起始步）：{steps}。",
    },
    "pbt.ex.verdict.fell": {
        "en": "**The lr fell.** Of the explore steps the best {n} agents' lineages kept, "
        "{down} lowered the lr and {up} raised it: more one-way than coin flips would be "
        "(sign test, p = {p}), and each ended below where it started:",
        "zh": "**lr 下降了。** 最佳 {n} 个智能体的谱系保留下来的探索步中，{down} 次降低 lr，"
        "{up} 次提高 lr：比抛硬币更偏向一个方向（符号检验，p = {p}），并且每一个都比起点低：",
    },
    "pbt.ex.verdict.rose": {
        "en": "**The lr rose.** Of the explore steps the best {n} agents' lineages kept, "
        "{up} raised the lr and {down} lowered it: more one-way than coin flips would be "
        "(sign test, p = {p}), and each ended above where it started:",
        "zh": "**lr 上升了。** 最佳 {n} 个智能体的谱系保留下来的探索步中，{up} 次提高 lr，"
        "{down} 次降低 lr：比抛硬币更偏向一个方向（符号检验，p = {p}），并且每一个都比起点高：",
    },
    "pbt.ex.verdict.unclear": {
        "en": "**The lr did not move clearly.** Of the explore steps the best {n} agents' "
        "lineages kept, {down} lowered it and {up} raised it; fair coin flips give a split at "
        "least this uneven with probability p = {p} (sign test), so this population is no "
        "evidence of a schedule (a run this small rarely is):",
        "zh": "**lr 没有明显变化。** 最佳 {n} 个智能体的谱系保留下来的探索步中，{down} 次降低，"
        "{up} 次提高；公平的抛硬币至少出现这样不均的概率为 p = {p}（符号检验），所以这个种群"
        "不能证明存在某种日程（这么小的运行很少能证明）：",
    },
    "pbt.ex.end": {"en": "member {i} {a} → {b}", "zh": "成员 {i} {a} → {b}"},
    "pbt.ex.you": {"en": "You predicted: {guess}.", "zh": "你的预测：{guess}。"},
    "pbt.ex.right": {
        "en": "The population's evidence agrees.",
        "zh": "种群的证据与你的预测一致。",
    },
    "pbt.ex.no_evidence": {
        "en": "This population is no evidence for it, nor against it: the kept steps could "
        "be coin flips.",
        "zh": "这个种群既不能支持也不能否定你的预测：保留下来的步骤可能只是抛硬币的结果。",
    },
    "pbt.ex.wrong": {
        "en": "The population's evidence says otherwise.",
        "zh": "种群的证据与你的预测不一致。",
    },
}
