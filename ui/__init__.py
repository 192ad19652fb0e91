"""Streamlit helpers for the pages (the only place besides pages/ that imports streamlit)."""


def _route_through_app() -> None:
    """Make a direct link to a page (``/train?env=...``) go through ``app.py``'s router.

    Streamlit starts a server in "pages/ folder" mode (multipage v1) whenever a ``pages/``
    folder exists and leaves it only once ``st.navigation`` has run; until someone opens
    the root URL, a direct link runs the page script alone, without ``app.py`` (no
    sidebar, no sections, no layout). Every page imports ``ui``, so the first such run
    (once per server process) switches that mode off and reruns through the router.
    """
    try:
        from streamlit.runtime.pages_manager import PagesManager
        from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx
    except ImportError:  # pragma: no cover - another Streamlit layout
        return
    if PagesManager.uses_pages_directory and get_script_run_ctx() is not None:
        PagesManager.uses_pages_directory = False
        import streamlit as st

        st.rerun()


_route_through_app()
