"""Population-based training (issue 27): exploit copies exactly, explore stays in bounds,
the event log replays to the same schedules, a SIGKILL loses no recorded event, and the
CLI refuses bad settings in one line."""

from __future__ import annotations

import copy
import dataclasses
import json
import math
import os
import re
import shlex
import signal
import subprocess
import sys
import time
from pathlib import Path

import gymnasium as gym
import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from rlcore.__main__ import main
from rlcore.algos.base import FusedAdam, MemberAdam
from rlcore.algos.dqn import DQN, DQNConfig
from rlcore.core.buffers import ReplayBuffer
from rlcore.core.config import hparams
from rlcore.core.types import Batch
from rlcore.service.pbt import (
    EventLog,
    PBTConfig,
    PBTTrainer,
    ScheduleTrainer,
    exploit_pairs,
    explore,
    read_events,
    replay,
    schedule,
)
from rlcore.service.runs import RunStore
from rlcore.train.presets import make_configs

ROOT = Path(__file__).resolve().parent.parent
SPECS = {p.name: p for p in hparams(DQNConfig)}
ENV = gym.make("CartPole-v1")
HP = {
    "hidden": (16, 16),
    "learning_starts": 100,
    "train_freq": 4,
    "batch_size": 16,
    "target_update_interval": 100,
    "buffer_size": 4000,
}
TINY = ["--set", "hidden=16,16", "--set", "learning_starts=100", "--set", "batch_size=16"]


# -- exploit: copy_member ------------------------------------------------------------------
def _population(lrs, gammas=None):
    base = DQNConfig(hidden=(16, 16), batch_size=8, learning_starts=0)
    gammas = gammas or [0.99] * len(lrs)
    cfgs = [dataclasses.replace(base, lr=a, gamma=g) for a, g in zip(lrs, gammas)]
    agent = DQN(ENV.observation_space, ENV.action_space, base, members=cfgs, seeds=range(len(lrs)))
    buf = ReplayBuffer(500, 4, 1, True, seed=1, members=len(lrs))
    rng = np.random.default_rng(0)
    k = len(lrs)
    for _ in range(100):
        buf.add_members(
            rng.normal(size=(k, 1, 4)),
            rng.integers(0, 2, size=(k, 1)),
            rng.normal(size=(k, 1)),
            rng.normal(size=(k, 1, 4)),
            rng.random((k, 1)) < 0.1,
        )
    for _ in range(4):  # moments and target networks that differ between members
        list(agent.update_phase(buf, 2, 8))
        agent._update_target()
    return agent, buf, cfgs


def _same_rows_batch(buf: ReplayBuffer, src: int, dst: int) -> Batch:
    b = Batch(*(t.clone() for t in buf.sample(8)))
    for t in b:
        t[dst] = t[src]
    return b


@pytest.mark.parametrize("lrs", [[1e-3, 3e-4, 2e-3], [1e-3, 1e-3, 1e-3]])
def test_after_copy_member_the_copys_next_update_equals_the_sources_to_the_bit(lrs):
    agent, buf, cfgs = _population(lrs, [0.99, 0.9, 0.95])
    assert isinstance(agent.optimizer, MemberAdam if len(set(lrs)) > 1 else FusedAdam)
    src, dst = 2, 0
    before = [p[1].clone() for p in agent.q.parameters()]
    agent.copy_member(src, dst)
    new = list(cfgs)
    new[dst] = cfgs[src]
    agent.set_member_configs(new)
    for p, q in zip(agent.q.parameters(), agent.q_target.parameters()):
        assert torch.equal(p[dst], p[src]) and torch.equal(q[dst], q[src])
    for st_ in agent.optimizer.state.values():  # the moments came along
        assert torch.equal(st_["exp_avg"][dst], st_["exp_avg"][src])
        assert torch.equal(st_["exp_avg_sq"][dst], st_["exp_avg_sq"][src])
    assert all(torch.equal(a, p[1]) for a, p in zip(before, agent.q.parameters()))
    agent.update(_same_rows_batch(buf, src, dst))
    for p in agent.q.parameters():
        assert torch.equal(p[dst], p[src])
        assert not torch.equal(p[dst], p[1])
    agent.copy_member(1, 1)  # onto itself: nothing moves
    with pytest.raises(ValueError, match=r"dst = 3: out of range \(allowed: 0 to 2\)"):
        agent.copy_member(0, 3)


