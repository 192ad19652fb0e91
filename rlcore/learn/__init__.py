"""Pure numeric functions behind the Learn-page explorers (no Streamlit here)."""
