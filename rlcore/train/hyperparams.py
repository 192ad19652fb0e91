"""Hyperparameter files in RL Baselines3 Zoo's format: read them, write them.

A file maps environment ids to entries (``hyperparams/dqn.yml`` of the Zoo is one)::

    CartPole-v1:
      n_timesteps: !!float 5e4
      policy: 'MlpPolicy'
      learning_rate: !!float 2.3e-3
      policy_kwargs: "dict(net_arch=[256, 256])"

An entry is translated key by key into our names (``learning_rate`` -> ``lr``,
``n_timesteps`` -> the run's ``steps``, ``policy_kwargs: dict(net_arch=[...])`` ->
``hidden``, ``lin_<x>`` -> the value and the algorithm's linear annealing, ``normalize`` ->
``normalize``, ``noise_std`` -> ``exploration_noise`` as a fraction of the action range),
then validated by :func:`rlcore.train.presets.make_configs` like any other input. Our own
field names are accepted too. A key with no counterpart here (gSDE, Ornstein-Uhlenbeck
noise, a custom activation, ...) refuses the whole entry with a one-line reason: an
entry never trains as something other than what it says. ``policy_kwargs`` is read with
:mod:`ast` (literals inside ``dict(...)``), never evaluated.

:func:`entry_text` writes a configuration as such an entry, in our names (``rlcore preset``,
the best trial of ``rlcore tune``), and :func:`read_entry` reads it back to the same one.
"""

from __future__ import annotations

import ast
import math
from pathlib import Path
from typing import Any

from rlcore.algos.registry import get_algo
from rlcore.core.config import AlgoConfig, RunConfig, hparams, short_repr

__all__ = ["RUN_KEYS", "entry_text", "load_file", "read_entry", "translate"]

# run settings an entry may carry (ours), besides the Zoo's n_timesteps
RUN_KEYS = ("steps", "eval_every", "eval_episodes", "log_every", "threads")
# the Zoo's name -> ours, where only the name differs
RENAMED = {"learning_rate": "lr"}
# keys with no counterpart here, and why (the entry is refused with this reason)
UNSUPPORTED = {
    "use_sde": "generalised state-dependent exploration (gSDE) is not implemented here",
    "sde_sample_freq": "generalised state-dependent exploration (gSDE) is not implemented here",
    "env_wrapper": "environment wrappers from a file are not applied here",
    "vec_env_wrapper": "environment wrappers from a file are not applied here",
    "frame_stack": "frame stacking is not implemented here (no image observations)",
    "callback": "callbacks from a file are not run here",
    "replay_buffer_class": "only the uniform replay buffer exists here",
    "replay_buffer_kwargs": "only the uniform replay buffer exists here",
    "optimize_memory_usage": "the replay buffer has one layout here",
    "monitor_kwargs": "episode statistics are always recorded here",
    "normalize_kwargs": "normalisation has no options here",
}
POLICY_KWARGS = ("net_arch", "log_std_init", "ortho_init")
NOT_ENVS = ("default", "atari", "pybullet-defaults", "mujoco-defaults")


def _yaml() -> Any:
    try:
        import yaml
    except ImportError:
        raise ValueError("--hyperparams: needs the PyYAML package (pip install pyyaml)") from None
    return yaml


def load_file(path: str | Path) -> dict[str, dict[str, Any]]:
    """The entries of a Zoo-format YAML file (``ValueError`` naming the file if unreadable)."""
    yaml = _yaml()
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except OSError as e:
        raise ValueError(f"--hyperparams {str(path)!r}: cannot be read ({e.strerror})") from None
    except yaml.YAMLError as e:
        where = getattr(e, "problem_mark", None)
        at = f" at line {where.line + 1}" if where is not None else ""
        raise ValueError(f"--hyperparams {str(path)!r}: not valid YAML{at}") from None
    if not isinstance(data, dict) or not all(isinstance(v, dict) for v in data.values()):
        raise ValueError(
            f"--hyperparams {str(path)!r}: not a hyperparameter file (allowed: a mapping of "
            "environment ids to mappings of hyperparameters, RL Zoo's format)"
        )
    return data


def _literal(node: ast.AST, what: str) -> Any:
    """A literal, or ``dict(...)`` of literals (what the Zoo writes in policy_kwargs)."""
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "dict":
        if node.args:
            raise ValueError(f"{what}: dict() with positional arguments")
        return {k.arg: _literal(k.value, what) for k in node.keywords}
    try:
        return ast.literal_eval(node)
    except ValueError:
        raise ValueError(f"{what}: {ast.unparse(node)} is not a literal") from None


