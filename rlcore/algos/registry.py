"""The algorithm registry: the list of agent classes the CLI, the app and the tests read.

Each class states its own facts (name, title, paper, setting, action space, loop); the
registry only lists the classes and gives them a name-keyed view.
"""

from __future__ import annotations

from dataclasses import dataclass

from rlcore.algos.a2c import A2C
from rlcore.algos.awac import AWAC
from rlcore.algos.base import Agent
from rlcore.algos.bc import BC
from rlcore.algos.cql import CQL
from rlcore.algos.cql_discrete import DiscreteCQL
from rlcore.algos.ddpg import DDPG
from rlcore.algos.dqn import DQN
from rlcore.algos.edac import EDAC
from rlcore.algos.iql import IQL
from rlcore.algos.ppo import PPO
from rlcore.algos.reinforce import REINFORCE
from rlcore.algos.sac import SAC
from rlcore.algos.sac_n import SACN
from rlcore.algos.td3 import TD3
from rlcore.algos.td3_bc import TD3BC
from rlcore.algos.trpo import TRPO
from rlcore.core.config import ALGORITHM_SETTINGS, ActionSpace, AlgoConfig, Loop, Setting

__all__ = ["AGENT_CLASSES", "ALGORITHMS", "AlgoSpec", "compatible", "get_algo"]


@dataclass(frozen=True)
class AlgoSpec:
    """A registered algorithm as the app and the CLI see it: a view of its class's facts."""

    agent_cls: type[Agent]

    @property
    def name(self) -> str:
        return self.agent_cls.name

    @property
    def title(self) -> str:
        return self.agent_cls.title

    @property
    def paper(self) -> str:
        return self.agent_cls.paper

    @property
    def setting(self) -> Setting:
        return self.agent_cls.setting

    @property
    def action_space(self) -> ActionSpace:
        return self.agent_cls.action_space

    @property
    def loop(self) -> Loop:
        return self.agent_cls.loop

    @property
    def config_cls(self) -> type[AlgoConfig]:
        return self.agent_cls.config_cls

    @property
    def doc(self) -> str:
        """The module docstring: equations in LaTeX, shown on the Algorithms page."""
        import sys

        return sys.modules[self.agent_cls.__module__].__doc__ or ""


# in the order the app lists them: online first, then offline
AGENT_CLASSES: tuple[type[Agent], ...] = (
    DQN,
    REINFORCE,
    A2C,
    PPO,
    TRPO,
    DDPG,
    TD3,
    SAC,
    BC,
    CQL,
    DiscreteCQL,
    IQL,
    AWAC,
    TD3BC,
    SACN,
    EDAC,
)
ALGORITHMS: dict[str, AlgoSpec] = {cls.name: AlgoSpec(cls) for cls in AGENT_CLASSES}
if len(ALGORITHMS) != len(AGENT_CLASSES):  # a subclass that forgot to set its own name
    raise TypeError(f"duplicate names in {[cls.name for cls in AGENT_CLASSES]}")


def get_algo(name: str) -> AlgoSpec:
    """Registry entry; ``ValueError`` listing the valid names otherwise."""
    if name not in ALGORITHMS:
        raise ValueError(f"algo = {name!r}: unknown algorithm (allowed: {', '.join(ALGORITHMS)})")
    return ALGORITHMS[name]


def compatible(algo: str, env_id: str) -> bool:
    """Whether the algorithm handles the environment's action space."""
    from rlcore.core.envs import env_spec

    return get_algo(algo).agent_cls.handles(env_spec(env_id).action_space)


# RunConfig (core) checks names and settings against this table without importing us
ALGORITHM_SETTINGS.update({name: spec.setting for name, spec in ALGORITHMS.items()})
