"""Fields an algorithm inherits but does not use are neither offered nor searched nor charted."""

import gymnasium as gym
import pytest
import torch

from rlcore.algos.awac import AWAC, AWACConfig
from rlcore.algos.bc import BCConfig
from rlcore.algos.sac import SAC, SACConfig
from rlcore.core.types import Batch
from rlcore.search.space import searchable
from ui.setup import algo_params


@pytest.mark.parametrize(
    "cls, unused",
    [(AWACConfig, {"alpha", "autotune", "target_entropy_scale"}), (BCConfig, {"gamma"})],
)
def test_unused_fields_are_not_on_the_form_nor_in_a_search(cls, unused):
    offered = {p.name for p in algo_params(cls, True)}
    searched = {p.name for p in searchable(cls, offline=True)}
    assert not unused & offered and not unused & searched
    assert "lr" in offered and "lr" in searched


def test_awac_charts_no_temperature_but_sac_does():
    torch.manual_seed(0)
    b = 8
    batch = Batch(
        obs=torch.randn(b, 3),
        action=torch.rand(b, 1) * 4 - 2,
        reward=torch.randn(b),
        next_obs=torch.randn(b, 3),
        terminated=torch.zeros(b),
    )
    env = gym.make("Pendulum-v1")
    for agent_cls, cfg, has_alpha in ((AWAC, AWACConfig, False), (SAC, SACConfig, True)):
        agent = agent_cls(env.observation_space, env.action_space, cfg(hidden=(8,), batch_size=b))
        info = agent.update(batch)
        assert ("alpha" in info) == has_alpha, agent_cls.__name__
