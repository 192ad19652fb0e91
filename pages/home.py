import streamlit as st

from ui.i18n import t

st.title(t("home.title"))
st.write(t("home.intro"))
st.code("python -m rlcore train --algo dqn --env CartPole-v1", language="bash")
