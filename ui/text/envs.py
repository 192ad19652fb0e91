"""Descriptions of the catalogue environments: English from ``rlcore.core.envs``, Chinese here.

Keyed by environment id; ``TEXT`` gives ``t()`` the pair as ``env.<id>``.
``tests/test_i18n.py`` checks that every catalogue environment has its Chinese here.
"""

from __future__ import annotations

from rlcore.core.envs import ENVIRONMENTS

ZH = {
    "CartPole-v1": "在小车上保持杆子直立：每直立一步 +1，最多 500 步。",
    "Acrobot-v1": "把两节摆臂甩过一条线：到达之前每步 −1。",
    "MountainCar-v0": "动力不足的小车要来回摆动才能冲上山坡：一个困难的探索问题。",
    "LunarLander-v3": "用四个离散的引擎指令把登月器降落在着陆台上（Box2D）。",
    "Pendulum-v1": "用有界的力矩把摆甩起来并保持竖直。",
    "MountainCarContinuous-v0": "连续动力版 MountainCar：到达旗子得奖励，用力有代价。",
    "FrozenLake-v1": "穿过结冰的湖面到达终点，不要掉进冰洞；冰面很滑。",
    "CliffWalking-v1": "沿着悬崖走到终点：每步 −1，掉下悬崖 −100。",
    "NoisyCorridor-v0": "十个房间，每个房间八扇门，全都一样：每扇门都通向下一个房间，"
    "奖励带噪声（均值 +1，标准差 2）。任何策略的平均回报都是 +10。",
}

TEXT = {
    f"env.{e.id}": {"en": e.description, "zh": ZH.get(e.id, e.description)}
    for e in ENVIRONMENTS.values()
}
