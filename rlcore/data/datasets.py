"""Offline datasets: build them from our own agents, store them as Minari datasets.

Kinds (as in D4RL):

- ``random``: a uniformly random policy.
- ``expert``: the greedy policy of an agent trained online to the environment's
  preset budget (SAC for continuous actions, DQN for discrete).
- ``medium``: the *stochastic* policy of an agent stopped early, at about a third to a
  half of the expert's normalised score.
- ``medium-replay``: the whole replay buffer of that early-stopped run.
- ``mixed``: episodes of other kinds in chosen proportions, e.g. random 0.5 + expert 0.5.

Every dataset records the environment's random and expert returns (Minari's
``ref_min_score`` / ``ref_max_score``) so results show a D4RL-style normalised score
``100 (R - R_random) / (R_expert - R_random)``. Datasets live under
``$RLCORE_DATASETS_DIR`` (default ``datasets_store/``) in Minari's layout; nothing is
downloaded. ``import_file`` brings in a D4RL-style ``.hdf5`` or ``.npz`` file after
validating it; a rejected file leaves nothing on disk.

Every dataset id from outside goes through :func:`dataset_path` (a name such as
``rlplay/pendulum/random-v0``, never a path; refused with a message naming the field),
and only a listed dataset can be deleted. Writes are all or nothing: a dataset is
written into a hidden staging folder (``.staging-*``, which Minari's listing skips) and
moved into place by one rename, so a build or an import killed at any point, or ended
by a full disk, never leaves half a dataset that lists, loads or trains. Staging folders
of killed builds are removed by the next listing or build: every build holds a shared
``flock`` on ``.lock`` while it writes, and a folder is stale once the lock can be taken
exclusively.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import tempfile
import warnings
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from rlcore.core.config import short_repr
from rlcore.core.envs import env_spec, make_env
from rlcore.core.files import atomic_write_json, storage_error
from rlcore.core.ids import check_dataset_id, inside
from rlcore.data import importers

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: no locks, one process at a time
    fcntl = None  # type: ignore[assignment]

__all__ = [
    "KINDS",
    "DatasetInfo",
    "Transitions",
    "dataset_path",
    "datasets_dir",
    "delete_dataset",
    "import_file",
    "list_datasets",
    "load_transitions",
    "local_dataset",
    "normalized_score",
    "reference_problem",
]

KINDS = ("random", "medium", "expert", "medium-replay", "mixed")
NAMESPACE = "rlplay"
MAX_TRANSITIONS = 2_000_000  # the local default; the limit in force: max_transitions()
REQUIRED_KEYS = ("observations", "actions", "rewards", "next_observations", "terminals")
MEDIUM_TARGET = (33.0, 50.0)  # normalised score band of the "medium" policy


def max_transitions() -> int:
    """Most transitions a dataset may hold here (``RLCORE_MAX_DATASET_TRANSITIONS``)."""
    from rlcore.core.settings import get_settings

    return get_settings().max_dataset_transitions


def datasets_dir() -> Path:
    """``$RLCORE_DATASETS_DIR`` or ``./datasets_store`` (absolute)."""
    return Path(os.environ.get("RLCORE_DATASETS_DIR", "datasets_store")).resolve()


def dataset_path(ds_id: str, field: str = "dataset") -> Path:
    """The folder of dataset ``ds_id``: the one door every dataset id goes through.

    Raises:
        ValueError: naming ``field``, when ``ds_id`` is not a dataset id (a path, ``..``,
            NUL, too long; see ``rlcore.core.ids``) or leads outside the datasets folder
            (a symlink out of it).
    """
    check_dataset_id(ds_id, field)
    return inside(datasets_dir(), ds_id, field, "that dataset")


STAGING = ".staging-"  # hidden: Minari's listing skips names that start with "."
LOCK = ".lock"  # shared while a build writes; exclusive to remove stale staging folders
SWAP_LOCK = ".swap.lock"  # exclusive while a dataset is moved into place


@contextlib.contextmanager
def _flock(path: Path, mode: int) -> Iterator[bool]:
    """Hold ``flock(path, mode)``; yields ``False`` if a non-blocking lock was refused."""
    with open(path, "a") as fh:
        if fcntl is None:
            yield True
            return
        try:
            fcntl.flock(fh, mode)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _clean_stale(root: Path) -> None:
    """Remove the staging folders of builds that were killed (none holds the lock now)."""
    try:
        stale = [p for p in root.iterdir() if p.name.startswith(STAGING)]
        if not stale or fcntl is None:
            return
        with _flock(root / LOCK, fcntl.LOCK_EX | fcntl.LOCK_NB) as free:
            if free:  # no build is writing: every staging folder is a dead build's
                for p in stale:
                    shutil.rmtree(p, ignore_errors=True)
    except OSError:
        pass  # a read-only folder: nothing could have been written there either


@contextlib.contextmanager
def _staging() -> Iterator[Path]:
    """A fresh hidden folder inside the datasets folder, removed on the way out."""
    root = datasets_dir()
    root.mkdir(parents=True, exist_ok=True)
    _clean_stale(root)
    with _flock(root / LOCK, fcntl.LOCK_SH if fcntl else 0):
        tmp = Path(tempfile.mkdtemp(prefix=STAGING, dir=root))
        try:
            yield tmp
        finally:
            shutil.rmtree(tmp, ignore_errors=True)


def _move(src: Path, dst: Path) -> None:
    os.rename(src, dst)  # atomic within one file system (both lie in the datasets folder)


def _swap_in(new: Path, target: Path, staging: Path) -> None:
    """Move a written dataset into place; the one it replaces goes into ``staging``.

    Between the two renames the id is briefly absent (a build killed right there leaves
    it absent), never half there; if the second rename fails the old one goes back.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    with _flock(datasets_dir() / SWAP_LOCK, fcntl.LOCK_EX if fcntl else 0):
        replaced = None
        if target.exists() or target.is_symlink():
            replaced = staging / "replaced"
            _move(target, replaced)
        try:
            _move(new, target)
        except OSError:
            if replaced is not None:  # the new one could not go in: the old one goes back
                _move(replaced, target)
            raise


