"""Take an agent out of the playground: self-describing checkpoints and exported policies.

Two things leave a run:

- **the checkpoint** (``model.safetensors``): every tensor of the agent, plus, in the
  safetensors metadata, the run's configuration and the rlcore version, so that
  :func:`load_checkpoint` rebuilds the agent from the file alone;
- **the policy** (:func:`export_policy`): the greedy policy with its observation
  normalisation as one TorchScript (``.pt``) or ONNX (``.onnx``) file that needs torch
  (TorchScript) or onnxruntime (ONNX) but not rlcore. Input: float32 observations
  ``[batch, *obs_shape]`` as the environment returns them (one-hot vectors for the
  discrete-state environments, as ``rlcore.core.envs.make_env`` gives them); output:
  int64 action indices ``[batch]`` (discrete) or float32 actions ``[batch, action_dim]``
  clipped to the action bounds (continuous), the same as ``agent.act(obs)``. The file
  carries the same metadata as the checkpoint, plus what the input and output are.

TorchScript and ONNX both come from tracing the agent's greedy ``_act``: one trace per
export, whatever the algorithm, so a new algorithm is exportable by being registered.
"""

from __future__ import annotations

import copy
import io
import json
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import Tensor, nn

import rlcore
from rlcore.algos.base import Agent
from rlcore.algos.registry import get_algo
from rlcore.core.config import AlgoConfig, RunConfig, from_dict, to_dict

__all__ = [
    "FORMATS",
    "GreedyPolicy",
    "build_agent_for",
    "checkpoint_bytes",
    "checkpoint_metadata",
    "export_policy",
    "load_checkpoint",
    "policy_metadata",
    "saved_run_config",
    "weights_problem",
]

FORMATS = {"torchscript": ".pt", "onnx": ".onnx"}
CHECKPOINT_FORMAT = "rlcore-checkpoint-1"  # bump when the metadata's meaning changes


# -- checkpoints ----------------------------------------------------------------------------


def checkpoint_metadata(
    run: dict[str, Any], algo: dict[str, Any], spaces: dict[str, Any] | None = None
) -> dict[str, str]:
    """Safetensors metadata (text only) for a run's ``config.json`` parts ``run`` and ``algo``.

    ``spaces`` (:func:`rlcore.core.envs.space_info`) lets the file rebuild its agent
    without making the environment.
    """
    meta = {
        "format": CHECKPOINT_FORMAT,
        "rlcore_version": rlcore.__version__,
        "run": json.dumps(run, sort_keys=True),
        "algo": json.dumps(algo, sort_keys=True),
    }
    if spaces:
        meta["spaces"] = json.dumps(spaces, sort_keys=True)
    return meta


def saved_run_config(values: dict[str, Any]) -> RunConfig:
    """A saved run's config; its environment need not be one this process can make.

    A custom environment (``RLCORE_ENV_MODULES`` unset here, a module not importable) must
    not hide its runs: they are listed, shown and exported; training or evaluating one
    still needs the environment (and says so).
    """
    try:
        return from_dict(RunConfig, values)
    except ValueError:
        if not isinstance(values, dict) or not isinstance(values.get("env"), str):
            raise
        run = from_dict(RunConfig, {**values, "env": RunConfig().env})  # the rest is sound
        object.__setattr__(run, "env", values["env"])  # frozen: set as saved, unchecked
        return run


def build_agent_for(run: RunConfig, algo: AlgoConfig, spaces: dict[str, Any] | None) -> Agent:
    """The agent of ``run``: from the recorded ``spaces`` if given, else from its environment."""
    from types import SimpleNamespace

    from rlcore.core.envs import spaces_from_info
    from rlcore.train.trainer import build_agent

    if not spaces:
        return build_agent(run, algo)
    obs_space, action_space = spaces_from_info(spaces)
    env: Any = SimpleNamespace(observation_space=obs_space, action_space=action_space)
    return build_agent(run, algo, env)


