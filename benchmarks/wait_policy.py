"""One process's SAC/TD3/DQN step (an update and an action) under OpenMP's wait policies.

    python benchmarks/wait_policy.py sac 2                              # spinning (default)
    OMP_WAIT_POLICY=PASSIVE python benchmarks/wait_policy.py sac 2      # sleeping waits
    python benchmarks/wait_policy.py sac 2 & python benchmarks/wait_policy.py sac 1  # shared

Prints ms per step (update + one action) and µs per action alone; where
``rlcore.core.threads``' numbers come from. Run on a quiet machine.
"""

import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np
import torch

from benchmarks.online import task_configs
from rlcore.core.buffers import ReplayBuffer
from rlcore.train.trainer import build_agent

algo, th = sys.argv[1], int(sys.argv[2])
torch.set_num_threads(th)
torch.set_flush_denormal(True)
run, cfg = task_configs(algo, 1.0, 0, th)
agent = build_agent(run, cfg)
buf = ReplayBuffer(10000, agent.obs_dim, agent.action_dim, agent.discrete)
rng = np.random.default_rng(0)
for _ in range(3000):
    a = rng.integers(agent.n_actions) if agent.discrete else rng.uniform(-1, 1, agent.action_dim)
    buf.add(rng.normal(size=agent.obs_dim), a, 1.0, rng.normal(size=agent.obs_dim), False)
obs = rng.normal(size=agent.obs_dim).astype(np.float32)
for _ in range(30):
    agent.update(buf.sample(cfg.batch_size))
    agent.act(obs, explore=True)
n = 150
t0 = time.perf_counter()
for _ in range(n):
    agent.update(buf.sample(cfg.batch_size))
    agent.act(obs, explore=True)
t1 = time.perf_counter()
for _ in range(n):
    agent.act(obs, explore=True)
t2 = time.perf_counter()
policy = os.environ.get("OMP_WAIT_POLICY", "default")
print(
    f"{algo} threads={th} wait={policy}: step (update + action) "
    f"{1e3 * (t1 - t0) / n:.2f} ms, action alone {1e6 * (t2 - t1) / n:.0f} µs"
)
