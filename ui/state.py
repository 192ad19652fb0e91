"""The one place Streamlit session_state keys are named."""

LANG = "lang"