def weights_problem(path: str | Path) -> str | None:
    """Why a ``.safetensors`` file cannot be read (``None``: its header and sizes are sound)."""
    try:
        data = Path(path).read_bytes()
    except OSError as e:
        return f"cannot be read ({e.strerror or e})"
    if len(data) < 8:
        return f"truncated ({len(data)} bytes)"
    n = int.from_bytes(data[:8], "little")
    if 8 + n > len(data):
        return f"truncated: its header says {n:,} bytes, the file has {len(data) - 8:,} after it"
    try:
        header = json.loads(data[8 : 8 + n])
        ends = [int(v["data_offsets"][1]) for k, v in header.items() if k != "__metadata__"]
    except (json.JSONDecodeError, UnicodeDecodeError, AttributeError, KeyError, TypeError):
        return "damaged: not a safetensors header"
    if 8 + n + max(ends, default=0) > len(data):
        return "truncated: its tensors end past the end of the file"
    return None


def checkpoint_bytes(state_dict: dict[str, Tensor], metadata: dict[str, str] | None) -> bytes:
    """An agent's tensors as safetensors bytes, with ``metadata`` in the header."""
    from safetensors.torch import save

    tensors = {k: v.detach().cpu().contiguous() for k, v in state_dict.items()}
    return save(tensors, metadata=metadata)


def _header_metadata(data: bytes) -> dict[str, str]:
    """The ``__metadata__`` of a safetensors file's JSON header (``{}`` if none)."""
    n = int.from_bytes(data[:8], "little")
    try:
        header = json.loads(data[8 : 8 + n])
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise ValueError("checkpoint: not a safetensors file") from None
    meta = header.get("__metadata__") if isinstance(header, dict) else None
    return meta if isinstance(meta, dict) else {}


def load_checkpoint(
    source: str | Path | bytes, device: str | None = None
) -> tuple[RunConfig, AlgoConfig, Agent]:
    """Rebuild ``(run config, algorithm config, agent with its weights)`` from a checkpoint.

    Args:
        source: a ``.safetensors`` path or its bytes, as written by ``RunStore.save_model``.
        device: where the agent lives (``cpu``, ``cuda`` or ``auto``; default: the run's).

    Raises:
        ValueError: the file carries no rlcore configuration (an older checkpoint or a
            foreign file: load it into an agent you build with ``RunStore.load_agent``).
    """
    from safetensors.torch import load

    data = source if isinstance(source, bytes) else Path(source).read_bytes()
    meta = _header_metadata(data)
    if meta.get("format") != CHECKPOINT_FORMAT or "run" not in meta or "algo" not in meta:
        raise ValueError(
            "checkpoint: no rlcore configuration in its metadata (allowed: a "
            f"model.safetensors saved by rlcore {rlcore.__version__} or later)"
        )
    run_values = json.loads(meta["run"])
    if device is not None:
        run_values["device"] = device
    spaces = json.loads(meta["spaces"]) if "spaces" in meta else None
    if spaces:  # the environment need not be one this process can make
        run = saved_run_config(run_values)
    else:
        run = from_dict(RunConfig, run_values)
    algo = from_dict(get_algo(run.algo).config_cls, json.loads(meta["algo"]))
    agent = build_agent_for(run, algo, spaces)
    try:
        state = load(data)
    except Exception as e:  # safetensors' own error types: a damaged or truncated file
        raise ValueError(
            "checkpoint: its tensors cannot be read, the file is damaged or truncated "
            f"({type(e).__name__}: {e})"
        ) from None
    agent.load_state_dict(state)
    return run, algo, agent


# -- exported policies ----------------------------------------------------------------------


class GreedyPolicy(nn.Module):
    """``agent.act(obs, explore=False)`` as a torch module: normalise, act, clip.

    Holds a CPU copy of the agent, so exporting never moves or changes the one training.
    """

    def __init__(self, agent: Agent) -> None:
        super().__init__()
        a = copy.deepcopy(agent).cpu().eval().requires_grad_(False)
        a.device = torch.device("cpu")
        self.agent = a
        self.obs_dim = a.obs_dim
        if not a.discrete:
            self.register_buffer("low", torch.as_tensor(a.action_low, dtype=torch.float32))
            self.register_buffer("high", torch.as_tensor(a.action_high, dtype=torch.float32))

    def forward(self, obs: Tensor) -> Tensor:
        a = self.agent
        x = obs.reshape(-1, self.obs_dim)
        # always applied: with the identity statistics (0, 1) it changes no bit
        x = (x - a.obs_mean) / a.obs_std
        action = a._act(x, False)
        if not a.discrete:
            action = torch.clamp(action, self.low, self.high)  # as Agent.act clips
        return action