def _write_error(action: str, e: OSError) -> OSError:
    return storage_error(action, datasets_dir(), e, "RLCORE_DATASETS_DIR", "datasets")


@contextlib.contextmanager
def _minari_env(root: Path | None = None) -> Iterator[Any]:
    """Point Minari at our folder (or ``root``), silence its metadata-recommendation warnings."""
    old = os.environ.get("MINARI_DATASETS_PATH")
    os.environ["MINARI_DATASETS_PATH"] = str(root or datasets_dir())
    try:
        import minari

        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            yield minari
    finally:
        if old is None:
            os.environ.pop("MINARI_DATASETS_PATH", None)
        else:
            os.environ["MINARI_DATASETS_PATH"] = old


def dataset_id(env_id: str, name: str) -> str:
    """Minari id ``rlplay/<env>/<name>-v0`` (lower case, Minari's naming rules).

    Any character of ``name`` outside ASCII letters and digits becomes ``-``, so no name can
    make the id a path; ``ValueError`` naming ``name`` for a non-string or over 100 chars.
    """
    if not isinstance(name, str) or len(name) > 100:
        raise ValueError(f"name = {short_repr(name, 40)}: give a name of 1 to 100 characters")
    env = env_id.split("-v")[0].lower()
    safe = "".join(c if c.isascii() and c.isalnum() else "-" for c in name.lower())
    safe = safe.strip("-") or "data"
    return f"{NAMESPACE}/{env}/{safe}-v0"


@dataclass
class Transitions:
    """A dataset flattened into transitions (what the replay buffer loads)."""

    observations: np.ndarray
    actions: np.ndarray
    rewards: np.ndarray
    next_observations: np.ndarray
    terminals: np.ndarray
    timeouts: np.ndarray  # 1 at the last step of an episode cut short (truncated), as in D4RL
    episode_returns: np.ndarray

    def __len__(self) -> int:
        return len(self.rewards)


