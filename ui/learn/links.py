"""Links between the Learn explorers and the training pages, both ways.

* :func:`train_link`: from an explorer (or the Datasets page) to the page that trains an
  algorithm: the Train page for an online one (on ``env``, with its preset), the Offline
  page for an offline one or a dataset;
* :func:`explorer_links`: from an algorithm (the Train and Offline pages) to the
  explorers that explain its parts (``EXPLORERS``).
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from rlcore.algos.registry import ALGORITHMS
from ui.i18n import lang_query, t, with_lang

__all__ = ["EXPLORERS", "explorer_links", "train_link"]

ROOT = Path(__file__).resolve().parents[2]


def algo_name(algo: str) -> str:
    """An algorithm as the learner reads it: ``SAC``, ``TD3+BC`` (never the lowercase id)."""
    spec = ALGORITHMS.get(algo)
    return spec.title if spec is not None else algo.upper().replace("_", "-")


def train_label(
    algo: str | None = None, env: str | None = None, dataset: str | None = None
) -> tuple[str, str]:
    """``(page stem, link text)`` of :func:`train_link`."""
    offline = dataset is not None or (algo is not None and ALGORITHMS[algo].setting == "offline")
    if offline:
        if algo:
            return "offline", t("explorer.offline_link", algo=algo_name(algo))
        return "offline", t("explorer.offline_dataset", dataset=dataset)
    return "train", t("explorer.train_link", algo=algo_name(algo) if algo else "", env=env)


def train_link(algo: str | None = None, env: str | None = None, dataset: str | None = None) -> None:
    """Link to the page that trains ``algo`` (on ``env``, or on ``dataset`` offline).

    Online algorithms open the Train page with ``algo`` and ``env`` chosen; offline ones
    and datasets the Offline page with ``algo`` and/or ``dataset``. Skipped while that page
    does not exist, and when a page file runs alone (AppTest, ``streamlit run
    pages/x.py``): the page is then not registered, there is nothing to link to.
    """
    page, label = train_label(algo, env, dataset)
    icon = ":material/model_training:" if page == "offline" else ":material/play_arrow:"
    if page == "offline":
        query = {k: v for k, v in (("algo", algo), ("dataset", dataset)) if v}
    else:
        query = {"algo": algo or "", "env": env or ""}
    if not (ROOT / "pages" / f"{page}.py").exists():
        return
    try:
        st.page_link(f"pages/{page}.py", label=label, icon=icon, query_params=lang_query(query))
    except st.errors.StreamlitAPIException:
        pass


# algorithm -> [(page stem, section anchor, title text key)]
_CDQ = ("learn_value", "clipped-double-q", "lv.cdq.title")
_LSE = ("learn_value", "lse", "lv.lse.title")
_PG = ("learn_policy", "policy-gradient", "lp.pg.title")
_AWR = ("learn_offline", "awr", "lo.awr.title")
_BC = ("learn_offline", "bc", "lo.bc.title")
_ENS = ("learn_offline", "ensembles", "lo.ens.title")
_CQL = ("learn_offline", "cql", "lo.cql.title")
_DUAL = ("learn_maths", "lagrange", "lm.dual.title")
_CLIP = ("learn_trust", "clipped-surrogate", "lt.clip.title")
_GAE = ("learn_trust", "gae", "lt.gae.title")
_TRUST = ("learn_trust", "trust-region", "lt.tr.title")

EXPLORERS: dict[str, list[tuple[str, str, str]]] = {
    "dqn": [
        ("learn_value", "dqn", "lv.dqn.title"),
        _CDQ,
        ("learn_foundations", "td-learning", "lf.td.title"),
    ],
    "reinforce": [_PG, ("learn_foundations", "randomness", "lf.rand.title")],
    "a2c": [_PG, _GAE, ("learn_foundations", "td-learning", "lf.td.title")],
    "ppo": [_CLIP, _GAE, _TRUST, _PG],
    "trpo": [_TRUST, _CLIP, _GAE, ("learn_maths", "kl", "lm.kl.title")],
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
    parts = [f"[{t(key)}]({with_lang(f'/{page}#{anchor}')})" for page, anchor, key in links]
    st.markdown(f"{t('explorer.links_heading')} " + " · ".join(parts))
