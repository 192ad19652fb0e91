"""Learn: maths toolbox — KL divergence (#14), Lagrange multipliers (#15), covariance and
Var(aᵀb) (#17), forward and backward propagation (#18), ``t.max(dim)`` (#19).

Each section is a fragment: moving one of its sliders reruns that section only.
"""

import numpy as np
import pandas as pd
import streamlit as st
import torch

from rlcore.learn import maths as mt
from ui.i18n import t
from ui.learn import explorer as ex
from ui.learn import maths_figures as fig
from ui.learn.links import train_link

P = "learn_maths"  # prefix of every widget and session_state key on this page
torch.set_num_threads(1)  # tiny tensors: threads only add overhead on a shared CPU


@st.cache_data(max_entries=64, show_spinner=False)
def samples(s1: float, s2: float, rho: float, n: int, seed: int) -> np.ndarray:
    return mt.sample_gaussian(mt.covariance_2d(s1, s2, rho), n, seed)


@st.fragment
def kl_section() -> None:
    c1, c2, c3, c4 = st.columns(4)
    mu_p = c1.slider("μ_p", -3.0, 3.0, 0.0, 0.1, key=f"{P}.kl.mu_p")
    sd_p = c2.slider("σ_p", 0.2, 3.0, 1.0, 0.1, key=f"{P}.kl.sd_p")
    mu_q = c3.slider("μ_q", -3.0, 3.0, 1.0, 0.1, key=f"{P}.kl.mu_q")
    sd_q = c4.slider("σ_q", 0.2, 3.0, 2.0, 0.1, key=f"{P}.kl.sd_q")
    c1, c2, c3, c4 = st.columns(4)
    n = c1.select_slider(t("lm.kl.n"), [100, 1000, 10_000, 100_000], 10_000, key=f"{P}.kl.n")
    seed = int(c2.number_input(t("explorer.seed"), 0, 10_000, 0, key=f"{P}.kl.seed"))
    mu_r = c3.slider(t("lm.kl.mu_r"), -3.0, 3.0, 2.0, 0.1, key=f"{P}.kl.mu_r")
    sd_r = c4.slider(t("lm.kl.sd_r"), 0.2, 3.0, 1.0, 0.1, key=f"{P}.kl.sd_r")
    pq, qp = mt.kl_gaussian(mu_p, sd_p, mu_q, sd_q), mt.kl_gaussian(mu_q, sd_q, mu_p, sd_p)
    pq_mc, pq_se = mt.kl_monte_carlo(mu_p, sd_p, mu_q, sd_q, n, seed)
    qp_mc, qp_se = mt.kl_monte_carlo(mu_q, sd_q, mu_p, sd_p, n, seed)
    pr, qr = mt.kl_gaussian(mu_p, sd_p, mu_r, sd_r), mt.kl_gaussian(mu_q, sd_q, mu_r, sd_r)
    m = st.columns(3)
    m[0].metric("KL(p‖q)", f"{pq:.4f}")
    m[1].metric("KL(q‖p)", f"{qp:.4f}")
    m[2].metric("KL(p‖r)  vs  KL(p‖q) + KL(q‖r)", f"{pr:.3f} vs {pq + qr:.3f}")
    table = pd.DataFrame(
        {
            t("lm.kl.closed"): [pq, qp],
            t("lm.kl.mc", n=n): [pq_mc, qp_mc],
            t("lm.kl.se"): [pq_se, qp_se],
        },
        index=["KL(p‖q)", "KL(q‖p)"],
    )
    st.dataframe(table, key=f"{P}.kl.table")
    if pr > pq + qr:
        st.error(t("lm.kl.triangle_broken", pr=f"{pr:.3f}", sum=f"{pq + qr:.3f}"))
    else:
        st.info(t("lm.kl.triangle_holds", pr=f"{pr:.3f}", sum=f"{pq + qr:.3f}"))
    ex.chart(fig.kl_figure((mu_p, sd_p), (mu_q, sd_q), (mu_r, sd_r)), key=f"{P}.kl.fig")