def test_set_member_configs_switches_one_lr_to_several_keeping_adams_state():
    """A population built with one lr (FusedAdam) takes several: member 0 steps as before."""
    agent, buf, cfgs = _population([1e-3, 1e-3])
    ref = copy.deepcopy(agent)  # stays on one lr for all
    agent.set_member_configs([cfgs[0], dataclasses.replace(cfgs[1], lr=5e-3, gamma=0.9)])
    assert isinstance(agent.optimizer, MemberAdam) and agent.optimizer.lrs == (1e-3, 5e-3)
    assert torch.equal(agent._gamma.view(-1), torch.tensor([0.99, 0.9]))
    b = buf.sample(8)
    agent.update(b)
    ref.update(b)
    p, q = list(agent.q.parameters()), list(ref.q.parameters())
    assert all(torch.equal(a[0], r[0]) for a, r in zip(p, q))  # member 0: same lr, same bits
    assert not torch.equal(p[0][1], q[0][1])  # member 1: its new lr and gamma took effect
    agent.set_member_configs([cfgs[0], cfgs[0]])  # back to one lr for all
    assert agent.optimizer.uniform and agent._gamma == 0.99
    with pytest.raises(ValueError, match=r"member 1: hidden = \(8,\) differs"):
        agent.set_member_configs([cfgs[0], dataclasses.replace(cfgs[1], hidden=(8,))])
    with pytest.raises(ValueError, match="configs: 3 given for 2 members"):
        agent.set_member_configs([cfgs[0]] * 3)


def test_member_adam_set_lrs_steps_as_a_fresh_member_adam_with_those_lrs():
    torch.manual_seed(0)
    w = torch.randn(3, 4, 5, requires_grad=True)
    w2 = w.detach().clone().requires_grad_(True)
    a, b = MemberAdam([w], [1e-2, 1e-2, 1e-2]), MemberAdam([w2], [1e-2, 1e-2, 1e-2])
    for lrs in ([1e-2, 1e-2, 1e-2], [1e-3, 1e-2, 3e-2], [2e-2] * 3):
        a.set_lrs(lrs)
        b.lrs, b.uniform = tuple(lrs), len(set(lrs)) == 1  # the reference: set by hand
        b.param_groups[0]["lr"] = lrs[0]
        g = torch.randn(3, 4, 5)
        for opt, p in ((a, w), (b, w2)):
            p.grad = g.clone()
            opt.step()
        assert torch.equal(w, w2)
    with pytest.raises(ValueError, match="lrs: 2 given for 3 members"):
        a.set_lrs([1e-3, 1e-3])


def _engine_algos() -> list[str]:
    """The algorithms whose members' hyperparameters can change (DQN, and those that follow)."""
    from rlcore.algos.base import Agent
    from rlcore.algos.registry import ALGORITHMS

    return [
        n
        for n, spec in ALGORITHMS.items()
        if spec.agent_cls.population
        and spec.agent_cls.setting == "online"  # offline populations: not built yet
        and spec.agent_cls._refresh_members is not Agent._refresh_members
        and spec.agent_cls.loop != "episodes"  # PBT refuses REINFORCE: no common ready point
    ]


