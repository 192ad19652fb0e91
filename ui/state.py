"""The one place Streamlit session_state keys are named.

Widget keys of the Train and Offline pages' forms live in ``ui/forms.py`` (``Keys``:
``train_*``, ``run_*``, ``hp_<algo>_*`` and ``offline_*``, ``offline_run_*``,
``offline_hp_<algo>_*``); they double as CSS classes (``.st-key-<key>``) for browser tests.
"""

LANG = "lang"
ALGO_DOC = "sidebar_algo"  # the algorithm whose docs the sidebar links to

# Train page: this session's batches of runs (the live view shows only these).
BATCH = "live_batch"  # id of the batch the Train page's live view shows
BATCHES = "live_batches"  # every batch this session started, oldest first
TAILS = "live_tails"  # run id -> incremental metrics reader
RUN_CACHE = "live_run_cache"  # run id -> its config.json
FIGURES = "live_figures"  # run id -> (data stamp, its live figures)
SMOOTHING = "live_smoothing"  # EMA weight of the episode-return curve
WATCH = "watch_state"  # the last rendered episode (run, seed, GIF bytes, return)


def batch_key(page: str = "train") -> str:
    """The key of the batch a page's live view shows (Train and Offline keep their own)."""
    return BATCH if page == "train" else f"{BATCH}_{page}"


OWNER = "owner_token"  # this browser's owner token (ui/owner.py)
VIEW_ONLY = "live_view_only"  # batch ids this session opened from someone else's link