@st.fragment
def dual_section() -> None:
    c1, c2, c3, c4 = st.columns(4)
    limit = c1.slider(t("lm.dual.limit"), -1.0, 4.0, 1.0, 0.1, key=f"{P}.dual.limit")
    primal_lr = c2.slider(t("lm.dual.primal_lr"), 0.01, 0.3, 0.05, 0.01, key=f"{P}.dual.primal_lr")
    dual_lr = c3.slider(t("lm.dual.dual_lr"), 0.005, 0.2, 0.02, 0.005, key=f"{P}.dual.dual_lr")
    per_click = c4.slider(t("lm.per_click"), 1, 50, 5, key=f"{P}.dual.per_click")
    cfg = mt.DualToyConfig(limit=limit, primal_lr=primal_lr, dual_lr=dual_lr)
    _, lam_star = mt.dual_solution(limit)

    def view(toy: mt.DualAscentToy) -> None:
        h = toy.history
        m = st.columns(4)
        m[0].metric(t("lm.steps"), toy.steps)
        m[1].metric(f"λ   (λ* = {lam_star:.2f})", f"{toy.multiplier:.3f}")
        m[2].metric("g(x)", f"{h['violation'][-1]:+.3f}")
        m[3].metric("f(x)", f"{h['objective'][-1]:.3f}")
        ex.chart(fig.dual_figure(toy), key=f"{P}.dual.fig")

    ex.stepper(
        f"{P}.dual", cfg, lambda: mt.DualAscentToy(cfg), view, per_click=per_click, max_steps=3000
    )


@st.fragment
def covariance_section() -> None:
    c1, c2, c3 = st.columns(3)
    s1 = c1.slider("σ₁", 0.1, 3.0, 1.0, 0.1, key=f"{P}.cov.s1")
    s2 = c2.slider("σ₂", 0.1, 3.0, 2.0, 0.1, key=f"{P}.cov.s2")
    rho = c3.slider(t("lm.cov.rho"), -1.0, 1.0, 0.7, 0.05, key=f"{P}.cov.rho")
    c1, c2, c3, c4 = st.columns(4)
    b1 = c1.slider("b₁", -2.0, 2.0, 1.0, 0.1, key=f"{P}.cov.b1")
    b2 = c2.slider("b₂", -2.0, 2.0, -0.5, 0.1, key=f"{P}.cov.b2")
    n = c3.select_slider(t("lm.cov.n"), [100, 1000, 10_000, 100_000], 10_000, key=f"{P}.cov.n")
    seed = int(c4.number_input(t("explorer.seed"), 0, 10_000, 0, key=f"{P}.cov.seed"))
    cov = mt.covariance_2d(s1, s2, rho)
    b = np.array([b1, b2])
    a = samples(s1, s2, rho, n, seed)
    var, var_mc = mt.inner_product_variance(cov, b), mt.mc_inner_product_variance(a, b)
    lam, _ = mt.eig_psd(cov)
    bb = float(b @ b)
    m = st.columns(4)
    m[0].metric("bᵀΣb", f"{var:.4f}")
    m[1].metric(t("lm.cov.mc_var", n=n), f"{var_mc:.4f}", f"{var_mc - var:+.4f}")
    m[2].metric(t("lm.cov.eigs"), f"{lam[0]:.3f}, {lam[1]:.3f}")
    m[3].metric("‖b‖₂", f"{np.sqrt(bb):.3f}")
    m = st.columns(4)
    m[0].metric("tr Σ = σ₁² + σ₂²", f"{np.trace(cov):.4f}")
    m[1].metric("λ₁ + λ₂", f"{lam.sum():.4f}")
    m[2].metric(t("lm.cov.total_mc"), f"{mt.total_variance(a):.4f}")
    st.caption(
        t("lm.cov.bounds", low=f"{lam[0] * bb:.3f}", var=f"{var:.3f}", high=f"{lam[1] * bb:.3f}")
    )
    st.code(
        f"Σ = {np.array2string(cov, precision=3)}\n"
        f"Σ_hat (sample) = {np.array2string(np.cov(a.T), precision=3)}",
        language=None,
    )
    ex.chart(fig.covariance_figure(cov, b, a, var), key=f"{P}.cov.fig")


