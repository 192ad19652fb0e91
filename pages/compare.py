import hashlib

import streamlit as st

from rlcore.core.settings import get_settings
from rlcore.data.datasets import normalized_score
from ui import charts, compare, owner, search
from ui.actions import actions_figure
from ui.forms import lang_key
from ui.i18n import t
from ui.jobs import batch_runs, session_batches

st.title(t("cmp.title"))
st.caption(t("cmp.intro"))
if st.button(t("cmp.refresh"), key="cmp_refresh", icon=":material/refresh:"):
    st.rerun()

mine = {r for b in session_batches() for r in batch_runs(b)} | search.session_runs()
frame = compare.visible(compare.runs_frame(), owner.current())  # hosted: this browser's runs
if frame.empty:
    st.info(t("cmp.none"), icon=":material/info:")
    st.page_link("pages/train.py", label=t("page.train"), icon=":material/play_arrow:")
    st.stop()

f1, f4, f2, f3 = st.columns(4)
envs = f1.multiselect(
    t("col.env"), sorted(frame["env"].unique()), key="cmp_env", placeholder=t("cmp.any")
)
with_data = sorted(d for d in frame["dataset"].unique() if d)
if "cmp_dataset" not in st.session_state:  # a link from the Offline page names one
    linked = st.query_params.get("dataset")
    st.session_state["cmp_dataset"] = [linked] if linked in with_data else []
datasets = f4.multiselect(t("col.dataset"), with_data, key="cmp_dataset", placeholder=t("cmp.any"))
algos = f2.multiselect(
    t("col.algo"), sorted(frame["algo"].unique()), key="cmp_algo", placeholder=t("cmp.any")
)
stats = f3.multiselect(
    t("col.status"), sorted(frame["status"].unique()), key="cmp_status", placeholder=t("cmp.any")
)
shown = compare.filtered(frame, env=envs, dataset=datasets, algo=algos, status=stats)

table = compare.display_table(shown)
linked = set(st.query_params.get("runs", "").split(","))  # a study's trial links here
picked = (linked & set(shown["id"])) or mine
digest = hashlib.md5("".join(shown["id"]).encode()).hexdigest()[:8]
event = st.dataframe(
    table,
    hide_index=True,
    placeholder="—",
    on_select="rerun",
    selection_mode="multi-row",
    key=f"cmp_table_{digest}",
    selection_default={
        "selection": {"rows": [i for i, r in enumerate(shown["id"]) if r in picked]}
    },
    column_config={
        t("col.final"): st.column_config.NumberColumn(format="%.1f"),
        t("col.final_std"): st.column_config.NumberColumn(format="%.1f"),
        t("col.score"): st.column_config.NumberColumn(format="%.1f"),
        t("col.step"): st.column_config.NumberColumn(format="localized"),
        t("col.steps"): st.column_config.NumberColumn(format="localized"),
    },
)
st.caption(t("cmp.count", n=len(shown), total=len(frame)))
selected = shown.iloc[event.selection.rows]
if selected.empty:
    st.info(t("cmp.select"), icon=":material/touch_app:")
