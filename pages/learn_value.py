"""Learn: value-based — a live DQN (#3), clipped double Q (#4), LogSumExp (#5), PBT's lr."""

import numpy as np
import streamlit as st

from rlcore.learn import value as cv
from rlcore.train import probes
from ui.i18n import t
from ui.learn import explorer as ex
from ui.learn import pbt_explorer
from ui.learn.figures import Line, bars_figure, histogram_figure, lines_figure
from ui.learn.links import train_link
from ui.palette import GREY, PALETTE

P = "learn_value"  # prefix of every widget and session_state key on this page
N_RANGE = np.arange(1, 21)
TEMPERATURES = [0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0]
DEFAULT_X = "1, 2, 0.5, 2.8"


@st.cache_data(max_entries=16, show_spinner=False)
def dqn_run(steps: int, gamma: float, c: int, double: bool) -> dict:
    import torch

    torch.set_num_threads(1)  # a 2-core host shared with other sessions
    return probes.dqn_q_vs_return(steps, gamma, c, double)


@st.cache_data(max_entries=64, show_spinner=False)
def bias_curves(std: float, gap: float) -> tuple[np.ndarray, np.ndarray]:
    n = len(N_RANGE)
    return cv.max_bias_exact_curve(n, std, 1, gap), cv.max_bias_exact_curve(n, std, 2, gap)


@st.cache_data(max_entries=128, show_spinner=False)
def bias_samples(n: int, std: float, gap: float) -> tuple[np.ndarray, np.ndarray]:
    return cv.max_bias_samples(n, std, 1, gap), cv.max_bias_samples(n, std, 2, gap)


@st.cache_data(max_entries=64, show_spinner=False)
def lse_curve(x: tuple[float, ...]) -> tuple[np.ndarray, np.ndarray]:
    grid = np.logspace(-2, 1, 120)
    return grid, cv.lse_curve(np.array(x), grid)


st.title(t("lv.title"))
st.write(t("lv.intro"))
ex.toc(
    [
        ("dqn", t("lv.dqn.title")),
        ("clipped-double-q", t("lv.cdq.title")),
        ("lse", t("lv.lse.title")),
        (pbt_explorer.ANCHOR, t("pbt.ex.title")),
    ]
)

# -- 3. DQN ------------------------------------------------------------------------------
ex.section("dqn", t("lv.dqn.title"), t("lv.dqn.question"))
c1, c2, c3, c4 = st.columns(4)
steps = c1.select_slider(
    t("lv.dqn.steps"), [2000, 3000, 5000, 8000, 12000, 20000], 5000, key=f"{P}.dqn.steps"
)
gamma = c2.select_slider(t("lv.dqn.gamma"), [0.9, 0.95, 0.99], 0.9, key=f"{P}.dqn.gamma")
c_int = c3.select_slider(t("lv.dqn.target"), [10, 250, 1000], 10, key=f"{P}.dqn.target")
double = c4.toggle(t("lv.dqn.double"), key=f"{P}.dqn.double")
RUN = f"{P}.dqn.trained"  # the settings of the run on display
if st.button(t("lv.dqn.run"), key=f"{P}.dqn.run", type="primary", icon=":material/play_arrow:"):
    with st.spinner(t("lv.dqn.training")):
        dqn_run(steps, gamma, c_int, double)
    st.session_state[RUN] = (steps, gamma, c_int, double)
shown = st.session_state.get(RUN)
if shown is None:
    st.info(t("lv.dqn.hint"))
    res = {
        k: [] for k in ("eval_step", "q_start", "discounted_return", "step", "q_online", "q_target")
    }
    ceiling = 1 / (1 - gamma)
else:
    res = dqn_run(*shown)
    ceiling = 1 / (1 - shown[1])
    st.caption(t("lv.dqn.shown", steps=shown[0], gamma=shown[1], c=shown[2], double=shown[3]))
es, ls = np.array(res["eval_step"]), np.array(res["step"])
ex.chart(
    lines_figure(
        [
            Line(es, res["q_start"], t("lv.dqn.q_start"), mode="lines+markers"),
            Line(es, res["discounted_return"], t("lv.dqn.mc"), dash="dash", mode="lines+markers"),
            Line(
                [0, max(steps, shown[0] if shown else 0)],
                [ceiling, ceiling],
                t("lv.dqn.ceiling"),
                dash="dot",
                color=GREY,
            ),
            Line(ls, res["q_online"], t("lv.dqn.online"), col=2, color=PALETTE[2]),
            Line(ls, res["q_target"], t("lv.dqn.target_net"), col=2, shape="hv", color=PALETTE[3]),
        ],
        t("lv.dqn.step"),
        t("lv.dqn.value"),
        titles=[t("lv.dqn.values"), t("lv.dqn.lag")],
        height=380,
    ),
    key=f"{P}.dqn.fig",
)
ex.formula(
    r"y = r + \gamma\,(1-d)\max_{a'} Q_{\bar\theta}(s', a'),\qquad "
    r"L(\theta) = \mathbb{E}\big[\ell\big(Q_\theta(s,a) - y\big)\big],\qquad "
    r"\mathbb{E}\big[\max_{a'}\hat Q(s',a')\big] \ge \max_{a'} Q(s',a')",
    t("lv.dqn.caption"),
)
ex.same_code("rlcore.algos.dqn.DQN + rlcore.train.trainer.Trainer", t("lv.dqn.used_by"))
st.markdown(t("lv.dqn.answer"))
train_link("dqn", "CartPole-v1")

