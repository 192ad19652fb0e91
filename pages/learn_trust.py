"""Learn: policy optimisation — PPO's clipped surrogate, GAE(λ), TRPO's trust region."""

import numpy as np
import pandas as pd
import streamlit as st

from rlcore.learn import trust_region as tr
from ui.i18n import t
from ui.learn import explorer as ex
from ui.learn.figures import Line, bars_figure, lines_figure
from ui.learn.links import train_link
from ui.learn.trust_figures import surrogate_figure, trust_region_figure
from ui.palette import BLUE, RED

P = "learn_trust"  # prefix of every widget and session_state key on this page
RATIOS = np.linspace(0.0, 2.5, 251)
LAMBDAS = np.linspace(0.0, 1.0, 21)
ACTIONS = [f"a{i} (r = {r:g})" for i, r in enumerate(tr.BANDIT_REWARDS)]


@st.cache_data(max_entries=64, show_spinner=False)
def updates(lr: float, clip: float, epochs: int, kl_coef: float, delta: float) -> dict:
    return tr.bandit_updates(lr, clip, epochs, kl_coef, delta)


@st.cache_data(max_entries=32, show_spinner=False)
def gae(critic_error: float, slip: float, time_limit: int, as_terminal: bool) -> tr.GAEStudy:
    return tr.gae_study(
        LAMBDAS,
        slip=slip,
        critic_error=critic_error,
        time_limit=time_limit,
        truncation_as_terminal=as_terminal,
    )


@st.cache_data(max_entries=64, show_spinner=False)
def picture(delta: float, t1: float, t2: float) -> tr.TrustRegionPicture:
    return tr.trust_region_picture(delta, np.array([t1, t2]))


st.title(t("lt.title"))
st.write(t("lt.intro"))
ex.toc(
    [
        ("clipped-surrogate", t("lt.clip.title")),
        ("gae", t("lt.gae.title")),
        ("trust-region", t("lt.tr.title")),
    ]
)

# -- the clipped surrogate, and one update by four rules -------------------------------------
ex.section("clipped-surrogate", t("lt.clip.title"), t("lt.clip.question"))
clip = st.slider(t("lt.clip.eps"), 0.05, 0.5, 0.2, 0.05, key=f"{P}.clip.eps")
ex.chart(surrogate_figure(RATIOS, clip), key=f"{P}.clip.curves")
ex.formula(
    r"L^{CLIP}(\theta) = \mathbb{E}_t\Big[\min\big(\rho_t\hat A_t,\;"
    r"\mathrm{clip}(\rho_t, 1-\epsilon, 1+\epsilon)\,\hat A_t\big)\Big],\qquad"
    r"\rho_t = \frac{\pi_\theta(a_t|s_t)}{\pi_{\theta_{old}}(a_t|s_t)}",
    t("lt.clip.caption"),
)
st.markdown(t("lt.clip.read"))
ex.same_code("rlcore.core.ops.clipped_surrogate", "PPO")

st.subheader(t("lt.upd.title"), anchor=False)
st.caption(t("lt.upd.setup", rewards=", ".join(f"{r:g}" for r in tr.BANDIT_REWARDS)))
c1, c2, c3, c4 = st.columns(4)
lr = c1.select_slider(t("lt.upd.lr"), [0.5, 1.0, 2.0, 5.0, 10.0, 20.0], 5.0, key=f"{P}.upd.lr")
epochs = c2.slider(t("lt.upd.epochs"), 1, 50, 10, key=f"{P}.upd.epochs")
kl_coef = c3.select_slider(t("lt.upd.beta"), [0.1, 0.3, 1.0, 3.0, 10.0], 1.0, key=f"{P}.upd.beta")
delta = c4.select_slider(
    t("lt.upd.delta"), [0.001, 0.003, 0.01, 0.03, 0.1], 0.01, key=f"{P}.upd.delta"
)
res = updates(lr, clip, epochs, kl_coef, delta)
names = {k: t(f"lt.upd.{k}") for k in tr.UPDATE_METHODS}
p_old = np.exp(tr.BANDIT_START) / np.exp(tr.BANDIT_START).sum()
left, right = st.columns(2)
with left:
    probs = {t("lt.upd.old"): p_old} | {names[k]: res[k].probs for k in tr.UPDATE_METHODS}
    ex.chart(
        bars_figure(
            ACTIONS,
            probs,
            t("lt.upd.action"),
            title=t("lt.upd.probs"),
            y_title="π(a)",
            y_range=(0.0, 1.0),
        ),
        key=f"{P}.upd.probs",
    )
with right:
    ex.chart(
        bars_figure(
            [names[k] for k in tr.UPDATE_METHODS],
            {
                "KL(π_old ‖ π_new)": [res[k].kl_old_new for k in tr.UPDATE_METHODS],
                "KL(π_new ‖ π_old)": [res[k].kl_new_old for k in tr.UPDATE_METHODS],
            },
            t("lt.upd.method"),
            title=t("lt.upd.kls"),
            y_title=t("lt.upd.kl_axis"),
            log_y=True,
        ),
        key=f"{P}.upd.kls",
    )
