"""Text shared by the router and every page."""

TEXT = {
    "nav.learn": {"en": "Learn", "zh": "学习"},
    "nav.train": {"en": "Train", "zh": "训练"},
    "nav.offline": {"en": "Offline", "zh": "离线强化学习"},
    "nav.compare": {"en": "Compare", "zh": "比较"},
    "nav.about": {"en": "About", "zh": "关于"},
    "sidebar.language": {"en": "Language", "zh": "语言"},
    "sidebar.device": {"en": "Device", "zh": "计算设备"},
    "sidebar.cuda_yes": {"en": "CUDA available", "zh": "CUDA 可用"},
    "sidebar.cuda_no": {"en": "CPU only (no CUDA)", "zh": "仅 CPU（无 CUDA）"},
}

TEXT.update(
    {
        "page.home": {"en": "Home", "zh": "首页"},
        "page.learn_foundations": {"en": "Foundations", "zh": "基础概念"},
        "page.learn_value": {"en": "Value-based", "zh": "基于价值的方法"},
        "page.learn_policy": {"en": "Policy & actor-critic", "zh": "策略梯度与演员-评论家"},
        "page.learn_offline": {"en": "Offline RL ideas", "zh": "离线强化学习思想"},
        "page.learn_maths": {"en": "Maths toolbox", "zh": "数学工具箱"},
        "page.train": {"en": "Train an agent", "zh": "训练智能体"},
        "page.algorithms": {"en": "Algorithms", "zh": "算法"},
        "page.datasets": {"en": "Datasets", "zh": "数据集"},
        "page.offline": {"en": "Train offline", "zh": "离线训练"},
        "page.compare": {"en": "Compare runs", "zh": "比较实验"},
        "page.about": {"en": "About", "zh": "关于"},
    }
)
