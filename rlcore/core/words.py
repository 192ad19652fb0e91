"""The words every layer shares: the algorithms' vocabularies and a safe ``repr``.

A leaf module (it imports nothing of rlcore): ``rlcore.core.config`` builds on it, and so do
``rlcore.core.envs`` and ``rlcore.core.ids``, which ``config`` itself calls on to check a
run; with these words here rather than in ``config``, no module of ``rlcore.core`` imports
one that imports it back (``tests/test_population.py`` checks the import graph).
"""

from __future__ import annotations

from typing import Any, Literal

__all__ = ["ActionKind", "ActionSpace", "Loop", "Setting", "short_repr"]

# The facts every algorithm class declares (rlcore.algos.base.Agent), one vocabulary each.
Setting = Literal["online", "offline"]  # learns from its own interaction, or from a dataset
ActionKind = Literal["discrete", "continuous"]  # an environment's action space
ActionSpace = Literal[ActionKind, "both"]  # what an algorithm handles
# Which training loop drives an algorithm (rlcore.train.trainer): "replay" acts, stores and
# samples minibatches (off-policy); "rollout" collects n_steps x n_envs transitions per
# update and "episodes" complete episodes (on-policy); "dataset" samples a fixed dataset
# (every offline algorithm, and only those).
Loop = Literal["replay", "rollout", "episodes", "dataset"]


def short_repr(value: Any, limit: int = 60) -> str:
    """``repr`` cut to ``limit`` characters: a hostile 1 MB string never floods a message."""
    try:
        r = repr(value)
    except Exception:  # a hostile __repr__ must not turn a ValueError into something else
        r = f"<{type(value).__name__}>"
    return r if len(r) <= limit else r[: limit - 3] + "..."
