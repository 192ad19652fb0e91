"""Offline: the Datasets page — list, inspect, build (in the background), import, delete.

Builds never run in this script's thread: ``rlcore.service.dataset_builds.start_build`` starts
``python -m rlcore dataset build`` as a process and a fragment polls its status file
every second while it runs. Every widget key starts with ``datasets.``.
"""

import time

import streamlit as st

from rlcore.core.settings import get_settings
from rlcore.data import datasets as ds
from rlcore.data.datasets import KINDS
from rlcore.service import dataset_builds as jobs
from ui import datasets as ud
from ui import owner
from ui.i18n import t
from ui.learn import explorer as ex
from ui.learn.links import train_link
from ui.safe import md_text

P = "datasets"  # prefix of every widget and session_state key on this page
ERR = f"{P}.build.error"  # (field, message) of the last refused build
BUILD = f"{P}.build.id"  # the build this session started
FLASH = f"{P}.flash"  # (kind, message) shown once, after a delete or an import


@st.cache_data(max_entries=16, show_spinner=False)
def episode_returns(ds_id: str, fp_key: tuple):
    return ds.load_transitions(ds_id)[0].episode_returns


def fp() -> tuple:
    return ud.fingerprint()


def field_error(field: str) -> None:
    """The refused build's message, under the field it names."""
    err = st.session_state.get(ERR)
    if err and err[0] == field:
        st.error(md_text(err[1]), icon=":material/error:")


# -- callbacks (run before the page, so the list below is already up to date) ----------


def start_build() -> None:
    s = st.session_state
    s[ERR] = None
    me = owner.current()
    if any(b["status"] == "running" for b in jobs.list_builds(me)):
        s[ERR] = ("form", t("ds.busy"))
        return
    kind = s[f"{P}.build.kind"]
    mix = {k: float(s[f"{P}.build.mix.{k}"]) for k in jobs.MIX_PARTS} if kind == "mixed" else None
    expert_steps = int(s[f"{P}.build.expert_steps"])
    try:
        s[BUILD] = jobs.start_build(
            s[f"{P}.build.env"],
            kind,
            int(s[f"{P}.build.transitions"]),
            int(s[f"{P}.build.seed"]),
            mix=mix,
            name=ud.hosted_name(s[f"{P}.build.name"].strip() or None),
            expert_steps=expert_steps or None,
            owner=me,
        )
    except ValueError as e:
        s[ERR] = (ud.error_field(str(e)), str(e))
    except OSError as e:  # the datasets folder is not writable
        s[ERR] = ("form", str(e))


def stop_build(build_id: str) -> None:
    try:
        jobs.stop_build(build_id, who=owner.current())
    except ValueError as e:  # not this browser's build
        st.session_state[ERR] = ("form", str(e))


def delete_selected() -> None:
    s = st.session_state
    ds_id = s.get(f"{P}.selected")
    if not s.get(f"{P}.delete.confirm"):
        s[FLASH] = ("warning", t("ds.delete_need_confirm"))
        return
    try:
        ds.delete_dataset(ds_id, who=owner.current())
        s[FLASH] = ("success", t("ds.deleted", id=ds_id))
    except Exception as e:  # already gone, or the folder is read-only
        s[FLASH] = ("error", md_text(e))
    s[f"{P}.delete.confirm"] = False
    ud.forget_datasets()


def import_uploaded() -> None:
    s = st.session_state
    up = s.get(f"{P}.import.file")
    if up is None:
        s[f"{P}.import.result"] = (False, t("ds.import_need_file"))
        return
    ok, msg = ud.import_upload(
        up.getvalue(), up.name, s[f"{P}.import.env"], s[f"{P}.import.name"], owner.current()
    )
    s[f"{P}.import.result"] = (
        ok,
        t("ds.imported", id=msg) if ok else t("ds.import_failed", msg=msg),
    )
    ud.forget_datasets()


# -- sections ----------------------------------------------------------------------------


def list_section() -> None:
    st.header(t("ds.list"), anchor=False)
    flash = st.session_state.pop(FLASH, None)
    if flash:
        getattr(st, flash[0])(flash[1])
    key = fp()
    items = ud.local_datasets()
    if not items:
        st.info(t("ds.none"), icon=":material/info:")
        st.caption(t("ds.where", path=ds.datasets_dir()))
        return
    df = ud.table(items)
    num = st.column_config.NumberColumn
    cfg = {t(k): num(format="%.1f") for k in ud.ONE_DECIMAL}
    cfg[t("ds.col.size")] = num(format="%.2f")
    st.dataframe(df, hide_index=True, column_config=cfg, key=f"{P}.table")
    st.caption(t("ds.where", path=ds.datasets_dir()))

    ids = [i.id for i in items]
    if st.session_state.get(f"{P}.selected") not in ids:
        st.session_state[f"{P}.selected"] = ids[0]
    sel = st.selectbox(t("ds.select"), ids, key=f"{P}.selected")
    info = next(i for i in items if i.id == sel)
    score = ud.score(info)
    m = st.columns(4)
    m[0].metric(t("ds.m.score"), "—" if score != score else f"{score:.1f}")
    m[1].metric(t("ds.m.return"), f"{info.return_mean:.1f} ± {info.return_std:.1f}")
    m[2].metric(t("ds.m.episodes"), info.episodes)
    m[3].metric(t("ds.m.transitions"), info.transitions)
    if info.reference_problem:
        st.warning(t("ds.refs_meaningless", random=info.ref_random, expert=info.ref_expert))
    ex.chart(ud.histogram(info, episode_returns(sel, key)), key=f"{P}.hist")
    st.caption(t("ds.score_caption"))
    if info.source:
        st.caption(t("ds.source", source=info.source))
    train_link(dataset=sel)
    with st.expander(t("ds.delete"), icon=":material/delete:"):
        st.checkbox(t("ds.delete_confirm", id=sel), key=f"{P}.delete.confirm")
        st.button(
            t("ds.delete"),
            key=f"{P}.delete.go",
            on_click=delete_selected,
            icon=":material/delete_forever:",
            type="primary",
        )


