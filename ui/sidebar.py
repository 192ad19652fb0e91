"""The shared sidebar: language, device, a link to the docs of the current algorithm."""

from __future__ import annotations

import streamlit as st

from ui.i18n import LANGUAGES, t
from ui.state import LANG

ALGO_DOC_KEY = "sidebar_algo"  # a page sets this to the algorithm it shows


def render_sidebar() -> None:
    """Draw the sidebar (called once per run by app.py)."""
    import torch

    with st.sidebar:
        st.selectbox(
            t("sidebar.language"),
            list(LANGUAGES),
            format_func=LANGUAGES.get,
            key=LANG,
        )
        cuda = torch.cuda.is_available()
        st.caption(
            f"{t('sidebar.device')}: {'cuda' if cuda else 'cpu'} — "
            f"{t('sidebar.cuda_yes') if cuda else t('sidebar.cuda_no')}"
        )
        algo = st.session_state.get(ALGO_DOC_KEY)
        if algo:
            st.page_link("pages/algorithms.py", label=f"📖 {algo}", query_params={"algo": algo})
