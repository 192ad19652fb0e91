"""rlcore: the RL Playground backend, a plain PyTorch library (it never imports streamlit).

The object API, ``from rlcore import DQN, PPO, SAC, ...`` (one class per registered
algorithm, named as its agent class; see :mod:`rlcore.api`), is imported on first use,
so ``import rlcore`` stays light for the app and the training workers.
"""

from __future__ import annotations

from typing import Any

__version__ = "0.1.0"


def __getattr__(name: str) -> Any:
    """``rlcore.DQN`` and friends: the object API's classes, imported when first asked for."""
    if name[:1].isupper():
        from rlcore import api

        if name in api.__all__:
            return getattr(api, name)
    raise AttributeError(f"module 'rlcore' has no attribute {name!r}")