else:
    ids = selected["id"].tolist()
    dfs = compare.load_metrics(ids)
    keys = compare.metric_keys(dfs)
    c1, c2, c3, c4 = st.columns([2, 1, 1.4, 1], vertical_alignment="bottom")
    key = c1.selectbox(
        t("cmp.metric"), keys, format_func=charts.metric_label, key=lang_key("cmp_metric")
    )
    grouped = c2.toggle(t("cmp.group"), value=True, key="cmp_group", help=t("band.group_help"))
    band = c3.radio(
        t("band.choice"),
        charts.BANDS,
        format_func=lambda b: t(f"band.choice.{b}"),
        key=lang_key("cmp_band"),
        help=t("band.choice.help"),
        disabled=not grouped,
    )
    smoothing = c4.slider(t("live.smoothing"), 0.0, 0.99, 0.6, 0.01, key="cmp_smooth")
    x_title = compare.steps_axis(selected)
    if grouped:
        groups, facets = compare.seed_groups(selected, dfs)
        fig = charts.band_figure(
            groups,
            key,
            smoothing,
            uirevision="cmp",
            band=band,
            bounds=compare.group_bounds(selected["config"].tolist(), key),
            x_title=x_title,
            facets=facets,
        )
    else:
        names = compare.run_labels(selected)
        fig = charts.overlay_figure(
            {names[rid]: dfs[rid] for rid in ids},
            key,
            smoothing,
            uirevision="cmp",
            x_title=x_title,
            facets={names[r.id]: r.dataset or r.env for r in selected.itertuples()},
        )
    st.plotly_chart(fig, key="cmp_curves", config={"displaylogo": False})
    st.caption(
        t("cmp.group.caption", band=charts.band_text(band)) if grouped else t("cmp.overlay.caption")
    )

    d1, d2, d3, d4 = st.columns(4)
    d1.download_button(
        t("cmp.csv"),
        lambda: compare.csv_bytes(ids),
        file_name="metrics.csv",
        mime="text/csv",
        key="cmp_csv",
        icon=":material/download:",
    )
    with_model = selected[selected["has_model"]]
    if len(with_model):
        ckpt = d2.selectbox(
            t("cmp.ckpt_run"), with_model["id"], key="cmp_ckpt_run", label_visibility="collapsed"
        )
        d3.download_button(
            t("cmp.ckpt"),
            lambda: compare.model_bytes(ckpt),
            file_name=f"{ckpt}.safetensors",
            mime="application/octet-stream",
            key="cmp_ckpt",
            icon=":material/download:",
        )
    with d4.popover(t("cmp.delete", n=len(ids)), icon=":material/delete:"):
        st.write(t("cmp.delete.confirm", n=len(ids)))
        if st.button(t("cmp.delete.yes"), key="cmp_delete", type="primary"):
            deleted, refused = compare.delete(ids, who=owner.current())
            if refused:
                st.session_state["cmp_refused"] = refused
            st.rerun()
if st.session_state.get("cmp_refused"):
    st.warning(t("cmp.delete.refused", ids=", ".join(st.session_state.pop("cmp_refused"))))

band = st.session_state.get(lang_key("cmp_band"), charts.BANDS[0])
summary = compare.dataset_summary(shown, band)
if not summary.empty:
    st.subheader(t("cmp.datasets"))
    names = list(summary["dataset"].unique())
    pick = st.selectbox(t("cmp.dataset_pick"), names, key="cmp_dataset_scores")
    one = summary[summary["dataset"] == pick]
    info = compare.dataset_info(pick)
    data_score = (
        None
        if info is None
        else normalized_score(info.return_mean, info.ref_random, info.ref_expert)
    )
    st.plotly_chart(
        charts.score_figure(one, pick, data_score, band),
        key="cmp_scores",
        config={"displaylogo": False},
    )
    st.caption(t("cmp.dataset.help", band=charts.band_text(band)))
    acts = compare.dataset_actions(shown, pick)
    if acts is not None:
        st.plotly_chart(actions_figure(acts), key="cmp_actions", config={"displaylogo": False})
        st.caption(t("actions.help"))

sweeps = compare.sweeps(frame)
if sweeps:
    st.subheader(t("cmp.sweeps"))
    batch = st.selectbox(
        t("cmp.sweep"), list(sweeps), format_func=sweeps.get, key=lang_key("cmp_sweep_batch")
    )
    param, points = compare.sweep_points(frame, batch)
    algo, env = frame.loc[frame["batch"] == batch, ["algo", "env"]].iloc[0]
    fig = charts.sensitivity_figure(
        points,
        param,
        compare.is_log_param(algo, param),
        band=band,
        bounds=charts.return_bounds(env),
    )
    st.plotly_chart(fig, key="cmp_sensitivity", config={"displaylogo": False})
    st.caption(t("band.sensitivity_help"))

search.studies_section(mine_only=get_settings().profile == "hosted")
