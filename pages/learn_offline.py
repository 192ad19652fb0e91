"""Learn: offline-RL ideas — CQL (#9), IQL's expectile (#10), AWR (#11), SAC-N/EDAC (#12),
BC as maximum likelihood (#13).

Each section is a fragment: moving one of its sliders reruns that section only.
"""

import numpy as np
import streamlit as st
import torch

from rlcore.learn import offline as off
from rlcore.learn.maths import gaussian_pdf
from ui.i18n import t
from ui.learn import explorer as ex
from ui.learn import offline_figures as fig
from ui.learn.links import train_link

P = "learn_offline"  # prefix of every widget and session_state key on this page
torch.set_num_threads(1)  # tiny networks: threads only add overhead on a shared CPU


@st.cache_data(max_entries=64, show_spinner=False)
def expectile_curve(kind: str, n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    taus = np.linspace(0.5, 0.995, 100)
    return taus, off.expectile_curve(off.sample_data(kind, n, seed), taus)


@st.cache_resource(max_entries=32, show_spinner=False)
def ensemble(n: int, eta: float, noise: float) -> off.EnsembleFit:
    return off.fit_ensemble(off.EnsembleToyConfig(n_members=n, eta=eta, noise=noise))


@st.cache_data(max_entries=64, show_spinner=False)
def bc_actor(good: float, n: int, seed: int) -> tuple[float, float]:
    actor, _ = off.bc_actor_fit(off.bc_dataset(good, n, seed).actions, seed=seed)
    with torch.no_grad():
        return float(actor.mean(torch.zeros(1, 1))), float(actor.std())


@st.fragment
def cql_section() -> None:
    c1, c2, c3 = st.columns(3)
    variant = c1.selectbox(
        t("lo.cql.variant"),
        off.CQL_VARIANTS,
        index=2,
        format_func=lambda v: t(f"lo.cql.v.{v}"),
        key=f"{P}.cql.variant",
    )
    alpha = c2.slider(t("lo.cql.alpha_in"), 0.1, 5.0, 1.0, 0.1, key=f"{P}.cql.alpha")
    gap = c3.slider(
        t("lo.cql.tau"), 0.1, 2.0, 0.3, 0.05, key=f"{P}.cql.tau", disabled=variant != "lagrange"
    )
    c1, c2, c3 = st.columns(3)
    low, high = c1.slider(t("lo.cql.range"), -1.0, 1.0, (-1.0, 0.2), 0.05, key=f"{P}.cql.range")
    gamma = c2.slider(t("lo.cql.gamma"), 0.0, 0.9, 0.8, 0.05, key=f"{P}.cql.gamma")
    per_click = c3.slider(t("lo.per_click"), 1, 50, 10, key=f"{P}.cql.per_click")
    cfg = off.CQLToyConfig(
        variant=variant,
        cql_alpha=alpha,
        target_action_gap=gap,
        data_low=low,
        data_high=max(high, low + 0.05),
        gamma=gamma,
    )

    def view(toy: off.CQLToy) -> None:
        h = toy.history
        m = st.columns(4)
        m[0].metric(t("lo.steps"), toy.steps)
        m[1].metric(t("lo.cql.alpha"), f"{toy.alpha:.3g}")
        m[2].metric(t("lo.cql.gap_baseline"), f"{h['gap_baseline'][-1]:.2f}" if h["step"] else "—")
        m[3].metric(t("lo.cql.gap_cql"), f"{h['gap_cql'][-1]:.2f}" if h["step"] else "—")
        ex.chart(fig.cql_figure(toy), key=f"{P}.cql.fig")

    ex.stepper(f"{P}.cql", cfg, lambda: off.CQLToy(cfg), view, per_click=per_click, max_steps=2000)
    st.caption(t("lo.restart"))


@st.fragment
def expectile_section() -> None:
    c1, c2, c3 = st.columns(3)
    tau = c1.slider(t("lo.iql.tau"), 0.5, 0.99, 0.9, 0.01, key=f"{P}.iql.tau")
    kind = c2.selectbox(
        t("lo.iql.kind"),
        off.SAMPLE_KINDS,
        format_func=lambda k: t(f"lo.iql.k.{k}"),
        key=f"{P}.iql.kind",
    )
    n = c3.slider(t("lo.iql.n"), 5, 200, 30, key=f"{P}.iql.n")
    c1, c2, c3 = st.columns(3)
    lr = c1.slider(t("lo.iql.lr"), 0.05, 1.0, 0.3, 0.05, key=f"{P}.iql.lr")
    seed = int(c2.number_input(t("explorer.seed"), 0, 10_000, 0, key=f"{P}.iql.seed"))
    per_click = c3.slider(t("lo.per_click"), 1, 50, 5, key=f"{P}.iql.per_click")
    y = off.sample_data(kind, n, seed)
    taus, curve = expectile_curve(kind, n, seed)
    exact = off.expectile(y, tau)

    def view(f: off.ExpectileFit) -> None:
        m = st.columns(4)
        m[0].metric(t("lo.iql.mean"), f"{y.mean():.3f}")
        m[1].metric(t("lo.iql.exact", tau=f"{tau:.2f}"), f"{exact:.3f}")
        m[2].metric(t("lo.iql.estimate"), f"{f.value:.3f}", f"{f.value - exact:+.3f}")
        m[3].metric(t("lo.iql.max"), f"{y.max():.3f}")
        ex.chart(fig.expectile_figure(f, taus, curve, exact), key=f"{P}.iql.fig")

    settings = (tau, kind, n, seed, lr)
    ex.stepper(
        f"{P}.iql",
        settings,
        lambda: off.ExpectileFit(y, tau, lr),
        view,
        per_click=per_click,
        max_steps=1000,
    )


@st.fragment
def awr_section() -> None:
    conventions = {"beta": t("lo.awr.conv_beta"), "lambda": t("lo.awr.conv_lambda")}
    c1, c2, c3 = st.columns(3)
    conv = c1.radio(
        t("lo.awr.convention"), list(conventions), format_func=conventions.get, key=f"{P}.awr.conv"
    )
    if conv == "beta":
        b = c2.slider("β", 0.0, 10.0, 3.0, 0.1, key=f"{P}.awr.beta", help=t("lo.awr.beta_help"))
        beta = off.inverse_temperature(beta=b)
    else:
        lam = c2.slider(
            "λ", 0.05, 10.0, 0.35, 0.05, key=f"{P}.awr.lambda", help=t("lo.awr.lambda_help")
        )
        beta = off.inverse_temperature(temperature=lam)
    max_w = c3.select_slider(
        t("lo.awr.clip"),
        [1.0, 2.0, 5.0, 10.0, 20.0, 50.0, 100.0, 1000.0, 1e6],
        100.0,
        key=f"{P}.awr.clip",
    )
    c1, c2, c3 = st.columns(3)
    n = c1.slider(t("lo.awr.n"), 5, 60, 20, key=f"{P}.awr.n")
    spread = c2.slider(t("lo.awr.spread"), 0.1, 2.0, 1.0, 0.1, key=f"{P}.awr.spread")
    seed = int(c3.number_input(t("explorer.seed"), 0, 10_000, 0, key=f"{P}.awr.seed"))
    adv = off.advantage_sample(n, spread, seed)
    w = off.awr_weight_table(adv, beta, max_w)
    temperature = 1.0 / beta if beta > 0 else float("inf")
    m = st.columns(4)
    m[0].metric(t("lo.awr.beta_metric"), f"{beta:.3g}")
    m[1].metric(t("lo.awr.lambda_metric"), f"{temperature:.3g}")
    m[2].metric(
        t("lo.awr.ess"), f"{w.ess_raw:.1f} → {w.ess_clipped:.1f}", help=t("lo.awr.ess_help")
    )
    m[3].metric(t("lo.awr.n_clipped"), w.n_clipped)
    ex.chart(fig.awr_figure(adv, w, max_w, temperature), key=f"{P}.awr.fig")


@st.fragment
def ensemble_section() -> None:
    c1, c2, c3, c4 = st.columns(4)
    n = c1.slider(t("lo.ens.n"), 2, 10, 5, key=f"{P}.ens.n")
    eta = c2.select_slider(t("lo.ens.eta"), [0.0, 0.1, 0.3, 1.0, 3.0], 1.0, key=f"{P}.ens.eta")
    noise = c3.select_slider(t("lo.ens.noise"), [0.05, 0.1, 0.2, 0.4], 0.1, key=f"{P}.ens.noise")
    s0 = c4.slider(t("lo.ens.state"), -1.0, 1.0, 0.0, 0.1, key=f"{P}.ens.state")
    fit_e = ensemble(n, eta, noise)
    a1 = np.linspace(-1.0, 1.0, 81)
    sl = off.ensemble_slice(fit_e, s0, a1)
    near = np.abs(a1 - sl["behaviour"][0]) <= 2 * noise  # the data's actions at this state
    std = sl["q"].std(0)
    m = st.columns(4)
    m[0].metric(t("lo.ens.std_on"), f"{std[near].mean():.2f}")
    m[1].metric(t("lo.ens.std_off"), f"{std[~near].mean():.2f}")
    m[2].metric(t("lo.ens.diversity"), f"{fit_e.history['diversity'][-1]:.2f}")
    m[3].metric(t("lo.ens.mse"), f"{fit_e.history['mse'][-1]:.3f}")
    eig = np.linalg.eigvalsh(fit_e.similarity)[::-1]
    figure = fig.ensemble_figure(a1, sl, off.min_over_first_k(sl["q"]), fit_e.similarity, eig, near)
    ex.chart(figure, key=f"{P}.ens.fig")


@st.fragment
def bc_section() -> None:
    c1, c2, c3, c4 = st.columns(4)
    good = c1.slider(t("lo.bc.good_fraction"), 0.0, 1.0, 0.5, 0.05, key=f"{P}.bc.good")
    n = c2.slider(t("lo.bc.n"), 20, 500, 200, 10, key=f"{P}.bc.n")
    beta = c3.slider(t("lo.bc.beta"), 0.0, 20.0, 0.0, 0.5, key=f"{P}.bc.beta")
    seed = int(c4.number_input(t("explorer.seed"), 0, 10_000, 0, key=f"{P}.bc.seed"))
    data = off.bc_dataset(good, n, seed)
    mu, sigma = off.gaussian_mle(data.actions)
    actor_mu, actor_sigma = bc_actor(good, n, seed)
    reward = off.bc_reward(data.actions)
    weights = off.awr_weight_table(reward - reward.mean(), beta, 100.0).clipped
    w_mu, w_sigma = off.weighted_gaussian_mle(data.actions, weights)
    m = st.columns(4)
    m[0].metric(t("lo.bc.mean"), f"{data.actions.mean():.3f}")
    m[1].metric(t("lo.bc.mle"), f"{mu:.3f}")
    m[2].metric(t("lo.bc.actor"), f"{actor_mu:.3f}")
    m[3].metric(t("lo.bc.weighted"), f"{w_mu:.3f}")
    grid = np.linspace(-1, 1, 201)
    densities = {t("lo.bc.density"): gaussian_pdf(grid, actor_mu, actor_sigma)}
    marks = {
        t("lo.bc.mark_bc"): mu,
        t("lo.bc.mark_good"): off.BC_GOOD_ACTION,
        t("lo.bc.mark_bad"): off.BC_BAD_ACTION,
    }
    if beta > 0:  # at beta = 0 weighted BC is plain BC: one curve, not two on top
        densities[t("lo.bc.density_weighted", beta=f"{beta:g}")] = gaussian_pdf(grid, w_mu, w_sigma)
        marks[t("lo.bc.mark_weighted")] = w_mu
    log_lik = off.gaussian_log_likelihood(data.actions, grid, sigma)
    ex.chart(fig.bc_figure(data, grid, densities, marks, log_lik), key=f"{P}.bc.fig")
    r = {
        k: f"{float(off.bc_reward(np.array(a))):.3f}"
        for k, a in (("bc", mu), ("weighted", w_mu), ("best", off.BC_GOOD_ACTION))
    }
    st.caption(t("lo.bc.returns", **r))


st.title(t("lo.title"))
st.write(t("lo.intro"))
ex.toc(
    [
        ("cql", t("lo.cql.title")),
        ("expectile", t("lo.iql.title")),
        ("awr", t("lo.awr.title")),
        ("ensembles", t("lo.ens.title")),
        ("bc", t("lo.bc.title")),
    ]
)

# -- 9. CQL ----------------------------------------------------------------------------------
ex.section("cql", t("lo.cql.title"), t("lo.cql.question"))
cql_section()
ex.formula(
    r"\min_Q\;\alpha\Big(\mathbb{E}_{a\sim\mu}[Q(a)]"
    + r"\;\underbrace{-\;\mathbb{E}_{a\sim\mathcal{D}}[Q(a)]}"
    + rf"_{{\text{{{t('lo.cql.improved_only')}}}}}\Big)"
    + r"+\tfrac12\,\mathbb{E}_{a\sim\mathcal{D}}"
    r"\Big[\big(Q(a) - r - \gamma\max_{a'}\bar Q(a')\big)^2\Big]",
    t("lo.cql.caption_penalty"),
)
ex.formula(
    r"\max_{\mu}\;\mathbb{E}_{a\sim\mu}[Q(a)] + \mathcal{H}(\mu)"
    r"\;=\;\log\sum_{a}\exp Q(a),\qquad \mu^*(a) = \frac{\exp Q(a)}{\sum_{a'}\exp Q(a')}",
    t("lo.cql.caption_lse"),
)
ex.formula(
    r"\min_{\alpha'\ge 0}\;-\alpha'\,\big(\mathcal{R}(Q) - \tau\big)"
    r"\quad\Rightarrow\quad \alpha' \uparrow \text{ while } \mathcal{R}(Q) > \tau",
    t("lo.cql.caption_lagrange"),
)
ex.same_code("rlcore.core.ops.cql_logsumexp, rlcore.core.ops.dual_loss", t("lo.used.cql"))
st.markdown(t("lo.cql.answer"))
train_link("cql")

# -- 10. IQL expectile ----------------------------------------------------------------------
ex.section("expectile", t("lo.iql.title"), t("lo.iql.question"))
ex.correction(t("lo.iql.correction"))
expectile_section()
ex.formula(
    r"L_2^\tau(u) = \big|\tau - \mathbb{1}(u < 0)\big|\,u^2,\qquad u = y - f(x)"
    r"\;\;(\text{IQL: } u = Q(s,a) - V(s)),\qquad "
    r"m_\tau = \arg\min_m \mathbb{E}\big[L_2^\tau(y - m)\big]",
    t("lo.iql.caption"),
)
ex.same_code("rlcore.core.ops.expectile_loss, rlcore.core.ops.expectile_weights", t("lo.used.iql"))
st.markdown(t("lo.iql.answer"))
train_link("iql")

# -- 11. AWR weights -------------------------------------------------------------------------
ex.section("awr", t("lo.awr.title"), t("lo.awr.question"))
ex.correction(t("lo.awr.correction"))
awr_section()
ex.formula(
    r"w_i = \min\big(\exp(\beta\,A_i),\ w_{max}\big) = \min\big(\exp(A_i/\lambda),\ w_{max}\big),"
    r"\quad \lambda = 1/\beta,\qquad L(\pi) = -\frac1n\sum_i w_i\,\log\pi(a_i|s_i)",
    t("lo.awr.caption"),
)
ex.same_code("rlcore.core.ops.awr_weights", t("lo.used.awr"))
st.markdown(t("lo.awr.answer"))
train_link("awac")
train_link("iql")

# -- 12. SAC-N / EDAC ------------------------------------------------------------------------
ex.section("ensembles", t("lo.ens.title"), t("lo.ens.question"))
ensemble_section()
ex.formula(
    r"y = r + \gamma\Big(\min_{i=1..N} Q_{\bar\theta_i}(s',a') - \alpha\log\pi(a'|s')\Big),"
    r"\qquad \mathbb{E}\big[\min_{i} Q_i\big] \approx \bar Q - \Phi^{-1}\!\Big(\frac{N - 3/8}"
    r"{N + 1/4}\Big)\,\sigma_Q",
    t("lo.ens.caption_min"),
)
ex.formula(
    r"\eta\;\frac{1}{N-1}\sum_{i\ne j}\Big\langle"
    r"\frac{\nabla_a Q_i(s,a)}{\|\nabla_a Q_i(s,a)\|},"
    r"\frac{\nabla_a Q_j(s,a)}{\|\nabla_a Q_j(s,a)\|}\Big\rangle",
    t("lo.ens.caption_div"),
)
ex.same_code(
    "rlcore.core.nn.EnsembleCritic, rlcore.core.ops.edac_diversity, rlcore.core.ops.clipped_min",
    t("lo.used.ens"),
)
factors = ", ".join(f"c{k} = {off.expected_min_factor(k):.2f}" for k in (2, 5, 10, 50))
st.markdown(t("lo.ens.answer", factors=factors))
train_link("sac_n")
train_link("edac")

# -- 13. BC = maximum likelihood -------------------------------------------------------------
ex.section("bc", t("lo.bc.title"), t("lo.bc.question"))
bc_section()
ex.formula(
    r"\max_\phi\ \frac1n\sum_i \log\pi_\phi(a_i|s),\quad"
    r"\pi_\phi = \mathcal{N}(\mu,\sigma^2):\ \ \frac{\partial}{\partial\mu}"
    r"= \frac{1}{n\sigma^2}\sum_i (a_i - \mu) = 0\ \Rightarrow\ \mu = \bar a",
    t("lo.bc.caption"),
)
ex.formula(
    r"\max_\phi\ \frac1n\sum_i w_i\log\pi_\phi(a_i|s)\ \Rightarrow\ "
    r"\mu = \frac{\sum_i w_i a_i}{\sum_i w_i},\qquad w_i = \exp(\beta A_i)",
    t("lo.bc.caption_weighted"),
)
ex.same_code("rlcore.core.nn.GaussianActor.log_prob", t("lo.used.bc"))
st.markdown(t("lo.bc.answer"))
train_link("bc")
