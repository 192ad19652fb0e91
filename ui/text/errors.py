"""Text of the form's error messages: rlcore's reasons in a learner's words (ui/forms.py)."""

TEXT = {
    "err.head": {"en": "**{name}** = {value}: {why}.", "zh": "**{name}** = {value}：{why}。"},
    "err.allowed": {"en": "Allowed: {allowed}.", "zh": "允许：{allowed}。"},
    "err.range": {
        "en": "from {low} to {high} — type a value in that range",
        "zh": "{low} 到 {high}——请输入这个范围内的值",
    },
    "err.one_of": {"en": "one of {options}", "zh": "以下之一：{options}"},
    "err.too_small": {"en": "too small", "zh": "太小"},
    "err.too_large": {"en": "too large", "zh": "太大"},
    "err.integer": {"en": "not a whole number", "zh": "不是整数"},
    "err.number": {"en": "not a number", "zh": "不是数字"},
    "err.finite": {"en": "must be a finite number", "zh": "必须是有限的数"},
    "err.choice": {"en": "not one of the choices", "zh": "不是可选项之一"},
    "err.bool": {"en": "must be true or false", "zh": "必须是 true 或 false"},
    "err.layers": {
        "en": "not a list of 1 to 8 layer sizes such as 64,64",
        "zh": "不是 1 到 8 个层大小组成的列表（例如 64,64）",
    },
    "err.server": {"en": "above this server's limit", "zh": "超过本服务器的上限"},
    "err.hosted_off": {"en": "off on the public demo", "zh": "公开演示版上不可用"},
    "err.cost": {
        "en": "Networks of this run: {params} parameters, about {mb} of memory to train.",
        "zh": "本次运行的网络：{params} 个参数，训练约需 {mb} 内存。",
    },
    "err.cost_population": {
        "en": "These {k} agents train together in one process (a population): about {mb} "
        "for all their networks and replay buffers.",
        "zh": "这 {k} 个智能体在同一个进程中一起训练（一个种群）："
        "它们的网络和回放缓冲区共约需 {mb} 内存。",
    },
}
