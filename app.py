"""RL Playground: the Streamlit router. Sections: Learn, Train, Offline, Compare, About."""

from pathlib import Path

import streamlit as st

from ui.i18n import LANGUAGES, language_from_url, language_to_url, t
from ui.sidebar import render_sidebar

ROOT = Path(__file__).parent

# (section key, page file, title key, icon); a page appears once its file exists.
PAGES = [
    ("nav.learn", "pages/home.py", "page.home", ":material/home:"),
    ("nav.learn", "pages/learn_foundations.py", "page.learn_foundations", ":material/school:"),
    ("nav.learn", "pages/learn_value.py", "page.learn_value", ":material/grid_on:"),
    ("nav.learn", "pages/learn_policy.py", "page.learn_policy", ":material/psychology:"),
    ("nav.learn", "pages/learn_trust.py", "page.learn_trust", ":material/shield:"),
    ("nav.learn", "pages/learn_offline.py", "page.learn_offline", ":material/database:"),
    ("nav.learn", "pages/learn_maths.py", "page.learn_maths", ":material/functions:"),
    ("nav.train", "pages/train.py", "page.train", ":material/play_arrow:"),
    ("nav.train", "pages/algorithms.py", "page.algorithms", ":material/menu_book:"),
    ("nav.offline", "pages/datasets.py", "page.datasets", ":material/storage:"),
    ("nav.offline", "pages/offline.py", "page.offline", ":material/model_training:"),
    ("nav.compare", "pages/compare.py", "page.compare", ":material/compare_arrows:"),
    ("nav.about", "pages/about.py", "page.about", ":material/info:"),
]

st.set_page_config(page_title="RL Playground", page_icon="🎮", layout="wide")
assert set(LANGUAGES) >= {"en", "zh"}
language_from_url()  # ?lang=zh: before any text is drawn

sections: dict[str, list] = {}
for section, path, title_key, icon in PAGES:
    if (ROOT / path).exists():
        page = st.Page(
            path,
            title=t(title_key),
            icon=icon,
            default=path == "pages/home.py",
            url_path=Path(path).stem,
        )
        sections.setdefault(t(section), []).append(page)

nav = st.navigation(sections, expanded=True)  # every page visible, no "View more"
render_sidebar()
try:
    nav.run()
finally:
    language_to_url()  # after the page, which may have rewritten the query parameters
