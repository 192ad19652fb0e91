"""rlcore: the RL Playground backend, a plain PyTorch library (it never imports streamlit)."""

__version__ = "0.1.0"
