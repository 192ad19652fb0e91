"""Learn: policy & actor-critic — reparameterization (#6), SAC's α (#7), policy gradient (#8)."""

import math

import numpy as np
import streamlit as st

from rlcore.learn import policy as cp
from ui.i18n import t
from ui.learn import explorer as ex
from ui.learn.figures import Line, bars_figure, histogram_figure, lines_figure
from ui.learn.links import train_link
from ui.palette import GREY, PALETTE

P = "learn_policy"  # prefix of every widget and session_state key on this page
COUNTS = (1, 4, 16, 64, 256, 1024)
MEANS = np.array([1.0, 0.8, 0.5, 0.2, 0.0])
MAX_POINTS = 2000  # per trace


@st.cache_data(max_entries=64, show_spinner=False)
def rep_estimates(name: str, mu: float, sigma: float, m: int) -> dict:
    return cp.gradient_estimates(name, mu, sigma, m, 500, seed=m)


@st.cache_data(max_entries=64, show_spinner=False)
def rep_spread(name: str, mu: float, sigma: float) -> dict:
    return cp.gradient_std_vs_samples(name, mu, sigma, COUNTS)


@st.cache_data(max_entries=64, show_spinner=False)
def pg(noise: float, offset: float, batch: int, lr: float) -> tuple[dict, dict]:
    g = cp.pg_true_gradient(np.zeros(len(MEANS)), MEANS)
    samples = cp.pg_gradient_samples(np.zeros(len(MEANS)), MEANS, noise, offset, batch)
    variance = {k: float(((v - g) ** 2).sum(1).mean()) for k, v in samples.items()}
    return variance, cp.pg_learning_curves(MEANS, noise, offset, batch, lr)


st.title(t("lp.title"))
st.write(t("lp.intro"))
ex.toc(
    [
        ("reparameterization", t("lp.rep.title")),
        ("sac-alpha", t("lp.alpha.title")),
        ("policy-gradient", t("lp.pg.title")),
    ]
)

# -- 6. reparameterization -----------------------------------------------------------------
ex.section("reparameterization", t("lp.rep.title"), t("lp.rep.question"))
c1, c2, c3, c4 = st.columns(4)
names = {k: t(f"lp.rep.f.{k}") for k in cp.FUNCTIONS}
fname = c1.selectbox(t("lp.rep.function"), list(names), format_func=names.get, key=f"{P}.rep.f")
mu = c2.slider(t("lp.rep.mu"), -2.0, 2.0, 1.0, 0.1, key=f"{P}.rep.mu")
sigma = c3.slider(t("lp.rep.sigma"), 0.1, 2.0, 0.5, 0.05, key=f"{P}.rep.sigma")
m = c4.select_slider(t("lp.rep.m"), COUNTS, 16, key=f"{P}.rep.m")
est = rep_estimates(fname, mu, sigma, m)
spread = rep_spread(fname, mu, sigma)
true_g = cp.true_gradient(fname, mu, sigma)
labels = {"reparam": t("lp.rep.reparam"), "score": t("lp.rep.score")}
left, right = st.columns(2)
with left:
    fig = histogram_figure(
        {labels[k]: v for k, v in est.items()}, t("lp.rep.estimate"), {t("lp.rep.true"): true_g}
    )
    ex.chart(fig.update_layout(title=t("lp.rep.hist")), key=f"{P}.rep.hist")
with right:
    ex.chart(
        lines_figure(
            [
                Line(COUNTS, spread[k], labels[k], mode="lines+markers")
                for k in ("reparam", "score")
            ],
            t("lp.rep.m"),
            t("lp.rep.std_axis"),
            titles=[t("lp.rep.std")],
            log_x=True,
            log_y=True,
            vline=m,
        ),
        key=f"{P}.rep.std",
    )
st.caption(
    t(
        "lp.rep.now",
        m=m,
        g=true_g,
        r=est["reparam"].mean(),
        rs=est["reparam"].std(),
        s=est["score"].mean(),
        ss=est["score"].std(),
    )
)
ex.formula(
    r"\nabla_\mu \mathbb{E}_{x\sim\mathcal N(\mu,\sigma^2)}[f(x)]"
    r"= \underbrace{\mathbb{E}_{\epsilon\sim\mathcal N(0,1)}\big[f'(\mu+\sigma\epsilon)\big]}"
    + rf"_{{\text{{{t('lp.rep.reparam')}}}}}"
    + r"= \underbrace{\mathbb{E}_{x}\Big[f(x)\,\frac{x-\mu}{\sigma^2}\Big]}"
    + rf"_{{\text{{{t('lp.rep.score')}}}}}",
    t("lp.rep.caption"),
)
st.caption(t("lp.rep.same_idea"))
st.markdown(t("lp.rep.answer"))
train_link("sac", "Pendulum-v1")

# -- 7. SAC temperature ------------------------------------------------------------------
ex.section("sac-alpha", t("lp.alpha.title"), t("lp.alpha.question"))
st.caption(t("lp.alpha.setup"))
c1, c2, c3, c4 = st.columns(4)
target = c1.slider(t("lp.alpha.target"), -2.0, 2.0, 0.0, 0.1, key=f"{P}.alpha.target")
alpha_lr = c2.select_slider(
    t("lp.alpha.alpha_lr"), [0.005, 0.01, 0.02, 0.05, 0.1], 0.05, key=f"{P}.alpha.alpha_lr"
)
policy_lr = c3.select_slider(
    t("lp.alpha.policy_lr"), [0.005, 0.01, 0.02, 0.05, 0.1], 0.05, key=f"{P}.alpha.policy_lr"
)
autotune = c4.toggle(
    t("lp.alpha.autotune"), True, help=t("lp.alpha.autotune_help"), key=f"{P}.alpha.autotune"
)
a_tick = st.slider(t("explorer.steps_per_tick"), 1, 50, 10, key=f"{P}.alpha.per_tick")


