"""A DQN training phase draws its batches and computes their targets in one go.

It must train exactly as the same batches would one gradient step at a time: the target
network does not move during a phase.
"""

from __future__ import annotations

import copy

import numpy as np
import pytest
import torch

from helpers import box
from rlcore.algos.dqn import DQN, DQNConfig
from rlcore.core.buffers import ReplayBuffer
from rlcore.core.types import Batch


def _agent_and_buffer(double_q: bool = False) -> tuple[DQN, ReplayBuffer]:
    import gymnasium as gym

    torch.manual_seed(0)
    agent = DQN(box(3), gym.spaces.Discrete(2), DQNConfig(hidden=(16,), double_q=double_q))
    buf = ReplayBuffer(200, 3, 1, True, seed=5)
    rng = np.random.default_rng(0)
    for _ in range(200):
        buf.add(rng.normal(size=3), rng.integers(2), rng.normal(), rng.normal(size=3), False)
    return agent, buf


def _step_by_step(agent: DQN, big: Batch, n: int, bs: int) -> list[dict]:
    infos = []
    for i in range(n):
        rows = slice(i * bs, (i + 1) * bs)
        infos.append(agent.update(Batch(*(t[rows] for t in big))))
    return infos


@pytest.mark.parametrize("rows", [None, 16])  # 16: the phase drawn two batches at a time
def test_phase_trains_as_its_batches_one_step_at_a_time(rows):
    agent, buf = _agent_and_buffer()
    ref, ref_buf = copy.deepcopy(agent), copy.deepcopy(buf)
    if rows is not None:
        agent.PHASE_ROWS = rows
    n, bs = 5, 8
    infos = list(agent.update_phase(buf, n, bs))
    assert len(infos) == n
    # the reference draws the same rows: the phase's draws, chunk by chunk
    chunk = n if rows is None else rows // bs
    batches = [ref_buf.sample(min(chunk, n - s) * bs) for s in range(0, n, chunk)]
    big = Batch(*(torch.cat(cols) for cols in zip(*batches)))
    ref_infos = _step_by_step(ref, big, n, bs)
    for p, q in zip(agent.parameters(), ref.parameters()):
        torch.testing.assert_close(p, q, rtol=1e-6, atol=1e-7)
    for a, b in zip(infos, ref_infos):
        torch.testing.assert_close(a["critic_loss"], b["critic_loss"], rtol=1e-5, atol=1e-7)
        torch.testing.assert_close(a["target_q_mean"], b["target_q_mean"], rtol=1e-5, atol=1e-7)


def test_double_dqn_phase_goes_step_by_step():
    """Double DQN's target uses the online network as it moves: no precomputed targets."""
    agent, buf = _agent_and_buffer(double_q=True)
    ref, ref_buf = copy.deepcopy(agent), copy.deepcopy(buf)
    list(agent.update_phase(buf, 4, 8))
    _step_by_step(ref, ref_buf.sample(32), 4, 8)
    for p, q in zip(agent.parameters(), ref.parameters()):
        assert torch.equal(p, q)


def test_a_phase_of_another_agent_is_its_steps_on_the_drawn_rows():
    """The base phase (TD3 here: its targets move every step) only draws in one gather."""
    from rlcore.algos.td3 import TD3, TD3Config

    torch.manual_seed(0)
    agent = TD3(box(3), box(1, -2.0, 2.0), TD3Config(hidden=(16,), batch_size=8))
    buf = ReplayBuffer(200, 3, 1, False, seed=5)
    rng = np.random.default_rng(0)
    for _ in range(200):
        buf.add(rng.normal(size=3), rng.uniform(-2, 2), rng.normal(), rng.normal(size=3), False)
    ref, ref_buf = copy.deepcopy(agent), copy.deepcopy(buf)
    torch.manual_seed(1)
    infos = list(agent.update_phase(buf, 6, 8))
    torch.manual_seed(1)
    ref_infos = _step_by_step(ref, ref_buf.sample(48), 6, 8)
    assert len(infos) == 6 and "actor_loss" not in infos[0] and "actor_loss" in infos[1]
    for p, q in zip(agent.parameters(), ref.parameters()):
        assert torch.equal(p, q)
    assert [i["critic_loss"] for i in infos] == [i["critic_loss"] for i in ref_infos]


def test_phase_targets_are_the_target_networks():
    """The precomputed y is r + γ(1-d) max_a' Q_target(s', a'), not the online net's."""
    agent, buf = _agent_and_buffer()
    with torch.no_grad():
        for p in agent.q_target.parameters():
            p.add_(0.5)  # the target network differs from the online one
    ref = copy.deepcopy(agent)
    batch = copy.deepcopy(buf).sample(8)
    info = next(agent.update_phase(buf, 1, 8))
    with torch.no_grad():
        y = (
            batch.reward
            + agent.cfg.gamma * (1 - batch.terminated) * ref.q_target(batch.next_obs).max(1).values
        )
    torch.testing.assert_close(info["target_q_mean"], y.mean())
