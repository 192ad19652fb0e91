"""Streamlit helpers for the pages (the only place besides pages/ that imports streamlit)."""