def alpha_view(toy: cp.AlphaToy) -> None:
    s, h = toy.state, toy.history
    m1, m2, m3, m4 = st.columns(4)
    m1.metric(t("lp.alpha.m_step"), s.step)
    m2.metric(t("lp.alpha.m_alpha"), f"{math.exp(s.log_alpha):.4f}")
    m3.metric(t("lp.alpha.m_entropy"), f"{cp.gaussian_entropy(s.log_std):.3f}")
    m4.metric(t("lp.alpha.m_std"), f"{math.exp(s.log_std):.3f}")
    every = max(1, len(h["step"]) // MAX_POINTS)
    x = np.array(h["step"][::every])
    tgt = np.array(h["target"][::every])
    star = np.array([cp.alpha_optimum(v) for v in tgt])
    ex.chart(
        lines_figure(
            [
                Line(x, h["entropy"][::every], t("lp.alpha.entropy")),
                Line(x, tgt, t("lp.alpha.target_line"), dash="dash", color=GREY, shape="hv"),
                Line(x, h["alpha"][::every], t("lp.alpha.alpha"), col=2, color=PALETTE[1]),
                Line(x, star, t("lp.alpha.alpha_star"), dash="dash", col=2, color=PALETTE[3]),
            ],
            t("lp.alpha.update"),
            [t("lp.alpha.entropy"), t("lp.alpha.alpha")],
            titles=[t("lp.alpha.entropy_panel"), t("lp.alpha.alpha_panel")],
            log_y=[False, True],
            height=360,
        ),
        key=f"{P}.alpha.fig",
    )


# The knobs act on the running learner: the target can move while it plays.
knobs = dict(target_entropy=target, alpha_lr=alpha_lr, policy_lr=policy_lr, autotune=autotune)
ex.stepper(f"{P}.alpha", None, cp.AlphaToy, alpha_view, per_tick=a_tick, knobs=knobs)
ex.formula(
    r"L(\alpha) = \mathbb{E}_{a\sim\pi}\big[-\alpha\,(\log\pi(a) + \bar{\mathcal H})\big],"
    r"\qquad \frac{\partial L}{\partial \log\alpha} = \alpha\,"
    r"\big(\mathcal H(\pi) - \bar{\mathcal H}\big),\qquad "
    r"L(\pi) = \mathbb{E}_{\epsilon}\big[\alpha\log\pi(\tilde a) - Q(\tilde a)\big]",
    t("lp.alpha.caption"),
)
ex.same_code("rlcore.core.ops.dual_loss", "SAC (alpha_loss), CQL-Lagrange")
st.markdown(t("lp.alpha.answer"))
train_link("sac", "Pendulum-v1")

# -- 8. policy gradient --------------------------------------------------------------------
ex.section("policy-gradient", t("lp.pg.title"), t("lp.pg.question"))
st.caption(t("lp.pg.bandit", means=", ".join(f"{v:g}" for v in MEANS)))
c1, c2, c3, c4 = st.columns(4)
noise = c1.slider(t("lp.pg.noise"), 0.0, 3.0, 1.0, 0.1, key=f"{P}.pg.noise")
offset = c2.slider(t("lp.pg.offset"), -5.0, 10.0, 5.0, 0.5, key=f"{P}.pg.offset")
batch = c3.select_slider(t("lp.pg.batch"), [1, 2, 4, 8, 16, 32], 8, key=f"{P}.pg.batch")
lr = c4.select_slider(t("lp.pg.lr"), [0.05, 0.1, 0.2, 0.5, 1.0, 2.0], 0.5, key=f"{P}.pg.lr")
variance, curves = pg(noise, offset, batch, lr)
names = {k: t(f"lp.pg.{k}") for k in cp.PG_METHODS}
left, right = st.columns(2)
with left:
    ex.chart(
        bars_figure(
            [names[k] for k in cp.PG_METHODS],
            {t("lp.pg.variance_axis"): [variance[k] for k in cp.PG_METHODS]},
            t("lp.pg.method"),
            title=t("lp.pg.variance"),
            y_title=t("lp.pg.variance_axis"),
            log_y=True,
        ),
        key=f"{P}.pg.variance",
    )
with right:
    it = np.arange(next(iter(curves.values())).shape[1])
    lines = []
    for i, k in enumerate(cp.PG_METHODS):
        mean = curves[k].mean(0)
        se = curves[k].std(0) / np.sqrt(curves[k].shape[0])
        lines.append(Line(it, mean, names[k], color=PALETTE[i], band=(mean - se, mean + se)))
    lines.append(Line(it, np.full(len(it), MEANS.max()), t("lp.pg.best"), dash="dot", color=GREY))
    ex.chart(
        lines_figure(lines, t("lp.pg.iteration"), t("lp.pg.j"), titles=[t("lp.pg.curves")]),
        key=f"{P}.pg.curves",
    )
ex.formula(
    r"\nabla_\theta J = \mathbb{E}_{a\sim\pi_\theta}\big[\nabla_\theta\log\pi_\theta(a)\,A\big],"
    r"\quad A \in \big\{\,r,\;\; r - b,\;\; "
    r"\hat Q(a) - \textstyle\sum_{a'}\pi(a')\hat Q(a')\,\big\},"
    r"\quad \mathbb{E}_{a\sim\pi}\big[\nabla_\theta\log\pi_\theta(a)\big]\,b = 0",
    t("lp.pg.caption"),
)
st.markdown(t("lp.pg.answer"))
train_link("reinforce", "CartPole-v1")
train_link("a2c", "CartPole-v1")
