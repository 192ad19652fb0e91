import streamlit as st

from ui import forms, jobs, live, pbt, predict, search
from ui.i18n import t
from ui.learn.links import explorer_links

st.title(t("train.title"))
st.caption(t("train.intro"))

setup = forms.train_form()
explorer_links(setup.algo)
if setup.mode == "search":
    search.start_controls(setup, "train")
    forms.write_url(setup.query)
    st.divider()
    search.study_view(setup.query.get("study"), "train")
    st.stop()
predict.ask(setup)
jobs.start_controls(setup)
batch = jobs.current_batch()
forms.write_url(setup.query, batch.id if batch else None)

st.divider()
pbt.population_view(batch)
live.live_view(batch)
