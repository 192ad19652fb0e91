"""RL Playground: the Streamlit app (router). Placeholder until the app issue lands."""

import streamlit as st

from rlcore.envs import ENVIRONMENTS
from rlcore.registry import ALGORITHMS

st.set_page_config(page_title="RL Playground", page_icon="🎮", layout="wide")
st.title("RL Playground")
st.write(
    "Learn reinforcement learning by doing it. The training pages are on their way; "
    "meanwhile the backend trains from the command line:"
)
st.code("python -m rlcore train --algo dqn --env CartPole-v1 --steps 50000", language="bash")
st.subheader("Algorithms")
st.table(
    [
        {"name": s.name, "algorithm": s.title, "actions": s.action_space, "paper": s.paper}
        for s in ALGORITHMS.values()
    ]
)
st.subheader("Environments")
st.table(
    [{"id": e.id, "actions": e.action_space, "solved at": e.solved} for e in ENVIRONMENTS.values()]
)