@pytest.mark.parametrize("algo", _engine_algos())
def test_copy_member_makes_every_member_tensor_and_moment_the_sources(algo):
    """Any algorithm on the engine: after a little training, member 0 becomes member 2."""
    from rlcore.algos.registry import get_algo
    from rlcore.train.population import PopulationTrainer

    env = "CartPole-v1" if get_algo(algo).agent_cls.handles("discrete") else "Pendulum-v1"
    hp = {"hidden": (16, 16), "learning_starts": 50, "batch_size": 16, "buffer_size": 1000}
    if get_algo(algo).agent_cls.loop == "rollout":  # on-policy: two small rollouts
        hp = {"hidden": (16, 16), "n_envs": 2, "n_steps": 32}
        if "batch_size" in {f.name for f in dataclasses.fields(get_algo(algo).config_cls)}:
            hp["batch_size"] = 16
    run, cfg = make_configs(algo, env, hp=hp, run={"steps": 120, "threads": 1}, use_preset=False)
    runs = [dataclasses.replace(run, seed=i) for i in range(3)]
    lrs = [1e-3, 2e-3, 3e-3]
    tr = PopulationTrainer(runs, [dataclasses.replace(cfg, lr=a) for a in lrs])
    for _ in tr:
        pass
    agent = tr.agent
    agent.copy_member(2, 0)
    agent.set_member_configs([tr.algos[2], tr.algos[1], tr.algos[2]])
    k = agent.k
    moved = 0
    for key, t in agent.state_dict().items():
        if key.rsplit(".", 1)[-1] in agent.SHARED_STATE:
            continue
        rows = t.view(k, -1)
        assert torch.equal(rows[0], rows[2]), key
        moved += not torch.equal(rows[0], rows[1])
    assert moved > 0  # the members had trained apart
    for opt in agent.optimizers():
        for st_ in opt.state.values():
            second = st_["exp_avg_sq" if "exp_avg_sq" in st_ else "square_avg"]  # RMSprop's
            rows = second.view(k, -1)
            assert torch.equal(rows[0], rows[2])


# -- explore and exploit decisions --------------------------------------------------------
NUMERIC = ["lr", "gamma", "tau", "exploration_fraction", "batch_size", "buffer_size"]


@settings(max_examples=300, deadline=None)
@given(
    data=st.data(),
    factors=st.lists(st.floats(0.01, 100.0, allow_subnormal=False), min_size=1, max_size=3),
    p=st.floats(0.0, 1.0, allow_subnormal=False),
    seed=st.integers(0, 2**32 - 1),
)
def test_explore_stays_inside_every_fields_bounds(data, factors, p, seed):
    values = {}
    for name in NUMERIC:
        s = SPECS[name]
        if s.type is int:
            values[name] = data.draw(st.integers(int(s.low), int(s.high)), label=name)
        else:
            values[name] = data.draw(st.floats(s.low, s.high, allow_subnormal=False), label=name)
    new, ops = explore(values, SPECS, np.random.default_rng(seed), factors, p)
    assert set(new) == set(ops) == set(values)
    for name, v in new.items():
        s = SPECS[name]
        assert s.low <= v <= s.high, (name, v, ops[name])
        assert type(v) is s.type
        assert ops[name] == "resample" or ops[name] in {f"x{f:g}" for f in factors}
    member = {k: v for k, v in new.items() if k in DQN.member_hparams}
    dataclasses.replace(DQNConfig(), **member)  # valid values of the config


def test_explore_multiplies_by_a_factor_or_draws_afresh():
    rng = np.random.default_rng(0)
    seen = set()
    for _ in range(200):
        new, ops = explore({"lr": 1e-3}, SPECS, rng, (0.8, 1.2), 0.25)
        if ops["lr"] != "resample":
            assert new["lr"] == pytest.approx(1e-3 * float(ops["lr"][1:]))
        seen.add(ops["lr"])
    assert seen == {"x0.8", "x1.2", "resample"}


