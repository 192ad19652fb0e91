"""Links from an algorithm to the Learn explorers that explain its parts."""

from __future__ import annotations

import streamlit as st

from ui.i18n import t

# algorithm -> [(page stem, section anchor, title text key)]
_CDQ = ("learn_value", "clipped-double-q", "lv.cdq.title")
_LSE = ("learn_value", "lse", "lv.lse.title")
_PG = ("learn_policy", "policy-gradient", "lp.pg.title")
_AWR = ("learn_offline", "awr", "lo.awr.title")
_BC = ("learn_offline", "bc", "lo.bc.title")
_ENS = ("learn_offline", "ensembles", "lo.ens.title")
_CQL = ("learn_offline", "cql", "lo.cql.title")
_DUAL = ("learn_maths", "lagrange", "lm.dual.title")

EXPLORERS: dict[str, list[tuple[str, str, str]]] = {
    "dqn": [
        ("learn_value", "dqn", "lv.dqn.title"),
        _CDQ,
        ("learn_foundations", "td-learning", "lf.td.title"),
    ],
    "reinforce": [_PG, ("learn_foundations", "randomness", "lf.rand.title")],
    "a2c": [_PG, ("learn_foundations", "td-learning", "lf.td.title")],
    "ddpg": [_CDQ, ("learn_maths", "backprop", "lm.bp.title")],
    "td3": [_CDQ],
    "sac": [
        ("learn_policy", "reparameterization", "lp.rep.title"),
        ("learn_policy", "sac-alpha", "lp.alpha.title"),
        _CDQ,
        _DUAL,
    ],
    "bc": [_BC, ("learn_maths", "kl", "lm.kl.title")],
    "cql": [_CQL, _LSE, _DUAL],
    "cql_discrete": [_CQL, _LSE],
    "iql": [("learn_offline", "expectile", "lo.iql.title"), _AWR],
    "awac": [_AWR, _BC],
    "td3_bc": [_BC, _CDQ],
    "sac_n": [_ENS, _CDQ],
    "edac": [_ENS, ("learn_maths", "covariance", "lm.cov.title")],
}


def explorer_links(algo: str) -> None:
    """A line of links to the explorers of ``algo`` (nothing if it has none)."""
    links = EXPLORERS.get(algo, [])
    if not links:
        return
    parts = [f"[{t(key)}](/{page}#{anchor})" for page, anchor, key in links]
    st.markdown(f"{t('explorers.heading')} " + " · ".join(parts))
