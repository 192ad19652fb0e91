"""Populations of REINFORCE (issue 25): members that pause at the batch barrier.

``population_reinforce_reference.json`` was recorded from the REINFORCE of commit 6b17f28,
before REINFORCE moved onto the population engine: 3,000 CartPole steps (seed 3) with a
baseline (4 episodes an update) and without one (2 episodes, an entropy bonus, clipping,
γ = 0.95): every metrics row, the first weights and a hash of all of them.
"""

from __future__ import annotations

import copy
import dataclasses
import hashlib

import gymnasium as gym
import numpy as np
import pytest
import torch

from helpers import (
    assert_members_bit_identical,
    assert_same_run,
    box,
    metric_rows,
    reference,
    run_record,
    train_dropping,
    train_seeds_cli,
    train_through,
)
from rlcore.algos.reinforce import REINFORCE, REINFORCEConfig
from rlcore.core.types import Rollout
from rlcore.train.population import PopulationTrainer
from rlcore.train.presets import make_configs
from rlcore.train.trainer import Trainer

REFERENCE = "population_reinforce_reference.json"
RUN = {"steps": 3000, "seed": 3, "eval_every": 1500, "eval_episodes": 2, "log_every": 500,
       "threads": 1}  # fmt: skip
CASES = {
    "baseline": {"hidden": (32, 32), "episodes_per_update": 4},
    "no-baseline": {"hidden": (32, 32), "episodes_per_update": 2, "baseline": False,
                    "ent_coef": 0.01, "normalize_returns": False, "max_grad_norm": 1.0,
                    "gamma": 0.95},
}  # fmt: skip
SHORT = {**RUN, "steps": 1200, "eval_every": 600, "log_every": 300}


def _digest(state: dict) -> str:
    """A hash of every weight, to the bit (how the reference keeps the final weights)."""
    h = hashlib.sha256()
    for key in sorted(state):
        h.update(key.encode())
        h.update(state[key].detach().cpu().contiguous().numpy().tobytes())
    return h.hexdigest()


def _configs(hp: dict, run: dict = SHORT):
    return make_configs("reinforce", "CartPole-v1", hp=hp, run=run, use_preset=False)


def _single(run, cfg):
    """A single run's rows (no ``time/``) and final weights."""
    tr, rows = train_through(run, cfg)
    return metric_rows(rows), tr.agent.state_dict()


def _population(runs, cfgs):
    """Each member's rows (no ``time/``) and final weights, by member."""
    pop = PopulationTrainer(runs, cfgs)
    rows: dict[int, list[dict]] = {k: [] for k in range(len(runs))}
    for k, m in pop:
        rows[k].append(m)
    return pop, {k: metric_rows(v) for k, v in rows.items()}


def _assert_same_rows(got: list[dict], want: list[dict]) -> None:
    assert len(got) == len(want)
    for a, b in zip(got, want):
        assert a.keys() == b.keys() and a == pytest.approx(b, rel=1e-5, abs=1e-6)


def _assert_same_weights(got: dict, want: dict) -> None:
    assert got.keys() == want.keys()
    for name, p in got.items():
        torch.testing.assert_close(p, want[name], rtol=1e-5, atol=1e-6, msg=name)


@pytest.mark.parametrize("key", list(CASES))
def test_a_single_reinforce_run_is_a_population_of_one_that_behaves_as_before(key):
    run, cfg = _configs(CASES[key], RUN)
    want = reference(REFERENCE)[key]
    tr, rows = train_through(run, cfg)
    assert_same_run(run_record(tr, rows), {k: want[k] for k in ("rows", "weights")})
    assert _digest(tr.agent.state_dict()) == want["sha256"]  # the same weights, to the bit
    assert tr.step == max(m["step"] for m in want["rows"])


@pytest.mark.parametrize("key", list(CASES))
def test_a_population_trainer_of_one_reinforce_member_replays_the_reference(key):
    run, cfg = _configs(CASES[key], RUN)
    want = reference(REFERENCE)[key]
    pop, rows = train_through(run, cfg, population=True)
    assert_same_run(
        {"rows": metric_rows(rows), "weights": reference_weights(pop.member_state_dict(0))},
        {k: want[k] for k in ("rows", "weights")},
    )


def reference_weights(state: dict) -> dict:
    return {k: v.flatten()[:5].tolist() for k, v in state.items()}


