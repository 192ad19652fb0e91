"""Text of the run views: axes, bands, estimates of time, diagnoses, metric names."""

TEXT = {
    # -- what a step axis counts ------------------------------------------------------
    "xaxis.env": {"en": "environment steps", "zh": "环境步数"},
    "xaxis.gradient": {"en": "gradient steps", "zh": "梯度步数"},
    "xaxis.mixed": {
        "en": "steps (environment steps online, gradient steps offline)",
        "zh": "步数（在线为环境步数，离线为梯度步数）",
    },
    # -- bands over seeds -------------------------------------------------------------
    "band.bootstrap": {
        "en": "mean over seeds, band: {pct}% bootstrap interval of the mean",
        "zh": "各种子均值，阴影：均值的 {pct}% 自助法（bootstrap）区间",
    },
    "band.minmax": {
        "en": "mean over seeds, band: lowest to highest seed",
        "zh": "各种子均值，阴影：最低到最高的种子",
    },
    "band.choice": {"en": "Band", "zh": "阴影带"},
    "band.choice.bootstrap": {"en": "bootstrap CI of the mean", "zh": "均值的自助法置信区间"},
    "band.choice.minmax": {"en": "seeds' min–max", "zh": "种子的最小–最大值"},
    "band.choice.help": {
        "en": "Bootstrap: resample the seeds 1,000 times and keep the middle 95% of the "
        "means — where the mean would fall with other seeds. Min–max: the best and the "
        "worst seed — what one run of yours may give. Both stay within the returns the task "
        "can produce; with one seed there is no band.",
        "zh": "自助法：对种子重采样 1000 次，保留均值中间的 95%——换一批种子时均值可能落在的范围。"
        "最小–最大：最好与最差的种子——你的一次运行可能得到的结果。两者都不会超出任务能产生的回报范围；"
        "只有一个种子时没有阴影带。",
    },
    "band.live_help": {
        "en": "Line: the mean over seeds; band: its 95% bootstrap interval (it never leaves "
        "the range of the seeds, nor the returns the task allows). Narrow band = the result "
        "does not depend much on luck.",
        "zh": "曲线为各种子的平均值，阴影为其 95% 自助法区间"
        "（不会超出各种子的范围，也不会超出任务允许的回报）。阴影越窄，结果越不依赖运气。",
    },
    "band.group_help": {
        "en": "Runs that differ only in their seed form one group: their mean, and the band "
        "chosen beside.",
        "zh": "只有种子不同的运行归为一组：显示均值，以及右侧所选的阴影带。",
    },
    "band.sensitivity_help": {
        "en": "Each dot is one run's final evaluation return; the line is the mean per value "
        "with the band chosen above as error bars. A flat curve = the algorithm is robust to "
        "this hyperparameter.",
        "zh": "每个点是一次运行的最终评估回报；折线为每个取值的均值，误差线为上方所选的阴影带。"
        "曲线平坦说明算法对该超参数不敏感。",
    },
    "chart.warmup": {"en": "warm-up: random actions, no updates", "zh": "预热：随机动作，不更新"},
    # -- metric names the algorithms log ---------------------------------------------
    "metric.train/accuracy": {"en": "accuracy on data actions", "zh": "数据动作的准确率"},
    "metric.train/action_mse": {"en": "action error (MSE)", "zh": "动作误差（MSE）"},
    "metric.train/actor_grad_norm": {"en": "actor gradient norm", "zh": "演员梯度范数"},
    "metric.train/critic_grad_norm": {"en": "critic gradient norm", "zh": "评论家梯度范数"},
    "metric.train/grad_norm": {"en": "gradient norm", "zh": "梯度范数"},
    "metric.train/bc_loss": {"en": "behaviour-cloning loss", "zh": "行为克隆损失"},
    "metric.train/exploration_noise": {"en": "exploration noise σ", "zh": "探索噪声 σ"},
    "metric.train/log_std": {"en": "policy log std", "zh": "策略对数标准差"},
    "metric.train/q_pi_mean": {"en": "Q of the policy's actions", "zh": "策略动作的 Q"},
    "metric.train/return_mean": {"en": "return-to-go (mean)", "zh": "后续回报（均值）"},
    "metric.train/td_loss": {"en": "TD loss", "zh": "TD 损失"},
    "metric.train/lr": {"en": "learning rate", "zh": "学习率"},
    "metric.train/v_mean": {"en": "V mean", "zh": "V 均值"},
    "metric.train/weight_std": {"en": "weight std", "zh": "权重标准差"},
    "metric.train/advantage_mean": {"en": "advantage mean", "zh": "优势均值"},
    "metric.train/advantage_std": {"en": "advantage std", "zh": "优势标准差"},
    "metric.time/elapsed": {"en": "wall time (s)", "zh": "耗时（秒）"},
    "metric.time/updates_per_s": {"en": "updates/s", "zh": "更新次数/秒"},
    "metric.ref/dataset_return": {"en": "dataset mean return", "zh": "数据集平均回报"},
    "metric.ref/random_return": {"en": "random policy return", "zh": "随机策略回报"},
    "metric.ref/expert_return": {"en": "expert return", "zh": "专家回报"},
}

