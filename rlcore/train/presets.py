"""Build validated (RunConfig, AlgoConfig) pairs from names, presets and overrides."""

from __future__ import annotations

from typing import Any

from rlcore.algos.registry import ALGORITHMS, compatible, get_algo
from rlcore.core.config import AlgoConfig, RunConfig, from_dict, short_repr
from rlcore.core.envs import ENVIRONMENTS, env_spec
from rlcore.core.settings import get_settings
from rlcore.train.checks import check_run
from rlcore.train.model_size import check_model_size

__all__ = ["compatible_algos", "make_configs"]


def compatible_algos(env_id: str, setting: str = "online") -> list[str]:
    """Algorithms that can train on ``env_id``."""
    return [a for a, s in ALGORITHMS.items() if s.setting == setting and compatible(a, env_id)]


def make_configs(
    algo: str,
    env: str,
    hp: dict[str, Any] | None = None,
    run: dict[str, Any] | None = None,
    use_preset: bool = True,
) -> tuple[RunConfig, AlgoConfig]:
    """Defaults <- the environment's tuned preset <- explicit overrides; all validated.

    Raises ``ValueError`` naming the field and the allowed values on any bad input,
    including an algorithm that cannot handle the environment's action space, steps
    above this server's limit (``RLCORE_MAX_STEPS``; a preset's own budget is capped
    at the limit instead) and networks above its ``RLCORE_MAX_PARAMS`` (the message
    names ``hidden``, so the app shows it under that field).
    """
    for name, value in (("algo", algo), ("env", env)):
        if not isinstance(value, str):
            raise ValueError(f"{name} = {short_repr(value)}: must be a name (text)")
    for name, value in (("hp", hp), ("run", run)):
        if value is not None and not isinstance(value, dict):
            raise ValueError(f"{name} = {short_repr(value)}: must be a mapping of field to value")
    spec = get_algo(algo)
    espec = env_spec(env)
    if not compatible(algo, env):
        raise ValueError(
            f"algo = {algo!r} needs a {spec.action_space} action space but {env} is "
            f"{espec.action_space} (algorithms for {env}: "
            f"{', '.join(compatible_algos(env, spec.setting))})"
        )
    preset = espec.presets.get(algo) if use_preset else None
    algo_values = dict(preset.hp) if preset else {}
    algo_values.update(hp or {})
    run_values: dict[str, Any] = {"algo": algo, "env": env}
    if spec.setting == "offline":
        run_values.update(steps=100_000)
    if preset:
        # a preset's budget is capped at this server's limit; an explicit one is refused
        run_values["steps"] = min(preset.steps, get_settings().max_steps)
        run_values.update(preset.run)
    run_values.update(run or {})
    run_cfg = from_dict(RunConfig, run_values)
    check_run(run_cfg)
    algo_cfg = from_dict(spec.config_cls, algo_values)
    check_model_size(run_cfg, algo_cfg)
    return run_cfg, algo_cfg


def all_pairs(setting: str = "online") -> list[tuple[str, str]]:
    """Every compatible (algo, env) pair of the catalogue."""
    return [(a, e) for e in ENVIRONMENTS for a in compatible_algos(e, setting)]
