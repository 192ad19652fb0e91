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
}