@st.fragment
def backprop_section() -> None:
    c1, c2, c3, c4, c5 = st.columns(5)
    x = c1.slider("x", -2.0, 2.0, 0.7, 0.1, key=f"{P}.bp.x")
    y = c2.slider(t("lm.bp.target"), -2.0, 2.0, 1.0, 0.1, key=f"{P}.bp.y")
    hidden = c3.slider(t("lm.bp.hidden"), 1, 4, 2, key=f"{P}.bp.hidden")
    act = c4.selectbox(t("lm.bp.activation"), list(mt.ACTIVATIONS), key=f"{P}.bp.act")
    seed = int(c5.number_input(t("lm.bp.seed"), 0, 10_000, 0, key=f"{P}.bp.seed"))
    params = mt.init_two_layer(hidden, seed)
    fwd = mt.forward_pass(params, x, y, act)
    by_hand = mt.backward_by_hand(params, fwd, x, y, act)
    auto = mt.backward_autograd(params, x, y, act)
    ex.chart(fig.backprop_figure(params, fwd, by_hand, x), key=f"{P}.bp.fig")
    rows = [
        (f"∂L/∂{name}[{i}]" if len(by_hand[name]) > 1 else f"∂L/∂{name}", h, a)
        for name in ("y_hat", "w2", "b2", "h", "z", "w1", "b1", "x")
        for i, (h, a) in enumerate(zip(by_hand[name], auto[name]))
    ]
    cols = ["", t("lm.bp.by_hand"), t("lm.bp.autograd")]
    table = pd.DataFrame(rows, columns=cols).set_index("")
    table[t("lm.bp.diff")] = (table.iloc[:, 0] - table.iloc[:, 1]).abs()
    height = 35 * (len(table) + 1) + 3  # every row visible, no inner scrollbar
    st.dataframe(table.style.format("{:.6g}"), height=height, key=f"{P}.bp.table")


@st.fragment
def max_section() -> None:
    c1, c2, c3, c4 = st.columns(4)
    rows = c1.slider(t("lm.max.rows"), 2, 5, 3, key=f"{P}.max.rows")
    cols = c2.slider(t("lm.max.cols"), 2, 6, 4, key=f"{P}.max.cols")
    dim = c3.radio("dim", [0, 1], horizontal=True, key=f"{P}.max.dim")
    seed = int(c4.number_input(t("explorer.seed"), 0, 10_000, 0, key=f"{P}.max.seed"))
    tensor = mt.example_tensor(rows, cols, seed)
    values, indices, mask = mt.max_along(tensor, dim)
    figure = fig.max_figure(tensor.numpy(), dim, values.numpy(), indices.numpy(), mask.numpy())
    ex.chart(figure, key=f"{P}.max.fig")
    kept = tuple(tensor.max(dim, keepdim=True).values.shape)
    st.code(
        f"t = {tensor}\n"
        f"values, indices = t.max(dim={dim})\n"
        f"values  = {values}   # shape {tuple(values.shape)}\n"
        f"indices = {indices}   # shape {tuple(indices.shape)}\n"
        f"t.max(dim={dim}, keepdim=True).values.shape = {kept}",
        language="python",
    )


st.title(t("lm.title"))
st.write(t("lm.intro"))
ex.toc(
    [
        ("kl", t("lm.kl.title")),
        ("lagrange", t("lm.dual.title")),
        ("covariance", t("lm.cov.title")),
        ("backprop", t("lm.bp.title")),
        ("tensor-max", t("lm.max.title")),
    ]
)

# -- 14. KL divergence -----------------------------------------------------------------------
ex.section("kl", t("lm.kl.title"), t("lm.kl.question"))
ex.correction(t("lm.kl.correction"))
kl_section()
ex.formula(
    r"\mathrm{KL}(p\,\|\,q) = \mathbb{E}_{x\sim p}\Big[\log\frac{p(x)}{q(x)}\Big]"
    r"= \log\frac{\sigma_q}{\sigma_p} + \frac{\sigma_p^2 + (\mu_p-\mu_q)^2}{2\sigma_q^2}"
    r"- \frac12 \;\ge\; 0",
    t("lm.kl.caption"),
)
st.markdown(t("lm.kl.answer"))

