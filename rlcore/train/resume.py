"""Continue a run: its weights, its optimisers' state and its counters, without pickle.

A run's **training state** (``train_state.safetensors`` in its folder, written with its
final weights) holds what a run needs to go on as if it had never stopped:

- the agent's tensors (``agent/<name>``: the same as ``model.safetensors``);
- every optimiser the agent holds (found generically: the attributes of the agent that
  are ``torch.optim.Optimizer``, by attribute name): each state tensor as
  ``optim/<attribute>/<parameter index>/<name>`` (Adam's moments and step counts,
  RMSprop's averages), and in the metadata, as JSON, each optimiser's ``param_groups``
  and any state entry that is not a tensor;
- the agent's own counters and running tensors outside its state dict (public ``int``,
  ``float`` and ``bool`` attributes, such as TD3's update count for its policy delay,
  and tensor attributes): ``attr/<name>`` and the metadata's ``scalars``;
- the trainer's counters (``step``: environment steps, or gradient steps offline;
  ``updates``: gradient updates) in the metadata.

What it does not hold: **the replay buffer**. A continued off-policy run starts with an
empty buffer and refills it for ``learning_starts`` steps (random actions, no updates,
counted from where the run stopped), as a fresh run fills it; environments start new
episodes. Schedules (ε, annealed learning rates, PPO's clip range) follow the step
counter over the continued run's whole length (its steps done + the new budget), as
Stable-Baselines3's ``learn(reset_num_timesteps=False)``. Offline runs continue their
gradient steps on the same dataset (the buffer is the dataset, loaded again).

Safetensors holds tensors and text only, so nothing here is ever unpickled.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import torch
from torch import Tensor

if TYPE_CHECKING:
    from rlcore.algos.base import Agent

__all__ = [
    "TRAIN_STATE",
    "TRAIN_STATE_FORMAT",
    "TrainState",
    "capture",
    "continued_state",
    "optimizers",
    "read_train_state",
    "restore",
    "resume_trainer",
    "run_train_state",
    "save_train_state",
    "train_state_bytes",
]

TRAIN_STATE = "train_state.safetensors"  # in a run's folder, next to model.safetensors
TRAIN_STATE_FORMAT = "rlcore-train-state-1"


@dataclass
class TrainState:
    """Everything a run continues from (the replay buffer aside, see the module)."""

    weights: dict[str, Tensor]
    optim: dict[str, dict[str, Any]] = field(default_factory=dict)  # torch state_dicts
    tensors: dict[str, Tensor] = field(default_factory=dict)  # tensor attributes
    scalars: dict[str, int | float | bool] = field(default_factory=dict)
    step: int = 0
    updates: int = 0


def optimizers(agent: Any) -> list[tuple[str, torch.optim.Optimizer]]:
    """The agent's optimisers, ``(attribute, optimiser)`` sorted by attribute name."""
    return sorted(
        ((k, v) for k, v in vars(agent).items() if isinstance(v, torch.optim.Optimizer)),
        key=lambda kv: kv[0],
    )


def _attributes(agent: Any) -> tuple[dict[str, Tensor], dict[str, int | float | bool]]:
    """The agent's public tensor and number attributes (outside its state dict)."""
    tensors, scalars = {}, {}
    for k, v in vars(agent).items():
        if k.startswith("_"):
            continue  # private: caches and per-episode state (the environments restart)
        if isinstance(v, Tensor) and not isinstance(v, torch.nn.Parameter):
            tensors[k] = v.detach().clone()
        elif type(v) in (int, float, bool):
            scalars[k] = v
    return tensors, scalars


def capture(agent: Agent, step: int = 0, updates: int = 0) -> TrainState:
    """A copy of ``agent``'s training state now, with the trainer's counters."""
    tensors, scalars = _attributes(agent)
    return TrainState(
        weights={k: v.detach().clone() for k, v in agent.state_dict().items()},
        optim={k: copy.deepcopy(o.state_dict()) for k, o in optimizers(agent)},
        tensors=tensors,
        scalars=scalars,
        step=int(step),
        updates=int(updates),
    )