TEXT.update(
    {
        "col.differs": {"en": "what differs", "zh": "不同之处"},
    }
)

TEXT.update(
    {
        # -- time estimates -----------------------------------------------------------
        "eta.left": {"en": "about {time} left", "zh": "约剩 {time}"},
        "eta.rough": {
            "en": "(rough: measured on similar runs)",
            "zh": "（粗略：来自相似运行的测量）",
        },
        "eta.none": {
            "en": "time left: measuring…",
            "zh": "剩余时间：测量中……",
        },
        "eta.before": {
            "en": "Takes about {time} on this server.",
            "zh": "在本服务器上约需 {time}。",
        },
        "eta.before_none": {
            "en": "No estimate yet: no {algo} run like this one has finished on this server "
            "(the first one measures it).",
            "zh": "暂无估计：本服务器上还没有完成过类似的 {algo} 运行（第一次运行会测量它）。",
        },
        "eta.help": {
            "en": "From the speed measured here: each finished run records how fast its "
            "warm-up (random actions) and its training steps went, per algorithm, "
            "environment and network size. Other runs on the server slow it down.",
            "zh": "依据本服务器上测得的速度：每次完成的运行都会按算法、环境和网络大小"
            "记录其预热（随机动作）与训练步的速度。服务器上的其他运行会使它变慢。",
        },
        "eta.queued": {
            "en": "starts in about {start}, done in about {end}",
            "zh": "约 {start} 后开始，约 {end} 后完成",
        },
        "eta.queued_none": {
            "en": "no estimate of the wait yet (a run ahead has not been measured here)",
            "zh": "暂无等待时间估计（前面的运行尚未在本服务器上测量过）",
        },
        "eta.progress": {
            "en": "{status} — step {step} / {steps} · {sps} steps/s · {eta}",
            "zh": "{status} — 第 {step} / {steps} 步 · {sps} 步/秒 · {eta}",
        },
    }
)

TEXT.update(
    {
        "batch.single": {"en": "one run, seed {seed}", "zh": "单次运行，种子 {seed}"},
        "batch.seeds": {"en": "{n} seeds", "zh": "{n} 个种子"},
        "batch.sweep": {
            "en": "sweep of {param}: {values} values × {seeds} seeds",
            "zh": "扫描 {param}：{values} 个取值 × {seeds} 个种子",
        },
    }
)

# -- live diagnosis (ui/diagnosis.py) ------------------------------------------------
TEXT.update(
    {
        "diag.title": {"en": "What the metrics say", "zh": "指标在说什么"},
        "diag.explain": {"en": "Explained in", "zh": "讲解见"},
        "diag.over": {
            "en": "Q(s₀) exceeds the Monte-Carlo return by {pct} (step {step}): "
            "over-estimation — the max over noisy estimates is biased upwards.",
            "zh": "Q(s₀) 比蒙特卡洛回报高出 {pct}（第 {step} 步）：高估——"
            "对带噪声的估计取最大值会向上偏。",
        },
        "diag.under": {
            "en": "Q(s₀) lies {pct} below the Monte-Carlo return (step {step}): "
            "under-estimation — the critic has not caught up with the policy yet.",
            "zh": "Q(s₀) 比蒙特卡洛回报低 {pct}（第 {step} 步）：低估——评论家还没跟上策略。",
        },
        "diag.under_offline": {
            "en": "Q(s₀) lies {pct} below the return obtained (step {step}): a conservative "
            "critic, as CQL intends — actions off the data are pushed down.",
            "zh": "Q(s₀) 比实际回报低 {pct}（第 {step} 步）：保守的评论家，正是 CQL 的用意——"
            "数据之外的动作被压低。",
        },
        "diag.one_eval": {
            "en": "Only one evaluation in this run: its curve is a single dot. Set eval_every "
            "lower (0 = 20 evaluations over the run).",
            "zh": "这次运行只评估了一次：曲线只有一个点。"
            "请把 eval_every 调小（0 = 整个运行评估 20 次）。",
        },
        "diag.entropy": {
            "en": "The policy's entropy collapsed at step {step} (from {start} to {value} nats): "
            "it nearly always picks one action and has stopped exploring.",
            "zh": "策略的熵在第 {step} 步崩塌（从 {start} 降到 {value} 奈特）："
            "它几乎总选同一个动作，不再探索。",
        },
        "diag.alpha": {
            "en": "α fell to {value}: the entropy bonus is all but off (the entropy sits above "
            "its target).",
            "zh": "α 降到了 {value}：熵奖励几乎关闭（熵高于目标）。",
        },
        "diag.loss": {
            "en": "The {name} grew {times}× its earlier level: training may be diverging — "
            "try a smaller lr.",
            "zh": "{name} 增长到先前水平的 {times} 倍：训练可能在发散——试试更小的 lr。",
        },
        "diag.stuck": {
            "en": "The evaluation return has not improved over {n} evaluations (best {value}): "
            "the settings or the budget may not suit this task.",
            "zh": "评估回报在 {n} 次评估中没有提升（最好 {value}）：设置或步数可能不适合这个任务。",
        },
        "diag.above_data": {
            "en": "Last evaluation {value} against the dataset's mean {data}: the policy does "
            "better than the data it learned from.",
            "zh": "最近评估 {value}，数据集平均 {data}：策略比它学习的数据更好。",
        },
        "diag.below_data": {
            "en": "Last evaluation {value} against the dataset's mean {data}: the policy does "
            "worse than the data it learned from.",
            "zh": "最近评估 {value}，数据集平均 {data}：策略比它学习的数据更差。",
        },
        "diag.warmup": {
            "en": "Warm-up: random actions until step {starts} (now {step}) — no gradient step "
            "yet; the curves show the random policy.",
            "zh": "预热：直到第 {starts} 步都是随机动作（现在第 {step} 步）——还没有梯度更新；"
            "曲线显示的是随机策略。",
        },
    }
)