def test_exploit_pairs_copy_the_top_quantile_into_the_bottom_one():
    scores = {m: float(m) for m in range(8)}
    scores[5] = math.nan  # no evaluation yet: ranks lowest
    rng = np.random.default_rng(0)
    srcs = set()
    for _ in range(50):
        pairs = exploit_pairs(scores, 0.25, rng)
        assert sorted(d for d, _ in pairs) == [0, 5]
        srcs |= {s for _, s in pairs}
    assert srcs == {6, 7}
    assert exploit_pairs({0: 1.0, 1: 2.0}, 0.25, rng) == [(0, 1)]
    assert exploit_pairs({0: 1.0}, 0.5, rng) == []


# -- a PBT population: events, schedules, replay ---------------------------------------------
def _run_configs(steps=1600, k=4):
    run, algo = make_configs(
        "dqn",
        "CartPole-v1",
        hp=HP,
        run={"steps": steps, "eval_every": 200, "eval_episodes": 1, "log_every": 400, "threads": 1},
        use_preset=False,
    )
    runs = [dataclasses.replace(run, seed=i) for i in range(k)]
    lrs = [1e-4, 3e-4, 1e-3, 3e-3][:k]
    return runs, [dataclasses.replace(algo, lr=a, gamma=0.9 + 0.02 * i) for i, a in enumerate(lrs)]


def test_the_event_log_replays_to_the_schedules_the_population_trained_under(tmp_path):
    runs, algos = _run_configs()
    pbt = PBTConfig(("lr", "gamma"), interval=400, quantile=0.25, window=2, seed=3)
    log = EventLog(tmp_path / "events.jsonl")
    mlogs = [EventLog(tmp_path / f"m{i}.jsonl") for i in range(4)]
    tr = PBTTrainer(runs, algos, pbt, log, mlogs)
    rows = list(tr)
    for lg in (log, *mlogs):
        lg.close()
    events = read_events(tmp_path / "events.jsonl")
    assert events == tr.events
    exploits = [e for e in events if e["kind"] == "exploit"]
    assert [e["step"] for e in events if e["kind"] == "ready"] == [400, 800, 1200]
    assert len(exploits) == 3  # one member of four copied at each ready point
    hist = replay(events)
    for m in range(4):
        own = read_events(tmp_path / f"m{m}.jsonl")
        assert schedule(events, m) == tr.schedules[m] == schedule(own, m)
        assert hist.ancestry[m] == tr.ancestry[m]
        want = [(e["step"], e["dst"], e["src"]) for e in exploits if e["dst"] == m]
        assert [(e["step"], e["dst"], e["src"]) for e in own if e["kind"] == "exploit"] == want
        # the member's config now holds its schedule's last values
        slot = tr.ids.index(m)
        assert {k: getattr(tr.algos[slot], k) for k in ("lr", "gamma")} == tr.schedules[m][-1][1]
    for e in exploits:  # explored from the source's values, inside the bounds
        for name in ("lr", "gamma"):
            assert SPECS[name].low <= e["new"][name] <= SPECS[name].high
            if e["ops"][name] != "resample":
                f = float(e["ops"][name][1:])
                assert e["new"][name] == pytest.approx(min(e["copied"][name] * f, 1.0), 1e-5)
    # the rows: every member's values at step 0 and at each ready point
    hp_rows = [(k, m) for k, m in rows if "hp/lr" in m]
    assert sorted({m["step"] for _, m in hp_rows}) == [0, 400, 800, 1200]
    copied = [(m["step"], k, m["pbt/src"]) for k, m in hp_rows if m.get("pbt/src", -1) >= 0]
    assert copied == [(e["step"], e["dst"], e["src"]) for e in exploits]


def test_a_fixed_schedule_changes_a_single_runs_hyperparameters_at_its_steps():
    runs, algos = _run_configs(steps=800, k=1)
    sched = [(0, {"lr": 2e-3}), (400, {"lr": 5e-4, "gamma": 0.95})]
    tr = ScheduleTrainer(runs, algos, sched)
    assert tr.agent.optimizer.param_groups[0]["lr"] == 2e-3
    rows = [m for _, m in tr]
    changes = [(m["step"], m["hp/lr"], m["hp/gamma"]) for m in rows if "hp/lr" in m]
    assert changes == [(0, 2e-3, algos[0].gamma), (400, 5e-4, 0.95)]
    assert tr.agent.optimizer.param_groups[0]["lr"] == 5e-4 and tr.agent._gamma == 0.95
    assert tr.agent.cfg.lr == 5e-4