def _policy_kwargs(text: Any) -> dict[str, Any]:
    """``"dict(net_arch=[64, 64], ...)"`` -> a dict, through :mod:`ast` (never evaluated)."""
    if isinstance(text, dict):
        return text
    if not isinstance(text, str):
        raise ValueError(f"policy_kwargs = {short_repr(text)}: expected dict(...)")
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError:
        raise ValueError(f"policy_kwargs = {short_repr(text)}: not dict(...) syntax") from None
    value = _literal(tree.body, f"policy_kwargs = {short_repr(text)}")
    if not isinstance(value, dict):
        raise ValueError(f"policy_kwargs = {short_repr(text)}: expected dict(...)")
    return value


def _net_arch(arch: Any) -> tuple[int, ...]:
    if isinstance(arch, dict):  # dict(pi=[...], vf=[...]): one size for both networks here
        sizes = {tuple(v) for v in arch.values()}
        if len(sizes) != 1:
            raise ValueError(
                f"net_arch = {arch!r}: separate actor and critic sizes (allowed: one list, "
                "every network here has the same hidden layers)"
            )
        arch = list(sizes.pop())
    if not (isinstance(arch, list) and all(isinstance(n, int) for n in arch)):
        raise ValueError(f"net_arch = {arch!r}: expected a list of layer sizes")
    return tuple(arch)


def _schedule(key: str, value: Any, anneal: str | None, fields: set[str]) -> dict[str, Any]:
    """``lin_<x>`` -> ``{ours: x, anneal: True}``; a number -> ``{ours: number}``."""
    ours = RENAMED.get(key, key)
    if isinstance(value, str) and value.startswith("lin_"):
        try:
            start = float(value[4:])
        except ValueError:
            raise ValueError(f"{key} = {value!r}: not lin_<number>") from None
        if anneal is None or anneal not in fields:
            raise ValueError(
                f"{key} = {value!r}: a linear schedule, which this algorithm does not have "
                f"(allowed: a constant {key})"
            )
        return {ours: start, anneal: True}
    return {ours: value}


def _normalize(value: Any, fields: set[str]) -> dict[str, Any]:
    if isinstance(value, str):
        try:
            value = ast.literal_eval(value)
        except (ValueError, SyntaxError):
            raise ValueError(f"normalize = {value!r}: not true/false or a dict") from None
    if isinstance(value, dict):
        obs, rew = bool(value.get("norm_obs", True)), bool(value.get("norm_reward", True))
        if obs != rew or set(value) - {"norm_obs", "norm_reward", "gamma"}:
            raise ValueError(
                f"normalize = {value!r}: observations and rewards are normalised together "
                "here (allowed: true or false)"
            )
        value = obs
    if not isinstance(value, bool):
        raise ValueError(f"normalize = {value!r}: expected true or false")
    if value and "normalize" not in fields:
        raise ValueError("normalize = True: this algorithm has no running normalisation here")
    return {"normalize": value} if "normalize" in fields else {}