def _json_value(v: Any) -> Any:
    """``v`` if JSON can carry it (tuples as lists), else ``None`` (left out)."""
    if isinstance(v, (tuple, list)):
        items = [_json_value(x) for x in v]
        return None if any(x is None for x in items) else items
    if v is None or isinstance(v, (bool, int, float, str)):
        return v
    return None


def _flatten_optim(name: str, sd: dict[str, Any], out: dict[str, Tensor]) -> dict[str, Any]:
    """An optimiser's state dict: tensors into ``out``, the rest returned as JSON-able."""
    state: dict[str, dict[str, Any]] = {}
    for idx, entry in sd["state"].items():
        plain = {}
        for key, v in entry.items():
            if isinstance(v, Tensor):
                out[f"optim/{name}/{idx}/{key}"] = v
            elif _json_value(v) is not None:
                plain[key] = _json_value(v)
        state[str(idx)] = plain
    groups = [
        {k: _json_value(v) for k, v in g.items() if _json_value(v) is not None}
        for g in sd["param_groups"]
    ]
    return {"state": state, "param_groups": groups}


def train_state_bytes(state: TrainState) -> bytes:
    """``state`` as one safetensors file (tensors, and its structure as JSON metadata)."""
    from safetensors.torch import save

    tensors: dict[str, Tensor] = {f"agent/{k}": v for k, v in state.weights.items()}
    tensors.update({f"attr/{k}": v for k, v in state.tensors.items()})
    optim = {name: _flatten_optim(name, sd, tensors) for name, sd in state.optim.items()}
    meta = {
        "format": TRAIN_STATE_FORMAT,
        "step": str(state.step),
        "updates": str(state.updates),
        "optimizers": json.dumps(optim, sort_keys=True),
        "scalars": json.dumps(state.scalars, sort_keys=True),
    }
    out = {k: v.detach().cpu().contiguous() for k, v in tensors.items()}
    return save(out, metadata=meta)


def _unflatten_optim(spec: dict[str, Any], tensors: dict[str, Tensor], name: str) -> dict:
    """The torch state dict of optimiser ``name`` back from its JSON and tensors."""
    state: dict[int, dict[str, Any]] = {int(i): dict(v) for i, v in spec["state"].items()}
    prefix = f"optim/{name}/"
    for key, v in tensors.items():
        if key.startswith(prefix):
            idx, entry = key[len(prefix) :].split("/", 1)
            state.setdefault(int(idx), {})[entry] = v
    return {"state": state, "param_groups": [dict(g) for g in spec["param_groups"]]}


def read_train_state(source: str | Path | bytes) -> TrainState:
    """A training state back from :func:`train_state_bytes`' file (or its bytes).

    Raises:
        ValueError: the file is missing, damaged, or not a training state.
    """
    from safetensors.torch import load

    try:
        data = source if isinstance(source, bytes) else Path(source).read_bytes()
        tensors = load(data)
        n = int.from_bytes(data[:8], "little")
        meta = json.loads(data[8 : 8 + n]).get("__metadata__") or {}
        if meta.get("format") != TRAIN_STATE_FORMAT:
            raise ValueError("not an rlcore training state")
        optim = json.loads(meta["optimizers"])
        return TrainState(
            weights={k[6:]: v for k, v in tensors.items() if k.startswith("agent/")},
            optim={name: _unflatten_optim(spec, tensors, name) for name, spec in optim.items()},
            tensors={k[5:]: v for k, v in tensors.items() if k.startswith("attr/")},
            scalars=json.loads(meta["scalars"]),
            step=int(meta["step"]),
            updates=int(meta["updates"]),
        )
    except Exception as e:  # safetensors' and json's own error types alike
        where = "training state" if isinstance(source, bytes) else str(source)
        raise ValueError(f"{where}: cannot be read ({type(e).__name__}: {e})") from None


