"""Deployment: the Dockerfile, the public-demo Streamlit config, and the image's command run
for real (no Docker engine here: the command line the image uses is started directly)."""

import contextlib
import json
import os
import re
import shlex
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from types import SimpleNamespace

import pytest

ROOT = Path(__file__).resolve().parent.parent


def instructions():
    """``(INSTRUCTION, arguments)`` of the Dockerfile, continuation lines joined."""
    text = re.sub(r"\\\n", " ", (ROOT / "Dockerfile").read_text())
    out = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            word, _, rest = line.partition(" ")
            out.append((word.upper(), rest.strip()))
    return out


def one(name):
    found = [args for instr, args in instructions() if instr == name]
    assert len(found) == 1, f"expected one {name}, found {found}"
    return found[0]


def image_env():
    env = {}
    for instr, args in instructions():
        if instr == "ENV":
            env.update(kv.split("=", 1) for kv in shlex.split(args))
    return env


def test_dockerfile_is_slim_cpu_only_and_installs_the_same_requirements():
    assert re.fullmatch(r"python:3\.\d+-slim", one("FROM"))
    runs = [args for instr, args in instructions() if instr == "RUN"]
    pin = next(
        line.split("#")[0].strip()
        for line in (ROOT / "requirements.txt").read_text().splitlines()
        if line.startswith("torch")
    )
    torch_i = next(i for i, r in enumerate(runs) if pin in r)
    assert "--index-url https://download.pytorch.org/whl/cpu" in runs[torch_i]
    req_i = next(i for i, r in enumerate(runs) if re.search(r"-r \S*requirements\.txt", r))
    assert torch_i < req_i  # the CPU wheel first: requirements.txt then never pulls CUDA
    copies = [args for instr, args in instructions() if instr == "COPY"]
    assert any(c.split()[0] == "requirements.txt" for c in copies)
    assert re.search(r"-r (\S*)requirements\.txt", runs[req_i]).group(1) in ("/tmp/", "./", "")
    assert "requirements-dev" not in " ".join(runs)  # no test tools in the image


def test_dockerfile_runs_as_non_root_exposes_8501_and_checks_health():
    user = one("USER")
    assert user not in ("root", "0")
    order = [instr for instr, _ in instructions()]
    assert order.index("USER") > max(i for i, x in enumerate(order) if x == "RUN")
    assert one("EXPOSE") == "8501" and image_env()["STREAMLIT_SERVER_PORT"] == "8501"
    health = one("HEALTHCHECK")
    assert "/_stcore/health" in health and "CMD" in health
    assert image_env()["RLCORE_PROFILE"] == "hosted"
    cmd = json.loads(one("CMD"))  # exec form: signals reach streamlit (SIGTERM on stop)
    # app.py itself, through deploy/serve.py: the security headers (tests/test_headers.py)
    assert cmd[cmd.index("streamlit") :][:3] == ["streamlit", "run", "deploy/serve.py"]
    serve = (ROOT / "deploy" / "serve.py").read_text()
    assert "st.App(APP, middleware=[Middleware(SecurityHeaders)], lifespan=" in serve


def test_dockerignore_keeps_data_and_secrets_out_of_the_image():
    ignored = set((ROOT / ".dockerignore").read_text().split())
    assert {".git", "runs", "datasets_store", ".venv"} <= ignored
    assert ".streamlit" not in ignored and "app.py" not in ignored


def test_streamlit_config_is_a_public_demo_config():
    from rlcore.core.settings import LIMITS

    tomllib = pytest.importorskip("tomllib")  # Python 3.11+
    cfg = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    server, client = cfg["server"], cfg["client"]
    assert server["headless"] is True and server["runOnSave"] is False
    assert server["fileWatcherType"] == "none" and server["enableXsrfProtection"] is True
    hosted_upload = next(lim.hosted for lim in LIMITS if lim.name == "max_upload_mb")
    assert server["maxUploadSize"] == hosted_upload <= 200  # small; matches the hosted limit
    assert cfg["browser"]["gatherUsageStats"] is False
    assert client["showErrorDetails"] == "none" and client["toolbarMode"] == "viewer"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(url):
    try:
        with urllib.request.urlopen(url, timeout=2) as r:
            return r.status, r.read()
    except OSError:
        return None, b""