def _ent_coef(value: Any) -> dict[str, Any]:
    """SAC's ``ent_coef``: a number (fixed α), ``auto`` or ``auto_<α0>`` (tuned α)."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return {"alpha": float(value), "autotune": False}
    if isinstance(value, str) and value.startswith("auto"):
        rest = value[4:].lstrip("_")
        try:
            return {"autotune": True, **({"alpha": float(rest)} if rest else {})}
        except ValueError:
            pass
    raise ValueError(f"ent_coef = {value!r}: expected a number, 'auto' or 'auto_<number>'")


def _action_scale(env: str) -> float:
    """Half the action range of ``env`` (one value for every dimension, else ``ValueError``)."""
    from rlcore.core.envs import space_info

    info = space_info(env)
    halves = {round((h - lo) / 2, 9) for lo, h in zip(info.get("low", []), info.get("high", []))}
    if len(halves) != 1:
        raise ValueError(
            "noise_std: the action dimensions have different ranges (allowed: a range the "
            "same for every dimension, as exploration_noise is a fraction of it)"
        )
    return float(halves.pop())


def translate(algo: str, env: str, entry: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """A Zoo entry -> ``(algorithm overrides, run overrides)`` in our names.

    Raises:
        ValueError: one line naming the first key with no counterpart here, and why.
    """
    spec = get_algo(algo)
    fields = {p.name for p in hparams(spec.config_cls)}
    hp: dict[str, Any] = {}
    run: dict[str, Any] = {}
    entry = dict(entry)
    noise = (entry.pop("noise_type", None), entry.pop("noise_std", None))
    for key, value in entry.items():
        if not isinstance(key, str):
            raise ValueError(f"{short_repr(key)}: not a hyperparameter name")
        if key in UNSUPPORTED:
            if key == "use_sde" and value is False:
                continue
            raise ValueError(f"{key}: {UNSUPPORTED[key]}")
        if key == "n_timesteps":
            if not isinstance(value, (int, float)) or not float(value).is_integer():
                raise ValueError(f"n_timesteps = {value!r}: expected a whole number")
            run["steps"] = int(value)
        elif key in RUN_KEYS:
            run[key] = value
        elif key == "policy":
            if value != "MlpPolicy":
                raise ValueError(f"policy = {value!r}: only multi-layer perceptrons here")
        elif key == "learning_rate" or key == "lr":
            hp.update(_schedule(key, value, "anneal_lr", fields))
        elif key == "clip_range" and "clip_range" in fields:
            hp.update(_schedule(key, value, "anneal_clip", fields))
        elif key == "policy_kwargs":
            for k, v in _policy_kwargs(value).items():
                if k == "net_arch":
                    hp["hidden"] = _net_arch(v)
                elif k in POLICY_KWARGS and k in fields:
                    hp[k] = v
                else:
                    more = ", ".join(sorted(set(POLICY_KWARGS[1:]) & fields)) or "nothing else"
                    raise ValueError(
                        f"policy_kwargs {k} = {short_repr(v)}: no such policy option here "
                        f"(allowed: net_arch, and {more} for {algo})"
                    )
        elif key == "normalize":
            hp.update(_normalize(value, fields))
        elif key == "ent_coef" and "autotune" in fields:
            hp.update(_ent_coef(value))
        elif key == "use_rms_prop" and "optimizer" in fields:
            hp["optimizer"] = "rmsprop" if value else "adam"
        elif key in fields:
            hp[key] = value
        else:
            raise ValueError(f"{key} = {short_repr(value)}: no such hyperparameter of {algo}")
    if noise != (None, None):
        kind, std = noise
        if kind not in ("normal", None) or "exploration_noise" not in fields:
            raise ValueError(
                f"noise_type = {kind!r}: only Gaussian action noise here (allowed: 'normal')"
            )
        if std is not None:  # SB3's sigma is in action units, ours a fraction of the range
            hp["exploration_noise"] = float(std) / _action_scale(env)
    _off_policy_counts(spec.loop, hp)
    return hp, run


def _off_policy_counts(loop: str, hp: dict[str, Any]) -> None:
    """SB3's train_freq and ``gradient_steps: -1`` in our counts (transitions).

    SB3 counts train_freq in steps of the vector env and ``-1`` means as many gradient
    steps as transitions collected; here both count transitions.
    """
    if loop != "replay":
        return
    n_envs = int(hp.get("n_envs", 1))
    freq = hp.get("train_freq")
    if isinstance(freq, list):
        raise ValueError(
            f"train_freq = {freq!r}: training per episode is not implemented here "
            "(allowed: a number of steps)"
        )
    if freq is not None:
        hp["train_freq"] = int(freq) * n_envs
    if hp.get("gradient_steps") == -1:
        hp["gradient_steps"] = int(freq if freq is not None else 1) * n_envs


def read_entry(path: str | Path, algo: str, env: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """The entry for ``env`` in a file, translated (``ValueError``: file, env and key named)."""
    data = load_file(path)
    if env not in data:
        envs = [k for k in data if k not in NOT_ENVS]
        raise ValueError(
            f"--hyperparams {str(path)!r}: no entry for {env} (allowed: "
            f"{', '.join(map(str, envs[:20])) or 'none'}{' ...' if len(envs) > 20 else ''})"
        )
    try:
        return translate(algo, env, data[env])
    except ValueError as e:
        raise ValueError(f"--hyperparams {str(path)!r}: {env}: {e}") from None


def _yaml_value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        return repr(v) if math.isfinite(v) else (".inf" if v > 0 else "-.inf")
    if isinstance(v, (tuple, list)):
        return "[" + ", ".join(_yaml_value(x) for x in v) + "]"
    if isinstance(v, str):
        return repr(v)
    return str(v)


def entry_text(run: RunConfig, algo: AlgoConfig, comment: str = "") -> str:
    """A configuration as a Zoo-format entry in our names (read back by :func:`read_entry`)."""
    lines = [f"# {line}" for line in comment.splitlines()]
    lines.append(f"{run.env}:")
    lines.append(f"  n_timesteps: {run.steps}")
    for p in hparams(type(algo)):
        lines.append(f"  {p.name}: {_yaml_value(getattr(algo, p.name))}")
    for k in ("eval_every", "eval_episodes"):
        lines.append(f"  {k}: {getattr(run, k)}")
    return "\n".join(lines) + "\n"
