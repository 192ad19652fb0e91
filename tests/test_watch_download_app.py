"""AppTest of "Watch the agent"'s download: the episode shown, as `rlcore enjoy --gif` makes
it (one implementation: ``rlcore.train.evaluation.episode_video``), capped on a hosted
server, offered only to the viewer who controls the run."""

import io

import imageio.v3 as iio
import pytest
from streamlit.testing.v1 import AppTest
from test_owners import Launcher  # workers that never start
from test_run_views_app import open_train

from rlcore.service.jobs import JobQueue, seed_plan
from rlcore.service.runs import RunStore
from rlcore.service.worker import run_job
from rlcore.train.evaluation import episode_video
from rlcore.train.presets import make_configs
from ui.live import HOSTED_VIDEO_CAPS, episode_download


def trained_batch(owner=None):
    run, algo = make_configs(
        "dqn",
        "CartPole-v1",
        {"learning_starts": 100, "hidden": (8,)},
        {"steps": 400, "eval_every": 200, "eval_episodes": 1},
    )
    q = JobQueue(RunStore(), max_workers=1, launcher=Launcher(), dispatch=False)
    batch = q.submit(seed_plan(run, algo, 1), owner=owner)
    assert run_job(batch.runs[0], RunStore(), say=lambda _: None) == "finished"
    return batch


def downloads(at):
    return [el for el in at.get("download_button") if el.proto.id and "watch_download" in el.key]


def gif_frames(data):
    frames = iio.imread(io.BytesIO(data), index=None, extension=".gif")
    return len(frames), frames.shape[2]


def test_the_played_episode_downloads_as_enjoy_writes_it():
    batch = trained_batch()
    run_id = batch.runs[0]
    at = open_train(batch=batch.id)
    assert not at.exception and not downloads(at)  # nothing played yet: nothing to download
    at.button(key="watch_render").click().run()
    (button,) = downloads(at)
    assert button.proto.label == "Download this episode (GIF)"
    seed = at.session_state["watch_state"]["seed"]
    step = RunStore().checkpoint_steps(run_id)[0]
    # the file is the one `rlcore enjoy RUN --step N --gif` writes: the same function
    data = episode_download(run_id, seed, step)
    rec, agent = RunStore().load_agent(run_id, step)
    same, _, length = episode_video(agent, rec.run.env, seed, ".gif", max_frames=1000)
    assert data == same and data[:4] == b"GIF8"
    n, w = gif_frames(data)  # (Pillow merges identical frames: at most one per step)
    assert w == 600 and 1 < n <= length + 1  # full width (CartPole: 600 px)


def test_on_a_hosted_server_the_download_is_capped(monkeypatch):
    monkeypatch.setenv("RLCORE_PROFILE", "hosted")
    at = AppTest.from_file("../app.py", default_timeout=90)
    at.switch_page("pages/train.py").run()
    batch = trained_batch(owner=at.session_state["owner_token"])
    at.query_params["batch"] = batch.id
    at.session_state["live_batch"] = None
    at.run()
    at.button(key="watch_render").click().run()
    (button,) = downloads(at)
    steps, keep, width = HOSTED_VIDEO_CAPS
    assert f"at most {steps} steps, {keep} frames and {width} px wide" in button.proto.help
    rec, agent = RunStore().load_agent(batch.runs[0])
    data = episode_download(batch.runs[0], 0, None)
    n, w = gif_frames(data)
    assert n <= keep and w <= width
    full, _, _ = episode_video(agent, rec.run.env, 0, ".gif", max_frames=1000)
    assert len(data) < len(full)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_visitor_watching_another_s_run_gets_no_download(monkeypatch, lang):
    monkeypatch.setenv("RLCORE_PROFILE", "hosted")
    batch = trained_batch(owner="a" * 32)
    at = open_train(batch=batch.id, lang=lang)
    at.button(key="watch_render").click().run()
    assert not at.exception and at.session_state["watch_state"]["gif"][:4] == b"GIF8"
    assert not downloads(at)  # watching is allowed; the file is the owner's