@pytest.mark.parametrize("key", list(CASES))
def test_each_reinforce_member_is_the_single_run_of_its_seed(key):
    run, cfg = _configs(CASES[key])
    seeds = (1, 2, 3)
    runs = [dataclasses.replace(run, seed=s) for s in seeds]
    pop, rows = _population(runs, cfg)
    for k in range(len(seeds)):
        want_rows, want_weights = _single(runs[k], cfg)
        _assert_same_rows(rows[k], want_rows)  # its episodes, logs, evaluations, at its steps
        _assert_same_weights(pop.member_state_dict(k), want_weights)
    # the members did pause for one another: their episodes ended at different steps
    ends = [[m["step"] for m in rows[k] if "rollout/return" in m] for k in range(3)]
    assert len({tuple(e) for e in ends}) == 3


def test_reinforce_members_with_their_own_hyperparameters_are_those_single_runs():
    run, cfg = _configs(CASES["baseline"])
    own = [
        {"lr": 1e-3, "gamma": 0.99, "ent_coef": 0.0, "episodes_per_update": 4},
        {"lr": 3e-3, "gamma": 0.9, "ent_coef": 0.05, "episodes_per_update": 2},
    ]
    cfgs = [dataclasses.replace(cfg, **o) for o in own]
    pop, rows = _population([run, run], cfgs)  # one seed: only the hyperparameters differ
    assert pop.agent.member_hparams == ("lr", "gamma", "ent_coef", "episodes_per_update")
    for k, c in enumerate(cfgs):
        want_rows, want_weights = _single(run, c)
        _assert_same_rows(rows[k], want_rows)
        _assert_same_weights(pop.member_state_dict(k), want_weights)
    assert rows[0] != rows[1]