table = pd.DataFrame(
    {
        t("lt.upd.method"): [names[k] for k in tr.UPDATE_METHODS],
        "KL(π_old ‖ π_new)": [res[k].kl_old_new for k in tr.UPDATE_METHODS],
        "KL(π_new ‖ π_old)": [res[k].kl_new_old for k in tr.UPDATE_METHODS],
        t("lt.upd.gain"): [res[k].gain for k in tr.UPDATE_METHODS],
        "max |ρ − 1|": [res[k].ratio_max for k in tr.UPDATE_METHODS],
    }
)
st.dataframe(table, hide_index=True, key=f"{P}.upd.table")
ex.formula(
    r"\text{PG: } \theta + \eta\nabla_\theta\mathbb{E}[\rho A] \qquad"
    r"\text{PPO: } \max_\theta L^{CLIP} \qquad"
    r"\text{KL penalty: } \max_\theta\, \mathbb{E}[\rho A]"
    r" - \beta\,\mathrm{KL}(\pi_{old}\|\pi_\theta) \qquad"
    r"\text{TRPO: } \max_\theta\, \mathbb{E}[\rho A]\ \text{s.t.}\ "
    r"\mathrm{KL}(\pi_{old}\|\pi_\theta) \le \delta",
    t("lt.upd.caption"),
)
st.markdown(t("lt.upd.answer"))
train_link("ppo", "CartPole-v1")

# -- GAE(λ) --------------------------------------------------------------------------------
ex.section("gae", t("lt.gae.title"), t("lt.gae.question"))
st.caption(t("lt.gae.setup"))
c1, c2, c3, c4 = st.columns(4)
critic_error = c1.slider(t("lt.gae.error"), 0.0, 0.5, 0.3, 0.05, key=f"{P}.gae.error")
slip = c2.slider(t("lt.gae.slip"), 0.0, 0.6, 0.2, 0.1, key=f"{P}.gae.slip")
limit = c3.slider(t("lt.gae.limit"), 4, 40, 12, key=f"{P}.gae.limit")
as_terminal = c4.toggle(t("lt.gae.as_terminal"), False, key=f"{P}.gae.as_terminal")
study = gae(critic_error, slip, limit, as_terminal)
best = float(LAMBDAS[int(np.argmin(study.mse))])
ex.chart(
    lines_figure(
        [
            Line(LAMBDAS, study.bias2, t("lt.gae.bias2"), color=RED),
            Line(LAMBDAS, study.variance, t("lt.gae.variance"), color=BLUE),
            Line(LAMBDAS, study.mse, t("lt.gae.mse"), color="black", dash="dash"),
        ],
        "λ",
        t("lt.gae.axis"),
        titles=[t("lt.gae.fig")],
        vline=best,
    ),
    key=f"{P}.gae.fig",
)
st.caption(t("lt.gae.now", n=study.samples, episodes=study.episodes, best=best))
ex.formula(
    r"\hat A_t^{GAE(\gamma,\lambda)} = \sum_{l\ge0}(\gamma\lambda)^l\,\delta_{t+l},\quad"
    r"\delta_t = r_t + \gamma(1-d_t)\hat V(s_{t+1}) - \hat V(s_t);\quad"
    r"\lambda=0:\ \delta_t\ \ \ \lambda=1:\ \textstyle\sum_l\gamma^l r_{t+l} - \hat V(s_t)",
    t("lt.gae.caption"),
)
st.markdown(t("lt.gae.answer"))
ex.same_code("rlcore.core.ops.gae", "PPO, TRPO, A2C")
train_link("trpo", "CartPole-v1")

# -- the trust-region step -------------------------------------------------------------------
ex.section("trust-region", t("lt.tr.title"), t("lt.tr.question"))
st.caption(t("lt.tr.setup", rewards=", ".join(f"{r:g}" for r in tr.TR_REWARDS)))
c1, c2, c3 = st.columns(3)
tr_delta = c1.select_slider(
    t("lt.upd.delta"), [0.01, 0.02, 0.05, 0.1, 0.2], 0.05, key=f"{P}.tr.delta"
)
t1 = c2.slider("θ1", -3.0, 3.0, float(tr.TR_START[0]), 0.25, key=f"{P}.tr.t1")
t2 = c3.slider("θ2", -3.0, 3.0, float(tr.TR_START[1]), 0.25, key=f"{P}.tr.t2")
pic = picture(tr_delta, t1, t2)
ex.chart(trust_region_figure(pic, tr_delta), key=f"{P}.tr.fig")
m = st.columns(4)
for col, key in zip(m[:3], ("gradient", "natural", "accepted")):
    col.metric(
        t(f"lt.tr.{key}"),
        f"{pic.gains[key]:+.4f}",
        help=t("lt.tr.metric_help", model=pic.model_gains[key], kl=pic.kls[key]),
    )
m[3].metric(t("lt.tr.backtracks"), pic.backtracks)
f = pic.fisher
st.caption(
    t(
        "lt.tr.now",
        f=f"[[{f[0, 0]:.3f}, {f[0, 1]:.3f}], [{f[1, 0]:.3f}, {f[1, 1]:.3f}]]",
        g=f"({pic.gradient[0]:.3f}, {pic.gradient[1]:.3f})",
        s=f"({pic.natural[0]:.3f}, {pic.natural[1]:.3f})",
        kl_g=pic.kls["gradient"],
        kl_s=pic.kls["natural"],
        kl_a=pic.kls["accepted"],
    )
)
ex.formula(
    r"\max_{\Delta\theta}\ g^\top\Delta\theta\ \ \text{s.t.}\ \ "
    r"\tfrac12\Delta\theta^\top F\,\Delta\theta \le \delta"
    r"\ \Longrightarrow\ \Delta\theta = \sqrt{\frac{2\delta}{g^\top F^{-1} g}}\;F^{-1}g,\qquad"
    r"F = \mathbb{E}\big[\nabla\log\pi\,\nabla\log\pi^\top\big]"
    r" = \nabla^2_\theta\,\mathrm{KL}(\pi_{old}\|\pi_\theta)\big|_{\theta_{old}}",
    t("lt.tr.caption"),
)
st.markdown(t("lt.tr.answer"))
ex.same_code(
    "rlcore.core.ops.fisher_vector_product / conjugate_gradient / backtracking_line_search",
    "TRPO",
)
train_link("trpo", "CartPole-v1")
train_link("ppo", "Pendulum-v1")