def build_section() -> None:
    st.header(t("ds.build"), anchor=False)
    st.caption(t("ds.build_intro"))
    envs = ud.build_envs()
    c1, c2 = st.columns(2)
    with c1:
        env = st.selectbox(t("ds.env"), envs, index=envs.index("Pendulum-v1"), key=f"{P}.build.env")
        field_error("env")
    with c2:
        kind = st.selectbox(
            t("ds.kind"), KINDS, format_func=lambda k: t(f"ds.kind.{k}"), key=f"{P}.build.kind"
        )
        field_error("kind")
    cap = ds.max_transitions()
    c1, c2, c3 = st.columns(3)
    with c1:
        st.number_input(
            t("ds.transitions"),
            value=min(10_000, cap),
            step=1000,
            help=t("ds.transitions_help", low=100, high=cap),
            key=f"{P}.build.transitions",
        )
        field_error("transitions")
    with c2:
        st.number_input(t("ds.seed"), value=0, step=1, key=f"{P}.build.seed")
        field_error("seed")
    with c3:
        st.number_input(
            t("ds.expert_steps"),
            value=0,
            step=1000,
            help=t("ds.expert_steps_help"),
            key=f"{P}.build.expert_steps",
        )
        field_error("expert_steps")
    name = st.text_input(t("ds.name"), max_chars=100, help=t("ds.name_help"), key=f"{P}.build.name")
    field_error("name")
    if kind == "mixed":
        st.markdown(f"**{t('ds.mix')}**")
        cols = st.columns(3)
        defaults = {"random": 0.5, "medium": 0.0, "expert": 0.5}
        for col, part in zip(cols, jobs.MIX_PARTS, strict=True):
            col.slider(
                t(f"ds.mix.{part}"), 0.0, 1.0, defaults[part], 0.05, key=f"{P}.build.mix.{part}"
            )
        field_error("mix")
    st.caption(t("ds.will_be", id=ds.dataset_id(env, name.strip() or kind)))
    st.button(
        t("ds.start"),
        key=f"{P}.build.go",
        on_click=start_build,
        type="primary",
        icon=":material/construction:",
    )
    field_error("form")
    build_panel()


def build_panel() -> None:
    """The status of this session's build, or of one another session is running."""
    bid = st.session_state.get(BUILD)
    if bid is None:
        running = [b for b in jobs.list_builds(owner.current()) if b["status"] == "running"]
        bid = running[0]["id"] if running else None
    if bid is None:
        return
    try:
        running = jobs.read_status(bid)["status"] == "running"
    except ValueError:  # its folder was removed
        return

    @st.fragment(run_every=1.0 if running else None)
    def panel() -> None:
        status = jobs.read_status(bid)
        state = status["status"]
        if running and state != "running":
            st.rerun(scope="app")  # it just ended: redraw the list with the new dataset
        ds_id = status.get("dataset_id")
        label = {
            "running": t("ds.running", id=ds_id),
            "finished": t("ds.finished", id=ds_id),
        }.get(state, t("ds.failed", msg=status.get("message") or "?"))
        if state == "running":  # st.status shows a check mark once the script run ends
            box = st.container(border=True)
            box.markdown(f":material/hourglass_top: **{label}**")
        else:
            box = st.status(
                label, state="complete" if state == "finished" else "error", expanded=False
            )
        with box:
            end = status.get("ended") or time.time()
            st.caption(t("ds.elapsed", s=end - status.get("started", end)))
            log = jobs.log_tail(bid)
            prog = ud.training_progress(log, status["spec"]) if state == "running" else None
            if prog and prog[1]:
                frac = min(1.0, prog[0] / prog[1])
                st.progress(frac, text=t("ds.training", step=prog[0], total=prog[1]))
            st.caption(t("ds.log"))
            st.code(log or " ", language=None)
            if state == "running":
                st.button(
                    t("ds.stop"),
                    key=f"{P}.build.stop",
                    on_click=stop_build,
                    args=(bid,),
                    icon=":material/stop:",
                )

    panel()


def import_section() -> None:
    st.header(t("ds.import"), anchor=False)
    limits = get_settings()
    st.markdown(
        t("ds.import_intro", mb=limits.max_upload_mb, n=f"{limits.max_dataset_transitions:,}")
    )
    st.file_uploader(
        t("ds.file"),
        type=["npz", "hdf5", "h5"],
        max_upload_size=limits.max_upload_mb,
        key=f"{P}.import.file",
    )
    c1, c2 = st.columns(2)
    envs = ud.build_envs()
    c1.selectbox(t("ds.import_env"), envs, key=f"{P}.import.env")
    c2.text_input(t("ds.import_name"), value="imported", max_chars=100, key=f"{P}.import.name")
    st.button(
        t("ds.import_go"), key=f"{P}.import.go", on_click=import_uploaded, icon=":material/upload:"
    )
    result = st.session_state.pop(f"{P}.import.result", None)
    if result:
        (st.success if result[0] else st.error)(md_text(result[1]))


st.title(t("ds.title"))
st.markdown(t("ds.intro"))
st.markdown(t("ds.score_intro"))
ex.formula(
    r"\text{score} = 100\,\frac{R - R_{\text{random}}}{R_{\text{expert}} - R_{\text{random}}}"
)
list_section()
st.divider()
build_section()
st.divider()
import_section()