def _episodes_batch(k: int, t: int, lengths: list[int], seed: int = 0):
    """A padded batch of ``k`` members' episodes (``[t, k]``) and its mask."""
    g = torch.Generator().manual_seed(seed)
    mask = (torch.arange(t).unsqueeze(1) < torch.tensor(lengths)).float()
    end = torch.zeros(t, k)
    for i, n in enumerate(lengths):
        end[n - 1, i] = 1.0
        end[n // 2, i] = 1.0  # two episodes each
    ro = Rollout(
        obs=torch.randn(t, k, 3, generator=g) * mask.unsqueeze(-1),
        action=torch.randint(0, 2, (t, k), generator=g).float() * mask,
        reward=torch.rand(t, k, generator=g) * mask,
        next_obs=torch.zeros(t, k, 3),
        terminated=end.clone(),
        episode_end=end,
    )
    return ro, mask


def _member_batch(ro: Rollout, mask: torch.Tensor, i: int) -> Rollout:
    n = int(mask[:, i].sum())
    return Rollout(*(x[:n, i : i + 1] for x in ro))


@pytest.mark.parametrize("baseline", [True, False])
def test_reinforce_members_update_as_single_agents_on_their_own_episodes(baseline):
    own = [
        {"lr": 1e-3, "gamma": 0.99, "ent_coef": 0.0},
        {"lr": 5e-3, "gamma": 0.8, "ent_coef": 0.1},
        {"lr": 2e-3, "gamma": 0.95, "ent_coef": 0.01},
    ]
    common = {"hidden": (16,), "baseline": baseline, "max_grad_norm": 0.5}
    cfgs = [REINFORCEConfig(**common, **o) for o in own]
    pop = REINFORCE(box(3), gym.spaces.Discrete(2), cfgs[0], members=cfgs, seeds=[0, 1, 2])
    singles = []
    for i, c in enumerate(cfgs):
        torch.manual_seed(i)
        singles.append(REINFORCE(box(3), gym.spaces.Discrete(2), c))
        _assert_same_weights(pop.member_state_dict(i), singles[i].state_dict())
    for step in range(3):
        ro, mask = _episodes_batch(3, 12, [12, 7, 2], seed=step)
        info = pop.update(ro, mask)
        for i, single in enumerate(singles):
            one = single.update(_member_batch(ro, mask, i))
            assert info.keys() == one.keys()
            for key in one:
                torch.testing.assert_close(info[key][i], one[key], rtol=1e-4, atol=1e-6)
    for i, single in enumerate(singles):
        _assert_same_weights(pop.member_state_dict(i), single.state_dict())


def test_perturbing_one_reinforce_members_episodes_leaves_the_others_bit_identical():
    cfg = REINFORCEConfig(hidden=(16,), max_grad_norm=1.0)
    pop = REINFORCE(box(3), gym.spaces.Discrete(2), cfg, members=[cfg] * 3, seeds=[0, 1, 2])
    other = copy.deepcopy(pop)
    ro, mask = _episodes_batch(3, 10, [10, 6, 8])
    bad = Rollout(*(x.clone() for x in ro))
    bad.reward[:, 1] += 5.0 * mask[:, 1]
    bad.obs[:, 1] += torch.randn_like(bad.obs[:, 1]) * mask[:, 1:2]
    bad_mask = mask.clone()
    bad_mask[4:, 1] = 0.0  # and a shorter batch
    pop.update(ro, mask)
    other.update(bad, bad_mask)
    assert_members_bit_identical(pop, other, (0, 2))
    assert not torch.equal(
        pop.member_state_dict(1)["actor.net.0.weight"],
        other.member_state_dict(1)["actor.net.0.weight"],
    )


def test_copy_member_makes_a_reinforce_members_weights_and_moments_the_sources():
    cfgs = [REINFORCEConfig(hidden=(16,), lr=lr) for lr in (1e-3, 2e-3, 3e-3)]
    pop = REINFORCE(box(3), gym.spaces.Discrete(2), cfgs[0], members=cfgs, seeds=[0, 1, 2])
    for step in range(2):
        pop.update(*_episodes_batch(3, 10, [10, 6, 8], seed=step))
    pop.copy_member(2, 0)
    pop.set_member_configs([cfgs[2], cfgs[1], cfgs[2]])
    assert pop.optimizer.lrs == (3e-3, 2e-3, 3e-3)
    for key, t in pop.state_dict().items():
        if key.rsplit(".", 1)[-1] not in pop.SHARED_STATE:
            rows = t.view(3, -1)
            assert torch.equal(rows[0], rows[2]) and not torch.equal(rows[0], rows[1]), key
    for st in pop.optimizer.state.values():
        assert torch.equal(st["exp_avg_sq"].view(3, -1)[0], st["exp_avg_sq"].view(3, -1)[2])


def test_another_seed_for_one_member_leaves_the_others_runs_unchanged():
    run, cfg = _configs(CASES["no-baseline"])
    runs = [dataclasses.replace(run, seed=s) for s in (1, 2, 3)]
    pop, rows = _population(runs, cfg)
    runs[1] = dataclasses.replace(run, seed=7)  # member 1: other episodes, other barriers
    other, other_rows = _population(runs, cfg)
    assert rows[1] != other_rows[1]
    assert rows[0] == other_rows[0] and rows[2] == other_rows[2]  # every number
    assert_members_bit_identical(pop, other, (0, 2))


def test_a_dropped_reinforce_member_is_compacted_away_and_the_others_carry_on():
    run, cfg = _configs(CASES["baseline"])
    runs = [dataclasses.replace(run, seed=s) for s in (1, 2, 3)]
    cfgs = [dataclasses.replace(cfg, lr=lr) for lr in (1e-3, 2e-3, 3e-3)]
    pop = PopulationTrainer(runs, cfgs)
    seen = train_dropping(pop, member=0, at=300)
    assert max(m["step"] for m in seen[0]) < 600 and not pop.active[0]
    for k in (1, 2):
        want_rows, want_weights = _single(runs[k], cfgs[k])
        _assert_same_rows(metric_rows(seen[k]), want_rows)
        _assert_same_weights(pop.member_state_dict(k), want_weights)
    with pytest.raises(ValueError, match="member = 0: dropped"):
        pop.member_state_dict(0)


def test_members_that_spent_their_budget_leave_while_the_others_play_on():
    run, cfg = _configs(CASES["baseline"])
    runs = [dataclasses.replace(run, seed=s) for s in (1, 2, 3, 4)]
    pop = PopulationTrainer(runs, cfg)
    sizes, ended = [], []
    for k, m in pop:
        sizes.append(pop.agent.k)
        if "eval/return_mean" in m and m["step"] >= run.steps:
            ended.append((k, m["step"]))
    assert sorted(k for k, _ in ended) == [0, 1, 2, 3]  # each closed once, at its own step
    assert len({s for _, s in ended}) > 1
    assert sizes[0] == 4 and min(sizes) < 4  # the first to end left the member axis
    assert not any(pop.active) and not pop.stopped_early
    for k in range(4):  # an ended member's weights are still there to save (a single run's)
        assert pop.member_state_dict(k)["actor.net.0.weight"].shape == (32, 4)


def test_a_stopped_reinforce_population_closes_each_member_as_its_stopped_single_run():
    run, cfg = _configs(CASES["baseline"])
    runs = [dataclasses.replace(run, seed=s) for s in (1, 2)]
    pop = PopulationTrainer(runs, cfg, stop=lambda: True)  # stop after the first update
    rows: dict[int, list[dict]] = {0: [], 1: []}
    for k, m in pop:
        rows[k].append(m)
    assert pop.stopped_early
    for k in (0, 1):
        single = Trainer(runs[k], cfg, stop=lambda: True)
        want = metric_rows(list(single))
        _assert_same_rows(metric_rows(rows[k]), want)  # its last log and final evaluation
        assert "eval/return_mean" in want[-1] and want[-1]["step"] < run.steps


def test_pbt_and_schedules_refuse_reinforce_that_has_no_common_ready_point(tmp_path, capsys):
    from rlcore.__main__ import main
    from rlcore.service.pbt import PBTConfig, PBTTrainer, ScheduleTrainer
    from rlcore.service.runs import RunStore

    run, cfg = _configs(CASES["baseline"])
    runs = [dataclasses.replace(run, seed=s) for s in (1, 2)]
    with pytest.raises(ValueError, match="no common ready point"):  # before any step
        PBTTrainer(runs, [cfg, cfg], PBTConfig(params=("lr",), interval=600))
    with pytest.raises(ValueError, match="no common ready point"):  # the loop's own check
        list(ScheduleTrainer(runs[:1], [cfg], [(600, {"lr": 3e-3})]))
    f = tmp_path / "s.json"
    f.write_text('{"schedule": [[600, {"lr": 0.003}]]}')
    args = ["--runs-dir", str(tmp_path / "runs"), "train", "--algo", "reinforce", "--env"]
    assert main([*args, "CartPole-v1", "--steps", "1200", "--schedule", str(f)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "updates at its own steps, with no ready point" in err
    assert RunStore(tmp_path / "runs").ids() == []


def test_train_seeds_of_reinforce_writes_each_seed_as_its_own_run(tmp_path, capsys):
    from rlcore.train.export import load_checkpoint

    args = ["--algo", "reinforce", "--env", "CartPole-v1", "--steps", "600"]
    args += ["--set", "hidden=16,16", "--eval-every", "300", "--eval-episodes", "1"]
    store, recs = train_seeds_cli(tmp_path, capsys, *args, seeds=4)
    for r in recs:
        _, _, agent = load_checkpoint(store.path(r.id) / "model.safetensors")
        assert agent.k == 1
    assert np.unique([r.run.seed for r in recs]).size == 4


def test_a_reinforce_population_job_writes_each_member_as_its_single_run(tmp_path):
    import json

    from rlcore.service.jobs import JobQueue, seed_plan
    from rlcore.service.runs import RunStore
    from rlcore.service.worker import run_population_job
    from rlcore.train.export import load_checkpoint

    run, cfg = _configs({"hidden": (16,)}, {**SHORT, "steps": 600, "eval_every": 300})
    store = RunStore(tmp_path)
    batch = JobQueue(store, dispatch=False).create_batch(seed_plan(run, cfg, 3), population=True)
    store.request_stop(batch.runs[1])  # member 1 ends alone, at once
    assert run_population_job(list(batch.runs), store, say=lambda s: None) == [
        "finished",
        "stopped",
        "finished",
    ]
    for k in (0, 2):
        rid = batch.runs[k]
        rows = [json.loads(x) for x in (store.path(rid) / "metrics.jsonl").read_text().splitlines()]
        single_rows, single_weights = _single(dataclasses.replace(run, seed=run.seed + k), cfg)
        _assert_same_rows(metric_rows(rows), single_rows)  # its own steps, to the last row
        _, _, agent = load_checkpoint(store.path(rid) / "model.safetensors")
        _assert_same_weights(agent.state_dict(), single_weights)
        assert store.status(rid)["eval_return"] == rows[-1]["eval/return_mean"]
        assert store.status(rid)["step"] == rows[-1]["step"]  # its own count, not the furthest