@dataclass
class DatasetInfo:
    """What the Datasets page lists."""

    id: str
    env: str
    kind: str
    transitions: int
    episodes: int
    return_mean: float
    return_std: float
    return_min: float
    return_max: float
    ref_random: float
    ref_expert: float
    source: str
    size_mb: float

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @property
    def reference_problem(self) -> str | None:
        """Why this dataset's normalised scores mean nothing (``None`` if they do)."""
        return reference_problem(self.ref_random, self.ref_expert)


# -- reference scores and policies ---------------------------------------------------


def _experts_dir() -> Path:
    return datasets_dir() / "_experts"


def _episode_returns(env_id: str, policy: Callable, episodes: int, seed: int) -> np.ndarray:
    env = make_env(env_id, seed=seed)
    out = []
    for i in range(episodes):
        obs, _ = env.reset(seed=seed + i)
        total, done = 0.0, False
        while not done:
            obs, r, term, trunc, _ = env.step(policy(obs))
            total += float(r)
            done = term or trunc
        out.append(total)
    env.close()
    return np.asarray(out)


def cheap_reference_scores(env_id: str) -> dict[str, float]:
    """Reference returns without training anything.

    Those of the cached expert with the largest budget that is clearly better than random
    (``rlcore.train.collect``), else the random policy's return and the catalogue's
    "solved" score as the expert reference.
    """
    cached = []
    for meta in (_experts_dir() / env_id).glob("steps-*/reference.json"):
        try:
            refs = json.loads(meta.read_text())
        except (OSError, json.JSONDecodeError):
            continue
        if refs.get("clear"):
            cached.append(refs)
    if cached:
        best = max(cached, key=lambda r: r.get("expert_steps", 0))
        return {"random": best["random"], "expert": best["expert"]}
    env = make_env(env_id, seed=0)
    space = env.action_space
    space.seed(0)
    solved = env_spec(env_id).solved
    if solved is None:
        raise ValueError(
            f"env = {env_id!r}: no expert reference return (a custom environment registered "
            "without reward_threshold: register it with one, or build a dataset first, "
            "which trains an expert)"
        )
    rand = _episode_returns(env_id, lambda _o: space.sample(), 20, 0)
    return {"random": float(rand.mean()), "expert": solved}


def reference_problem(ref_random: float, ref_expert: float) -> str | None:
    """A warning when the expert reference is not above the random one, else ``None``.

    The normalised score divides by ``ref_expert - ref_random``: at zero it is undefined,
    below zero it runs backwards (a better policy scores lower), so either way the scores
    of that dataset mean nothing.
    """
    if ref_expert > ref_random:
        return None
    return (
        f"the expert reference return ({ref_expert:.4g}) is not above the random one "
        f"({ref_random:.4g}), so normalised scores on this dataset mean nothing; train a "
        "better expert: delete the cached one (datasets folder, _experts/<env>) and build "
        "again with a larger --expert-steps"
    )


def normalized_score(ret: float, ref_random: float, ref_expert: float) -> float:
    """D4RL normalised score: 0 = random policy, 100 = expert."""
    span = ref_expert - ref_random
    return float("nan") if span == 0 else 100.0 * (ret - ref_random) / span


# -- collecting episodes ---------------------------------------------------------------


def _collect(env_id: str, policy: Callable, n_steps: int, seed: int) -> list[dict]:
    """Whole episodes from ``policy`` until at least ``n_steps`` transitions."""
    env = make_env(env_id, seed=seed)
    episodes, total, i = [], 0, 0
    while total < n_steps:
        obs, _ = env.reset(seed=seed + i)
        i += 1
        ep = {"obs": [obs], "act": [], "rew": [], "term": [], "trunc": []}
        done = False
        while not done:
            a = policy(obs)
            obs, r, term, trunc, _ = env.step(a)
            ep["obs"].append(obs)
            ep["act"].append(a)
            ep["rew"].append(float(r))
            ep["term"].append(bool(term))
            ep["trunc"].append(bool(trunc))
            done = term or trunc
        total += len(ep["rew"])
        episodes.append(ep)
    env.close()
    return episodes


