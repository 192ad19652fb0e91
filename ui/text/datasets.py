"""Text of the Datasets page (pages/datasets.py, ui/datasets.py)."""

TEXT = {
    "ds.title": {"en": "Datasets", "zh": "数据集"},
    "ds.intro": {
        "en": "Offline RL learns from a fixed **dataset** of transitions (s, a, r, s′) that some "
        "**behaviour policy** collected; the agent never acts in the environment while it "
        "learns. How good and how varied that behaviour was decides what can be learned, so "
        "offline methods are compared on the same environment with datasets of different "
        "quality (as in D4RL):\n\n"
        "- **random**: a uniformly random policy — wide coverage, low returns.\n"
        "- **medium**: the stochastic policy of an agent stopped early, at about a third to a "
        "half of the expert's score.\n"
        "- **expert**: the greedy policy of a fully trained agent (SAC for continuous actions, "
        "DQN for discrete) — high returns, narrow coverage.\n"
        "- **medium-replay**: the whole **replay buffer** of that early-stopped run, from "
        "random to medium behaviour. Where the agent learns in a jump (SAC on Pendulum: about "
        "ten near-random episodes, then two or three good ones) the buffer is mostly "
        "pre-learning data, and behaviour cloning, which copies the average action, plays "
        "only about as well as the data's mean return there (above it on some seeds, below "
        "on others), while CQL and IQL end far above it.\n"
        "- **mixed**: episodes of random, medium and expert in chosen proportions.\n\n"
        "Behaviour cloning does well on expert data and badly on random data; methods such as "
        "CQL and IQL should stay good across them, which is why results are reported per kind.",
        "zh": "离线强化学习从一个固定的**数据集**中学习：数据集由某个**行为策略**收集的转移 "
        "(s, a, r, s′) 组成，学习过程中智能体从不与环境交互。行为策略的好坏与多样性决定了能学到"
        "什么，因此离线方法要在同一环境、不同质量的数据集上比较（与 D4RL 相同）：\n\n"
        "- **random（随机）**：均匀随机策略——覆盖面广，回报低。\n"
        "- **medium（中等）**：提前停止训练的智能体的随机策略，得分约为专家的三分之一到一半。\n"
        "- **expert（专家）**：完整训练的智能体的贪心策略（连续动作用 SAC，离散动作用 DQN）"
        "——回报高，覆盖面窄。\n"
        "- **medium-replay（中等回放）**：该提前停止的训练过程的整个**回放缓冲区**，从随机行为"
        "到中等行为都有。如果智能体是“跳跃式”学会的（Pendulum 上的 SAC：约十个近乎随机的回合，"
        "然后两三个好回合），缓冲区里大多是学会之前的数据；行为克隆复制的是平均动作，在这样的数据"
        "上只能达到与数据平均回报相当的水平（有的种子略高，有的略低），而 CQL、IQL 能远远超过它。\n"
        "- **mixed（混合）**：按指定比例混合随机、中等和专家的回合。\n\n"
        "行为克隆在专家数据上表现好、在随机数据上表现差；CQL、IQL 等方法应当在各类数据上都表现"
        "良好，所以结果要按数据集类型分别报告。",
    },
    "ds.score_intro": {
        "en": "Returns differ in scale between environments, so results are given as a "
        "D4RL-style **normalised score**: 0 is the random policy's return, 100 the expert's.",
        "zh": "不同环境的回报尺度不同，所以结果用 D4RL 风格的**归一化得分**表示：0 分是随机"
        "策略的回报，100 分是专家的回报。",
    },
    # -- the list
    "ds.list": {"en": "Local datasets", "zh": "本地数据集"},
    "ds.none": {
        "en": "No datasets yet: build one below, or import a file.",
        "zh": "还没有数据集：请在下方构建一个，或导入文件。",
    },
    "ds.where": {"en": "Stored in `{path}`.", "zh": "存放在 `{path}`。"},
    "ds.col.id": {"en": "id", "zh": "编号"},
    "ds.col.env": {"en": "environment", "zh": "环境"},
    "ds.col.kind": {"en": "kind", "zh": "类型"},
    "ds.col.transitions": {"en": "transitions", "zh": "转移数"},
    "ds.col.episodes": {"en": "episodes", "zh": "回合数"},
    "ds.col.mean": {"en": "return mean", "zh": "平均回报"},
    "ds.col.std": {"en": "± std", "zh": "± 标准差"},
    "ds.col.min": {"en": "return min", "zh": "最小回报"},
    "ds.col.max": {"en": "return max", "zh": "最大回报"},
    "ds.col.random": {"en": "random ref.", "zh": "随机参考"},
    "ds.col.expert": {"en": "expert ref.", "zh": "专家参考"},
    "ds.col.score": {"en": "normalised score", "zh": "归一化得分"},
    "ds.col.source": {"en": "behaviour policy", "zh": "行为策略"},
    "ds.col.size": {"en": "size MB", "zh": "大小 MB"},
    "ds.select": {"en": "Dataset", "zh": "数据集"},
    "ds.hist_title": {"en": "Episode returns of {id}", "zh": "{id} 的回合回报分布"},
    "ds.hist_x": {"en": "episode return", "zh": "回合回报"},
    "ds.hist_y": {"en": "episodes", "zh": "回合数"},
    "ds.ref_random": {"en": "random {v:.1f}", "zh": "随机 {v:.1f}"},
    "ds.ref_expert": {"en": "expert {v:.1f}", "zh": "专家 {v:.1f}"},
    "ds.m.score": {"en": "Normalised score of the mean", "zh": "平均回报的归一化得分"},
    "ds.m.return": {"en": "Mean return", "zh": "平均回报"},
    "ds.m.episodes": {"en": "Episodes", "zh": "回合数"},
    "ds.m.transitions": {"en": "Transitions", "zh": "转移数"},
    "ds.score_caption": {
        "en": "Score = 100 × (R − R_random) / (R_expert − R_random), with R the mean "
        "episode return of the dataset.",
        "zh": "得分 = 100 × (R − R_random) / (R_expert − R_random)，其中 R 是数据集的平均"
        "回合回报。",
    },
    "ds.refs_meaningless": {
        "en": "The expert reference return ({expert:.4g}) is not above the random one "
        "({random:.4g}): normalised scores on this dataset mean nothing. Train a better "
        "expert: delete the cached one (the datasets folder's `_experts/<env>`) and build "
        "again with more expert steps.",
        "zh": "专家参考回报（{expert:.4g}）不高于随机参考回报（{random:.4g}）："
        "这个数据集上的归一化得分没有意义。请训练一个更好的专家：删除缓存的专家"
        "（数据集文件夹中的 `_experts/<env>`），再用更多的专家训练步数重新构建。",
    },
    "ds.source": {"en": "Behaviour policy: {source}", "zh": "行为策略：{source}"},
    # -- delete
    "ds.delete": {"en": "Delete this dataset", "zh": "删除该数据集"},
    "ds.delete_confirm": {
        "en": "Yes, delete {id} from disk",
        "zh": "确认从磁盘删除 {id}",
    },
    "ds.deleted": {"en": "Deleted {id}.", "zh": "已删除 {id}。"},
    "ds.delete_need_confirm": {
        "en": "Tick the confirmation box first.",
        "zh": "请先勾选确认框。",
    },
    # -- build
    "ds.build": {"en": "Build a dataset", "zh": "构建数据集"},
    "ds.build_intro": {
        "en": "Builds run in the background (`python -m rlcore dataset build`). The first "
        "build for an environment trains its expert agent to get the reference returns, which "
        "can take minutes; later builds reuse it.",
        "zh": "构建在后台进行（`python -m rlcore dataset build`）。某个环境的第一次构建需要先训练"
        "专家智能体以得到参考回报，可能需要几分钟；之后的构建会复用它。",
    },
    "ds.env": {"en": "Environment", "zh": "环境"},
    "ds.kind": {"en": "Kind", "zh": "类型"},
    "ds.kind.random": {"en": "random", "zh": "random（随机）"},
    "ds.kind.medium": {"en": "medium", "zh": "medium（中等）"},
    "ds.kind.expert": {"en": "expert", "zh": "expert（专家）"},
    "ds.kind.medium-replay": {"en": "medium-replay", "zh": "medium-replay（中等回放）"},
    "ds.kind.mixed": {"en": "mixed", "zh": "mixed（混合）"},
    "ds.kind.imported": {"en": "imported", "zh": "imported（导入）"},
    "ds.transitions": {"en": "Transitions", "zh": "转移数"},
    "ds.transitions_help": {
        "en": "Transitions to collect: {low} to {high} (whole episodes, so a few more).",
        "zh": "要收集的转移数：{low} 到 {high}（按整回合收集，可能略多）。",
    },
    "ds.seed": {"en": "Seed", "zh": "随机种子"},
    "ds.name": {"en": "Name (optional)", "zh": "名称（可选）"},
    "ds.name_help": {
        "en": "Default: the kind. A dataset with the same id is replaced.",
        "zh": "默认为类型名。同名（同编号）的数据集会被替换。",
    },
    "ds.expert_steps": {
        "en": "Expert training steps (0 = the preset's)",
        "zh": "专家训练步数（0 = 使用预设值）",
    },
    "ds.expert_steps_help": {
        "en": "Online budget of the expert / medium agent. Only used when the expert of this "
        "environment is trained for the first time, and by medium kinds.",
        "zh": "专家 / 中等智能体的在线训练预算。仅在该环境的专家第一次训练时以及 medium 类数据集"
        "中使用。",
    },
    "ds.mix": {
        "en": "Proportions of the mixture (normalised to sum to 1)",
        "zh": "混合比例（会归一化为总和 1）",
    },
    "ds.mix.random": {"en": "random", "zh": "随机"},
    "ds.mix.medium": {"en": "medium", "zh": "中等"},
    "ds.mix.expert": {"en": "expert", "zh": "专家"},
    "ds.will_be": {"en": "Dataset id: `{id}`", "zh": "数据集编号：`{id}`"},
    "ds.start": {"en": "Start building", "zh": "开始构建"},
    "ds.running": {"en": "Building {id} …", "zh": "正在构建 {id} …"},
    "ds.finished": {"en": "Built {id}.", "zh": "已构建 {id}。"},
    "ds.failed": {"en": "Build failed: {msg}", "zh": "构建失败：{msg}"},
    "ds.elapsed": {"en": "{s:.0f} s elapsed", "zh": "已用时 {s:.0f} 秒"},
    "ds.training": {
        "en": "Training the agent: step {step} of {total}",
        "zh": "正在训练智能体：第 {step} / {total} 步",
    },
    "ds.log": {"en": "Build log (last lines)", "zh": "构建日志（最后几行）"},
    "ds.stop": {"en": "Stop this build", "zh": "停止该构建"},
    "ds.busy": {
        "en": "A build is already running: wait for it to finish or stop it.",
        "zh": "已有一个构建正在进行：请等待它完成或停止它。",
    },
    # -- import
    "ds.import": {"en": "Import a file", "zh": "导入文件"},
    "ds.import_intro": {
        "en": "A `.npz` or `.hdf5`/`.h5` file with the D4RL key layout, one row per "
        "transition:\n\n"
        "| key | shape | meaning |\n|---|---|---|\n"
        "| `observations` | (N, obs dim) | state s |\n"
        "| `actions` | (N, act dim), or (N,) integer indices for discrete actions | action a |\n"
        "| `rewards` | (N,) | reward r |\n"
        "| `next_observations` | (N, obs dim) | next state s′ |\n"
        "| `terminals` | (N,) of 0/1 | 1 where the episode truly ended |\n"
        "| `timeouts` (optional) | (N,) of 0/1 | 1 where it was cut by the time limit |\n\n"
        "Shapes and action bounds are checked against the chosen environment; at most "
        "{mb} MB and {n} transitions. Pickled arrays are refused. A rejected file leaves "
        "nothing on disk.",
        "zh": "一个采用 D4RL 键布局的 `.npz` 或 `.hdf5`/`.h5` 文件，每行一个转移：\n\n"
        "| 键 | 形状 | 含义 |\n|---|---|---|\n"
        "| `observations` | (N, 观测维度) | 状态 s |\n"
        "| `actions` | (N, 动作维度)，离散动作为 (N,) 的整数索引 | 动作 a |\n"
        "| `rewards` | (N,) | 奖励 r |\n"
        "| `next_observations` | (N, 观测维度) | 下一状态 s′ |\n"
        "| `terminals` | (N,)，取 0/1 | 回合真正结束处为 1 |\n"
        "| `timeouts`（可选） | (N,)，取 0/1 | 因时间上限被截断处为 1 |\n\n"
        "形状与动作范围会按所选环境检查；文件最大 {mb} MB、最多 {n} 个转移。拒绝 pickle 数组。"
        "被拒绝的文件不会在磁盘上留下任何东西。",
    },
    "ds.file": {"en": "File (.npz, .hdf5, .h5)", "zh": "文件（.npz、.hdf5、.h5）"},
    "ds.import_env": {"en": "Environment of the data", "zh": "数据所属环境"},
    "ds.import_name": {"en": "Name", "zh": "名称"},
    "ds.import_go": {"en": "Import", "zh": "导入"},
    "ds.import_need_file": {"en": "Choose a file first.", "zh": "请先选择文件。"},
    "ds.imported": {"en": "Imported as {id}.", "zh": "已导入为 {id}。"},
    "ds.import_failed": {"en": "File refused: {msg}", "zh": "文件被拒绝：{msg}"},
}
