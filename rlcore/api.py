"""The object API: one class per registered algorithm, as Stable-Baselines3 users know it.

```python
from rlcore import DQN

model = DQN("CartPole-v1", seed=0)        # the environment's tuned preset, validated
model.learn(50_000)                       # trains a normal run (the app lists it)
action, _ = model.predict(obs)            # one observation or a batch
model.save("dqn-cartpole")                # a folder: model.safetensors + config.json
model = DQN.load("dqn-cartpole")          # no pickle anywhere
model.learn(10_000)                       # goes on: optimiser state and step counter kept
```

Every class is made from the registry (:data:`rlcore.algos.registry.ALGORITHMS`), so a
new algorithm gets its class by being registered. Underneath is the same path as the
CLI and the app: :func:`rlcore.train.presets.make_configs` validates (a bad
hyperparameter raises the same one-line ``ValueError`` naming the field and its range),
``RunStore.create`` makes the run and ``run_job`` trains it in this process.

The environment is an id (the catalogue, ``RLCORE_ENV_MODULES``, ``module:Class``), a
``gymnasium.Env`` or a callable returning one. An object or a callable is registered in
this process under an id ``py/<Name>-v<n>`` (copies of an object are made with
``copy.deepcopy``: training, evaluation and vector environments each need their own).
Offline algorithms take a dataset id instead (``CQL("rlplay/pendulum/mixed-v0")``).
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any, ClassVar

import gymnasium as gym
import numpy as np

from rlcore.algos.base import Agent
from rlcore.algos.registry import ALGORITHMS, get_algo
from rlcore.core.config import AlgoConfig, RunConfig, hparams, short_repr, to_dict
from rlcore.core.envs import ENVIRONMENTS, register_env_maker, space_info

__all__ = ["ALGORITHM_CLASSES", "Algorithm"]

# RunConfig fields a constructor takes as keywords besides the hyperparameters (the rest
# are arguments of their own: env, seed, device, dataset; steps is learn's)
RUN_KEYWORDS = (
    "eval_every",
    "eval_episodes",
    "log_every",
    "threads",
    "matmul_precision",
    "compile",
    "tensorboard",
)
Callback = Callable[[dict[str, Any]], Any]


def _env_id(env: Any) -> str:
    """An environment id for ``env``: itself if text, else one registered in this process."""
    if isinstance(env, str):
        return env
    if isinstance(env, gym.Env):
        spec = env.spec
        if spec is not None and spec.id in ENVIRONMENTS:
            catalogue = gym.spec(spec.id)
            same = spec.kwargs == catalogue.kwargs
            if same and spec.max_episode_steps == catalogue.max_episode_steps:
                return spec.id  # a catalogue environment made with its defaults
        name = spec.id.split("/")[-1].split("-v")[0] if spec else type(env.unwrapped).__name__
        template = env
        base = spec.id if spec is not None else None  # a variant keeps its presets
        return register_env_maker(lambda: copy.deepcopy(template), name, base=base)
    if callable(env):
        name = getattr(env, "__name__", type(env).__name__)
        return register_env_maker(env, "Env" if name == "<lambda>" else name)
    raise ValueError(
        f"env = {short_repr(env)}: not an environment (allowed: an id such as "
        "'CartPole-v1', a gymnasium.Env, or a callable returning one)"
    )


def _dataset_env(dataset: str) -> str:
    """The environment a local dataset was collected on (``ValueError`` naming ``dataset``)."""
    from rlcore.data.datasets import list_datasets, local_dataset

    local_dataset(dataset)
    for info in list_datasets():
        if info.id == dataset:
            return info.env
    raise ValueError(f"dataset = {dataset!r}: its environment cannot be read")


class Algorithm:
    """Base of the generated classes (``rlcore.DQN``, ``rlcore.SAC``, ...).

    Args:
        env: an environment id, a ``gymnasium.Env`` or a callable returning one; for an
            offline algorithm, a dataset id (or pass ``dataset=``).
        seed: the run's seed (torch, numpy, the environments).
        device: ``auto``, ``cpu`` or ``cuda``.
        dataset: offline algorithms: the dataset id (``rlcore dataset list``).
        use_preset: start from the environment's tuned preset (as ``rlcore train`` does).
        runs_dir: the runs folder ``learn`` writes to (default ``$RLCORE_RUNS_DIR`` or
            ``runs/``, the folder the app reads).
        verbose: 0 silent, 1 prints each evaluation.
        **hyperparameters: the algorithm's hyperparameters (``rlcore algos -v``) and the
            run settings eval_every, eval_episodes, log_every, threads,
            matmul_precision, compile, tensorboard.

    Raises:
        ValueError: one line naming the field and the allowed values, as everywhere.
    """

    algo: ClassVar[str] = ""  # the registry name, set on each generated class

    def __init__(
        self,
        env: Any = None,
        *,
        seed: int = 0,
        device: str = "auto",
        dataset: str | None = None,
        use_preset: bool = True,
        runs_dir: str | Path | None = None,
        verbose: int = 0,
        **hyperparameters: Any,
    ) -> None:
        spec = get_algo(self.algo)
        run_over: dict[str, Any] = {"seed": seed, "device": device}
        if spec.setting == "offline":
            dataset = dataset if dataset is not None else env
            if not isinstance(dataset, str):
                raise ValueError(
                    f"dataset = {short_repr(dataset)}: {spec.title} learns offline and needs "
                    "a dataset id (allowed: the ids rlcore dataset list shows)"
                )
            run_over["dataset"] = dataset
            env_id = _dataset_env(dataset)
        else:
            if dataset is not None:
                raise ValueError(
                    f"dataset = {short_repr(dataset)}: {spec.title} learns online "
                    "(allowed: none; give an environment)"
                )
            env_id = _env_id(env)
        hp = dict(hyperparameters)
        for name in RUN_KEYWORDS:
            if name in hp:
                run_over[name] = hp.pop(name)
        for name in ("steps", "total_timesteps"):
            if name in hp:
                raise ValueError(
                    f"{name} = {short_repr(hp[name])}: the budget is learn()'s argument "
                    "(allowed: model.learn(total_timesteps))"
                )
        self._hp, self._run_over, self._use_preset = hp, run_over, use_preset
        self.env_id = env_id
        self.run_config, self.algo_config = self._configs(None)
        self.runs_dir = runs_dir
        self.verbose = verbose
        self.num_timesteps = 0
        self.run_id: str | None = None  # the run of the last learn()
        self._trained = False
        self._updates = 0  # gradient updates so far (the training state's counter)
        self.policy = self._fresh_agent()

    # -- construction -----------------------------------------------------------------
    def _configs(self, steps: int | None) -> tuple[RunConfig, AlgoConfig]:
        from rlcore.train.presets import make_configs

        run = dict(self._run_over)
        if steps is not None:
            run["steps"] = steps
        return make_configs(
            self.algo, self.env_id, dict(self._hp), run, use_preset=self._use_preset
        )

    def _fresh_agent(self) -> Agent:
        from rlcore.train.trainer import build_agent, seed_everything

        seed_everything(self.run_config.seed)
        return build_agent(self.run_config, self.algo_config)

    @property
    def env(self) -> gym.Env:
        """A fresh environment as the agent sees it (observations as ``predict`` takes them)."""
        from rlcore.core.envs import make_env

        return make_env(self.env_id)

    # -- training ---------------------------------------------------------------------
    def learn(
        self,
        total_timesteps: int,
        callback: Callback | None = None,
        progress_bar: bool = False,
        reset_num_timesteps: bool = False,
    ) -> Algorithm:
        """Train for ``total_timesteps`` as a new run in the run store; returns ``self``.

        The first call trains from the seeded initial agent, exactly as ``rlcore train``
        would; a later call (or one after :meth:`load`) is a new run that continues this
        one, as ``rlcore train --from``: the weights, the optimiser state (Adam's moments)
        and the counters (its steps go on from :attr:`num_timesteps`, the schedules with
        them; the run records ``continued_from``). The replay buffer is not kept: it
        refills during ``learning_starts`` (:mod:`rlcore.train.resume`). A model loaded
        from a folder without ``train_state.safetensors`` continues with fresh optimiser
        moments.

        Args:
            total_timesteps: environment steps (offline: gradient steps) to add.
            callback: called with every metrics dict the trainer yields (episode rows,
                training rows, evaluations); return ``False`` to stop the run early.
            progress_bar: a tqdm bar on stderr.
            reset_num_timesteps: start the counters at 0 again (weights and optimiser state
                still continue). Unlike Stable-Baselines3, whose default is ``True``.

        Raises:
            ValueError: a bad budget (the same message as ``--steps``).
            RuntimeError: the run failed or diverged (its message, and the run id).
        """
        from rlcore.service.runs import RunStore
        from rlcore.service.worker import run_job
        from rlcore.train.resume import restore, run_train_state

        resume, extra = self._resume(reset_num_timesteps)
        run, algo = self._configs(total_timesteps)  # a bad budget: --steps' message
        if resume is not None and resume.step:
            run, algo = self._configs(total_timesteps + resume.step)
        store = RunStore(self.runs_dir)
        run_id = store.create(run, algo, extra=extra)
        self.run_id = run_id
        bar = None
        if progress_bar:
            from tqdm import tqdm

            bar = tqdm(total=run.steps, unit="step", dynamic_ncols=True)

        def on_metrics(m: dict[str, Any]) -> None:
            if bar is not None:
                bar.update(int(m["step"]) - bar.n)
            if self.verbose and "eval/return_mean" in m:
                line = f"step {m['step']:>8}  eval {m['eval/return_mean']:9.2f}"
                (bar.write if bar is not None else print)(line)
            if callback is not None and callback(m) is False:
                store.request_stop(run_id)

        try:
            status = run_job(
                run_id,
                store,
                on_metrics=on_metrics,
                say=(lambda _line: None) if not self.verbose else None,
                resume=resume,
            )
        finally:
            if bar is not None:
                bar.close()
        st = store.status(run_id)
        if status not in ("finished", "stopped"):
            raise RuntimeError(f"run {run_id} {status}: {st.get('message', '')}".rstrip(": "))
        state = run_train_state(store, run_id)
        restore(self.policy, state)
        self.run_config, self.algo_config = run, algo
        self.num_timesteps, self._updates = state.step, state.updates
        self._trained = True
        return self

    def _resume(self, reset_num_timesteps: bool) -> tuple[Any, dict[str, Any]]:
        """What the next run continues from (``None`` before the first learn) and its record."""
        from rlcore.train.resume import CONTINUED_AT, CONTINUED_FROM, capture

        if not self._trained:
            return None, {}
        start = 0 if reset_num_timesteps else self.num_timesteps
        resume = capture(self.policy, start, 0 if reset_num_timesteps else self._updates)
        extra = {CONTINUED_FROM: self.run_id, CONTINUED_AT: start} if self.run_id else {}
        return resume, extra

    # -- acting -----------------------------------------------------------------------
    def predict(
        self,
        observation: Any,
        state: Any = None,
        episode_start: Any = None,
        deterministic: bool = True,
    ) -> tuple[np.ndarray, None]:
        """The policy's action for one observation or a batch: ``(action, None)``.

        Observations as :attr:`env` returns them; the integer states of FrozenLake and
        CliffWalking may also be given as they come from ``gymnasium.make`` (they become
        the one-hot vectors the agent sees). ``state`` and ``episode_start`` are
        accepted for SB3's signature (no recurrent policies here).
        """
        obs = np.asarray(observation)
        if obs.dtype.kind in "iu" and self.policy.obs_dim > 1 and obs.ndim <= 1:
            obs = np.eye(self.policy.obs_dim, dtype=np.float32)[obs]  # state index -> one-hot
        action = self.policy.act(obs, explore=not deterministic)
        return np.asarray(action), None

    # -- saving -----------------------------------------------------------------------
    def save(self, path: str | Path) -> Path:
        """Write a folder ``path`` with ``model.safetensors`` and ``config.json``; returns it.

        The layout of a run folder, so ``load`` also opens ``runs/<id>``; the
        safetensors file carries the configuration too (``load_checkpoint`` reads it).
        A trained model also writes ``train_state.safetensors`` (optimiser state and
        counters, :mod:`rlcore.train.resume`), so that a loaded model's ``learn`` goes on.
        """
        from rlcore.core.files import atomic_write_bytes, atomic_write_json
        from rlcore.train.export import checkpoint_bytes, checkpoint_metadata
        from rlcore.train.resume import TRAIN_STATE, capture, train_state_bytes

        folder = Path(path)
        folder.mkdir(parents=True, exist_ok=True)
        spaces = space_info(self.env_id)
        cfg = {
            "run": to_dict(self.run_config),
            "algo": to_dict(self.algo_config),
            "spaces": spaces,
            "num_timesteps": self.num_timesteps,
            "run_id": self.run_id,
        }
        meta = checkpoint_metadata(cfg["run"], cfg["algo"], spaces)
        atomic_write_bytes(
            folder / "model.safetensors", checkpoint_bytes(self.policy.state_dict(), meta)
        )
        if self._trained:
            state = capture(self.policy, self.num_timesteps, self._updates)
            atomic_write_bytes(folder / TRAIN_STATE, train_state_bytes(state))
        atomic_write_json(folder / "config.json", cfg)
        return folder

    @classmethod
    def load(
        cls, path: str | Path, env: Any = None, device: str | None = None, **kwargs: Any
    ) -> Algorithm:
        """A model saved by :meth:`save` (or a run folder ``runs/<id>``, or its safetensors).

        Args:
            path: the folder (or its ``model.safetensors``).
            env: the environment to continue training on (default: the saved id); needed
                for an environment given as an object when it was saved.
            device: where the agent lives (default: the saved run's).
            **kwargs: ``runs_dir``, ``verbose``.

        Raises:
            ValueError: no such file, a damaged file, or a model of another algorithm.
        """
        from rlcore.core.config import from_dict
        from rlcore.train.export import build_agent_for, saved_run_config

        p = Path(path)
        folder = p if p.is_dir() else p.parent
        weights = p if p.is_file() else p / "model.safetensors"
        if not weights.is_file() or not (folder / "config.json").is_file():
            raise ValueError(
                f"path = {str(path)!r}: no saved model there (allowed: a folder written by "
                "save(), with model.safetensors and config.json, or a run folder)"
            )
        try:
            cfg = json.loads((folder / "config.json").read_text())
            run_values = dict(cfg["run"])
        except (OSError, json.JSONDecodeError, KeyError, TypeError):
            raise ValueError(f"path = {str(path)!r}: its config.json cannot be read") from None
        if device is not None:
            run_values["device"] = device
        run = saved_run_config(run_values)
        model_cls = cls if cls.algo else ALGORITHM_CLASSES[run.algo]
        if run.algo != model_cls.algo:
            raise ValueError(
                f"path = {str(path)!r}: a {run.algo} model (allowed: a {model_cls.algo} "
                f"model here; load it with rlcore.{ALGORITHM_CLASSES[run.algo].__name__})"
            )
        algo = from_dict(get_algo(run.algo).config_cls, cfg["algo"])
        agent = build_agent_for(run, algo, cfg.get("spaces"))
        from rlcore.train.export import weights_problem

        problem = weights_problem(weights)
        if problem:
            raise ValueError(f"path = {str(weights)!r}: the weights are {problem}")
        from safetensors.torch import load_file

        agent.load_state_dict(load_file(str(weights)))
        model = object.__new__(model_cls)
        model._hp = {p.name: getattr(algo, p.name) for p in hparams(type(algo))}
        model._run_over = {k: getattr(run, k) for k in ("seed", "device", *RUN_KEYWORDS)}
        if run.dataset:
            model._run_over["dataset"] = run.dataset
        model._use_preset = False  # the saved values are the whole configuration
        model.env_id = _env_id(env) if env is not None else run.env
        model.run_config, model.algo_config = run, algo
        model.runs_dir = kwargs.get("runs_dir")
        model.verbose = int(kwargs.get("verbose", 0))
        model.num_timesteps = int(cfg.get("num_timesteps") or 0)
        model._updates = 0
        # a run folder (its config has "created"): learn() records that it continues it
        model.run_id = cfg.get("run_id") or (folder.name if "created" in cfg else None)
        model._trained = True
        model.policy = agent
        _load_train_state(model, folder, weights)
        return model

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.env_id!r}, seed={self.run_config.seed})"


def _load_train_state(model: Algorithm, folder: Path, weights: Path) -> None:
    """The optimiser state and counters saved next to the weights, if any (else left fresh)."""
    from rlcore.train.resume import TRAIN_STATE, read_train_state, restore

    if weights.resolve() != (folder / "model.safetensors").resolve():
        return  # weights given as another file: the state beside them is not theirs
    if not (folder / TRAIN_STATE).is_file():
        return
    state = read_train_state(folder / TRAIN_STATE)  # ValueError: damaged
    restore(model.policy, state)
    model.num_timesteps, model._updates = state.step, state.updates


def _make_class(name: str) -> type[Algorithm]:
    spec = ALGORITHMS[name]
    cls_name = spec.agent_cls.__name__
    first = "a dataset id" if spec.setting == "offline" else "an environment"
    doc = (
        f"{spec.title} ({spec.paper}): {spec.setting}, {spec.action_space} actions.\n\n"
        f"``{cls_name}(env, **hyperparameters, seed=0, device='auto')`` with {first} first; "
        "see :class:`rlcore.api.Algorithm` for the arguments and methods.\n\n"
        "Hyperparameters:\n\n"
        + "\n".join(
            f"- ``{p.name}`` = {p.default!r}: {p.help} [{p.range_text()}]"
            for p in hparams(spec.config_cls)
        )
    )
    return type(cls_name, (Algorithm,), {"algo": name, "__doc__": doc, "__module__": __name__})


ALGORITHM_CLASSES: dict[str, type[Algorithm]] = {name: _make_class(name) for name in ALGORITHMS}
globals().update({cls.__name__: cls for cls in ALGORITHM_CLASSES.values()})
__all__ += [cls.__name__ for cls in ALGORITHM_CLASSES.values()]