# -- 15. Lagrange multipliers ----------------------------------------------------------------
ex.section("lagrange", t("lm.dual.title"), t("lm.dual.question"))
dual_section()
ex.formula(
    r"\min_x f(x)\ \ \text{s.t.}\ \ g(x) \le 0"
    r"\quad\longrightarrow\quad \min_x\max_{\lambda\ge0}\ \mathcal{L}(x,\lambda) = f(x)"
    r"+ \lambda\,g(x)",
    t("lm.dual.caption_lagrangian"),
)
ex.formula(
    r"x \leftarrow x - \eta_x\nabla_x\mathcal{L}(x,\lambda),\qquad"
    r"\lambda \leftarrow \lambda - \eta_\lambda\nabla_\lambda\big[-\lambda\,g(x)\big]"
    r"= \lambda + \eta_\lambda\,g(x)",
    t("lm.dual.caption_update"),
)
ex.formula(
    r"\text{SAC: } g = -\big(\mathcal{H}(\pi) - \bar{\mathcal{H}}\big),\qquad"
    r"\text{CQL-Lagrange: } g = \mathcal{R}(Q) - \tau",
    t("lm.dual.caption_rl"),
)
ex.same_code("rlcore.core.ops.dual_loss", t("lm.used.dual"))
st.markdown(t("lm.dual.answer"))
train_link("sac", "Pendulum-v1")
train_link("cql")

# -- 17. covariance, Var(aᵀb), eigenvalues, trace ---------------------------------------------
ex.section("covariance", t("lm.cov.title"), t("lm.cov.question"))
ex.correction(t("lm.cov.correction"))
covariance_section()
ex.formula(
    r"\mathrm{Var}(a^\top b) = \mathbb{E}\big[(b^\top(a-\mathbb{E}a))^2\big]"
    r"= b^\top\,\mathbb{E}\big[(a-\mathbb{E}a)(a-\mathbb{E}a)^\top\big]\,b = b^\top\Sigma\,b",
    t("lm.cov.caption_var"),
)
ex.formula(
    r"\Sigma v_i = \lambda_i v_i,\ \|v_i\|_2=1:\quad \lambda_i = v_i^\top\Sigma v_i"
    r"= \mathrm{Var}(a^\top v_i) \ge 0,\qquad \mathrm{tr}\,\Sigma = \sum_i \Sigma_{ii}"
    r"= \sum_i\lambda_i = \mathbb{E}\|a - \mathbb{E}a\|_2^2",
    t("lm.cov.caption_eig"),
)
ex.formula(
    r"\|b\|_2 = \sqrt{\textstyle\sum_i b_i^2},\qquad"
    r"\lambda_{min}\|b\|_2^2 \le b^\top\Sigma b \le \lambda_{max}\|b\|_2^2",
    t("lm.cov.caption_norm"),
)
st.markdown(t("lm.cov.answer"))

# -- 18. forward and backward propagation -----------------------------------------------------
ex.section("backprop", t("lm.bp.title"), t("lm.bp.question"))
backprop_section()
ex.formula(
    r"z = w_1x + b_1,\quad h = \sigma(z),\quad \hat y = w_2^\top h + b_2,\quad "
    r"L = \tfrac12(\hat y - y)^2",
    t("lm.bp.caption_forward"),
)
ex.formula(
    r"\frac{\partial L}{\partial w_{1,i}}"
    r"= \underbrace{(\hat y - y)}_{\partial L/\partial\hat y}"
    r"\cdot\underbrace{w_{2,i}}_{\partial\hat y/\partial h_i}"
    r"\cdot\underbrace{\sigma'(z_i)}_{\partial h_i/\partial z_i}"
    r"\cdot\underbrace{x}_{\partial z_i/\partial w_{1,i}}",
    t("lm.bp.caption_chain"),
)
ex.same_code("torch autograd (loss.backward())", t("lm.bp.used_by"))
st.markdown(t("lm.bp.answer"))

# -- 19. values, indices = t.max(dim) -------------------------------------------------------
ex.section("tensor-max", t("lm.max.title"), t("lm.max.question"))
max_section()
ex.formula(
    r"\texttt{dim=0}:\ \ \mathrm{values}_j = \max_i t_{ij},\ \ \mathrm{indices}_j"
    r"= \arg\max_i t_{ij};\qquad \texttt{dim=1}:\ \ \mathrm{values}_i = \max_j t_{ij},"
    r"\ \ \mathrm{indices}_i = \arg\max_j t_{ij}",
    t("lm.max.caption"),
)
st.markdown(t("lm.max.answer"))
