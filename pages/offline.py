"""Offline: train BC, CQL, IQL, AWAC, TD3+BC, SAC-N or EDAC on a local dataset.

The same form, job queue, live view and search as the Train page (``ui.forms``,
``ui.jobs``, ``ui.live``, ``ui.search``), with a dataset in place of the environment. Its
setup lives under its own session keys (``offline_*``), so the Train page's setup is kept
while this one is used.
"""

import streamlit as st

from ui import forms, jobs, live, predict, search
from ui.i18n import lang_query, t, with_lang
from ui.learn.links import explorer_links

PAGE = "offline"

st.title(t("offline.title"))
st.caption(t("offline.intro"))

setup = forms.train_form(forms.OFFLINE)
if "dataset" in setup.errors and not setup.algo:  # no dataset on this server yet
    st.info(setup.errors["dataset"], icon=":material/database:")
    st.markdown(f"[{t('offline.to_datasets')}]({with_lang('/datasets')})")
    st.stop()
explorer_links(setup.algo)
st.caption(t("offline.steps_note"))
if setup.mode == "search":
    search.start_controls(setup, PAGE)
    forms.write_url(setup.query, None, forms.OFFLINE)
    st.divider()
    search.study_view(setup.query.get("study"), PAGE)
    st.stop()
predict.ask(setup, PAGE)
jobs.start_controls(setup, PAGE)
batch = jobs.current_batch(PAGE)
forms.write_url(setup.query, batch.id if batch else None, forms.OFFLINE)

st.divider()
live.live_view(batch, PAGE)
if batch is not None:
    dataset = st.session_state.get(forms.OFFLINE.dataset)
    st.page_link(
        "pages/compare.py",
        label=t("offline.compare"),
        icon=":material/compare_arrows:",
        query_params=lang_query({"dataset": dataset} if dataset else {}),
    )
