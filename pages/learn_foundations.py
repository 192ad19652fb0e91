"""Learn: foundations — randomness of returns (#1), TD learning (#2), occupancy (#16)."""

import numpy as np
import streamlit as st

from rlcore.learn import foundations as fd
from ui.i18n import t
from ui.learn import explorer as ex
from ui.learn.figures import Line, grid_panels, histogram_figure, lines_figure, table_heatmap
from ui.learn.links import train_link

P = "learn_foundations"  # prefix of every widget and session_state key on this page
ARROWS = list(fd.ARROWS)
Q_COLOURS = (-10.0, 0.0)  # cliff values (about -100) saturate; the paths' -1..-7 stay readable


@st.cache_data(max_entries=64, show_spinner=False)
def randomness(temperature: float, slip: float, gamma: float, n: int, first: int, seed: int):
    mdp = fd.make_grid(fd.LAKE, slip=slip)
    pi = fd.boltzmann_policy(fd.value_iteration(mdp, gamma), temperature)
    v, q = fd.policy_evaluation(mdp, pi, gamma)
    u = fd.sample_returns(mdp, pi, gamma, n, seed, None if first < 0 else first)
    return v, q, pi, u


@st.cache_data(max_entries=64, show_spinner=False)
def occupancy(temperature: float, slip: float, gamma: float, n: int):
    mdp = fd.restart_terminals(fd.make_grid(fd.LAKE, slip=slip))
    pi = fd.boltzmann_policy(
        fd.value_iteration(fd.make_grid(fd.LAKE, slip=slip), gamma), temperature
    )
    return pi, fd.occupancy_exact(mdp, pi, gamma), fd.occupancy_monte_carlo(mdp, pi, gamma, n)


@st.cache_data(max_entries=16, show_spinner=False)
def cliff_dp(gamma: float, epsilon: float, method: str) -> np.ndarray:
    mdp = cliff()
    if method == "sarsa":
        return fd.softmax_value_iteration(mdp, gamma, epsilon)
    return fd.value_iteration(mdp, gamma)


@st.cache_resource
def cliff() -> fd.GridMDP:
    return fd.make_grid(fd.CLIFF, step_reward=-1.0, goal_reward=0.0, hole_reward=-100.0)


st.title(t("lf.title"))
st.write(t("lf.intro"))
ex.toc(
    [
        ("randomness", t("lf.rand.title")),
        ("td-learning", t("lf.td.title")),
        ("occupancy", t("lf.occ.title")),
    ]
)

# -- 1. two sources of randomness ---------------------------------------------------------
ex.section("randomness", t("lf.rand.title"), t("lf.rand.question"))
c1, c2, c3 = st.columns(3)
temp = c1.slider(t("lf.temperature"), 0.0, 1.0, 0.1, 0.01, key=f"{P}.rand.temperature")
slip = c2.slider(t("lf.slip"), 0.0, 0.8, 0.2, 0.05, key=f"{P}.rand.slip")
gamma = c3.slider(t("lf.gamma"), 0.5, 0.99, 0.95, 0.01, key=f"{P}.rand.gamma")
c1, c2, c3 = st.columns(3)
n = c1.select_slider(t("lf.rand.n"), [10, 30, 100, 300, 1000, 3000], 300, key=f"{P}.rand.n")
first_labels = [t("lf.rand.follow"), *t("lf.actions").split(",")]  # index = action + 1
first = c2.selectbox(
    t("lf.rand.first"),
    [-1, 0, 1, 2, 3],
    format_func=lambda a, labels=first_labels: labels[a + 1],
    key=f"{P}.rand.first",
)
seed = c3.number_input(t("explorer.seed"), 0, 10_000, 0, key=f"{P}.rand.seed")
v, q, pi, u = randomness(temp, slip, gamma, n, first, int(seed))
exact = v[0] if first < 0 else q[0, first]
what = "V_π(S)" if first < 0 else f"Q_π(S, {ARROWS[first]})"
left, right = st.columns([2, 3])
with left:
    ex.chart(
        grid_panels(
            [(t("lf.rand.map"), v)], fd.LAKE, [ARROWS[a] for a in pi.argmax(1)], height=340
        ),
        key=f"{P}.rand.map",
    )