def test_a_pbt_batch_from_the_queue_trains_with_pbt_in_the_worker(tmp_path):
    """The worker's path: a batch tagged by pbt_plan trains as PBT without being told."""
    from rlcore.service.jobs import JobQueue
    from rlcore.service.pbt import pbt_dir, pbt_plan
    from rlcore.service.worker import run_population_job

    runs, algos = _run_configs(steps=800, k=1)
    pbt = PBTConfig(("lr",), interval=400, seed=1)
    plan, extra = pbt_plan(runs[0], algos[0], pbt, 3)
    assert PBTConfig.from_json(json.loads(json.dumps(extra["pbt"]))).to_json() == extra["pbt"]
    store = RunStore(tmp_path)
    batch = JobQueue(store, dispatch=False).create_batch(plan, extra, population=True)
    assert run_population_job(list(batch.runs), store) == ["finished"] * 3
    events = read_events(pbt_dir(store, batch.id) / "events.jsonl")
    assert [e["kind"] for e in events] == ["start"] * 3 + ["ready", "exploit", "end"]
    assert [e["run"] for e in events[:3]] == list(batch.runs)
    assert events[-1] == {"kind": "end", "step": 800, "complete": True}
    for m, rid in enumerate(batch.runs):
        own = read_events(store.path(rid) / "pbt_events.jsonl")
        assert schedule(own, m) == schedule(events, m)


# -- the command line ----------------------------------------------------------------------------
def _pbt_args(tmp_path, *extra):
    return [
        "--runs-dir",
        str(tmp_path),
        "pbt",
        "--algo",
        "dqn",
        "--env",
        "CartPole-v1",
        "--no-preset",
        "--threads",
        "1",
        "--eval-episodes",
        "1",
        *TINY,
        *extra,
    ]


@pytest.mark.parametrize(
    "extra, words",
    [
        (["--params", "lr,bogus"], "params = 'bogus': not a hyperparameter of DQNConfig"),
        (["--params", "batch_size"], "params = 'batch_size': DQN's members cannot differ in it"),
        (["--params", "lr", "--members", "1"], "members = 1: out of range (allowed: 2 to 100)"),
        (
            ["--params", "lr", "--interval", "1000", "--eval-every", "2000"],
            "interval = 1000: not a multiple of the evaluation interval 2000",
        ),
        (
            ["--params", "lr", "--interval", "1000", "--eval-every", "300"],
            "interval = 1000: not a multiple of the evaluation interval 300",
        ),
        (["--params", "lr", "--interval", "0"], "interval = 0: out of range"),
        (["--params", "lr", "--interval", "5000", "--steps", "5000"], "interval = 5000: out of"),
        (["--params", "lr", "--quantile", "0.7"], "quantile = 0.7: out of range"),
        (["--params", "lr,lr"], "a parameter given twice"),
    ],
)
def test_bad_pbt_settings_are_refused_in_one_line_before_any_run(tmp_path, capsys, extra, words):
    assert main(_pbt_args(tmp_path, "--steps", "20000", *extra)) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("error: ") and words in err
    assert RunStore(tmp_path).ids() == []


