"""Small fakes for hand-computed loss tests, an AppTest polling helper, and what the
population tests (issue 25) share: the replay of a recorded reference, the member-axis
checks, the offline datasets and a launcher that starts no worker."""

from __future__ import annotations

import contextlib
import json
import os
import time
from pathlib import Path
from typing import Any

import gymnasium as gym
import numpy as np
import pytest
import torch
from torch import nn


class Table(nn.Module):
    """Q(s, ·) = table[s] for one-hot s: outputs we can compute by hand."""

    def __init__(self, table):
        super().__init__()
        self.t = nn.Parameter(torch.tensor(table, dtype=torch.float32))

    def forward(self, obs):
        return obs @ self.t


class Fixed(nn.Module):
    """Returns a fixed tensor (or tuple) whatever the input."""

    def __init__(self, *out):
        super().__init__()
        self.out = out
        self.p = nn.Parameter(torch.zeros(()))  # so optimisers/requires_grad_ work

    def forward(self, *args, **kwargs):
        outs = tuple(o + 0 * self.p for o in self.out)
        return outs if len(outs) > 1 else outs[0]

    def member(self, i, *args):
        """As an ``EnsembleCritic``'s: row ``i`` of the fixed output."""
        return self.forward(*args)[i]


def box(n=1, low=-1.0, high=1.0):
    return gym.spaces.Box(low, high, (n,), np.float32)


def obs_box(n):
    return gym.spaces.Box(-np.inf, np.inf, (n,), np.float32)


