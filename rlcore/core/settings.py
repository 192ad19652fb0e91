"""Server limits, in one place: read from environment variables, with documented defaults.

Two profiles. ``local`` (the default) is for your own machine: long runs allowed, no
wall-time cap. ``hosted`` (``RLCORE_PROFILE=hosted``) is for a public demo link: short
runs, few workers, small files. Any single limit can be set on top of either profile
with its own variable, e.g. ``RLCORE_PROFILE=hosted RLCORE_MAX_STEPS=500000``.

| variable | local | hosted | limit |
|---|---|---|---|
| ``RLCORE_MAX_STEPS`` | 50,000,000 | 200,000 | env (offline: gradient) steps per run |
| ``RLCORE_MAX_RUN_SECONDS`` | 0 (none) | 600 | wall time per run, seconds |
| ``RLCORE_MAX_WORKERS`` | 0 (= cores) | 2 | training workers at once on the server |
| ``RLCORE_MAX_RUNS_PER_SESSION`` | 0 (any) | 4 | runs a browser session has queued/training |
| ``RLCORE_MAX_DATASET_TRANSITIONS`` | 2,000,000 | 200,000 | transitions per dataset |
| ``RLCORE_MAX_UPLOAD_MB`` | 200 | 50 | size of an imported/uploaded file, MB |
| ``RLCORE_MAX_STORED_RUNS`` | 0 (all) | 300 | runs kept on disk (oldest finished go first) |
| ``RLCORE_MAX_PARAMS`` | 50,000,000 | 4,000,000 | parameters of one run's networks (0 = any) |
| ``RLCORE_MAX_STUDY_TRIALS`` | 1,000 | 20 | trials in one hyperparameter study |
| ``RLCORE_MAX_SESSION_TRIALS`` | 0 (any) | 40 | trials one browser session may start in all |
| ``RLCORE_SPARE_WORKERS`` | 1 | 1 | a worker started ahead, so a run starts at once (0 = none) |
| ``RLCORE_MAX_RUN_MB`` | 0 (any) | 40 | disk of one run: weights, checkpoints, metrics (MB) |
| ``RLCORE_MAX_OWNER_MB`` | 0 (any) | 400 | disk of one visitor's runs and datasets (MB) |
| ``RLCORE_MAX_DISK_MB`` | 0 (any) | 10,000 | disk of all runs and datasets together (MB) |
| ``RLCORE_MIN_FREE_MB`` | 0 (none) | 1,024 | free disk space new work must leave (MB) |

The limits are enforced in ``rlcore`` itself, not only by the app's widgets:
``make_configs`` and ``RunStore.create`` refuse runs above ``max_steps`` and networks
above ``max_params`` (counted exactly, target networks and critic ensembles included, by
building the agent on torch's ``meta`` device: nothing is allocated); ``run_job``
stops a run at ``max_run_seconds`` (status ``stopped``, with a message saying why);
``datasets.build_dataset`` / ``import_file`` refuse data above the dataset and upload
limits; ``RunStore.create`` prunes to ``max_stored_runs``; ``search.study.make_spec``
refuses studies above ``max_study_trials``. ``max_workers``, ``max_runs_per_session``
and ``max_session_trials`` are numbers for the job queue and the app to apply. The disk
budgets are checked before anything is written, by one gate for all new work
(``rlcore.service.owners.admit``): a run keeps as many checkpoints as fit
``max_run_mb`` (a run whose final weights alone do not fit is refused), and new work that
would pass a visitor's or the server's budget first evicts finished runs (the visitor's
own first, never another visitor's fresh run) or is refused with the reason.

Why these parameter budgets: training holds about 16 bytes per parameter (weights,
gradients and Adam's two moments), so 50M is 0.8 GB, which a laptop can hold, and 4M
is 64 MB per worker on a small shared server. Every preset and default fits with room
to spare (the largest, SAC-N/EDAC with 10 critics of 256x256, has 1.4M); what
the hosted budget refuses is a memory bomb such as ``hidden = 4096,4096`` (34M for DQN)
or 500 critics of 1024x1024 (1,057M).

Settings are read on every call of :func:`get_settings` (a handful of ``os.environ``
look-ups), so a test or a server can change the environment at any time.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

__all__ = ["LIMITS", "PROFILES", "Limit", "Settings", "get_settings"]

PROFILES = ("local", "hosted")


@dataclass(frozen=True)
class Limit:
    """One limit: its settings field, environment variable, defaults and meaning."""

    name: str
    env: str
    local: int
    hosted: int
    help: str
    low: int = 0  # the smallest value the variable may take


LIMITS: tuple[Limit, ...] = (
    Limit("max_steps", "RLCORE_MAX_STEPS", 50_000_000, 200_000,
          "Environment steps (gradient steps offline) one run may train for.", low=1),
    Limit("max_run_seconds", "RLCORE_MAX_RUN_SECONDS", 0, 600,
          "Wall time of one run in seconds; the run is then stopped (0 = no limit)."),
    Limit("max_workers", "RLCORE_MAX_WORKERS", 0, 2,
          "Training workers at once on the server (0 = the number of CPU cores).", low=0),
    Limit("max_runs_per_session", "RLCORE_MAX_RUNS_PER_SESSION", 0, 4,
          "Runs one browser session may have queued or training at once (0 = any)."),
    Limit("max_dataset_transitions", "RLCORE_MAX_DATASET_TRANSITIONS", 2_000_000, 200_000,
          "Transitions in one offline dataset, built or imported.", low=100),
    Limit("max_upload_mb", "RLCORE_MAX_UPLOAD_MB", 200, 50,
          "Size of one imported or uploaded file (datasets, checkpoints), in MB.", low=1),
    Limit("max_stored_runs", "RLCORE_MAX_STORED_RUNS", 0, 300,
          "Runs kept on disk; beyond it the oldest finished runs are deleted (0 = keep all)."),
    Limit("max_params", "RLCORE_MAX_PARAMS", 50_000_000, 4_000_000,
          "Parameters of one run's networks, target networks and ensembles included "
          "(0 = any)."),
    Limit("max_study_trials", "RLCORE_MAX_STUDY_TRIALS", 1_000, 20,
          "Trials in one hyperparameter study (each trains one run per seed).", low=1),
    Limit("max_session_trials", "RLCORE_MAX_SESSION_TRIALS", 0, 40,
          "Study trials one browser session may start, all its studies together (0 = any)."),
    Limit("max_run_mb", "RLCORE_MAX_RUN_MB", 0, 40,
          "Disk one run may take, weights, checkpoints and metrics, in MB (0 = any); "
          "a run keeps as many checkpoints as fit."),
    Limit("max_owner_mb", "RLCORE_MAX_OWNER_MB", 0, 400,
          "Disk one visitor's runs and datasets may take together, in MB (0 = any)."),
    Limit("max_disk_mb", "RLCORE_MAX_DISK_MB", 0, 10_000,
          "Disk all runs and datasets may take together, in MB (0 = any)."),
    Limit("min_free_mb", "RLCORE_MIN_FREE_MB", 0, 1024,
          "Free disk space that new runs and datasets must leave, in MB (0 = no check)."),
    Limit("spare_workers", "RLCORE_SPARE_WORKERS", 1, 1,
          "A worker kept started, PyTorch imported, so the next run starts at once "
          "rather than after ~4 s of imports (0 = none; at most 1 is kept)."),
)  # fmt: skip


@dataclass(frozen=True)
class Settings:
    """The limits in force (see the module docstring for the variables and defaults)."""

    profile: str
    max_steps: int
    max_run_seconds: int
    max_workers: int
    max_runs_per_session: int
    max_dataset_transitions: int
    max_upload_mb: int
    max_stored_runs: int
    max_params: int
    max_study_trials: int
    max_session_trials: int
    max_run_mb: int
    max_owner_mb: int
    max_disk_mb: int
    min_free_mb: int
    spare_workers: int

    @property
    def max_upload_bytes(self) -> int:
        """``max_upload_mb`` in bytes (MB = 2**20 bytes, as Streamlit's maxUploadSize)."""
        return self.max_upload_mb * 1024 * 1024

    def describe(self) -> list[tuple[str, str, int, str]]:
        """``(name, variable, value, help)`` of every limit, for an About page or the CLI."""
        return [(lim.name, lim.env, getattr(self, lim.name), lim.help) for lim in LIMITS]


def _read_int(lim: Limit, default: int) -> int:
    raw = os.environ.get(lim.env, "").strip()
    if not raw:
        return default
    try:
        value = int(raw.replace("_", ""))
    except ValueError:
        raise ValueError(
            f"{lim.env} = {raw[:40]!r}: not a whole number (allowed: an integer >= {lim.low})"
        ) from None
    if value < lim.low:
        raise ValueError(f"{lim.env} = {value}: too small (allowed: an integer >= {lim.low})")
    return value


def get_settings() -> Settings:
    """The settings of this process: the profile's defaults, then per-limit variables.

    Raises:
        ValueError: an unknown ``RLCORE_PROFILE`` or a limit variable that is not a
            whole number in range (the message names the variable).
    """
    profile = os.environ.get("RLCORE_PROFILE", "").strip().lower() or "local"
    if profile not in PROFILES:
        raise ValueError(
            f"RLCORE_PROFILE = {profile[:40]!r}: unknown profile (allowed: {', '.join(PROFILES)})"
        )
    values = {lim.name: _read_int(lim, getattr(lim, profile)) for lim in LIMITS}
    if values["max_workers"] == 0:
        values["max_workers"] = os.cpu_count() or 1
    return Settings(profile=profile, **values)