with right:
    idx = np.arange(1, len(u) + 1)
    ex.chart(
        lines_figure(
            [
                Line(idx, fd.running_mean(u), t("lf.rand.mean")),
                Line(idx, np.full(len(u), exact), t("lf.rand.exact", what=what), dash="dash"),
            ],
            t("lf.rand.episodes"),
            t("lf.rand.return"),
            titles=[t("lf.rand.running")],
            log_x=True,
            height=340,
        ),
        key=f"{P}.rand.running",
    )
ex.chart(
    histogram_figure(
        {t("lf.rand.samples"): u},
        t("lf.rand.return"),
        {t("lf.rand.exact", what=what): float(exact), t("lf.rand.mean"): float(u.mean())},
        height=300,
    ).update_layout(title=t("lf.rand.hist")),
    key=f"{P}.rand.hist",
)
ex.formula(
    r"U_t = R_t + \gamma R_{t+1} + \gamma^2 R_{t+2} + \dots,\qquad "
    r"V_\pi(s) = \mathbb{E}_{A_t\sim\pi(\cdot|s_t),\,S_{t+1}\sim p(\cdot|s_t,A_t)}"
    r"\left[U_t \mid S_t = s\right] = \left[(I - \gamma P_\pi)^{-1} r_\pi\right]_s",
    t("lf.rand.caption"),
)
st.markdown(t("lf.rand.answer"))
train_link("reinforce", "CartPole-v1")

# -- 2. TD learning ----------------------------------------------------------------------
ex.section("td-learning", t("lf.td.title"), t("lf.td.question"))
methods = {"q_learning": t("lf.td.q_learning"), "sarsa": t("lf.td.sarsa")}
c1, c2, c3, c4 = st.columns(4)
method = c1.radio(t("lf.td.method"), list(methods), format_func=methods.get, key=f"{P}.td.method")
alpha = c2.slider(t("lf.td.alpha"), 0.05, 1.0, 0.5, 0.05, key=f"{P}.td.alpha")
eps = c3.slider(t("lf.td.epsilon"), 0.0, 1.0, 0.2, 0.05, key=f"{P}.td.epsilon")
td_gamma = c4.slider(t("lf.gamma"), 0.5, 0.99, 0.9, 0.01, key=f"{P}.td.gamma")
per_tick = st.slider(t("explorer.steps_per_tick"), 1, 200, 20, key=f"{P}.td.per_tick")


def td_view(toy: fd.TDToy) -> None:
    mdp, s = toy.mdp, toy.state
    cells = mdp.cells
    free = np.array([c in "S." for c in cells])
    dp = cliff_dp(td_gamma, eps, method)
    m1, m2, m3 = st.columns(3)
    m1.metric(t("lf.td.steps"), s.steps)
    m2.metric(t("lf.td.episodes"), len(s.returns))
    m3.metric(t("lf.td.dp_gap"), f"{np.abs(s.q - dp)[free].max():.3f}")
    if s.last is None:
        st.info(t("lf.td.none"))
    else:
        L = s.last
        st.markdown(
            t(
                "lf.td.last",
                s=L.s,
                a=ARROWS[L.a],
                r=L.r,
                s1=L.s_next,
                a1="" if L.a_next is None else f", a' = {ARROWS[L.a_next]}",
                y=L.target,
                d=L.td_error,
            )
        )
    v = np.where(free, s.q.max(1), 0.0)
    greedy = [ARROWS[a] if s.visits[i].any() else "" for i, a in enumerate(s.q.argmax(1))]
    ex.chart(
        grid_panels(
            [(t("lf.td.map"), v)], fd.CLIFF, greedy, agent=s.s, fmt="{:.1f}", zrange=Q_COLOURS
        ),
        key=f"{P}.td.map",
    )
    cols = [f"{i}{c if c != '.' else ''}" for i, c in enumerate(cells)]
    ex.chart(
        table_heatmap(
            s.q.T,
            cols,
            ARROWS,
            t("lf.state"),
            highlight=None if s.last is None else (s.last.a, s.last.s),
            fmt=".1f",
            zrange=Q_COLOURS,
            height=260,
        ).update_layout(title=t("lf.td.table")),
        key=f"{P}.td.table",
    )


