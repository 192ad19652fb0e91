import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


@pytest.fixture(autouse=True)
def _runs_dir(tmp_path, monkeypatch):
    """Every test writes runs into its own temp folder."""
    monkeypatch.setenv("RLCORE_RUNS_DIR", str(tmp_path / "runs"))
    yield


@pytest.fixture(autouse=True, scope="session")
def _one_thread():
    import torch

    torch.set_num_threads(1)  # tests run in parallel (-n 2): one thread each
    os.environ.setdefault("OMP_NUM_THREADS", "1")
