"""Text shared by every Learn page: the explorer layout and the links (ui/learn/)."""

TEXT = {
    "explorer.contents": {"en": "On this page", "zh": "本页内容"},
    "explorer.question": {"en": "The notes ask:", "zh": "笔记中的疑问："},
    "explorer.correction": {"en": "Correction to the notes:", "zh": "对笔记的更正："},
    "explorer.same_code": {
        "en": "Same code as training: this explorer calls `{function}` — the code "
        "{used_by} run — not a copy.",
        "zh": "与训练用的是同一份代码：本探索器调用的 `{function}` 正是 {used_by} "
        "所运行的代码，而不是副本。",
    },
    "explorer.train_link": {
        "en": "Train {algo} on {env} with its preset",
        "zh": "用预设参数在 {env} 上训练 {algo}",
    },
    "explorer.offline_link": {
        "en": "Train {algo} offline on a dataset",
        "zh": "在离线数据集上训练 {algo}",
    },
    "explorer.offline_dataset": {
        "en": "Train an offline algorithm on {dataset}",
        "zh": "在 {dataset} 上训练离线算法",
    },
    "explorer.links_heading": {
        "en": "🔎 See the ideas behind it:",
        "zh": "🔎 了解其背后的概念：",
    },
    "explorer.step": {"en": "Step", "zh": "单步"},
    "explorer.play": {"en": "Play", "zh": "自动播放"},
    "explorer.reset": {"en": "Reset", "zh": "重置"},
    "explorer.steps_per_tick": {"en": "Steps per tick while playing", "zh": "播放时每次前进的步数"},
    "explorer.seed": {"en": "Random seed", "zh": "随机种子"},
}