def policy_metadata(agent: Agent, run: RunConfig, algo: AlgoConfig) -> dict[str, str]:
    """What an exported file says about itself: the checkpoint's metadata plus its I/O."""
    meta = checkpoint_metadata(to_dict(run), to_dict(algo))
    meta["format"] = "rlcore-policy-1"
    meta["input"] = (
        f"obs: float32 [batch, {', '.join(map(str, agent.obs_shape))}], the environment's "
        "observations (one-hot for discrete-state environments); normalisation is inside"
    )
    if agent.discrete:
        last = agent.n_actions - 1
        meta["output"] = f"action: int64 [batch], the greedy action index (0 to {last})"
    else:
        meta["output"] = (
            f"action: float32 [batch, {agent.action_dim}], the greedy action, clipped to "
            f"low {np.round(agent.action_low, 6).tolist()} high "
            f"{np.round(agent.action_high, 6).tolist()}"
        )
    return meta


def _example(agent: Agent) -> Tensor:
    # two rows: a trace on a batch of one could bake in a squeeze of the batch dimension
    return torch.zeros((2, *agent.obs_shape), dtype=torch.float32)


def _torchscript(policy: GreedyPolicy, example: Tensor, meta: dict[str, str]) -> bytes:
    buf = io.BytesIO()
    with warnings.catch_warnings(), torch.no_grad():
        # torch marks TorchScript deprecated in favour of torch.export, yet it is still
        # the one single-file format that plain `torch.jit.load` runs anywhere
        warnings.simplefilter("ignore", DeprecationWarning)
        traced = torch.jit.trace(policy, example)
        # freezing inlines the weights the greedy path uses and drops the rest (critics
        # and target networks, most of an actor-critic's tensors)
        frozen = torch.jit.freeze(traced.eval())
        torch.jit.save(frozen, buf, _extra_files={"rlcore.json": json.dumps(meta)})
    return buf.getvalue()


def _onnx(policy: GreedyPolicy, example: Tensor, meta: dict[str, str]) -> bytes:
    try:
        import onnx
    except ImportError:
        raise ValueError(
            "format = 'onnx' needs the onnx package (pip install 'rl-playground[export]')"
        ) from None
    buf = io.BytesIO()
    with warnings.catch_warnings():
        # the TorchScript-based exporter: the torch.export-based one needs onnxscript and
        # gains nothing on a feed-forward policy; its deprecation notice is not the user's
        warnings.simplefilter("ignore")
        torch.onnx.export(
            policy,
            (example,),
            buf,
            dynamo=False,
            input_names=["obs"],
            output_names=["action"],
            dynamic_axes={"obs": {0: "batch"}, "action": {0: "batch"}},
        )
    model = onnx.load_from_string(buf.getvalue())
    for k, v in meta.items():
        model.metadata_props.add(key=k, value=v)
    model.producer_name = "rlcore"
    model.producer_version = rlcore.__version__
    return model.SerializeToString()


def export_policy(agent: Agent, run: RunConfig, algo: AlgoConfig, fmt: str) -> bytes:
    """The greedy policy of ``agent`` as a ``torchscript`` or ``onnx`` file's bytes.

    Raises:
        ValueError: an unknown format, or ONNX without the onnx package.
    """
    if fmt not in FORMATS:
        raise ValueError(f"format = {fmt!r}: unknown export format (allowed: {', '.join(FORMATS)})")
    policy = GreedyPolicy(agent)
    meta = policy_metadata(agent, run, algo)
    example = _example(agent)
    if fmt == "torchscript":
        return _torchscript(policy, example, meta)
    return _onnx(policy, example, meta)