def _split_episodes(
    obs: np.ndarray,
    act: np.ndarray,
    rew: np.ndarray,
    nxt: np.ndarray,
    term: np.ndarray,
    ends: np.ndarray | None = None,
) -> list[dict]:
    """Cut flat transitions into episodes.

    A cut falls at a terminal, at ``ends`` (e.g. timeouts), or where s'_t is not s_{t+1};
    an episode not ending in a terminal is truncated.
    """
    cut = term | np.r_[~np.all(nxt[:-1] == obs[1:], axis=1), True]
    if ends is not None:
        cut |= ends
    episodes, start = [], 0
    for t in np.flatnonzero(cut):
        sl = slice(start, t + 1)
        episodes.append(
            {
                "obs": [*obs[sl], nxt[t]],
                "act": list(act[sl]),
                "rew": list(rew[sl]),
                "term": list(term[sl]),
                "trunc": [False] * (t - start) + [not bool(term[t])],
            }
        )
        start = t + 1
    return episodes


def _episodes_from_buffer(data: np.ndarray, cols: tuple[int, ...]) -> list[dict]:
    """Split a replay buffer's rows back into episodes."""
    o0, a0, r0, n0, d0, _ = cols
    return _split_episodes(
        data[:, o0:a0], data[:, a0:r0], data[:, r0], data[:, n0:d0], data[:, d0] > 0.5
    )


def _write(
    ds_id: str,
    env_id: str,
    episodes: list[dict],
    refs: dict[str, float],
    kind: str,
    source: str,
    owner: str = "",
) -> str:
    """Store episodes as a Minari dataset, all or nothing (see the module docstring).

    ``owner`` (a visitor on a hosted server; ``""``: the operator) is recorded in
    ``rlplay.json``; on a hosted server a dataset of another owner is never replaced.

    Raises:
        ValueError: the id names another visitor's dataset (hosted).
        StorageError: an ``OSError`` with a message (a full disk, a read-only folder);
            nothing of the dataset is left on disk.
    """
    from minari.data_collector import EpisodeBuffer

    target = dataset_path(ds_id)
    check_overwrite(ds_id, owner)
    env = make_env(env_id)
    discrete = env_spec(env_id).action_space == "discrete"
    buffers = []
    for ep in episodes:
        acts = np.asarray(ep["act"], dtype=np.int64 if discrete else np.float32)
        buffers.append(
            EpisodeBuffer(
                observations=np.asarray(ep["obs"], dtype=np.float32),
                actions=acts if discrete else acts.reshape(len(acts), -1),
                rewards=np.asarray(ep["rew"], dtype=np.float64),
                terminations=np.asarray(ep["term"], dtype=bool),
                truncations=np.asarray(ep["trunc"], dtype=bool),
                infos={},
            )
        )
    try:
        with _staging() as tmp:
            with _minari_env(tmp) as minari:
                minari.create_dataset_from_buffers(
                    ds_id,
                    buffers,
                    env=env.spec,
                    observation_space=env.observation_space,
                    action_space=env.action_space,
                    ref_min_score=refs["random"],
                    ref_max_score=refs["expert"],
                    algorithm_name=source,
                    author="RL Playground",
                    author_email="rl-playground@localhost",
                    code_permalink="rlcore/datasets.py",
                    description=f"{kind} dataset of {env_id}: {source}",
                    data_format="arrow",
                )
            extra = {"kind": kind, "env": env_id, "source": source, "owner": owner}
            atomic_write_json(tmp / ds_id / "rlplay.json", extra)
            check_overwrite(ds_id, owner)  # again: another visitor may have taken the name
            _swap_in(tmp / ds_id, target, tmp)
    except OSError as e:
        raise _write_error(f"write dataset {ds_id}", e) from e
    finally:
        env.close()
    return ds_id


