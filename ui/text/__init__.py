"""Text modules: each defines ``TEXT = {key: {"en": ..., "zh": ...}}``."""