def poll(at, done, timeout=90):
    """Rerun an AppTest (what ``run_every`` does in a browser) until ``done(at)``."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        at.run()
        assert not at.exception, at.exception
        if done(at):
            return at
        time.sleep(0.4)
    raise AssertionError("timed out; progress: " + str([p.proto.text for p in at.get("progress")]))


# -- a single run replays its recorded reference (issue 25) ------------------------------
# Each algorithm that moved onto the population engine keeps a JSON reference recorded
# from the code before the move; a single run (a population of one, by ``Trainer`` or by
# ``PopulationTrainer``) must replay it: one comparison for all of them, so that no file's
# copy can drift into a looser check than the others'.


def reference(name: str) -> dict:
    """The recorded reference ``tests/<name>``, read afresh (tests may not share it)."""
    return json.loads((Path(__file__).parent / name).read_text())


def train_through(run, cfg, population: bool = False):
    """Train ``run, cfg`` to its last step: as a ``Trainer``, or as a ``PopulationTrainer``
    of this one member (whose rows must then all be member 0's). Returns the trainer and
    its metrics rows."""
    if not population:
        from rlcore.train.trainer import Trainer

        tr = Trainer(run, cfg)
        return tr, list(tr)
    from rlcore.train.population import PopulationTrainer

    pop = PopulationTrainer([run], [cfg])
    pairs = list(pop)
    assert {k for k, _ in pairs} == {0}
    return pop, [m for _, m in pairs]


def metric_rows(rows) -> list[dict]:
    """A run's metrics rows without their ``time/`` entries (wall times never replay)."""
    return [{k: v for k, v in m.items() if not k.startswith("time/")} for m in rows]


def first_weights(state: dict) -> dict[str, list[float]]:
    """The first five numbers of each tensor: what a reference keeps of a run's weights."""
    return {k: v.flatten()[:5].tolist() for k, v in state.items()}


def buffer_actions(buffer) -> np.ndarray:
    """The actions a replay run stored, in the order it took them."""
    return buffer.data[: buffer.size, buffer._cols[1]].numpy()


def run_record(trainer, rows, actions=None) -> dict:
    """What a reference keeps of a run: its rows, its first weights and (for a replay
    run's reference) its actions, in the reference's own format."""
    got = {"rows": metric_rows(rows), "weights": first_weights(trainer.agent.state_dict())}
    if actions is not None:
        got["actions"] = actions
    return got


def assert_same_run(got: dict, want: dict) -> None:
    """``got`` replays the recorded ``want``: the same actions, every row with the same
    keys and values (to float tolerance), the same first weights, as far as ``want``
    recorded them (DQN's and the continuous agents' references keep no weights)."""
    assert "rows" in want and set(want) <= {"rows", "weights", "actions"}, set(want)
    assert set(want) <= set(got), (set(want), set(got))
    if "actions" in want:
        assert got["actions"] == want["actions"]
    assert len(got["rows"]) == len(want["rows"])
    for a, b in zip(got["rows"], want["rows"]):
        assert a.keys() == b.keys()
        assert a == pytest.approx(b, rel=1e-5, abs=1e-6)
    if "weights" in want:
        assert got["weights"].keys() == want["weights"].keys()
        for key, v in got["weights"].items():
            assert v == pytest.approx(want["weights"][key], rel=1e-5, abs=1e-6), key


# -- the member axis: isolation and agreement with single agents (issue 25) -------------
def action_space(discrete: bool) -> gym.Space:
    """Two actions, discrete or a 2-d box: the tiny agents' action spaces."""
    return gym.spaces.Discrete(2) if discrete else box(2)


def assert_members_bit_identical(agent, other, members) -> None:
    """Members ``members`` of two populations hold the same weights, to the bit (the
    isolation tests: the perturbation of another member's data must not reach them)."""
    for k in members:
        a, b = agent.member_state_dict(k), other.member_state_dict(k)
        assert a.keys() == b.keys(), k
        for name in a:
            assert torch.equal(a[name], b[name]), (k, name)


def train_dropping(pop, member: int, at: int) -> dict[int, list[dict]]:
    """Train the ``PopulationTrainer`` ``pop`` through, dropping ``member`` at its first
    row at or past step ``at``: each member's rows."""
    seen: dict[int, list[dict]] = {k: [] for k in range(len(pop.active))}
    for k, m in pop:
        seen[k].append(m)
        if m["step"] >= at and pop.active[member]:
            pop.drop(member)
    return seen


def assert_members_act_as_singles(agent, make, obs, layer="actor.net.0.weight"):
    """Each member's weights, loaded into a single agent ``make(config)``, act greedily as
    the member does on ``obs``, and in a single run's layout (``layer`` of 16 by 3: the
    tiny agents' first layer). Returns the members' actions, stacked."""
    k = len(agent.members)
    together = agent.act_members(np.stack([obs] * k), explore=False)
    for i in range(k):
        single = make(agent.members[i])
        single.load_state_dict(agent.member_state_dict(i))
        np.testing.assert_allclose(single.act(obs), together[i], rtol=1e-5, atol=1e-6)
        assert single.state_dict()[layer].shape == (16, 3)  # a single run's
    return together


def single_agents(pop, make) -> list:
    """One single agent per member of ``pop``, ``make(config)`` built as a run of seed
    ``i`` builds it, each checked to start where member ``i`` starts."""
    singles = []
    for i, cfg in enumerate(pop.members):
        torch.manual_seed(i)
        single = make(cfg)
        want = pop.member_state_dict(i)
        got = single.state_dict()
        assert got.keys() == want.keys()
        for name, p in got.items():
            assert torch.equal(p, want[name]), name  # member i starts where seed i starts
        singles.append(single)
    return singles


def assert_members_are_singles(pop, singles, rtol=1e-5, atol=1e-6, only=None) -> None:
    """Member ``i`` of ``pop`` holds single agent ``i``'s weights (float tolerance: the
    batched kernels round differently); ``only``: just the names that start so."""
    for i, single in enumerate(singles):
        want = single.state_dict()
        for name, p in pop.member_state_dict(i).items():
            if only is None or name.startswith(only):
                torch.testing.assert_close(p, want[name], rtol=rtol, atol=atol, msg=name)


class SameNoise:
    """``torch`` random draws (``names``) that record a population's draws, then give a
    single agent of one member (or an agent of some members) its slices of them, in the
    same order (the agents draw in one order), so that a population and its single agents
    see the same noise. A draw asked in the recorded shape comes whole (the population
    before a member left)."""

    def __init__(self, monkeypatch, names=("rand", "randn", "randn_like")) -> None:
        self.drawn: list[torch.Tensor] = []
        self.members: int | list[int] | None = None
        self.i = 0
        for name in names:
            monkeypatch.setattr(torch, name, self._wrap(getattr(torch, name)))

    def _wrap(self, real):
        def draw(*args, **kwargs):
            if self.members is None:
                out = real(*args, **kwargs)
                self.drawn.append(out)
                return out
            out = self.drawn[self.i]
            self.i += 1
            if out.shape != self._shape(args):  # the population's: the members' slices
                out = out[self.members]
            return out.clone()

        return draw

    @staticmethod
    def _shape(args) -> torch.Size:
        if isinstance(args[0], torch.Tensor):  # randn_like
            return args[0].shape
        return torch.Size(args[0] if isinstance(args[0], (tuple, list)) else args)

    def record(self) -> None:
        """The next draws are the population's: kept, each with its member axis."""
        self.drawn.clear()
        self.members = None

    def replay(self, members: int | list[int]) -> None:
        """The next draws are member ``members``'s (a list: those members', on their
        member axis): its slices, from the first."""
        self.members, self.i = members, 0


def train_seeds_cli(runs_dir: Path, capsys, *args: str, seeds: int) -> tuple[Any, list]:
    """``rlcore train ARGS --seeds N`` in this process: it says it trains one population,
    and writes N runs, each finished by this one process. Returns the run store and its
    runs by seed."""
    from rlcore.__main__ import main
    from rlcore.service.runs import RunStore

    assert main(["--runs-dir", str(runs_dir), "train", *args, "--seeds", str(seeds)]) == 0
    assert f"{seeds} runs, in one process (a population)" in capsys.readouterr().out
    store = RunStore(runs_dir)
    recs = sorted(store.list(), key=lambda r: r.run.seed)
    assert len(recs) == seeds
    for r in recs:
        st = store.status(r.id)
        assert st["status"] == "finished" and st["pid"] == os.getpid()  # this one process
    return store, recs


# -- offline datasets and fake workers ----------------------------------------------------
@contextlib.contextmanager
def offline_datasets(root: Path):
    """Two small random datasets (CartPole, Pendulum) imported as D4RL-style files into
    a store under ``root`` (``RLCORE_DATASETS_DIR`` points there meanwhile): their ids by
    environment. The offline population references were recorded on these."""
    from rlcore.data.datasets import import_file

    old = os.environ.get("RLCORE_DATASETS_DIR")
    os.environ["RLCORE_DATASETS_DIR"] = str(root / "store")
    try:
        rng = np.random.default_rng(0)
        ids = {}
        for env, d, discrete in (("CartPole-v1", 4, True), ("Pendulum-v1", 3, False)):
            n = 400
            act = rng.integers(0, 2, n) if discrete else rng.uniform(-2, 2, (n, 1))
            ends = np.zeros(n, np.float32)
            ends[99::100] = 1
            arrays = {
                "observations": rng.normal(size=(n, d)).astype(np.float32),
                "actions": act,
                "rewards": rng.normal(size=n).astype(np.float32),
                "next_observations": rng.normal(size=(n, d)).astype(np.float32),
                "terminals": (rng.random(n) < 0.02).astype(np.float32),
                "timeouts": ends,
            }
            np.savez(root / f"{d}.npz", **arrays)
            ids[env] = import_file(root / f"{d}.npz", env, "rand")
        yield ids
    finally:
        if old is None:
            os.environ.pop("RLCORE_DATASETS_DIR", None)
        else:
            os.environ["RLCORE_DATASETS_DIR"] = old


class Proc:
    """What a fake launcher returns in place of a worker process: it never ends
    (``poll`` is None) and its pid is this live process's, so the queue counts its run
    as running while nothing is started."""

    @property
    def pid(self) -> int:
        return os.getpid()

    def poll(self):
        return None


def recording_launcher(launched: list, running: bool = False):
    """A launcher that starts no process: it appends each run id to ``launched`` (and,
    with ``running``, marks the run running as a started worker would)."""

    def launch(run_id, store):
        launched.append(run_id)
        if running:
            store.set_status(run_id, "running", step=0)
        return Proc()

    return launch


def fake_app_queue(monkeypatch) -> list:
    """Point the app's job queue (``ui.jobs.queue``) at one whose launcher starts no
    process; returns the list of the run ids it launched."""
    import ui.jobs
    from rlcore.service.jobs import JobQueue
    from rlcore.service.runs import RunStore

    launched: list = []
    q = JobQueue(RunStore(), launcher=recording_launcher(launched), dispatch=False)
    monkeypatch.setattr(ui.jobs, "queue", lambda: q)
    return launched


def assert_one_population_queued(launched: list, n: int) -> list[str]:
    """The page created ``n`` runs, tagged as one population, and launched one worker
    for them all (its leader's). Returns the run ids."""
    from rlcore.service.jobs import run_extra
    from rlcore.service.runs import RunStore
    from rlcore.service.worker import population_of

    store = RunStore()
    ids = store.ids()
    assert len(ids) == n and len(launched) == 1  # one worker trains them all
    assert population_of(store, launched[0]) is not None
    assert all(run_extra(store, r).get("population") for r in ids)
    return ids
