"""Export: every registered algorithm's greedy policy leaves as a TorchScript and an ONNX
file that act as ``agent.act(obs, explore=False)`` without rlcore; checkpoints carry their
configuration and rebuild their agent alone."""

import json
import subprocess
import sys
import textwrap

import numpy as np
import pytest
import torch

import rlcore
from rlcore.__main__ import main
from rlcore.algos.registry import ALGORITHMS
from rlcore.service.runs import RunStore
from rlcore.train.export import FORMATS, export_policy, load_checkpoint
from rlcore.train.presets import make_configs
from rlcore.train.trainer import build_agent

CASES = [
    (name, env)
    for name, spec in ALGORITHMS.items()
    for env in ("CartPole-v1", "Pendulum-v1")
    if spec.action_space in ("both", "continuous" if env == "Pendulum-v1" else "discrete")
]

# runs in a fresh interpreter in which `import rlcore` fails: the files stand alone
STANDALONE = textwrap.dedent(
    """
    import sys

    class NoRlcore:
        def find_spec(self, name, path=None, target=None):
            if name == "rlcore" or name.startswith("rlcore."):
                raise ImportError("rlcore is blocked in this test")

    sys.meta_path.insert(0, NoRlcore())
    sys.path = [p for p in sys.path if p not in ("", ".")]
    import json, numpy as np, onnxruntime as ort, torch

    jobs = json.load(open(sys.argv[1]))
    out = {}
    for key, job in jobs.items():
        obs = np.load(job["obs"])
        ts = torch.jit.load(job["torchscript"])
        out[key + "/torchscript"] = ts(torch.from_numpy(obs)).numpy().tolist()
        sess = ort.InferenceSession(job["onnx"], providers=["CPUExecutionProvider"])
        out[key + "/onnx"] = sess.run(None, {"obs": obs})[0].tolist()
        meta = sess.get_modelmeta().custom_metadata_map
        out[key + "/meta"] = [meta["rlcore_version"], json.loads(meta["run"])["algo"]]
    json.dump(out, open(sys.argv[2], "w"))
    """
)


def agent_for(algo, env, seed=0):
    run_over = {"seed": seed}
    if ALGORITHMS[algo].setting == "offline":
        run_over["dataset"] = "rlplay/none/x-v0"  # never read: only the agent is built
    run, cfg = make_configs(algo, env, {"hidden": (32, 32)}, run_over)
    torch.manual_seed(seed)
    agent = build_agent(run, cfg)
    return run, cfg, agent


def test_every_algorithm_is_covered():
    assert {a for a, _ in CASES} == set(ALGORITHMS)


def test_exported_policies_act_as_the_agent_without_rlcore(tmp_path):
    rng = np.random.default_rng(0)
    jobs, want = {}, {}
    for algo, env in CASES:
        run, cfg, agent = agent_for(algo, env)
        d = agent.obs_dim
        # observation normalisation must travel inside the file: set non-trivial stats
        agent.set_obs_stats(rng.normal(size=d), rng.uniform(0.5, 2.0, size=d))
        obs = (rng.normal(size=(100, d)) * 2).astype(np.float32)
        key = f"{algo}-{env}"
        job = {"obs": str(tmp_path / f"{key}.npy")}
        np.save(job["obs"], obs)
        for fmt, suffix in FORMATS.items():
            path = tmp_path / f"{key}{suffix}"
            path.write_bytes(export_policy(agent, run, cfg, fmt))
            job[fmt] = str(path)
        jobs[key] = job
        want[key] = agent.act(obs, explore=False)
    (tmp_path / "jobs.json").write_text(json.dumps(jobs))
    (tmp_path / "check.py").write_text(STANDALONE)
    subprocess.run([sys.executable, "check.py", "jobs.json", "got.json"], cwd=tmp_path, check=True)
    got = json.loads((tmp_path / "got.json").read_text())
    for key, expected in want.items():
        discrete = expected.dtype.kind == "i"
        for fmt in FORMATS:
            actions = np.asarray(got[f"{key}/{fmt}"])
            assert actions.shape == expected.shape, (key, fmt)
            if discrete:
                assert np.array_equal(actions, expected), (key, fmt)
            else:
                np.testing.assert_allclose(actions, expected, atol=1e-5, rtol=0, err_msg=key)
        assert got[f"{key}/meta"] == [rlcore.__version__, key.split("-")[0]]
    # the test means something: the policies do not all answer the same action
    assert any(len(np.unique(w)) > 1 for w in want.values())


