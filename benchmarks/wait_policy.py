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


from benchmarks.threads import agent_and_buffer

algo, th = sys.argv[1], int(sys.argv[2])
run, cfg, agent, buf = agent_and_buffer(algo, th)
obs = buf.data[0, : agent.obs_dim].numpy().copy()
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