def dataset_owner(ds_id: str) -> str:
    """The visitor who made a local dataset (``""``: the operator, or the local user)."""
    try:
        owner = _extra(ds_id).get("owner") or ""
    except (OSError, ValueError):
        return ""
    return owner if isinstance(owner, str) else ""


def visible_to(ds_id: str, who: str | None) -> bool:
    """Whether ``who`` sees a dataset: locally all; hosted, their own and the operator's."""
    from rlcore.core.owners import hosted

    if who is None or not hosted():
        return True
    return dataset_owner(ds_id) in ("", who)


def check_overwrite(ds_id: str, owner: str) -> None:
    """``ValueError`` if writing ``ds_id`` would replace a dataset ``owner`` may not replace."""
    from rlcore.core.owners import may_control

    if ds_id in _local_ids() and not may_control(dataset_owner(ds_id), owner or None):
        raise ValueError(
            f"name: a dataset {ds_id!r} already exists and is not yours "
            "(allowed: a name none of the listed datasets has)"
        )


def dataset_bytes_by_owner() -> Counter:
    """Bytes of the local datasets per owner (they count towards disk budgets)."""
    from rlcore.core.owners import dir_bytes

    out: Counter = Counter()
    for ds_id in _local_ids():
        out[dataset_owner(ds_id)] += dir_bytes(dataset_path(ds_id))
    return out


def check_build_args(kind: str, n_steps: int, expert_steps: int | None) -> None:
    """``ValueError`` naming the field for a bad kind, size or expert budget."""
    from rlcore.core.settings import get_settings

    if not isinstance(kind, str) or kind not in KINDS:
        raise ValueError(
            f"kind = {short_repr(kind, 40)}: unknown dataset kind (allowed: {', '.join(KINDS)})"
        )
    cap = max_transitions()
    if isinstance(n_steps, bool) or not isinstance(n_steps, int) or not 100 <= n_steps <= cap:
        raise ValueError(
            f"n_steps = {short_repr(n_steps, 40)}: out of range (allowed: 100 to {cap}; "
            "set by RLCORE_MAX_DATASET_TRANSITIONS)"
        )
    max_steps = get_settings().max_steps
    if expert_steps is not None and (
        isinstance(expert_steps, bool)
        or not isinstance(expert_steps, int)
        or not 1 <= expert_steps <= max_steps
    ):
        raise ValueError(
            f"expert_steps = {short_repr(expert_steps, 40)}: out of range "
            f"(allowed: 1 to {max_steps}; set by RLCORE_MAX_STEPS)"
        )


# -- reading ------------------------------------------------------------------------------


def _local_ids() -> list[str]:
    """The datasets of the folder, found as Minari lays them out, through the door.

    Not ``minari.list_local_datasets``: it follows symlinks out of the folder, and one
    stray ``data`` folder at a path without ``-v<version>`` makes it raise a TypeError.
    A dataset is a folder whose id passes :func:`dataset_path` and whose
    ``data/metadata.json`` names that id; hidden (staging) and ``_`` folders are skipped,
    and no symlink is followed out of the folder.
    """
    root = datasets_dir()
    try:
        real_root = root.resolve()
    except (OSError, RuntimeError):
        return []
    out: list[str] = []

    def walk(d: Path, parts: tuple[str, ...]) -> None:
        try:
            children = sorted(d.iterdir())
        except OSError:
            return
        for p in children:
            if p.name.startswith((".", "_")) or len(parts) >= 8:
                continue
            try:
                real = p.resolve()
                if not p.is_dir() or real_root not in real.parents:
                    continue
            except (OSError, RuntimeError):
                continue
            rel = "/".join((*parts, p.name))
            if (p / "data").is_dir():
                if _names_itself(rel):
                    out.append(rel)
            else:
                walk(p, (*parts, p.name))

    walk(root, ())
    return sorted(out)