@pytest.mark.parametrize(
    "content, words",
    [
        (None, "no such file"),
        ("not json", "not a schedule"),
        ('{"schedule": [[0, {"batch_size": 8}]]}', "'batch_size' cannot change during training"),
        ('{"schedule": [[0, {"lr": 5.0}]]}', "DQNConfig.lr = 5.0: too large"),
        ('{"schedule": []}', "empty"),
    ],
)
def test_a_bad_schedule_file_is_refused_in_one_line(tmp_path, capsys, content, words):
    f = tmp_path / "s.json"
    if content is not None:
        f.write_text(content)
    args = ["--runs-dir", str(tmp_path / "runs"), "train", "--algo", "dqn", "--env"]
    assert main([*args, "CartPole-v1", "--steps", "500", "--schedule", str(f)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and words in err
    assert RunStore(tmp_path / "runs").ids() == []


def test_rlcore_pbt_prints_the_best_schedule_and_a_command_that_retrains_it(tmp_path, capsys):
    args = ["--members", "3", "--params", "lr", "--interval", "400", "--steps", "800"]
    assert main(_pbt_args(tmp_path, *args, "--quiet")) == 0
    out = capsys.readouterr().out
    assert "its schedule:" in out and "re-train it as a fixed schedule:" in out
    cmd = shlex.split(out.strip().splitlines()[-1])
    assert cmd[:2] == ["rlcore", "train"] and "--schedule" in cmd
    store = RunStore(tmp_path)
    pbt_runs = store.ids()
    assert len(pbt_runs) == 3
    for rid in pbt_runs:
        assert store.status(rid)["status"] == "finished"
        assert read_events(store.path(rid) / "pbt_events.jsonl")[0]["kind"] == "start"
    sched = json.loads(Path(cmd[cmd.index("--schedule") + 1]).read_text())["schedule"]
    assert main(["--runs-dir", str(tmp_path), *cmd[1:], "--eval-episodes", "1", "--quiet"]) == 0
    (new,) = set(store.ids()) - set(pbt_runs)
    rows = store.metric_rows(new)
    assert [[m["step"], {"lr": m["hp/lr"]}] for m in rows if "hp/lr" in m] == sched
    assert json.loads((store.path(new) / "config.json").read_text())["schedule"] == sched


# -- a SIGKILL loses no recorded event -------------------------------------------------------------
def test_a_sigkilled_pbt_loses_no_recorded_event_and_its_runs_read_interrupted(tmp_path):
    """The CLI announces an event only once it is written: every one is in the logs."""
    args = _pbt_args(tmp_path, "--members", "4", "--params", "lr,gamma", "--interval", "200")
    args += ["--steps", "1000000", "--eval-every", "100", "--quiet"]
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "rlcore", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=env,
    )
    announced, starts = [], 0
    deadline = time.monotonic() + 120
    try:
        for line in proc.stdout:  # type: ignore[union-attr]
            starts += " start " in line
            if m := re.match(r"step\s+(\d+)\s+member (\d+) <- member (\d+)", line):
                announced.append(tuple(int(x) for x in m.groups()))
            if len(announced) >= 3 or time.monotonic() > deadline:
                break
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.kill()
        proc.wait(30)
    assert proc.returncode == -signal.SIGKILL
    assert starts == 4 and len(announced) >= 3
    store = RunStore(tmp_path)
    (folder,) = (tmp_path / ".pbt").iterdir()
    events = read_events(folder / "events.jsonl")
    logged = [(e["step"], e["dst"], e["src"]) for e in events if e["kind"] == "exploit"]
    assert logged[: len(announced)] == announced
    assert not any(e["kind"] == "end" for e in events)
    runs = json.loads((folder / "pbt.json").read_text())["runs"]
    for k, rid in enumerate(runs):
        own = read_events(store.path(rid) / "pbt_events.jsonl")
        assert own[0] == next(e for e in events if e["kind"] == "start" and e["member"] == k)
        mine = [(e["step"], e["dst"], e["src"]) for e in own if e["kind"] == "exploit"]
        theirs = [x for x in logged if x[1] == k]  # the batch's log is written first
        assert mine in (theirs, theirs[:-1])
        assert {x for x in announced if x[1] == k} <= set(mine)
        if mine == theirs:
            assert schedule(own, k) == schedule(events, k)
        st_ = store.status(rid)
        assert st_["status"] == "interrupted" and "killed or crashed" in st_["message"]
