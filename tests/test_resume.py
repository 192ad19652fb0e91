"""Continuing a run (`rlcore train --from RUN`, the object API's learn after load).

A continued run starts from the bit its source ended with (weights, every optimiser's
state, the counters), so its first update is the one the uninterrupted run would make;
its steps go on from the source's last; the source is never written; bad inputs are
one line, exit 2, nothing created.
"""

import dataclasses
import json

import pytest
import torch

from helpers import offline_datasets
from rlcore import DQN
from rlcore.__main__ import main
from rlcore.algos.registry import ALGORITHMS
from rlcore.core.types import Rollout
from rlcore.service.runs import RunStore
from rlcore.train.presets import make_configs
from rlcore.train.resume import (
    TRAIN_STATE,
    capture,
    optimizers,
    read_train_state,
    train_state_bytes,
)
from rlcore.train.trainer import Trainer

SMALL = {"hidden": (16,), "batch_size": 32, "learning_starts": 50, "n_steps": 32, "n_epochs": 2}
STEPS = 200


# -- to the bit, every algorithm -------------------------------------------------------
@pytest.fixture(scope="module")
def datasets(tmp_path_factory):
    """Two small random datasets (CartPole, Pendulum), for the offline algorithms."""
    with offline_datasets(tmp_path_factory.mktemp("data")) as ids:
        yield ids


def _configs(algo, datasets):
    spec = ALGORITHMS[algo]
    env = "Pendulum-v1" if spec.action_space == "continuous" else "CartPole-v1"
    fields = {f.name for f in dataclasses.fields(spec.config_cls)}
    hp = {k: v for k, v in SMALL.items() if k in fields}
    run = {"steps": STEPS, "eval_every": STEPS, "eval_episodes": 1, "log_every": 100}
    if spec.setting == "offline":
        run["dataset"] = datasets[env]
    return make_configs(algo, env, hp, run, use_preset=False)


def _batch(trainer):
    """A batch the agent's ``update`` takes: from its buffer, or a made-up rollout."""
    a, c = trainer.agent, trainer.cfg
    if a.loop in ("replay", "dataset"):
        return trainer.buffer.sample(c.batch_size)
    g = torch.Generator().manual_seed(0)
    t, n = (c.n_steps, c.n_envs) if a.loop == "rollout" else (30, 1)
    if a.discrete:
        act = torch.randint(0, a.n_actions, (t, n), generator=g)
        act = act.float() if a.loop == "episodes" else act
    else:
        act = torch.randn(t, n, a.action_dim, generator=g)
    end = torch.zeros(t, n)
    end[-1] = 1.0
    obs = torch.randn(t, n, a.obs_dim, generator=g)
    return Rollout(obs, act, torch.randn(t, n, generator=g), obs.roll(-1, 0), end, end)


def _assert_same(a, b):
    """Weights, every optimiser's state and hyperparameters: equal to the bit."""
    sa, sb = a.state_dict(), b.state_dict()
    assert sa.keys() == sb.keys()
    for k in sa:
        assert torch.equal(sa[k], sb[k]), k
    oa, ob = optimizers(a), optimizers(b)
    assert [n for n, _ in oa] == [n for n, _ in ob]
    for (name, x), (_, y) in zip(oa, ob):
        dx, dy = x.state_dict(), y.state_dict()
        assert dx["state"].keys() == dy["state"].keys(), name
        for i, entry in dx["state"].items():
            for key, v in entry.items():
                assert torch.equal(torch.as_tensor(v), torch.as_tensor(dy["state"][i][key])), (
                    f"{name}.{i}.{key}"
                )
        for gx, gy in zip(dx["param_groups"], dy["param_groups"]):
            assert {k: v for k, v in gx.items()} == {k: v for k, v in gy.items()}, name


