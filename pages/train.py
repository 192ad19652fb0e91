import streamlit as st

from ui import forms, jobs, live
from ui.i18n import t
from ui.learn.links import explorer_links

st.title(t("train.title"))
st.caption(t("train.intro"))

setup = forms.train_form()
explorer_links(setup.algo)
jobs.start_controls(setup)
batch = jobs.current_batch()
forms.write_url(setup.query, batch.id if batch else None)

st.divider()
live.live_view(batch)
live.watch(batch)
