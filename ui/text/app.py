"""Text of the Train, Algorithms, Compare and About pages, the live view and the charts."""

TEXT = {
    # -- Train page ------------------------------------------------------------------
    "train.title": {"en": "Train an agent", "zh": "训练智能体"},
    "train.intro": {
        "en": "Pick an environment and an algorithm, adjust the hyperparameters (hover the ⓘ "
        "for what each one does), press Start and watch the agent learn. Training runs in "
        "its own process: switch pages or reload, it keeps going. The URL holds this whole "
        "setup — copy it to share it.",
        "zh": "选择环境和算法，调整超参数（把鼠标悬停在 ⓘ 上查看含义），点击开始，观察智能体如何学"
        "习。"
        "训练在独立进程中运行：切换页面或刷新浏览器都不会中断。网址中保存了完整的设置，复制即可分"
        "享。",
    },
    "train.env": {"en": "Environment", "zh": "环境"},
    "train.env.help": {
        "en": "The task the agent learns (a Gymnasium environment). Only algorithms that "
        "handle its kind of actions are offered.",
        "zh": "智能体要学习的任务（Gymnasium 环境）。只会列出能处理其动作类型的算法。",
    },
    "train.env.custom": {"en": "custom", "zh": "自定义"},
    "train.env.custom_desc": {
        "en": "Your own environment (not in the catalogue, from RLCORE_ENV_MODULES): "
        "observations of shape {shape}, {kind} actions, solved at {solved}. It trains with "
        "the algorithm's defaults: there is no tuned preset for it.",
        "zh": "你自己的环境（不在目录中，来自 RLCORE_ENV_MODULES）：观测形状 {shape}，"
        "{kind}动作，解决标准 {solved}。它使用算法的默认超参数训练：没有为它调好的预设。",
    },
    "train.env.kind.discrete": {"en": "discrete", "zh": "离散"},
    "train.env.kind.continuous": {"en": "continuous", "zh": "连续"},
    "train.env.unknown": {
        "en": "unknown (no reward_threshold)",
        "zh": "未知（没有 reward_threshold）",
    },
    "train.algo": {"en": "Algorithm", "zh": "算法"},
    "train.algo.help": {
        "en": "Algorithms that can act in this environment ({kind} actions).",
        "zh": "能在此环境中行动的算法（{kind} 动作空间）。",
    },
    "train.preset": {"en": "Tuned preset", "zh": "调优预设"},
    "train.preset.help": {
        "en": "Start from hyperparameters tuned for this pair (RL Baselines3 Zoo). Off: the "
        "algorithm's defaults. Changing it resets the fields.",
        "zh": "从针对此组合调好的超参数开始（RL Baselines3 Zoo）。关闭则使用算法默认值。切换会重置"
        "各字段。",
    },
    "train.no_preset": {
        "en": "No tuned preset for this pair: the algorithm's defaults are used.",
        "zh": "此组合没有调优预设：使用算法的默认值。",
    },
    "train.hparams": {"en": "Hyperparameters of {algo}", "zh": "{algo} 的超参数"},
    "train.run_settings": {
        "en": "Run settings (device, evaluation, logging, threads)",
        "zh": "运行设置（设备、评估、日志、线程）",
    },
    "train.mode": {"en": "Experiment", "zh": "实验方式"},
    "train.mode.help": {
        "en": "One run; the same setup with several seeds (to see how much luck matters); "
        "a sweep of one hyperparameter over several values × seeds; or a search: Optuna "
        "picks the values of several hyperparameters trial after trial.",
        "zh": "单次运行；同一设置用多个随机种子（看运气的影响有多大）；对一个超参数取多个值 × 多"
        "个种子做扫描；或超参数搜索：由 Optuna 逐次试验地为多个超参数选取取值。",
    },
    "train.mode.single": {"en": "Single run", "zh": "单次运行"},
    "train.mode.seeds": {"en": "N seeds", "zh": "多个种子"},
    "train.mode.sweep": {"en": "Sweep", "zh": "超参数扫描"},
    "train.seeds": {"en": "Number of seeds", "zh": "种子数量"},
    "train.seeds_per_value": {"en": "Seeds per value", "zh": "每个取值的种子数"},
    "train.seeds.help": {
        "en": "Seeds seed, seed+1, …: different network initialisations and environment "
        "randomness. Results are averaged with a 95% confidence band.",
        "zh": "种子为 seed、seed+1……：网络初始化和环境随机性各不相同。结果取平均并给出 95% 置信带"
        "。",
    },
    "train.sweep_param": {"en": "Hyperparameter to sweep", "zh": "要扫描的超参数"},
    "train.sweep_param.help": {
        "en": "Every other hyperparameter stays as set above.",
        "zh": "其他超参数保持上面的设置不变。",
    },
    "train.sweep_values": {"en": "Values (comma-separated)", "zh": "取值（逗号分隔）"},
    "train.sweep_values.help": {
        "en": "E.g. 1e-4, 3e-4, 1e-3. For layer sizes separate the values with ';', e.g. "
        "64; 64,64.",
        "zh": "例如 1e-4, 3e-4, 1e-3。网络层大小之间用 ';' 分隔，例如 64; 64,64。",
    },
    "train.swept": {
        "en": "Set by the sweep (or the search) below.",
        "zh": "由下方的超参数扫描（或搜索）设置。",
    },
    "train.plan": {
        "en": "{n} runs. At most {cap} train at once; the others wait in the queue "
        "(at most {max} runs per submission).",
        "zh": "共 {n} 次运行。最多同时训练 {cap} 个，其余在队列中等待（每次提交最多 {max} 个）。",
    },
    "train.plan_together": {
        "en": "{n} runs, trained together in one process (at most {max} runs per submission).",
        "zh": "共 {n} 次运行，在同一个进程中一起训练（每次提交最多 {max} 个）。",
    },
    "train.fix": {
        "en": "Nothing can start until these fields are fixed: {fields}.",
        "zh": "请先修正这些字段，否则无法开始：{fields}。",
    },
    "train.session_limit": {
        "en": "This server lets one browser session have at most {limit} runs queued or "
        "training at once: {active} are, and this would add {n}. Wait for them to finish "
        "(or stop them).",
        "zh": "本服务器限制每个浏览器会话同时排队或训练的运行最多 {limit} 个：目前已有 {active} 个"
        "，"
        "本次还会增加 {n} 个。请等它们结束（或先停止它们）。",
    },
    "train.start1": {"en": "Start training", "zh": "开始训练"},
    "train.start": {"en": "Start {n} runs", "zh": "开始 {n} 次运行"},
    "form.allowed": {"en": "Allowed", "zh": "允许范围"},
    # -- the URL ---------------------------------------------------------------------
    "url.bad_env": {
        "en": "This link names an unknown environment ({value}); using the default instead.",
        "zh": "链接中的环境未知（{value}），已改用默认值。",
    },
    "url.bad_algo": {
        "en": "This link's algorithm {value} cannot train on {env} (allowed: {allowed}); "
        "using the default instead.",
        "zh": "链接中的算法 {value} 无法在 {env} 上训练（可选：{allowed}），已改用默认值。",
    },
    "url.bad_value": {
        "en": "This link's {name} = {value} is not valid; using the default instead.",
        "zh": "链接中的 {name} = {value} 无效，已改用默认值。",
    },
    "url.bad_field": {
        "en": "Ignored a value of this link, the default is used: {error}",
        "zh": "已忽略链接中的一个值，改用默认值：{error}",
    },
    "url.bad_batch": {
        "en": "This link's batch cannot be shown: {error}",
        "zh": "无法显示链接中的批次：{error}",
    },
    "share.view_only": {
        "en": "You are watching runs another visitor started, through their link: you can "
        "see everything they see, but only they can stop, delete or download these runs.",
        "zh": "你正通过另一位访客的链接查看他们启动的运行：你能看到他们看到的一切，"
        "但只有他们能停止、删除或下载这些运行。",
    },
    "share.view_only_study": {
        "en": "You are watching another visitor's study through their link: only they can "
        "stop, resume or delete it.",
        "zh": "你正通过另一位访客的链接查看他们的搜索：只有他们能停止、继续或删除它。",
    },
    "share.gone": {
        "en": "{n} of the runs this link names no longer exist (deleted): they are left out.",
        "zh": "此链接所指的运行中有 {n} 个已不存在（已删除），已略去。",
    },
    "url.unknown": {
        "en": "Ignored the unknown link parameter {name}.",
        "zh": "已忽略未知的链接参数 {name}。",
    },
    # -- live view -------------------------------------------------------------------
    "live.title": {"en": "Live view", "zh": "实时视图"},
    "live.none": {
        "en": "Nothing trained in this browser session yet: press Start. Every saved run is "
        "on the Compare page.",
        "zh": "本浏览器会话还没有训练任何东西：点击“开始训练”。所有保存的运行都在“比较实验”页面。",
    },
    "live.batches": {"en": "Your submissions", "zh": "你的提交"},
    "live.smoothing": {"en": "Smoothing", "zh": "平滑系数"},
    "live.smoothing.help": {
        "en": "Weight of the exponential moving average of the episode return (0 = raw).",
        "zh": "回合回报指数滑动平均的权重（0 = 原始数据）。",
    },
    "live.queued": {
        "en": "Queued: position {n} ({running} of {cap} workers busy)",
        "zh": "排队中：第 {n} 位（{cap} 个工作进程中 {running} 个忙碌）",
    },
    "live.starting": {
        "en": "Starting the worker process…",
        "zh": "正在启动工作进程……",
    },
    "live.batch_progress": {
        "en": "{kind}: {done} of {n} runs done",
        "zh": "{kind}：{n} 次运行中已完成 {done} 次",
    },
    "live.position": {"en": "queue position {n}", "zh": "队列第 {n} 位"},
    "live.stop": {"en": "Stop", "zh": "停止"},
    "live.stopping": {
        "en": "Stopping: the worker saves the weights and ends.",
        "zh": "正在停止：工作进程会保存权重后结束。",
    },
    "live.run_id": {"en": "Run {id}", "zh": "运行 {id}"},
    "live.threads": {"en": "CPU threads: {n}", "zh": "CPU 线程：{n}"},
    "live.compiled": {
        "en": "compiled in {s:.0f} s: {eager:.2f} → {compiled:.2f} ms per update",
        "zh": "编译用时 {s:.0f} 秒：每次更新 {eager:.2f} → {compiled:.2f} 毫秒",
    },
    "live.compiled.pays": {
        "en": "pays its compilation back after {n} of this run's {total} updates",
        "zh": "在本次运行 {total} 次更新中的第 {n} 次后收回编译时间",
    },
    "live.compiled.late": {
        "en": "would pay back after {n} updates, more than this run's {total}",
        "zh": "要 {n} 次更新才能收回编译时间，超过本次运行的 {total} 次",
    },
    "live.compiled.never": {
        "en": "not faster: compiling never pays off here",
        "zh": "没有更快：在这里编译得不偿失",
    },
    "live.waiting": {
        "en": "Waiting for the first episode…",
        "zh": "等待第一个回合结束……",
    },
    "live.inspect": {"en": "Look inside one run", "zh": "查看单次运行的内部"},
    "live.seed": {"en": "seed {n}", "zh": "种子 {n}"},
    "live.all_seeds": {"en": "all seeds", "zh": "所有种子"},
    "status.queued": {"en": "queued", "zh": "排队中"},
    "status.running": {"en": "running", "zh": "训练中"},
    "status.finished": {"en": "finished", "zh": "已完成"},
    "status.stopped": {"en": "stopped", "zh": "已停止"},
    "status.failed": {"en": "failed", "zh": "失败"},
    "status.diverged": {"en": "diverged", "zh": "发散"},
    "status.interrupted": {"en": "interrupted", "zh": "被中断"},
    # -- watch -----------------------------------------------------------------------
    "watch.title": {"en": "Watch the agent", "zh": "观看智能体"},
    "watch.run": {"en": "Run", "zh": "运行"},
    "watch.render": {"en": "Play an episode", "zh": "播放一个回合"},
    "watch.rendering": {"en": "Rendering the episode…", "zh": "正在渲染回合……"},
    "watch.no_model": {
        "en": "No saved policy yet: the worker saves the weights every 30 s during training "
        "and at the end.",
        "zh": "还没有保存的策略：训练期间工作进程每 30 秒以及结束时保存一次权重。",
    },
    "watch.hint": {
        "en": "Press Play to see the current greedy policy act (one episode, rendered here).",
        "zh": "点击播放，观看当前的贪心策略如何行动（渲染一个回合）。",
    },
    "watch.caption": {
        "en": "Greedy policy, episode seed {seed}",
        "zh": "贪心策略，回合种子 {seed}",
    },
    "watch.download": {"en": "Download this episode (GIF)", "zh": "下载这个回合（GIF）"},
    "watch.download_help": {
        "en": "The episode shown (same checkpoint, same seed) at full size and every frame, "
        "as `rlcore enjoy RUN --gif FILE` writes it.",
        "zh": "与上面相同的回合（同一检查点、同一种子），完整尺寸、保留每一帧，"
        "与 `rlcore enjoy RUN --gif FILE` 写出的文件相同。",
    },
    "watch.download_help_hosted": {
        "en": "The episode shown (same checkpoint, same seed), as `rlcore enjoy RUN --gif "
        "FILE` writes it; on this shared server at most {steps} steps, {frames} frames "
        "and {width} px wide.",
        "zh": "与上面相同的回合（同一检查点、同一种子），与 `rlcore enjoy RUN --gif FILE` "
        "写出的文件相同；在这台共享服务器上最多 {steps} 步、{frames} 帧、宽 {width} 像素。",
    },
    "watch.return": {"en": "Return", "zh": "回报"},
    "watch.length": {"en": "Steps", "zh": "步数"},
    "watch.help": {
        "en": "The policy acts without exploration noise (greedy). Press Play again for "
        "another start state.",
        "zh": "策略在没有探索噪声的情况下行动（贪心）。再次点击播放可换一个初始状态。",
    },
    # -- export ----------------------------------------------------------------------
    "export.format": {"en": "Export the policy as", "zh": "导出策略的格式"},
    "export.format.torchscript": {"en": "TorchScript (.pt)", "zh": "TorchScript（.pt）"},
    "export.format.onnx": {"en": "ONNX (.onnx)", "zh": "ONNX（.onnx）"},
    "export.download": {"en": "Download the policy", "zh": "下载策略"},
    "export.help": {
        "en": "One file with the greedy policy and its observation normalisation; it runs "
        "without this app: `torch.jit.load(file)(obs)` or an onnxruntime session. Input: "
        "float32 observations [batch, …]; output: the actions `agent.act` would choose. "
        "The run's settings are inside the file's metadata.",
        "zh": "一个文件，包含贪心策略及其观测归一化；无需本应用即可运行："
        "`torch.jit.load(file)(obs)` 或 onnxruntime 会话。输入：float32 观测 [batch, …]；"
        "输出：与 `agent.act` 相同的动作。运行的设置保存在文件的元数据中。",
    },
    "export.help_no_onnx": {
        "en": "One file with the greedy policy and its observation normalisation; it runs "
        "without this app: `torch.jit.load(file)(obs)`. ONNX export needs the onnx package "
        "on this server (`pip install 'rl-playground[export]'`).",
        "zh": "一个文件，包含贪心策略及其观测归一化；无需本应用即可运行："
        "`torch.jit.load(file)(obs)`。导出 ONNX 需要服务器上安装 onnx 包"
        "（`pip install 'rl-playground[export]'`）。",
    },
    # -- charts ----------------------------------------------------------------------
    "chart.steps": {"en": "environment steps", "zh": "环境步数"},
    "chart.return": {"en": "return", "zh": "回报"},
    "chart.returns": {"en": "Return per episode", "zh": "每回合回报"},
    "chart.episode_raw": {"en": "episode return", "zh": "回合回报"},
    "chart.episode_smoothed": {"en": "smoothed", "zh": "平滑后"},
    "chart.eval_return": {"en": "evaluation (mean ± std)", "zh": "评估（均值 ± 标准差）"},
    "chart.solved": {"en": "solved", "zh": "解决线"},
    "chart.mean_ci": {"en": "mean and {pct}% CI", "zh": "均值与 {pct}% 置信区间"},
    "chart.sensitivity": {
        "en": "Final return vs {param}",
        "zh": "最终回报与 {param} 的关系",
    },
    "chart.final_return": {"en": "final evaluation return", "zh": "最终评估回报"},
    "chart.seed_runs": {"en": "each run", "zh": "每次运行"},
    "chart.losses": {"en": "Losses", "zh": "损失"},
    "chart.losses.help": {
        "en": "What each network minimises. A TD loss does not have to go to zero: its "
        "target moves as the agent improves.",
        "zh": "每个网络最小化的目标。TD 损失不一定降到零：智能体变强时目标本身也在变化。",
    },
    "chart.q_vs_mc": {
        "en": "Q estimate vs Monte-Carlo return",
        "zh": "Q 估计与蒙特卡洛回报",
    },
    "chart.q_vs_mc.help": {
        "en": "At evaluation: the critic's Q(s₀, π(s₀)) at the start states against the "
        "discounted return the policy actually got from there. Q above the return = "
        "over-estimation (the max/min-over-critics bias).",
        "zh": "评估时：评论家在初始状态给出的 Q(s₀, π(s₀))，与策略从该状态实际得到的折扣回报对比。"
        "Q 高于实际回报即为过估计（max 算子偏差，双 Q 取最小值可缓解）。",
    },
    "chart.values": {"en": "Value estimates", "zh": "价值估计"},
    "chart.values.help": {
        "en": "Mean Q (or V) over the training batches, and the TD target it is pulled "
        "towards. A steady climb without bound is a sign of divergence.",
        "zh": "训练批次上的平均 Q（或 V）以及它被拉向的 TD 目标。无限制地持续上升是发散的迹象。",
    },
    "chart.exploration": {
        "en": "Exploration: ε, noise, entropy, α",
        "zh": "探索：ε、噪声、熵、α",
    },
    "chart.exploration.help": {
        "en": "How random the behaviour is: ε of ε-greedy, the action-noise scale, the policy "
        "entropy and SAC's temperature α (which rises while the entropy is below target).",
        "zh": "行为有多随机：ε-贪心的 ε、动作噪声尺度、策略熵，以及 SAC 的温度 α（熵低于目标时 α "
        "上升）。",
    },
    "chart.td": {"en": "TD error and advantages", "zh": "TD 误差与优势"},
    "chart.td.help": {
        "en": "|target − estimate| per sample, and the advantage statistics that weight the "
        "policy gradient.",
        "zh": "每个样本的 |目标 − 估计|，以及给策略梯度加权的优势函数统计量。",
    },
    "chart.grads": {"en": "Gradient norms", "zh": "梯度范数"},
    "chart.grads.help": {
        "en": "Size of each update before clipping; spikes often come before instability.",
        "zh": "裁剪前每次更新的大小；尖峰常常预示着不稳定。",
    },
    "chart.speed": {"en": "Speed", "zh": "速度"},
    "chart.speed.help": {
        "en": "Environment steps per second of the worker process.",
        "zh": "工作进程每秒的环境步数。",
    },
    "chart.other": {"en": "Other diagnostics", "zh": "其他诊断量"},
    "chart.other.help": {
        "en": "Further quantities this algorithm reports.",
        "zh": "该算法报告的其他量。",
    },
    "metric.rollout/return": {"en": "episode return", "zh": "回合回报"},
    "metric.rollout/length": {"en": "episode length", "zh": "回合长度"},
    "metric.eval/return_mean": {"en": "evaluation return", "zh": "评估回报"},
    "metric.eval/return_std": {"en": "evaluation return std", "zh": "评估回报标准差"},
    "metric.eval/q_start": {"en": "Q(s₀, π(s₀))", "zh": "Q(s₀, π(s₀))"},
    "metric.eval/discounted_return": {
        "en": "Monte-Carlo discounted return",
        "zh": "蒙特卡洛折扣回报",
    },
    "metric.eval/length_mean": {"en": "evaluation episode length", "zh": "评估回合长度"},
    "metric.time/sps": {"en": "steps/s", "zh": "步/秒"},
    "metric.train/epsilon": {"en": "ε (epsilon)", "zh": "ε（探索率）"},
    "metric.train/entropy": {"en": "policy entropy", "zh": "策略熵"},
    "metric.train/alpha": {"en": "α (temperature)", "zh": "α（温度）"},
    "metric.train/td_error": {"en": "TD error", "zh": "TD 误差"},
    "metric.train/q_mean": {"en": "Q mean", "zh": "Q 均值"},
    "metric.train/target_q_mean": {"en": "TD target mean", "zh": "TD 目标均值"},
    "metric.train/critic_loss": {"en": "critic loss", "zh": "评论家损失"},
    "metric.train/actor_loss": {"en": "actor loss", "zh": "演员损失"},
    "metric.train/value_loss": {"en": "value loss", "zh": "价值损失"},
    "metric.train/alpha_loss": {"en": "α loss", "zh": "α 损失"},
    # -- tables ----------------------------------------------------------------------
    "col.run": {"en": "run", "zh": "运行"},
    "col.id": {"en": "run id", "zh": "运行 ID"},
    "col.algo": {"en": "algorithm", "zh": "算法"},
    "col.env": {"en": "environment", "zh": "环境"},
    "col.seed": {"en": "seed", "zh": "种子"},
    "col.step": {"en": "steps done", "zh": "已完成步数"},
    "col.steps": {"en": "budget", "zh": "总步数"},
    "col.final": {"en": "final eval return", "zh": "最终评估回报"},
    "col.final_std": {"en": "± std", "zh": "± 标准差"},
    "col.final_return": {"en": "last eval return", "zh": "最近评估回报"},
    "col.wall": {"en": "wall time", "zh": "耗时"},
    "col.status": {"en": "status", "zh": "状态"},
    "col.progress": {"en": "progress", "zh": "进度"},
    "col.sps": {"en": "steps/s", "zh": "步/秒"},
    "col.created": {"en": "created", "zh": "创建时间"},
    # -- Compare page ----------------------------------------------------------------
    "cmp.title": {"en": "Compare runs", "zh": "比较实验"},
    "cmp.intro": {
        "en": "Every saved run, from every session and the command line. Tick rows to plot "
        "them; seeds of the same configuration are averaged, with the band you pick.",
        "zh": "所有保存的运行（来自所有会话和命令行）。勾选表格中的行即可绘图；同一配置的不同种子"
        "会取平均，并显示你所选的阴影带。",
    },
    "cmp.refresh": {"en": "Refresh", "zh": "刷新"},
    "cmp.any": {"en": "all", "zh": "全部"},
    "cmp.none": {
        "en": "No saved runs yet. Train one first:",
        "zh": "还没有保存的运行。先去训练一个：",
    },
    "cmp.count": {
        "en": "{n} of {total} runs shown. Click a column header to sort.",
        "zh": "显示 {n} / {total} 次运行。点击列标题可排序。",
    },
    "cmp.select": {
        "en": "Tick one or more rows (left edge of the table) to plot their curves.",
        "zh": "勾选一行或多行（表格左侧）即可绘制曲线。",
    },
    "cmp.metric": {"en": "Metric", "zh": "指标"},
    "cmp.group": {"en": "Group seeds", "zh": "按配置分组"},
    "cmp.group.caption": {
        "en": "Shown: {band}. n = number of seeds in the group (a seed trained twice with the same "
        "settings counts once: its furthest run). With one seed there is no band: one run "
        "says nothing about the spread. Environments with different returns get a panel each.",
        "zh": "图中：{band}。n 为组内种子数（同一设置下同一种子训练两次只算一次："
        "取训练最多的那次）。只有一个种子时没有阴影带：一次运行无法说明离散程度。回报范围不同的环境各占一个面板。",
    },
    "cmp.overlay.caption": {
        "en": "One line per run. Drag to zoom, double-click to reset, click the legend to "
        "hide a run.",
        "zh": "每次运行一条曲线。拖动可缩放，双击复原，点击图例可隐藏某次运行。",
    },
    "cmp.csv": {"en": "Metrics (CSV)", "zh": "指标（CSV）"},
    "cmp.ckpt_run": {"en": "Checkpoint of", "zh": "检查点所属运行"},
    "cmp.ckpt": {"en": "Checkpoint", "zh": "检查点"},
    "cmp.delete": {"en": "Delete {n} runs", "zh": "删除 {n} 次运行"},
    "cmp.delete.confirm": {
        "en": "Delete the {n} selected runs with their metrics and weights? This cannot be "
        "undone. Runs still training are skipped.",
        "zh": "删除选中的 {n} 次运行及其指标和权重？此操作无法撤销。仍在训练的运行会被跳过。",
    },
    "cmp.delete.yes": {"en": "Yes, delete", "zh": "确认删除"},
    "cmp.delete.refused": {
        "en": "Not deleted (still training — stop them first): {ids}",
        "zh": "未删除（仍在训练，请先停止）：{ids}",
    },
    "cmp.sweeps": {"en": "Hyperparameter sweeps", "zh": "超参数扫描"},
    "cmp.sweep": {"en": "Sweep", "zh": "扫描"},
    "cmp.sweep.label": {
        "en": "{param}: {values} values × {seeds} seeds — {algo} on {env} ({when})",
        "zh": "{param}：{values} 个取值 × {seeds} 个种子 — {algo} / {env}（{when}）",
    },
    # -- Algorithms page -------------------------------------------------------------
    "algos.title": {"en": "Algorithms", "zh": "算法"},
    "algos.intro": {
        "en": "What each algorithm optimises, in the paper's equations; its hyperparameters "
        "and what they mean; where it can train.",
        "zh": "每个算法优化什么（论文中的公式）、它的超参数及含义、可以在哪些环境上训练。",
    },
    "algos.pick": {"en": "Algorithm", "zh": "算法"},
    "algos.setting": {"en": "Setting", "zh": "场景"},
    "algos.setting.online": {"en": "online", "zh": "在线"},
    "algos.setting.offline": {"en": "offline", "zh": "离线"},
    "algos.actions": {"en": "Actions", "zh": "动作空间"},
    "algos.actions.discrete": {"en": "discrete", "zh": "离散"},
    "algos.actions.continuous": {"en": "continuous", "zh": "连续"},
    "algos.actions.both": {"en": "discrete and continuous", "zh": "离散与连续"},
    "algos.hparam_count": {"en": "Hyperparameters", "zh": "超参数个数"},
    "algos.paper": {"en": "Paper", "zh": "论文"},
    "algos.find": {"en": "find it", "zh": "查找论文"},
    "algos.hparams": {"en": "Hyperparameters", "zh": "超参数"},
    "algos.envs": {"en": "Environments and tuned presets", "zh": "可用环境与调优预设"},
    "algos.train": {"en": "Train {algo} now", "zh": "立即训练 {algo}"},
    "algos.log": {"en": "log", "zh": "对数"},
    "algos.col.name": {"en": "name", "zh": "名称"},
    "algos.col.default": {"en": "default", "zh": "默认值"},
    "algos.col.allowed": {"en": "allowed", "zh": "允许范围"},
    "algos.col.scale": {"en": "scale", "zh": "刻度"},
    "algos.col.help": {"en": "meaning", "zh": "含义"},
    "algos.col.env": {"en": "environment", "zh": "环境"},
    "algos.col.solved": {"en": "solved at", "zh": "解决标准"},
    "algos.col.preset_steps": {"en": "preset steps", "zh": "预设步数"},
    "algos.col.preset": {"en": "preset values", "zh": "预设取值"},
    # -- About page ------------------------------------------------------------------
    "about.title": {"en": "About RL Playground", "zh": "关于强化学习游乐场"},
    "about.what": {
        "en": "RL Playground is a place to learn reinforcement learning by doing it: train "
        "small PyTorch agents on Gymnasium tasks from the browser and look inside them while "
        "they learn — losses, Q estimates against real returns, entropy and temperature, "
        "exploration. The **Learn** pages explain the ideas with interactive explorers; "
        "**Train** runs the real algorithms; **Compare** puts runs and seeds side by side.",
        "zh": "强化学习游乐场让你在动手中学习强化学习：在浏览器里用 PyTorch 在 Gymnasium 任务上训"
        "练小型智能体，"
        "并在学习过程中观察其内部——损失、Q 估计与真实回报的对比、熵与温度、探索。"
        "**学习**页面用交互式演示讲解概念；**训练**页面运行真实的算法；**比较**页面把多次运行和多"
        "个种子放在一起对比。",
    },
    "about.how.title": {"en": "How it works", "zh": "工作原理"},
    "about.how": {
        "en": "- The backend `rlcore` is a plain PyTorch library; the app only shows it.\n"
        "- **Start** writes the run's configuration to `runs/<id>/` and puts it in a queue; "
        "a separate worker process trains and appends metrics as it goes, so training never "
        "blocks the page, and reloading or switching pages loses nothing.\n"
        "- At most one worker per CPU core trains at a time (shared by every visitor); the "
        "others wait with their position shown.\n"
        "- The page reads the new metrics about once a second and redraws the charts.\n"
        "- The same run can be launched from the command line (below): identical configs "
        "give identical results.",
        "zh": "- 后端 `rlcore` 是一个普通的 PyTorch 库；应用只负责展示。\n"
        "- 点击**开始**会把配置写入 `runs/<id>/` 并加入队列；独立的工作进程负责训练并持续追加指标，"
        "因此训练不会阻塞页面，刷新或切换页面也不会丢失任何东西。\n"
        "- 同一时间最多每个 CPU 核心运行一个工作进程（所有访问者共享），其余运行排队并显示位置。\n"
        "- 页面大约每秒读取一次新指标并重绘图表。\n"
        "- 同样的运行也可以从命令行启动（见下）：相同的配置得到相同的结果。",
    },
    "about.cli.title": {"en": "Command line", "zh": "命令行"},
    "about.system.title": {"en": "This server", "zh": "本服务器"},
    "about.item": {"en": "item", "zh": "项目"},
    "about.value": {"en": "value", "zh": "值"},
    "about.cpus": {"en": "CPU cores", "zh": "CPU 核心数"},
    "about.cap": {"en": "max concurrent workers", "zh": "最大并发工作进程数"},
    "about.busy": {"en": "training / queued now", "zh": "当前训练中 / 排队中"},
    "about.runs_dir": {"en": "runs folder", "zh": "运行目录"},
    "about.credits.title": {"en": "Credits", "zh": "致谢"},
    "about.credits": {
        "en": "Environments: [Gymnasium](https://gymnasium.farama.org). Tuned presets: "
        "[RL Baselines3 Zoo](https://github.com/DLR-RM/rl-baselines3-zoo). Algorithms follow "
        "their papers (see the Algorithms page) and the clear single-file style of "
        "[CleanRL](https://github.com/vwxyzjn/cleanrl). Interactive teaching in the spirit "
        "of [TensorFlow Playground](https://playground.tensorflow.org).",
        "zh": "环境：[Gymnasium](https://gymnasium.farama.org)。调优预设："
        "[RL Baselines3 Zoo](https://github.com/DLR-RM/rl-baselines3-zoo)。算法实现遵循各自的论文"
        "（见“算法”页面）"
        "以及 [CleanRL](https://github.com/vwxyzjn/cleanrl) 清晰的单文件风格。交互式教学的灵感来自 "
        "[TensorFlow Playground](https://playground.tensorflow.org)。",
    },
    # -- sidebar ---------------------------------------------------------------------
    "sidebar.workers": {
        "en": "Workers: {running} of {max_workers} busy, {queued} queued",
        "zh": "工作进程：{max_workers} 个中 {running} 个忙碌，{queued} 个排队",
    },
    "sidebar.algo_docs": {"en": "{algo} explained", "zh": "{algo} 详解"},
}