@pytest.mark.parametrize("algo", list(ALGORITHMS))
def test_resumed_agent_is_the_bit_and_makes_the_same_first_update(algo, datasets):
    run, cfg = _configs(algo, datasets)
    first = Trainer(run, cfg)
    for _ in first:
        pass
    assert first.updates > 0
    state = read_train_state(train_state_bytes(capture(first.agent, first.step, first.updates)))
    assert state.optim, "every algorithm trains with an optimiser"
    total = first.step + STEPS  # (REINFORCE's last episode may end past the budget)
    more = Trainer(dataclasses.replace(run, steps=total), cfg, resume=state)
    assert (more.step, more.updates) == (first.step, first.updates) and first.step >= STEPS
    _assert_same(first.agent, more.agent)
    # the first update after the resume: the one the uninterrupted run makes on that batch
    batch = _batch(first)
    for t in (first, more):
        t.agent.progress = first.step / total  # where an uninterrupted run stands now
        torch.manual_seed(7)
        t.agent.update(batch)
    _assert_same(first.agent, more.agent)
    if "updates" in vars(first.agent):  # TD3's delay counter goes on
        assert more.agent.updates == first.agent.updates > 0


def test_replay_refills_before_it_updates_and_steps_go_on(datasets):
    run, cfg = _configs("dqn", datasets)
    first = Trainer(run, cfg)
    rows = list(first)
    state = capture(first.agent, first.step, first.updates)
    more = Trainer(dataclasses.replace(run, steps=STEPS + 100), cfg, resume=state)
    assert more.cfg.learning_starts == STEPS + cfg.learning_starts  # the buffer refills
    rows = list(more)
    assert min(r["step"] for r in rows) > STEPS and more.step == STEPS + 100
    phases = (STEPS + 100) // cfg.train_freq - (STEPS + cfg.learning_starts) // cfg.train_freq
    assert more.updates == first.updates + phases * cfg.gradient_steps


# -- the command line -------------------------------------------------------------------
ARGS = ["--eval-every", "500", "--eval-episodes", "2", "--quiet"]


@pytest.fixture(scope="module")
def source(tmp_path_factory):
    runs = tmp_path_factory.mktemp("runs")
    argv = ["--runs-dir", str(runs), "train", "--algo", "dqn", "--env", "CartPole-v1"]
    argv += ["--steps", "2000", *ARGS, "--set", "learning_starts=200", "--set", "hidden=16"]
    assert main(argv) == 0
    store = RunStore(runs)
    return store, store.ids()[0]


def _folder_bytes(path):
    return {p.relative_to(path): p.read_bytes() for p in sorted(path.rglob("*")) if p.is_file()}


def test_train_from_continues_as_a_new_run(source, capsys):
    store, old = source
    before = _folder_bytes(store.path(old))
    saved = read_train_state(store.path(old) / TRAIN_STATE)
    assert saved.step == 2000 and saved.updates > 0 and saved.optim
    capsys.readouterr()
    argv = ["--runs-dir", str(store.root), "train", "--from", old, "--steps", "2000", *ARGS]
    assert main(argv) == 0
    out = capsys.readouterr().out
    new = next(i for i in store.ids() if i != old)
    assert f"continues {old} from step 2,000" in out and "optimiser state" in out
    cfg = json.loads((store.path(new) / "config.json").read_text())
    assert cfg["continued_from"] == old and cfg["continued_at"] == 2000
    assert cfg["run"]["steps"] == 4000 and cfg["run"]["seed"] == 0
    assert cfg["algo"] == json.loads((store.path(old) / "config.json").read_text())["algo"]
    steps = [r["step"] for r in store.metric_rows(new)]
    assert min(steps) > 2000 and max(steps) == 4000
    assert store.status(new)["step"] == 4000 and store.status(new)["status"] == "finished"
    after = read_train_state(store.path(new) / TRAIN_STATE)
    assert after.step == 4000 and after.updates > saved.updates  # the counters went on
    # the loaded policy's first evaluation is the source's last (same bits, same seeds)
    first_eval = next(r for r in store.metric_rows(new) if "eval/return_mean" in r)
    last_old = [r for r in store.metric_rows(old) if "eval/return_mean" in r][-1]
    assert first_eval["eval/return_mean"] == last_old["eval/return_mean"]
    assert _folder_bytes(store.path(old)) == before  # the source is never written


