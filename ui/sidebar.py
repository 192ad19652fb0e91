"""The shared sidebar: language, device, the job queue, a link to the current algorithm's docs."""

from __future__ import annotations

import streamlit as st

from ui.i18n import LANGUAGES, lang_query, t
from ui.state import ALGO_DOC, LANG


def _workers(queue) -> None:
    """Busy workers and queue length; refreshed every 3 s while anything is queued or running."""
    summary = queue.summary()
    busy = summary["running"] + summary["queued"] > 0

    @st.fragment(run_every=3.0 if busy else None)
    def _show() -> None:
        st.caption(t("sidebar.workers", **queue.summary()))

    _show()


def render_sidebar() -> None:
    """Draw the sidebar (called once per run by app.py)."""
    import torch

    from rlcore.algos.registry import ALGORITHMS
    from rlcore.service.jobs import JobQueue

    with st.sidebar:
        st.selectbox(
            t("sidebar.language"),
            list(LANGUAGES),
            format_func=LANGUAGES.get,
            key=LANG,
        )
        cuda = torch.cuda.is_available()
        device = torch.cuda.get_device_name(0) if cuda else "cpu"
        st.caption(
            f"{t('sidebar.device')}: {device} — "
            f"{t('sidebar.cuda_yes') if cuda else t('sidebar.cuda_no')}"
        )
        _workers(JobQueue(dispatch=False))
        algo = st.session_state.get(ALGO_DOC)
        if algo in ALGORITHMS:
            st.page_link(
                "pages/algorithms.py",
                label=t("sidebar.algo_docs", algo=ALGORITHMS[algo].title),
                icon=":material/menu_book:",
                query_params=lang_query({"algo": algo}),
            )
