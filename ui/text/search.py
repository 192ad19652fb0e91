"""Text of the Search mode (Optuna studies) on the Train and Offline pages and on Compare."""

TEXT = {
    "train.mode.search": {"en": "Search", "zh": "超参数搜索"},
    "status.pruned": {"en": "pruned", "zh": "已剪枝"},
    "search.params": {"en": "Hyperparameters to search", "zh": "要搜索的超参数"},
    "search.params.help": {
        "en": "Tick the hyperparameters Optuna should choose. Every other one stays as set "
        "above. Numbers are searched over a range (log scale where the field is "
        "log-scaled), switches and choices over their values.",
        "zh": "勾选由 Optuna 选择取值的超参数，其余超参数保持上面的设置。数值在一个范围内搜索"
        "（字段为对数刻度时按对数刻度），开关和选项在其所有取值中搜索。",
    },
    "search.range": {"en": "{name} range", "zh": "{name} 的范围"},
    "search.range.help": {
        "en": "LOW:HIGH for numbers (default: a window around the value above, inside the "
        "field's bounds: {allowed}{log}); values separated by ',' for choices (';' between "
        "layer sizes, e.g. 64; 64,64).",
        "zh": "数值写成 LOW:HIGH（默认：在字段允许范围 {allowed} 之内、围绕上面取值的一个窗口"
        "{log}）；选项用 ',' 分隔（网络层大小之间用 ';'，例如 64; 64,64）。",
    },
    "search.log": {"en": "; searched on a log scale", "zh": "；按对数刻度搜索"},
    "search.trials": {"en": "Trials", "zh": "试验次数"},
    "search.trials.help": {
        "en": "How many configurations Optuna tries (at most {max} on this server).",
        "zh": "Optuna 尝试多少组配置（本服务器最多 {max} 组）。",
    },
    "search.seeds": {"en": "Seeds per trial", "zh": "每次试验的种子数"},
    "search.seeds.help": {
        "en": "Each trial trains this many runs (seeds seed, seed+1, …); its score is their "
        "mean final evaluation return. More seeds: less luck in the ranking, more cost.",
        "zh": "每次试验训练这么多次运行（种子 seed、seed+1……），其得分为它们最终评估回报的平均"
        "值。种子越多，排名受运气影响越小，但代价越高。",
    },
    "search.sampler": {"en": "Sampler", "zh": "采样器"},
    "search.sampler.help": {
        "en": "TPE models which values scored well and proposes more like them (after a few "
        "random trials); random draws every value independently; grid tries 3 values per "
        "number range × every choice.",
        "zh": "TPE 根据得分好的取值建模，提出更多类似的取值（先做几次随机试验）；随机采样独立抽取"
        "每个取值；网格搜索对每个数值范围取 3 个值 × 每个选项。",
    },
    "search.sampler.tpe": {"en": "TPE (Bayesian)", "zh": "TPE（贝叶斯）"},
    "search.sampler.random": {"en": "Random", "zh": "随机"},
    "search.sampler.grid": {"en": "Grid", "zh": "网格"},
    "search.prune": {"en": "Pruning", "zh": "剪枝"},
    "search.prune.help": {
        "en": "Stop a trial early when its evaluation returns so far are below the median of "
        "the finished trials at the same step (from its second evaluation on). A pruned "
        "run keeps its metrics and weights; it saves the steps it did not train.",
        "zh": "当某次试验到目前为止的评估回报低于已完成试验在同一步数时的中位数（从第二次评估起）"
        "，就提前停止它。被剪枝的运行保留其指标和权重，省下没有训练的步数。",
    },
    "search.plan": {
        "en": "{trials} trials × {seeds} seed(s) = up to {runs} runs, {parallel} trial(s) "
        "at a time on {cap} worker(s){ray}.",
        "zh": "{trials} 次试验 × {seeds} 个种子 = 最多 {runs} 次运行，同时进行 {parallel} 次"
        "试验，使用 {cap} 个工作进程{ray}。",
    },
    "search.on_ray": {
        "en": " (on the Ray cluster {address})",
        "zh": "（在 Ray 集群 {address} 上）",
    },
    "search.start": {"en": "Start the study", "zh": "开始搜索"},
    "search.session_limit": {
        "en": "This server lets one session start {limit} trials in all; this session has "
        "started {used}, and this study asks for {n}.",
        "zh": "本服务器允许每个会话总共启动 {limit} 次试验；本会话已启动 {used} 次，这次搜索需要"
        " {n} 次。",
    },
    "search.title": {"en": "Study {name}", "zh": "搜索 {name}"},
    "search.none": {
        "en": "No study yet: tick hyperparameters, set the trials and press Start the study.",
        "zh": "还没有搜索：勾选超参数，设置试验次数，然后点击“开始搜索”。",
    },
    "search.missing": {
        "en": "Study {name} is not in this runs folder (deleted?).",
        "zh": "运行目录中没有搜索 {name}（已删除？）。",
    },
    "search.progress": {
        "en": "{done} of {total} trials done: {complete} complete, {pruned} pruned, "
        "{failed} failed",
        "zh": "已完成 {done}/{total} 次试验：{complete} 次完成，{pruned} 次剪枝，{failed} 次失败",
    },
    "search.state.running": {"en": "running", "zh": "进行中"},
    "search.state.finished": {"en": "finished", "zh": "已结束"},
    "search.state.stopped": {"en": "stopped before its last trial", "zh": "在最后一次试验前停止"},
    "search.best": {
        "en": "Best so far: trial {n}, mean final evaluation return {value}",
        "zh": "目前最佳：第 {n} 次试验，平均最终评估回报 {value}",
    },
    "search.stop": {"en": "Stop the study", "zh": "停止搜索"},
    "search.resume": {"en": "Resume the study", "zh": "继续搜索"},
    "search.train_best": {
        "en": "Train the best: open its form, then press Start",
        "zh": "训练最佳配置：打开其表单，再按“开始”",
    },
    "search.train_best.help": {
        "en": "Opens the training form filled with the best trial's configuration. Nothing "
        "starts until you press Start there.",
        "zh": "打开已填好最佳试验配置的训练表单。在那里按下“开始”之前不会开始训练。",
    },
    "search.trials_table": {"en": "Trials", "zh": "试验"},
    "search.col.trial": {"en": "trial", "zh": "试验"},
    "search.col.state": {"en": "state", "zh": "状态"},
    "search.col.value": {"en": "mean final return", "zh": "平均最终回报"},
    "search.col.steps": {"en": "steps trained", "zh": "已训练步数"},
    "search.col.last": {"en": "last reported", "zh": "最近报告"},
    "search.col.runs": {"en": "runs", "zh": "运行"},
    "search.col.error": {"en": "why it failed", "zh": "失败原因"},
    "search.trial.running": {"en": "running", "zh": "进行中"},
    "search.trial.complete": {"en": "complete", "zh": "完成"},
    "search.trial.pruned": {"en": "pruned", "zh": "已剪枝"},
    "search.trial.failed": {"en": "failed", "zh": "失败"},
    "search.trial.waiting": {"en": "waiting", "zh": "等待中"},
    "search.trial.queued": {"en": "queued", "zh": "排队中"},
    "search.figures": {"en": "Optuna's plots", "zh": "Optuna 图表"},
    "search.fig.history": {"en": "Optimization history", "zh": "优化历史"},
    "search.fig.intermediate": {
        "en": "Evaluation returns of each trial",
        "zh": "每次试验的评估回报",
    },
    "search.fig.parallel": {"en": "Parallel coordinates", "zh": "平行坐标"},
    "search.fig.importances": {"en": "Hyperparameter importances", "zh": "超参数重要性"},
    "search.fig.slice": {"en": "Slice", "zh": "切片图"},
    "search.fig.contour": {"en": "Contour", "zh": "等高线图"},
    "search.fig.more": {"en": "More plots", "zh": "更多图表"},
    "search.fig.wait_one": {
        "en": "This plot appears once 1 trial is complete.",
        "zh": "完成 1 次试验后显示此图。",
    },
    "search.fig.few": {
        "en": "These importances rest on {n} complete trial(s): with fewer than {need} they "
        "mostly reflect chance. Let more trials finish before reading them.",
        "zh": "这些重要性只基于 {n} 次完成的试验：少于 {need} 次时主要反映的是偶然性。"
        "请等更多试验完成后再解读。",
    },
    "search.fig.wait": {
        "en": "This plot appears once {n} trials are complete.",
        "zh": "完成 {n} 次试验后显示此图。",
    },
    "search.fig.help": {
        "en": "Drawn by optuna.visualization. History: each trial's score and the best so "
        "far. Evaluation returns: the values the pruner compared (pruned trials end early). "
        "Parallel coordinates: one line per complete trial through its values, coloured by "
        "score. Importances: how strongly each hyperparameter's value tells the best trials "
        "from the rest (PED-ANOVA, Optuna's default).",
        "zh": "由 optuna.visualization 绘制。优化历史：每次试验的得分与目前最佳。评估回报：剪枝器"
        "比较的数值（被剪枝的试验提前结束）。平行坐标：每条线是一次完成的试验，经过其取值，颜色"
        "表示得分。重要性：每个超参数的取值在多大程度上区分了最佳试验与其余试验（PED-ANOVA，"
        "Optuna 的默认方法）。",
    },
    "search.studies": {"en": "Hyperparameter studies", "zh": "超参数搜索"},
    "search.studies.help": {
        "en": "Every Optuna study of this runs folder; open one to see its trials and plots.",
        "zh": "本运行目录中的所有 Optuna 搜索；打开一个可查看其试验与图表。",
    },
    "search.col.study": {"en": "study", "zh": "搜索"},
    "search.col.where": {"en": "environment / dataset", "zh": "环境 / 数据集"},
    "search.col.trials": {"en": "trials", "zh": "试验"},
    "search.col.complete": {"en": "complete", "zh": "完成"},
    "search.col.pruned": {"en": "pruned", "zh": "剪枝"},
    "search.col.failed": {"en": "failed", "zh": "失败"},
    "search.col.best": {"en": "best", "zh": "最佳"},
    "search.col.params": {"en": "searched", "zh": "搜索的超参数"},
    "search.col.open": {"en": "open", "zh": "打开"},
    "search.open": {"en": "open", "zh": "打开"},
    "col.study": {"en": "study", "zh": "搜索"},
}