def test_torchscript_file_holds_only_the_policy_and_its_metadata():
    run, cfg, agent = agent_for("sac_n", "Pendulum-v1")
    data = export_policy(agent, run, cfg, "torchscript")
    checkpoint = sum(t.numel() * 4 for t in agent.state_dict().values())
    actor = sum(p.numel() * 4 for p in agent.actor.parameters())
    assert actor < len(data) < checkpoint / 2  # the critic ensemble stayed behind
    import io

    files = {"rlcore.json": ""}
    torch.jit.load(io.BytesIO(data), _extra_files=files)
    meta = json.loads(files["rlcore.json"])
    assert meta["rlcore_version"] == rlcore.__version__
    assert json.loads(meta["algo"])["hidden"] == [32, 32]
    assert "float32 [batch, 3]" in meta["input"] and "clipped" in meta["output"]


def test_unknown_format_is_refused():
    run, cfg, agent = agent_for("dqn", "CartPole-v1")
    with pytest.raises(ValueError, match="format = 'tflite'.*allowed: torchscript, onnx"):
        export_policy(agent, run, cfg, "tflite")


def test_checkpoint_alone_rebuilds_its_agent_and_cli_exports(tmp_path, capsys):
    runs = tmp_path / "runs"
    argv = ["--runs-dir", str(runs), "train", "--algo", "dqn", "--env", "CartPole-v1"]
    argv += ["--steps", "300", "--eval-every", "300", "--eval-episodes", "1", "--quiet"]
    assert main([*argv, "--set", "learning_starts=100", "--set", "hidden=16"]) == 0
    (run_id,) = RunStore(runs).ids()
    rec, agent = RunStore(runs).load_agent(run_id)
    ckpt = rec.path / "model.safetensors"
    run, algo, rebuilt = load_checkpoint(ckpt.read_bytes())  # nothing but the file
    assert run == rec.run and algo == rec.algo and algo.hidden == (16,)
    obs = np.random.default_rng(1).normal(size=(50, 4)).astype(np.float32)
    assert np.array_equal(rebuilt.act(obs), agent.act(obs))
    from safetensors import safe_open

    with safe_open(str(ckpt), "pt") as f:
        assert f.metadata()["rlcore_version"] == rlcore.__version__
    capsys.readouterr()
    out = tmp_path / "cartpole.onnx"
    argv = ["--runs-dir", str(runs), "export", run_id, "--format", "onnx", "--out", str(out)]
    assert main(argv) == 0
    assert out.stat().st_size > 0 and str(out) in capsys.readouterr().out
    assert main(["--runs-dir", str(runs), "export", run_id]) == 0
    assert (rec.path / "policy.pt").stat().st_size > 0
    with pytest.raises(ValueError, match="no rlcore configuration"):
        from safetensors.torch import save

        load_checkpoint(save({"w": torch.zeros(2)}))


def test_run_view_offers_the_policy_download(tmp_path, monkeypatch):
    from streamlit.testing.v1 import AppTest

    from ui.live import policy_file

    runs = tmp_path / "runs"
    monkeypatch.setenv("RLCORE_RUNS_DIR", str(runs))
    argv = ["train", "--algo", "sac", "--env", "Pendulum-v1", "--steps", "200", "--quiet"]
    assert main([*argv, "--eval-episodes", "1", "--set", "learning_starts=100"]) == 0
    (run_id,) = RunStore(runs).ids()

    def view(run_id):
        from ui.live import export_row

        export_row(run_id)

    at = AppTest.from_function(view, args=(run_id,), default_timeout=60).run()
    assert not at.exception, at.exception
    assert at.selectbox(key="export_format").options == ["TorchScript (.pt)", "ONNX (.onnx)"]
    (button,) = at.get("download_button")
    assert "Download the policy" in str(button.proto)
    # the bytes the button serves: an ONNX file that acts as the run's agent
    import onnxruntime as ort

    _, agent = RunStore(runs).load_agent(run_id)
    obs = np.random.default_rng(2).normal(size=(20, 3)).astype(np.float32)
    sess = ort.InferenceSession(policy_file(run_id, "onnx"))
    np.testing.assert_allclose(sess.run(None, {"obs": obs})[0], agent.act(obs), atol=1e-5)