# The knobs act on the running table (it keeps what it learned); Reset starts over.
knobs = dict(method=method, alpha=alpha, gamma=td_gamma, epsilon=eps)
ex.stepper(
    f"{P}.td",
    None,
    lambda: fd.TDToy(cliff(), epsilon=eps),
    td_view,
    per_tick=per_tick,
    knobs=knobs,
    every=0.4,
)
ex.formula(
    r"y = \underbrace{r + \gamma\,(1-d)\max_{a'} Q(s',a')}_{\text{Q-learning}}"
    + rf"\ \text{{{t('lf.td.or')}}}\ "
    + r"\underbrace{r + \gamma\,(1-d)\,Q(s',a')}_{\text{SARSA}},\qquad"
    + r"\delta = y - Q(s,a),\qquad Q(s,a) \leftarrow Q(s,a) + \alpha\,\delta",
    t("lf.td.caption"),
)
ex.same_code("rlcore.core.ops.td_target", "DQN, TD3, SAC")
st.markdown(t("lf.td.answer"))
train_link("dqn", "CliffWalking-v1")

# -- 16. occupancy measure -----------------------------------------------------------------
ex.section("occupancy", t("lf.occ.title"), t("lf.occ.question"))
ex.correction(t("lf.occ.correction"))
c1, c2, c3, c4 = st.columns(4)
o_temp = c1.slider(t("lf.temperature"), 0.0, 1.0, 0.2, 0.01, key=f"{P}.occ.temperature")
o_slip = c2.slider(t("lf.slip"), 0.0, 0.8, 0.2, 0.05, key=f"{P}.occ.slip")
o_gamma = c3.slider(t("lf.gamma"), 0.5, 0.98, 0.9, 0.01, key=f"{P}.occ.gamma")
o_n = c4.select_slider(t("lf.occ.n"), [10, 100, 1000, 5000], 1000, key=f"{P}.occ.n")
o_tick = st.slider(t("explorer.steps_per_tick"), 1, 20, 2, key=f"{P}.occ.per_tick")
o_pi, rho, rho_mc = occupancy(o_temp, o_slip, o_gamma, o_n)
o_mdp = fd.restart_terminals(fd.make_grid(fd.LAKE, slip=o_slip))


def occ_view(toy: fd.OccupancyToy) -> None:
    s = toy.state
    m1, m2, m3, m4 = st.columns(4)
    m1.metric(t("lf.occ.t"), s.t)
    m2.metric(t("lf.occ.mass"), f"{s.rho.sum():.4f}")
    m3.metric(t("lf.occ.l1"), f"{np.abs(s.rho - rho).sum():.4f}")
    m4.metric(t("lf.occ.sum"), f"{rho.sum():.6f}")
    arrows = [ARROWS[a] for a in o_pi.argmax(1)]
    panels = [
        (t("lf.occ.series", t=s.t), s.rho.sum(1)),
        (t("lf.occ.exact"), rho.sum(1)),
        (t("lf.occ.mc", n=o_n), rho_mc.sum(1)),
    ]
    st.markdown(f"**{t('lf.occ.map')}**")
    fig = grid_panels(panels, fd.LAKE, arrows, fmt="{:.3f}", colorscale="Blues", height=300)
    ex.chart(fig, key=f"{P}.occ.map")


ex.stepper(
    f"{P}.occ",
    (o_temp, o_slip, o_gamma),
    lambda: fd.OccupancyToy(o_mdp, o_pi, o_gamma),
    occ_view,
    per_tick=o_tick,
    every=0.4,
)  # a new policy restarts the series
labels = [f"{i}{c if c != '.' else ''}" for i, c in enumerate(o_mdp.cells)]
ex.chart(
    table_heatmap(
        rho.T, labels, ARROWS, t("lf.state"), fmt=".3f", colorscale="Blues"
    ).update_layout(title=t("lf.occ.table")),
    key=f"{P}.occ.table",
)
ex.formula(
    r"\rho_\pi(s,a) = (1-\gamma)\sum_{t=0}^{\infty}\gamma^t\,P(s_t = s, a_t = a \mid \pi),"
    r"\qquad \sum_{s,a}\rho_\pi(s,a) = 1,\qquad "
    r"J(\pi) = \frac{1}{1-\gamma}\sum_{s,a}\rho_\pi(s,a)\,r(s,a)",
    t("lf.occ.caption"),
)
st.markdown(t("lf.occ.answer"))
