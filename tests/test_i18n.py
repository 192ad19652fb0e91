"""Every text key has non-empty English and Chinese, and format fields agree."""

import ast
import re
import string
from pathlib import Path

from ui.i18n import catalogue, t

ROOT = Path(__file__).resolve().parents[1]


def fields(s):
    return {f for _, f, _, _ in string.Formatter().parse(s) if f}


def test_every_key_has_both_languages():
    for key, entry in catalogue().items():
        assert set(entry) == {"en", "zh"}, key
        assert entry["en"].strip() and entry["zh"].strip(), key
        assert fields(entry["en"]) == fields(entry["zh"]), key


def test_lookup_by_language():
    assert t("nav.learn", "en") == "Learn"
    assert t("nav.learn", "zh") == "学习"


def test_every_hyperparameter_has_chinese_help():
    """Keyed by the field's owner, so a subclass that changes a field's meaning has its own."""
    from rlcore.algos.registry import ALGORITHMS
    from rlcore.core.config import RunConfig, hparams
    from ui.text.hparams import ZH, hp_key

    classes = [RunConfig, *(s.config_cls for s in ALGORITHMS.values())]
    missing = {hp_key(c, p.name) for c in classes for p in hparams(c)} - {f"hp.{k}" for k in ZH}
    assert not missing, sorted(missing)
    for c in classes:
        for p in hparams(c):
            assert t(hp_key(c, p.name), "en") == p.help  # the English is rlcore's own
            assert t(hp_key(c, p.name), "zh") == ZH[hp_key(c, p.name).removeprefix("hp.")]


def test_help_follows_the_owner_that_declares_the_field():
    from rlcore.algos.awac import AWACConfig
    from rlcore.algos.cql import CQLConfig
    from rlcore.algos.cql_discrete import DiscreteCQLConfig
    from rlcore.algos.dqn import DQNConfig
    from rlcore.algos.sac import SACConfig
    from ui.text.hparams import hp_key

    assert hp_key(CQLConfig, "tau") == "hp.SACConfig.tau"  # inherited: the parent's help
    assert hp_key(DiscreteCQLConfig, "gamma") == "hp.AlgoConfig.gamma"
    # discrete CQL counts gradient steps between target copies, DQN environment steps
    key = hp_key(DiscreteCQLConfig, "target_update_interval")
    assert key == "hp.DiscreteCQLConfig.target_update_interval"
    assert "梯度步" in t(key, "zh") and "Gradient steps" in t(key, "en")
    assert "环境步" in t(hp_key(DQNConfig, "target_update_interval"), "zh")
    # AWAC has no temperature to tune
    assert hp_key(AWACConfig, "autotune") == "hp.AWACConfig.autotune"
    assert t(hp_key(AWACConfig, "autotune"), "zh") != t(hp_key(SACConfig, "autotune"), "zh")


def test_no_help_text_is_left_over():
    """Every Chinese help names a field some registered config declares, and so is shown."""
    from rlcore.core.envs import ENVIRONMENTS
    from ui.text import envs, hparams

    assert set(hparams.ZH) == set(hparams.english())
    assert set(envs.ZH) == set(ENVIRONMENTS)
    for e in ENVIRONMENTS.values():
        assert t(f"env.{e.id}", "en") == e.description
        assert t(f"env.{e.id}", "zh") == envs.ZH[e.id]


def test_every_algorithm_has_chinese_notes_with_the_english_equations():
    from rlcore.algos.registry import ALGORITHMS
    from ui.forms import EQ_MARKER, EQUATION, algo_doc
    from ui.text.algo_docs import DOC_ZH

    assert set(DOC_ZH) == set(ALGORITHMS)
    for name, spec in ALGORITHMS.items():
        equations = EQUATION.findall(spec.doc)
        marks = [int(m) for m in EQ_MARKER.findall(DOC_ZH[name])]
        assert marks == list(range(1, len(equations) + 1)), name
        assert "$$" not in DOC_ZH[name], name  # equations are rlcore's, not copied
        assert algo_doc(name) == spec.doc  # English outside a session
    import streamlit as st

    st.session_state["lang"] = "zh"
    try:
        doc = algo_doc("iql")
    finally:
        del st.session_state["lang"]
    assert doc.startswith("隐式 Q 学习") and "[[eq" not in doc
    assert all(eq in doc for eq in EQUATION.findall(ALGORITHMS["iql"].doc))


def _source_strings():
    """String constants, and f-strings as patterns, of the app's code (not its text)."""
    files = [ROOT / "app.py", *(ROOT / "pages").glob("*.py")]
    files += [p for p in (ROOT / "ui").rglob("*.py") if "text" not in p.parts]
    consts, patterns, calls = set(), set(), set()
    for f in files:
        for node in ast.walk(ast.parse(f.read_text(encoding="utf-8"))):
            if isinstance(node, ast.JoinedStr):
                parts = [
                    re.escape(v.value) if isinstance(v, ast.Constant) else r"[^.\s]+"
                    for v in node.values
                ]
                patterns.add("".join(parts))
            elif isinstance(node, ast.Constant) and isinstance(node.value, str):
                consts.add(node.value)
            elif (
                isinstance(node, ast.Call)
                and getattr(node.func, "id", None) == "t"
                and node.args
                and isinstance(node.args[0], ast.Constant)
            ):
                calls.add(node.args[0].value)
    # a key family names its own prefix ("chart.", "train.mode."): f"{x}.{y}" is no key
    patterns = {p for p in patterns if re.match(r"[a-z_]+\\\.", p)}
    return consts, patterns, calls


def test_every_text_key_is_defined_and_used():
    """A key no code names is dead text; a ``t("...")`` of no key fails at run time."""
    consts, patterns, calls = _source_strings()
    generated = ("hp.", "env.")  # rlcore's fields and environments (checked above)
    keys = [k for k in catalogue() if not k.startswith(generated)]
    dead = [k for k in keys if k not in consts and not any(re.fullmatch(p, k) for p in patterns)]
    assert not dead, dead
    assert not calls - set(catalogue()), sorted(calls - set(catalogue()))