def _names_itself(ds_id: str) -> bool:
    """Whether ``ds_id`` passes the door and its metadata names it (Minari's own check)."""
    try:
        path = dataset_path(ds_id)
        meta = json.loads((path / "data" / "metadata.json").read_text())
    except (ValueError, OSError):
        return False
    return isinstance(meta, dict) and meta.get("dataset_id") == ds_id


def _no_such(ds_id: str, local: list[str], field: str = "dataset") -> ValueError:
    shown = ", ".join(local[:20]) + (" ..." if len(local) > 20 else "")
    return ValueError(
        f"{field} = {ds_id!r}: no such local dataset (allowed: {shown or 'none yet'})"
    )


def local_dataset(ds_id: str, field: str = "dataset") -> Path:
    """The folder of a dataset :func:`list_datasets` lists; ``ValueError`` naming ``field``."""
    path = dataset_path(ds_id, field)
    local = _local_ids()
    if ds_id not in local:
        raise _no_such(ds_id, local, field)
    return path


def load_transitions(ds_id: str) -> tuple[Transitions, dict[str, Any]]:
    """Transitions of a local dataset and its metadata (env, reference scores, ...)."""
    local_dataset(ds_id)
    with _minari_env() as minari:
        ds = minari.load_dataset(ds_id)
        obs, act, rew, nxt, term, tout, rets = [], [], [], [], [], [], []
        for e in ds.iterate_episodes():
            o = np.asarray(e.observations, dtype=np.float32).reshape(len(e.observations), -1)
            obs.append(o[:-1])
            nxt.append(o[1:])
            act.append(np.asarray(e.actions).reshape(len(e.rewards), -1))
            rew.append(np.asarray(e.rewards, dtype=np.float32))
            term.append(np.asarray(e.terminations, dtype=np.float32))
            tout.append(np.asarray(e.truncations, dtype=np.float32))
            rets.append(float(np.sum(e.rewards)))
        meta = dict(ds.storage.metadata)
    extra = _extra(ds_id)
    env_id = extra.get("env") or json.loads(meta["env_spec"])["id"]
    meta.update(env=env_id, kind=extra.get("kind", "imported"), source=extra.get("source", ""))
    tr = Transitions(
        np.concatenate(obs),
        np.concatenate(act).astype(np.float32),
        np.concatenate(rew),
        np.concatenate(nxt),
        np.concatenate(term),
        np.concatenate(tout),
        np.asarray(rets),
    )
    return tr, meta


def _extra(ds_id: str) -> dict[str, Any]:
    p = dataset_path(ds_id) / "rlplay.json"
    return json.loads(p.read_text()) if p.exists() else {}


def _size_mb(path: Path) -> float:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) / 1e6


def list_datasets(who: str | None = None) -> list[DatasetInfo]:
    """Every local Minari dataset with its size, return distribution and source.

    Staging folders left by killed builds are removed on the way (never listed). With
    ``who`` on a hosted server: only that visitor's datasets and the operator's.
    """
    if datasets_dir().is_dir():
        _clean_stale(datasets_dir())
    out = []
    for ds_id in _local_ids():
        if not visible_to(ds_id, who):
            continue
        try:
            tr, meta = load_transitions(ds_id)
        except Exception:
            continue
        r = tr.episode_returns
        out.append(
            DatasetInfo(
                id=ds_id,
                env=meta["env"],
                kind=meta["kind"],
                transitions=len(tr),
                episodes=len(r),
                return_mean=float(r.mean()),
                return_std=float(r.std()),
                return_min=float(r.min()),
                return_max=float(r.max()),
                ref_random=float(meta.get("ref_min_score") or 0.0),
                ref_expert=float(meta.get("ref_max_score") or 0.0),
                source=meta.get("source") or meta.get("algorithm_name") or "",
                size_mb=_size_mb(dataset_path(ds_id)),
            )
        )
    return out


