import streamlit as st

from ui import jobs
from ui.i18n import t

st.title(t("about.title"))
st.markdown(t("about.what"))
st.subheader(t("about.how.title"), anchor=False)
st.markdown(t("about.how"))
st.subheader(t("about.cli.title"), anchor=False)
st.code(
    "python -m rlcore train --algo dqn --env CartPole-v1 --steps 20000 --set lr=1e-3\n"
    "python -m rlcore list\n"
    "python -m rlcore eval RUN_ID --episodes 20",
    language="bash",
)
st.subheader(t("about.system.title"), anchor=False)
st.dataframe(jobs.system_table(), hide_index=True, key="about_system")
st.subheader(t("about.credits.title"), anchor=False)
st.markdown(t("about.credits"))