def _refused(store, argv, capsys, match):
    ids = set(store.ids())
    capsys.readouterr()
    assert main(["--runs-dir", str(store.root), "train", *argv]) == 2
    err = capsys.readouterr().err
    assert match in err and err.count("\n") == 1, err
    assert set(store.ids()) == ids  # nothing created


def test_bad_from_is_one_line_and_nothing_created(source, capsys):
    store, old = source
    _refused(store, ["--from", "20990101-000000-dqn-x-s0-abcdef"], capsys, "no such run")
    _refused(store, ["--from", "../x"], capsys, "run")
    _refused(store, ["--from", old, "--algo", "ppo"], capsys, "--algo ppo: run")
    _refused(store, ["--from", old, "--env", "Acrobot-v1"], capsys, "--env Acrobot-v1")
    _refused(store, ["--from", old, "--seed", "3"], capsys, "--seed 3")
    _refused(store, ["--from", old, "--set", "lr=0.1"], capsys, "--set: a continued run")
    _refused(store, ["--from", old, "--seeds", "2"], capsys, "--seeds")
    _refused(store, ["--from", old, "--steps", "0"], capsys, "--steps 0")
    _refused(store, ["--algo", "dqn"], capsys, "--env is required")
    rec = store.load(old)
    fresh = store.create(rec.run, rec.algo)  # queued, never trained: no checkpoint
    _refused(store, ["--from", fresh], capsys, "still queued")
    store.set_status(fresh, "failed")
    _refused(store, ["--from", fresh], capsys, "no saved weights")
    store.delete(fresh)


def test_another_visitors_run_is_refused_on_a_hosted_server(source, capsys, monkeypatch):
    store, old = source
    rec = store.load(old)
    theirs = store.create(rec.run, rec.algo, extra={"owner": "visitor-a"})
    store.set_status(theirs, "finished")
    monkeypatch.setenv("RLCORE_PROFILE", "hosted")
    _refused(store, ["--from", theirs], capsys, "belongs to another visitor")
    monkeypatch.setenv("RLCORE_PROFILE", "local")
    store.delete(theirs)


def test_help_says_what_is_kept_and_that_the_buffer_refills(capsys):
    with pytest.raises(SystemExit):
        main(["train", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "--from RUN" in text and "optimiser state" in text
    assert "starts empty and refills during learning_starts" in text


# -- the object API ---------------------------------------------------------------------
def test_loaded_model_learns_on_with_its_optimiser_and_counters(tmp_path):
    model = DQN("CartPole-v1", runs_dir=tmp_path, hidden=(16,), learning_starts=100)
    model.learn(600)
    first = model.run_id
    folder = model.save(tmp_path / "m")
    loaded = DQN.load(folder, runs_dir=tmp_path)
    assert loaded.num_timesteps == 600
    _assert_same(model.policy, loaded.policy)  # Adam's moments came back with the weights
    loaded.learn(300)
    store = RunStore(tmp_path)
    cfg = json.loads((store.path(loaded.run_id) / "config.json").read_text())
    assert cfg["continued_from"] == first and cfg["run"]["steps"] == 900
    assert min(r["step"] for r in store.metric_rows(loaded.run_id)) > 600
    assert loaded.num_timesteps == 900
    # a run folder loads with its state too, and learn() records it as the source
    from_run = DQN.load(store.path(first), runs_dir=tmp_path)
    _assert_same(model.policy, from_run.policy)
    assert from_run.run_id == first and from_run.num_timesteps == 600
    # reset_num_timesteps: the counters start again, the weights and moments go on
    from_run.learn(200, reset_num_timesteps=True)
    assert store.load(from_run.run_id).run.steps == 200 and from_run.num_timesteps == 200