def delete_dataset(ds_id: str, who: str | None = None) -> None:
    """Remove a listed local dataset, all or nothing; ``ValueError`` for anything else.

    The id goes through :func:`dataset_path` and must be one :func:`list_datasets` would
    list: a path, a symlink out of the folder, the experts' cache or a half-written
    folder is never deleted. The folder is first renamed into a staging folder, so a
    delete killed midway leaves the dataset whole or gone. ``who``: the visitor asking
    (hosted: only the owner deletes); ``None``: the operator.
    """
    from rlcore.core.owners import check_control

    target = local_dataset(ds_id)
    if who is not None:
        check_control(dataset_owner(ds_id), who, f"dataset {ds_id}")
    try:
        with _staging() as tmp:
            _move(target, tmp / "deleted")
    except OSError as e:
        raise _write_error(f"delete dataset {ds_id}", e) from e


# -- importing D4RL-style files -------------------------------------------------------------


def _schema(env_id: str) -> importers.Schema:
    """What an imported file may declare for ``env_id`` (keys, values per row, rows)."""
    env = make_env(env_id)
    obs_space, action_space = env.observation_space, env.action_space
    env.close()
    discrete = env_spec(env_id).action_space == "discrete"
    obs_dim = int(np.prod(obs_space.shape))
    row = dict.fromkeys((*REQUIRED_KEYS, "timeouts"), 1)
    row.update(
        observations=obs_dim,
        next_observations=obs_dim,
        actions=1 if discrete else int(np.prod(action_space.shape)),
    )
    return importers.Schema(
        env_id,
        REQUIRED_KEYS,
        ("timeouts",),
        row,
        ("rewards", "terminals", "timeouts"),
        max_transitions(),
    )


def _read_arrays(path: Path, env_id: str) -> dict[str, np.ndarray]:
    """The arrays of a .npz/.hdf5 file, read only as declared (``rlcore.data.importers``).

    Nothing is unpickled, no link is followed, no data outside the file is read, and the
    declarations are checked against ``env_id``'s layout, the transitions cap and a size
    cap tied to the file's size before anything is allocated.
    """
    return importers.read_arrays(path, _schema(env_id))


def _as_array(k: str, v: Any) -> np.ndarray:
    try:
        a = np.asarray(v)
    except Exception:  # ragged lists, objects that refuse conversion
        raise ValueError(f"{k}: not an array of numbers") from None
    if a.dtype.kind not in "biuf":
        raise ValueError(f"{k}: dtype {a.dtype} is not numeric")
    if a.ndim == 0:
        raise ValueError(f"{k}: a single value, expected one row per transition")
    return a