# -- 4. clipped double Q -------------------------------------------------------------------
ex.section("clipped-double-q", t("lv.cdq.title"), t("lv.cdq.question"))
c1, c2, c3, c4 = st.columns(4)
n = c1.slider(t("lv.cdq.n"), 1, 20, 5, key=f"{P}.cdq.n")
std = c2.slider(t("lv.cdq.std"), 0.0, 2.0, 1.0, 0.05, key=f"{P}.cdq.std")
gap = c3.slider(t("lv.cdq.gap"), 0.0, 2.0, 0.0, 0.1, key=f"{P}.cdq.gap")
shows = {"one": t("lv.cdq.one"), "two": t("lv.cdq.two"), "both": t("lv.cdq.both")}
show = c4.radio(t("lv.cdq.show"), list(shows), 2, format_func=shows.get, key=f"{P}.cdq.show")
one, two = bias_curves(std, gap)
s1, s2 = bias_samples(n, std, gap)
left, right = st.columns(2)
with left:
    ex.chart(
        lines_figure(
            [
                Line(N_RANGE, one, t("lv.cdq.exact_one")),
                Line(N_RANGE, two, t("lv.cdq.exact_two")),
                Line([n], [s1.mean()], t("lv.cdq.mc_one"), mode="markers", color=PALETTE[0]),
                Line([n], [s2.mean()], t("lv.cdq.mc_two"), mode="markers", color=PALETTE[1]),
                Line(N_RANGE, np.zeros(len(N_RANGE)), t("lv.cdq.zero"), dash="dot", color=GREY),
            ],
            t("lv.cdq.n"),
            t("lv.cdq.bias"),
            titles=[t("lv.cdq.curve")],
            vline=n,
        ),
        key=f"{P}.cdq.curve",
    )
with right:
    samples = {}
    if show in ("one", "both"):
        samples[t("lv.cdq.one")] = s1
    if show in ("two", "both"):
        samples[t("lv.cdq.two")] = s2
    means = {f"E[{k}] = {v.mean():+.3f}": float(v.mean()) for k, v in samples.items()}
    ex.chart(
        histogram_figure(samples, t("lv.cdq.error"), {t("lv.cdq.zero"): 0.0, **means}, height=360),
        key=f"{P}.cdq.hist",
    )
ex.formula(
    r"\mathbb{E}\Big[\max_a \hat Q(a)\Big] \;\ge\; \max_a \mathbb{E}\big[\hat Q(a)\big] "
    r"= \max_a Q(a),\qquad y = r + \gamma\,(1-d)\,\min_{i=1,2} Q_{\bar\theta_i}(s', a')",
    t("lv.cdq.caption"),
)
ex.same_code("rlcore.core.ops.clipped_min", "TD3, SAC")
st.markdown(t("lv.cdq.answer"))
train_link("td3", "Pendulum-v1")

# -- 5. LogSumExp ------------------------------------------------------------------------
ex.section("lse", t("lv.lse.title"), t("lv.lse.question"))
ex.correction(t("lv.lse.correction"))
c1, c2 = st.columns(2)
text = c1.text_input(t("lv.lse.values"), DEFAULT_X, key=f"{P}.lse.values")
temp = c2.select_slider(t("lv.lse.temperature"), TEMPERATURES, 1.0, key=f"{P}.lse.temperature")
try:
    x = tuple(float(v) for v in text.replace("，", ",").split(",") if v.strip())
    if not 2 <= len(x) <= 12 or not all(np.isfinite(x)):
        raise ValueError
except ValueError:
    st.warning(t("lv.lse.bad", text=text, default=DEFAULT_X))
    x = tuple(float(v) for v in DEFAULT_X.split(","))
grid, curve = lse_curve(x)
lo, hi = float(max(x)), float(max(x)) + grid * np.log(len(x))
now = float(cv.lse_curve(np.array(x), [temp])[0])
left, right = st.columns(2)
with left:
    ex.chart(
        lines_figure(
            [
                Line(grid, curve, t("lv.lse.lse"), band=(np.full(len(grid), lo), hi)),
                Line(grid, np.full(len(grid), lo), t("lv.lse.max"), dash="dash"),
                Line(grid, hi, t("lv.lse.upper"), dash="dot"),
                Line([temp], [now], f"T = {temp}", mode="markers", color=PALETTE[0]),
            ],
            t("lv.lse.t_axis"),
            t("lv.lse.lse"),
            titles=[t("lv.lse.curve")],
            log_x=True,
        ),
        key=f"{P}.lse.curve",
    )
with right:
    xs = np.array(x)
    ex.chart(
        bars_figure(
            [str(i + 1) for i in range(len(x))],
            {t("lv.lse.prob"): cv.softmax(xs, temp), t("lv.lse.onehot"): cv.softmax(xs, 0.0)},
            t("lv.lse.index"),
            title=t("lv.lse.softmax"),
            y_range=(0, 1.05),
        ),
        key=f"{P}.lse.softmax",
    )
st.caption(t("lv.lse.now", t=temp, lse=now, max=lo, upper=lo + temp * np.log(len(x))))
ex.formula(
    r"\mathrm{LSE}_T(x) = T\log\sum_{i=1}^{n}\exp(x_i/T),\qquad "
    r"\max_i x_i \;\le\; \mathrm{LSE}_T(x) \;\le\; \max_i x_i + T\log n,\qquad "
    r"\frac{\partial\,\mathrm{LSE}_T}{\partial x_i} = \mathrm{softmax}(x/T)_i",
    t("lv.lse.caption"),
)
ex.same_code("rlcore.core.ops.lse", "CQL(H) (rlcore.core.ops.cql_logsumexp)")
st.markdown(t("lv.lse.answer"))

# -- population-based training: predict the lr schedule (ui/learn/pbt_explorer.py) ----
pbt_explorer.section()