def _load_optimizer(opt: torch.optim.Optimizer, sd: dict[str, Any]) -> None:
    """Load ``sd`` into ``opt``; saved group values JSON turned into lists become tuples."""
    groups = []
    for saved, own in zip(sd["param_groups"], opt.param_groups):
        g = {**{k: v for k, v in own.items() if k != "params"}, **saved}
        for k, v in own.items():
            if isinstance(v, tuple) and isinstance(g.get(k), list):
                g[k] = tuple(g[k])
        groups.append(g)
    opt.load_state_dict({"state": sd["state"], "param_groups": groups})


def restore(agent: Agent, state: TrainState) -> None:
    """Put ``state`` into ``agent`` (built with the same configuration): to the bit.

    Raises:
        ValueError: the state's optimisers are not the agent's (another algorithm).
    """
    agent.load_state_dict(state.weights)
    own = dict(optimizers(agent))
    if state.optim and set(state.optim) != set(own):
        raise ValueError(
            f"training state: optimisers {sorted(state.optim)}, the agent has {sorted(own)}"
        )
    for name, sd in state.optim.items():
        _load_optimizer(own[name], sd)
    for k, v in state.tensors.items():
        old = getattr(agent, k, None)
        device = old.device if isinstance(old, Tensor) else agent.device
        setattr(agent, k, v.to(device))
    for k, v in state.scalars.items():
        if hasattr(agent, k):
            setattr(agent, k, v)


def resume_trainer(trainer: Any, state: TrainState) -> None:
    """The resume hook of :class:`rlcore.train.trainer.Trainer`: state and counters in.

    The run goes on from ``state.step`` (its steps, updates and schedules); off-policy,
    ``learning_starts`` then counts from there, so the empty buffer refills before the
    first update. A state with ``step = 0`` starts the counters afresh (the object API's
    ``learn(reset_num_timesteps=True)``).
    """
    restore(trainer.agent, state)
    trainer.step, trainer.updates = state.step, state.updates
    trainer._log_step, trainer._log_updates = state.step, state.updates
    trainer.agent.progress = state.step / max(trainer.run.steps, 1)
    if state.step and trainer.agent.loop == "replay":
        cfg = copy.copy(trainer.cfg)  # the trainer's own copy: past the field's range is fine
        object.__setattr__(cfg, "learning_starts", state.step + trainer.cfg.learning_starts)
        trainer.cfg = cfg


# -- in a runs folder (``store``: a ``rlcore.service.runs.RunStore``) ---------------------
CONTINUED_FROM = "continued_from"  # config.json: the run a continued run goes on from
CONTINUED_AT = "continued_at"  # config.json: the step it goes on from


def save_train_state(store: Any, run_id: str, trainer: Any) -> None:
    """Write the trainer's training state into the run's folder, atomically."""
    from rlcore.core.files import atomic_write_bytes

    state = capture(trainer.agent, trainer.step, trainer.updates)
    atomic_write_bytes(store.path(run_id) / TRAIN_STATE, train_state_bytes(state))


def run_train_state(store: Any, run_id: str) -> TrainState:
    """The state run ``run_id`` ended with (its weights alone if it saved no more).

    A run written before this file existed, or a member of a population (whose
    optimiser is shared by its members), saved its weights only: it continues with
    fresh optimiser moments, from the step its status records.

    Raises:
        ValueError: one line: no such run, or no weights saved.
    """
    p = store.path(run_id)
    if (p / TRAIN_STATE).is_file():
        return read_train_state(p / TRAIN_STATE)
    weights = store.load_model(run_id)  # ValueError: none saved, or damaged
    step = store.status(run_id).get("step")
    return TrainState(weights=weights, step=int(step) if isinstance(step, int) else 0)


def continued_state(store: Any, run_id: str) -> TrainState | None:
    """For a run made to continue another (``rlcore train --from``), that run's state."""
    try:
        cfg = json.loads((store.path(run_id) / "config.json").read_text())
    except (OSError, ValueError):
        return None
    source = cfg.get(CONTINUED_FROM) if isinstance(cfg, dict) else None
    return run_train_state(store, source) if isinstance(source, str) else None