# -- predict, then reveal (ui/predict.py) ---------------------------------------------
TEXT.update(
    {
        "predict.title": {
            "en": "Predict first (optional): what will the runs give?",
            "zh": "先预测（可选）：这些运行会得到什么结果？",
        },
        "predict.help.seeds": {
            "en": "Write the mean final evaluation return you expect over the seeds; after the "
            "runs, it is drawn over what they really gave.",
            "zh": "写下你预期的各种子平均最终评估回报；运行结束后，它会画在真实结果之上。",
        },
        "predict.help.sweep": {
            "en": "Write the final evaluation return you expect for each value (leave any "
            "empty); after the runs, your curve is drawn over the real one.",
            "zh": "写下你对每个取值预期的最终评估回报（可以留空）；"
            "运行结束后，你的曲线会画在真实曲线之上。",
        },
        "predict.seeds": {
            "en": "mean final return over the seeds",
            "zh": "各种子的平均最终回报",
        },
        "predict.value": {"en": "{param} = {value}", "zh": "{param} = {value}"},
        "predict.yours": {"en": "your prediction", "zh": "你的预测"},
        "predict.result": {
            "en": "Final returns by {param}: the runs (dots, mean and band) and your "
            "prediction (dashed)",
            "zh": "按 {param} 的最终回报：真实运行（点、均值和阴影）与你的预测（虚线）",
        },
    }
)

# -- offline: actions against states (ui/actions.py) ---------------------------------
TEXT.update(
    {
        "actions.title": {
            "en": "Actions at the dataset's states: the data and each policy",
            "zh": "数据集状态上的动作：数据与各个策略",
        },
        "actions.angle": {"en": "pole angle θ", "zh": "摆杆角度 θ"},
        "actions.action": {"en": "action (torque)", "zh": "动作（力矩）"},
        "actions.up": {"en": "0 (up)", "zh": "0（竖直向上）"},
        "actions.data": {"en": "dataset actions", "zh": "数据集中的动作"},
        "actions.ood": {
            "en": "no data at this angle (out of distribution)",
            "zh": "该角度没有数据（分布外）",
        },
        "actions.help": {
            "en": "The CQL explorer's picture, on real data. Grey: the actions in the dataset; "
            "red: actions it never shows at that angle, where a critic can only extrapolate. "
            "BC copies the grey cloud's average; CQL and IQL pick actions inside it that "
            "their critic rates higher; a policy in the red region trusts an unchecked Q.",
            "zh": "CQL 交互演示的图，换成真实数据。灰色：数据集中的动作；"
            "红色：数据在该角度从未出现的动作，评论家在那里只能外推。"
            "BC 照搬灰色点云的平均；CQL 和 IQL 在其中挑选评论家评价更高的动作；"
            "落在红色区域的策略相信的是一个未经检验的 Q。",
        },
    }
)

# -- scrub through training (ui/live.py: watch) --------------------------------------
TEXT.update(
    {
        "scrub.at": {"en": "Weights at step", "zh": "权重所在步数"},
        "scrub.latest": {"en": "latest", "zh": "最新"},
        "scrub.help": {
            "en": "The run keeps its weights at ten points along the way: slide to watch the "
            "agent as it was then, beside what its critic believed and what it really got.",
            "zh": "运行在过程中的十个时间点保存了权重：拖动滑块，观看智能体在那时的表现，"
            "并对照它的评论家当时的估计与实际得到的回报。",
        },
        "scrub.curve": {"en": "The run at step {step}", "zh": "第 {step} 步时的运行"},
        "scrub.eval": {"en": "evaluation return then", "zh": "当时的评估回报"},
        "scrub.q": {"en": "Q(s₀) believed then", "zh": "当时估计的 Q(s₀)"},
        "scrub.mc": {"en": "discounted return obtained", "zh": "实际得到的折扣回报"},
    }
)
