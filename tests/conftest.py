import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


# No spare worker (a process started ahead with PyTorch imported) unless a test asks for
# one: every page run would start one, on a machine the tests share.
os.environ.setdefault("RLCORE_SPARE_WORKERS", "0")


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


_STARTED = __import__("time").time()
FUZZ_COUNTS = {
    "safety_counts": "hostile values (test_safety.py)",
    "escape_counts": "hostile ids and paths (test_escapes.py)",
    "import_counts": "hostile imported files (test_import_safety.py)",
    "markdown_counts": "markdown in link parameters (test_markdown_injection.py)",
}


def pytest_terminal_summary(terminalreporter):
    """One line per fuzzing family: the hostile inputs tried in this run and the escapes."""
    import json

    for stem, label in FUZZ_COUNTS.items():
        files = [
            p
            for p in (ROOT / "test-artifacts").glob(f"{stem}*.json")
            if p.stat().st_mtime >= _STARTED
        ]
        if files:
            counts = [json.loads(p.read_text()) for p in files]
            tried = sum(c.get("tried", 0) for c in counts)
            escaped = sum(c.get("escaped", 0) for c in counts)
            terminalreporter.write_line(f"{label}: {tried} tried, {escaped} escaped")
