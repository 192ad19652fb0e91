"""Every algorithm links to explorers that exist, with titles in both languages."""

from pathlib import Path

from rlcore.algos.registry import ALGORITHMS
from ui.i18n import t
from ui.learn.links import EXPLORERS

ROOT = Path(__file__).resolve().parent.parent


def test_every_algorithm_links_to_existing_sections():
    assert set(EXPLORERS) == set(ALGORITHMS)
    for algo, links in EXPLORERS.items():
        assert links, algo
        for page, anchor, key in links:
            src = (ROOT / "pages" / f"{page}.py").read_text()
            assert f'ex.section("{anchor}"' in src, (algo, page, anchor)
            assert t(key, "en") and t(key, "zh")
