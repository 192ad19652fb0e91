import streamlit as st

from rlcore.algos.registry import ALGORITHMS
from rlcore.core.config import hparams
from ui import forms
from ui.i18n import current_language, lang_query, t
from ui.state import ALGO_DOC

st.title(t("algos.title"))
st.caption(t("algos.intro"))

names = list(ALGORITHMS)
if "algos_pick" not in st.session_state:
    wanted = st.query_params.get("algo")
    st.session_state["algos_pick"] = wanted if wanted in ALGORITHMS else names[0]
algo = st.segmented_control(
    t("algos.pick"),
    names,
    format_func=lambda a: ALGORITHMS[a].title,
    key="algos_pick",
    required=True,
)
st.query_params["algo"] = algo
st.session_state[ALGO_DOC] = algo
spec = ALGORITHMS[algo]

st.header(spec.title, anchor=False)
c1, c2, c3 = st.columns(3)
c1.metric(t("algos.setting"), t(f"algos.setting.{spec.setting}"))
c2.metric(t("algos.actions"), t(f"algos.actions.{spec.action_space}"))
c3.metric(t("algos.hparam_count"), len(hparams(spec.config_cls)))
st.markdown(
    f"**{t('algos.paper')}:** {spec.paper} — [{t('algos.find')}]({forms.paper_link(spec.paper)})"
)
st.markdown(forms.algo_doc(algo))
if current_language() != "en":  # the notes as written, for a term the translation lost
    with st.expander(t("algos.doc_original")):
        st.markdown(spec.doc)

st.subheader(t("algos.hparams"), anchor=False)
table = forms.algo_hparams_table(spec.config_cls)
st.dataframe(table, hide_index=True, key="algos_table", height=35 * len(table) + 40)

st.subheader(t("algos.envs"), anchor=False)
envs = forms.algo_envs_table(algo)
st.dataframe(envs, hide_index=True, key="algos_envs")
if len(envs) and spec.setting == "online":
    st.page_link(
        "pages/train.py",
        label=t("algos.train", algo=spec.title),
        icon=":material/play_arrow:",
        query_params=lang_query({"algo": algo, "env": envs.iloc[0, 0]}),
    )
