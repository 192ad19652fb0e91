"""RunConfig.compile: the whole update through torch.compile, measured and said in words."""

import math

import pytest
import torch

from rlcore.train.checks import check_run
from rlcore.train.compiled import COMPILED_TIMED, COMPILING, EAGER_TIMED, compile_message
from rlcore.train.presets import make_configs
from rlcore.train.trainer import Trainer


@pytest.mark.parametrize(
    "steps, starts, freq, grad",
    [(300, 10, 1, 1), (1000, 100, 256, 128), (1000, 0, 7, 2), (50, 60, 4, 1), (257, 1, 256, 3)],
)
def test_planned_updates_are_the_updates_a_replay_run_does(steps, starts, freq, grad):
    run, cfg = make_configs(
        "dqn",
        "CartPole-v1",
        {
            "hidden": (8,),
            "batch_size": 4,
            "learning_starts": starts,
            "train_freq": freq,
            "gradient_steps": grad,
        },
        {"steps": steps, "eval_every": 10**6, "eval_episodes": 1},
        use_preset=False,
    )
    tr = Trainer(run, cfg)
    planned = tr.planned_updates()
    for _ in tr:
        pass
    assert tr.updates == planned


def test_compile_is_refused_for_rollout_algorithms_with_the_reason():
    run, cfg = make_configs("ppo", "CartPole-v1", None, {"steps": 1000, "compile": True})
    with pytest.raises(ValueError, match=r"RunConfig.compile = True: PPO .*allowed: False"):
        check_run(run, cfg)


def test_compile_message_says_the_cost_the_speeds_and_when_it_pays_off():
    m = {
        "compile/seconds": 40.0,
        "compile/eager_ms": 10.0,
        "compile/compiled_ms": 6.0,
        "compile/break_even_updates": 10_000.0,
        "compile/updates": 20_000.0,
    }
    text = compile_message(m)
    assert "40.0 s" in text and "10.00 ms" in text and "6.00 ms" in text
    assert "after 10,000 updates (pays off in this run: 20,000)" in text
    slow = {**m, "compile/compiled_ms": 12.0, "compile/break_even_updates": math.inf}
    assert "never pays off" in compile_message(slow)
    late = {**m, "compile/updates": 5_000.0}
    assert "does not pay off in this run" in compile_message(late)


def test_a_compiled_dqn_run_learns_the_same_losses_and_reports_its_cost():
    """A tiny DQN: the compiled update gives the eager update's loss on the same batch
    (same arithmetic, reordered: close, not bit-equal) and the run yields one
    measurement row."""
    over = {"hidden": (16,), "batch_size": 8, "learning_starts": 10, "train_freq": 1}
    run_over = {"steps": 120, "eval_every": 10**6, "eval_episodes": 1, "compile": True}
    run, cfg = make_configs("dqn", "CartPole-v1", over, run_over, use_preset=False)
    tr = Trainer(run, cfg)
    rows = [m for m in tr if "compile/seconds" in m]
    assert len(rows) == 1
    r = rows[0]
    assert tr._compiled.calls == tr.updates > EAGER_TIMED + COMPILING + COMPILED_TIMED
    assert r["compile/seconds"] > 0 and r["compile/eager_ms"] > 0 and r["compile/compiled_ms"] > 0
    assert r["compile/updates"] == tr.planned_updates() == tr.updates
    # the compiled update's loss equals the eager one's on one batch, from the same weights
    batch = tr.buffer.sample(8)
    state = {k: v.clone() for k, v in tr.agent.state_dict().items()}
    opt_state = tr.agent.optimizer.state_dict()
    eager = tr._compiled.eager(batch)["critic_loss"]
    tr.agent.load_state_dict(state)
    tr.agent.optimizer.load_state_dict(opt_state)
    compiled = tr._compiled.compiled(batch)["critic_loss"]
    torch.testing.assert_close(compiled, eager, rtol=1e-5, atol=1e-6)


def test_the_live_view_says_the_threads_and_what_compiling_cost_and_bought():
    import pandas as pd

    from ui.jobs import RunState
    from ui.live import _run_caption

    s = RunState("r1", "running", 5000, 20000, 100.0, None, "", "sac · Pendulum-v1", None, 2)
    rows = [
        {"step": 1000, "rollout/return": -1200.0},
        {
            "step": 1100,
            "compile/seconds": 41.0,
            "compile/eager_ms": 9.8,
            "compile/compiled_ms": 5.1,
            "compile/break_even_updates": 8723.4,
            "compile/updates": 19900.0,
        },
    ]
    text = _run_caption(s, pd.DataFrame(rows))
    assert text == (
        "Run r1 · CPU threads: 2 · compiled in 41 s: 9.80 → 5.10 ms per update · "
        "pays its compilation back after 8,723 of this run's 19,900 updates"
    )
    plain = _run_caption(RunState("r2", "queued", 0, 10, None, 1, "", "x"), pd.DataFrame())
    assert plain == "Run r2"
