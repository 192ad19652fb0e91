"""Acting skips the log-density: the same action as the training forward, for less work."""

import numpy as np
import pytest
import torch

from rlcore.core.nn import GaussianActor, TanhGaussianActor


@pytest.mark.parametrize("cls", [TanhGaussianActor, GaussianActor])
@pytest.mark.parametrize("deterministic", [True, False])
def test_sample_action_is_forwards_action_on_the_same_draw(cls, deterministic):
    torch.manual_seed(0)
    actor = cls(3, np.array([-2.0, -1.0]), np.array([2.0, 3.0]), (16, 16))
    obs = torch.randn(5, 3)
    torch.manual_seed(1)
    a_forward, _ = actor(obs, deterministic=deterministic)
    torch.manual_seed(1)
    a_act = actor.sample_action(obs, deterministic=deterministic)
    assert torch.equal(a_forward, a_act)
    assert ((a_act >= actor.action_bias - actor.action_scale) & (a_act <= 3.0)).all()
