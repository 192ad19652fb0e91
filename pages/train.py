import streamlit as st

from ui import forms, jobs, live
from ui.explorer_links import explorer_links
from ui.i18n import t

st.title(t("train.title"))
st.caption(t("train.intro"))

setup = forms.train_form()
explorer_links(setup.algo)
if setup.errors:
    st.error(t("train.fix", fields=", ".join(setup.errors)), icon=":material/block:")
limited = jobs.session_limit_message(len(setup.plan)) if setup.ok else None
if limited:
    st.warning(limited, icon=":material/hourglass_top:")
if (
    st.button(
        t("train.start", n=len(setup.plan))
        if setup.plan and len(setup.plan) > 1
        else t("train.start1"),
        key="train_start",
        type="primary",
        icon=":material/play_arrow:",
        disabled=not setup.ok or bool(limited),
    )
    and setup.ok
    and not limited
):
    try:
        jobs.start(setup.plan)
    except (ValueError, OSError) as e:  # a server limit, a full disk: say so, start nothing
        st.error(str(e), icon=":material/error:")
    else:
        st.rerun()  # redraw everything, the sidebar's worker count included
batch = jobs.current_batch()
forms.write_url(setup.query, batch.id if batch else None)

st.divider()
live.live_view(batch)
live.watch(batch)
