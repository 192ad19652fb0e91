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
