"""The algorithm registry: one explicit table the CLI, the app and the tests read."""

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
from rlcore.algos.reinforce import REINFORCE
from rlcore.algos.sac import SAC
from rlcore.algos.sac_n import SACN
from rlcore.algos.td3 import TD3
from rlcore.algos.td3_bc import TD3BC
from rlcore.core.config import ALGORITHM_SETTINGS, AlgoConfig

__all__ = ["ALGORITHMS", "AlgoSpec", "compatible", "get_algo"]


@dataclass(frozen=True)
class AlgoSpec:
    """What the UI needs to know about an algorithm."""

    name: str
    title: str
    agent_cls: type[Agent]
    setting: str  # "online" | "offline"
    action_space: str  # "discrete" | "continuous" | "both"
    paper: str

    @property
    def config_cls(self) -> type[AlgoConfig]:
        return self.agent_cls.config_cls

    @property
    def doc(self) -> str:
        """The module docstring: equations in LaTeX, shown on the Algorithms page."""
        import sys

        return sys.modules[self.agent_cls.__module__].__doc__ or ""


ALGORITHMS: dict[str, AlgoSpec] = {
    s.name: s
    for s in [
        AlgoSpec(
            "dqn",
            "DQN",
            DQN,
            "online",
            "discrete",
            "Mnih et al. 2015, Human-level control through deep RL (Nature)",
        ),
        AlgoSpec(
            "reinforce",
            "REINFORCE",
            REINFORCE,
            "online",
            "discrete",
            "Williams 1992, Simple statistical gradient-following algorithms",
        ),
        AlgoSpec(
            "a2c",
            "A2C (actor-critic)",
            A2C,
            "online",
            "discrete",
            "Mnih et al. 2016, Asynchronous methods for deep RL",
        ),
        AlgoSpec(
            "ddpg",
            "DDPG",
            DDPG,
            "online",
            "continuous",
            "Lillicrap et al. 2016, Continuous control with deep RL",
        ),
        AlgoSpec(
            "td3",
            "TD3",
            TD3,
            "online",
            "continuous",
            "Fujimoto et al. 2018, Addressing function approximation error in AC methods",
        ),
        AlgoSpec(
            "sac",
            "SAC",
            SAC,
            "online",
            "continuous",
            "Haarnoja et al. 2018, Soft actor-critic (+ SAC algorithms and applications)",
        ),
        AlgoSpec(
            "bc",
            "BC (behaviour cloning)",
            BC,
            "offline",
            "both",
            "Pomerleau 1991; maximum-likelihood imitation of the dataset",
        ),
        AlgoSpec(
            "cql",
            "CQL (continuous, on SAC)",
            CQL,
            "offline",
            "continuous",
            "Kumar et al. 2020, Conservative Q-learning for offline RL",
        ),
        AlgoSpec(
            "cql_discrete",
            "CQL (discrete, on DQN)",
            DiscreteCQL,
            "offline",
            "discrete",
            "Kumar et al. 2020, Conservative Q-learning for offline RL",
        ),
        AlgoSpec(
            "iql",
            "IQL",
            IQL,
            "offline",
            "continuous",
            "Kostrikov et al. 2021, Offline RL with implicit Q-learning",
        ),
        AlgoSpec(
            "awac",
            "AWAC",
            AWAC,
            "offline",
            "continuous",
            "Nair et al. 2020, AWAC (+ Peng et al. 2019, AWR)",
        ),
        AlgoSpec(
            "td3_bc",
            "TD3+BC",
            TD3BC,
            "offline",
            "continuous",
            "Fujimoto & Gu 2021, A minimalist approach to offline RL",
        ),
        AlgoSpec(
            "sac_n",
            "SAC-N",
            SACN,
            "offline",
            "continuous",
            "An et al. 2021, Uncertainty-based offline RL with diversified Q-ensemble",
        ),
        AlgoSpec(
            "edac",
            "EDAC",
            EDAC,
            "offline",
            "continuous",
            "An et al. 2021, Uncertainty-based offline RL with diversified Q-ensemble",
        ),
    ]
}


def get_algo(name: str) -> AlgoSpec:
    """Registry entry; ``ValueError`` listing the valid names otherwise."""
    if name not in ALGORITHMS:
        raise ValueError(f"algo = {name!r}: unknown algorithm (allowed: {', '.join(ALGORITHMS)})")
    return ALGORITHMS[name]


def compatible(algo: str, env_id: str) -> bool:
    """Whether the algorithm handles the environment's action space."""
    from rlcore.core.envs import env_spec

    a = get_algo(algo).action_space
    return a == "both" or a == env_spec(env_id).action_space


# RunConfig (core) checks names and settings against this table without importing us
ALGORITHM_SETTINGS.update({name: spec.setting for name, spec in ALGORITHMS.items()})
