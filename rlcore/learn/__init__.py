"""Pure numeric functions behind the Learn-page explorers (no Streamlit here).

Every step-by-step explorer's dynamics is a :class:`Toy`: ``step(n)`` advances it by
``n`` updates and ``steps`` counts them. What shapes a toy is given to its constructor (a
new value means a new toy); a knob the learner may turn while it runs (a learning rate, a
target) is a plain attribute that the next ``step`` reads. ``ui.learn.explorer.stepper``
draws Step / Play / Reset around any of them.
"""

from __future__ import annotations

from typing import Protocol

__all__ = ["Toy"]


class Toy(Protocol):
    """Learning dynamics advanced one update at a time."""

    @property
    def steps(self) -> int:
        """Updates done so far."""
        ...

    def step(self, n: int = 1) -> None:
        """Advance by ``n`` updates."""
        ...