def test_the_image_command_serves_a_healthy_app(tmp_path):
    """Start the server with the Dockerfile's exact CMD (and ENV), then its HEALTHCHECK."""
    cmd = json.loads(one("CMD"))
    if cmd[0] in ("python", "python3"):
        cmd[0] = sys.executable  # the image's python is this environment's python
    port = free_port()
    env = dict(os.environ, **image_env())
    env.update(
        STREAMLIT_SERVER_PORT=str(port),
        RLCORE_RUNS_DIR=str(tmp_path / "runs"),
        RLCORE_DATASETS_DIR=str(tmp_path / "datasets"),
        HOME=str(tmp_path),  # streamlit's per-user files go here, not in the real home
    )
    proc = subprocess.Popen(
        cmd,
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 30
        status = None
        while time.monotonic() < deadline and proc.poll() is None:
            status, body = get(f"http://127.0.0.1:{port}/_stcore/health")
            if status == 200:
                break
            time.sleep(0.2)
        assert (status, body) == (200, b"ok"), proc.poll()
        health = one("HEALTHCHECK").split("CMD", 1)[1].strip()
        check = subprocess.run(
            health.replace("python ", f"{sys.executable} ", 1),
            shell=True,
            env=env,
            timeout=20,
            capture_output=True,
        )
        assert check.returncode == 0, check.stderr
    finally:
        proc.terminate()
        try:
            out = proc.communicate(timeout=15)[0].decode()
        except subprocess.TimeoutExpired:
            proc.kill()
            out = proc.communicate()[0].decode()
    assert proc.returncode is not None
    assert "not a valid config option" not in out and "Traceback" not in out, out


@contextlib.contextmanager
def image_server(tmp, **extra_env):
    """The image's command (CMD and ENV) serving on a free loopback port.

    Yields ``.url``, ``.proc`` and ``.log`` (its output so far); stopped on the way out.
    """
    cmd = json.loads(one("CMD"))
    if cmd[0] in ("python", "python3"):
        cmd[0] = sys.executable
    cmd = [c.replace("--server.address=0.0.0.0", "--server.address=127.0.0.1") for c in cmd]
    port = free_port()
    env = dict(os.environ, **image_env())
    env.update(
        STREAMLIT_SERVER_PORT=str(port),
        RLCORE_RUNS_DIR=str(tmp / "runs"),
        RLCORE_DATASETS_DIR=str(tmp / "datasets"),
        HOME=str(tmp),
        **extra_env,
    )
    log = open(tmp / "server.log", "wb")
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    server = SimpleNamespace(
        url=f"http://127.0.0.1:{port}", proc=proc, log=lambda: (tmp / "server.log").read_text()
    )
    try:
        deadline = time.monotonic() + 90
        while get(server.url + "/_stcore/health")[0] != 200:
            if time.monotonic() > deadline or proc.poll() is not None:
                raise RuntimeError(server.log()[-3000:])
            time.sleep(0.3)
        yield server
    finally:
        if proc.poll() is None:
            proc.terminate()
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


LONG = 150_000  # steps (the hosted cap is 200,000): the run never ends during the test


def test_docker_stop_interrupts_the_runs_with_their_weights_saved(tmp_path):
    """SIGTERM (what ``docker stop`` sends) to the image's command while a run trains."""
    from appserver import idle, launch_chromium, require_browser
    from rlcore.service.runs import RunStore

    require_browser()
    from playwright.sync_api import sync_playwright

    with image_server(tmp_path, RLCORE_SPARE_WORKERS="0") as server:
        store = RunStore(tmp_path / "runs")
        with sync_playwright() as pw:
            browser = launch_chromium(pw)
            page = browser.new_page()
            page.goto(
                f"{server.url}/train?env=CartPole-v1&algo=dqn&hidden=64&steps={LONG}"
                "&eval_every=1000&log_every=250"
            )
            page.locator(".st-key-train_start button").wait_for(timeout=60_000)
            idle(page)
            page.locator(".st-key-train_start button").click()
            deadline = time.monotonic() + 90
            while not (store.ids() and len(store.metric_rows(store.ids()[0])) >= 2):
                assert time.monotonic() < deadline, "the run never trained"
                time.sleep(0.2)
            (rid,) = store.ids()
            server.proc.send_signal(signal.SIGTERM)
            server.proc.wait(timeout=30)
            browser.close()
        st = store.status(rid)
        assert st["status"] == "interrupted" and "SIGTERM" in st["message"], st
        assert (store.path(rid) / "model.safetensors").exists()  # the weights were saved
        pid = json.loads((store.path(rid) / "worker.json").read_text())["pid"]
        assert not Path(f"/proc/{pid}").exists() or "Z" in Path(f"/proc/{pid}/stat").read_text()


@pytest.mark.parametrize("section", ["Deploy", "Hugging Face Spaces", "Streamlit Community Cloud"])
def test_readme_documents_deployment(section):
    readme = (ROOT / "README.md").read_text()
    assert re.search(rf"^#+ .*{re.escape(section)}", readme, re.M), section
