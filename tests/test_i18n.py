"""Every text key has non-empty English and Chinese, and format fields agree."""

import string

from ui.i18n import catalogue, t


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
    from rlcore.algos.registry import ALGORITHMS
    from rlcore.core.config import RunConfig, hparams
    from ui.text.app import HP_HELP_ZH

    classes = [RunConfig, *(s.config_cls for s in ALGORITHMS.values())]
    missing = {p.name for c in classes for p in hparams(c)} - set(HP_HELP_ZH)
    assert not missing, sorted(missing)