def validate_arrays(arrays: dict[str, np.ndarray], env_id: str) -> dict[str, np.ndarray]:
    """Check a D4RL key layout against the environment; ``ValueError`` naming the problem."""
    if not isinstance(arrays, dict):
        raise ValueError("expected named arrays (a .npz or .hdf5 file with D4RL keys)")
    missing = [k for k in REQUIRED_KEYS if k not in arrays]
    if missing:
        raise ValueError(
            f"missing key(s) {', '.join(missing)} (required: "
            f"{', '.join(REQUIRED_KEYS)}; optional: timeouts)"
        )
    if not isinstance(env_id, str):
        raise ValueError(f"env = {short_repr(env_id, 40)}: not an environment id")
    spec = env_spec(env_id)  # ValueError for an id outside the catalogue
    discrete = spec.action_space == "discrete"
    rewards = _as_array("rewards", arrays["rewards"])
    n = len(rewards)
    if n == 0:
        raise ValueError("rewards: the file holds no transitions")
    cap = max_transitions()
    if n > cap:
        raise ValueError(
            f"{n} transitions: too large (allowed: at most {cap}; "
            "set by RLCORE_MAX_DATASET_TRANSITIONS)"
        )
    out = {}
    for k in (*REQUIRED_KEYS, "timeouts"):
        if k not in arrays:
            continue
        a = _as_array(k, arrays[k])
        if len(a) != n:
            raise ValueError(f"{k}: length {len(a)} != rewards length {n}")
        if a.size == 0:
            raise ValueError(f"{k}: shape {a.shape} holds no values")
        with np.errstate(over="ignore", invalid="ignore"):
            a = a.astype(np.float32)
        if not np.isfinite(a).all():
            raise ValueError(f"{k}: contains NaN or inf (or values beyond float32)")
        if k in ("rewards", "terminals", "timeouts"):
            if a.size != n:
                raise ValueError(f"{k}: shape {a.shape}, expected ({n},): one value per step")
            a = a.reshape(n)
        out[k] = a
    env = make_env(env_id)
    obs_space, action_space = env.observation_space, env.action_space
    env.close()
    obs_dim = int(np.prod(obs_space.shape))
    for k in ("observations", "next_observations"):
        if out[k].size != n * obs_dim:
            raise ValueError(f"{k}: shape {out[k].shape}, expected ({n}, {obs_dim}) for {env_id}")
    act = out["actions"].reshape(n, -1)
    if discrete:
        if act.shape[1] != 1 or not np.all(act == np.round(act)):
            raise ValueError(f"actions: expected integer action indices for {env_id}")
        if act.min() < 0 or act.max() >= action_space.n:
            raise ValueError(f"actions: outside 0..{action_space.n - 1} for {env_id}")
    else:
        low, high = action_space.low, action_space.high
        if act.shape[1] != len(low):
            raise ValueError(
                f"actions: shape {arrays['actions'].shape}, expected ({n}, {len(low)}) for {env_id}"
            )
        if (act < low - 1e-5).any() or (act > high + 1e-5).any():
            raise ValueError(
                f"actions: outside the action bounds [{low.tolist()}, {high.tolist()}] of {env_id}"
            )
    for k in ("terminals", "timeouts"):
        if k in out and not np.isin(out[k], (0.0, 1.0)).all():
            raise ValueError(f"{k}: values must be 0 or 1")
    return out


def import_file(
    path: str | Path,
    env_id: str,
    name: str,
    max_bytes: int | None = None,
    owner: str = "",
) -> str:
    """Import a D4RL-style file as a local dataset; returns its id.

    ``max_bytes`` defaults to the upload limit (``RLCORE_MAX_UPLOAD_MB``); the file's
    arrays may unpack to at most 20 times its own size (at least 16 MB), checked from
    their declarations before any is read (``rlcore.data.importers``). Nothing stays on
    disk if the file is rejected (``ValueError`` naming the problem).
    """
    from rlcore.core.settings import get_settings

    if max_bytes is None:
        max_bytes = get_settings().max_upload_bytes
    path = Path(path)
    if not isinstance(name, str) or not name.strip() or len(name) > 100:
        raise ValueError(f"name = {short_repr(name, 40)}: give a name of 1 to 100 characters")
    try:
        size = path.stat().st_size
    except OSError as e:
        raise ValueError(f"{path.name}: cannot read the file ({e.strerror or e})") from None
    if size > max_bytes:
        raise ValueError(
            f"{path.name}: {size / 1e6:.0f} MB is too large "
            f"(allowed: at most {max_bytes / 1e6:.0f} MB; set by RLCORE_MAX_UPLOAD_MB)"
        )
    if not isinstance(env_id, str):
        raise ValueError(f"env = {short_repr(env_id, 40)}: not an environment id")
    env_spec(env_id)  # an id outside the catalogue is refused before the file is read
    arrays = validate_arrays(_read_arrays(path, env_id), env_id)
    n = len(arrays["rewards"])
    obs = arrays["observations"].reshape(n, -1)
    nxt = arrays["next_observations"].reshape(n, -1)
    term = arrays["terminals"] > 0.5
    tout = arrays.get("timeouts", np.zeros(n, np.float32)) > 0.5
    act = arrays["actions"].reshape(n, -1)
    if env_spec(env_id).action_space == "discrete":
        act = act.reshape(n).astype(np.int64)
    episodes = _split_episodes(obs, act, arrays["rewards"], nxt, term, ends=tout)
    return _write(
        dataset_id(env_id, name),
        env_id,
        episodes,
        cheap_reference_scores(env_id),
        "imported",
        f"imported from {path.name}",
        owner,
    )
