"""Helpers of the Datasets page: the table, the return histogram, uploads, error fields.

The Streamlit-free parts (:func:`table`, :func:`histogram`, :func:`import_upload`,
:func:`error_field`) are what the tests call directly; AppTest cannot drive a file
uploader, so the page hands the uploaded bytes to :func:`import_upload`.
"""

from __future__ import annotations

import math
import re
import secrets
import tempfile
from functools import lru_cache
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go

from rlcore.core.envs import ENVIRONMENTS
from rlcore.data import datasets as ds
from rlcore.service.owners import make_room
from rlcore.service.runs import RunStore
from ui.i18n import t
from ui.palette import BLUE, GREEN, RED

__all__ = [
    "BUILD_FIELDS",
    "ONE_DECIMAL",
    "build_envs",
    "error_field",
    "fingerprint",
    "histogram",
    "import_upload",
    "score",
    "table",
    "training_progress",
]

# the field a ValueError from rlcore names (its first word) -> the form field it belongs to
BUILD_FIELDS = {
    "env": "env",
    "kind": "kind",
    "n_steps": "transitions",
    "seed": "seed",
    "name": "name",
    "expert_steps": "expert_steps",
    "mix": "mix",
}
COLUMNS = (
    ("id", "ds.col.id"),
    ("env", "ds.col.env"),
    ("kind", "ds.col.kind"),
    ("transitions", "ds.col.transitions"),
    ("episodes", "ds.col.episodes"),
    ("return_mean", "ds.col.mean"),
    ("return_std", "ds.col.std"),
    ("return_min", "ds.col.min"),
    ("return_max", "ds.col.max"),
    ("ref_random", "ds.col.random"),
    ("ref_expert", "ds.col.expert"),
    ("score", "ds.col.score"),
    ("source", "ds.col.source"),
    ("size_mb", "ds.col.size"),
)
ONE_DECIMAL = (
    "ds.col.mean",
    "ds.col.std",
    "ds.col.min",
    "ds.col.max",
    "ds.col.random",
    "ds.col.expert",
    "ds.col.score",
)


def build_envs() -> list[str]:
    """Catalogue environments a dataset can be built for (the tabular ones too)."""
    return list(ENVIRONMENTS)


def error_field(message: str) -> str:
    """The form field an rlcore ``ValueError`` message is about (``"form"`` if unknown)."""
    m = re.match(r"\s*([a-z_]+)", message)
    return BUILD_FIELDS.get(m.group(1), "form") if m else "form"


def score(info: ds.DatasetInfo) -> float:
    """D4RL normalised score of the dataset's mean return (NaN if the refs coincide)."""
    return ds.normalized_score(info.return_mean, info.ref_random, info.ref_expert)


def table(infos: list[ds.DatasetInfo], lang: str | None = None) -> pd.DataFrame:
    """One row per dataset, numeric columns kept numeric (sortable), headers translated."""
    rows = []
    for info in infos:
        row = info.to_dict()
        s = score(info)
        row["score"] = None if math.isnan(s) else s
        rows.append(row)
    df = pd.DataFrame(rows, columns=[c for c, _ in COLUMNS])
    return df.rename(columns={c: t(k, lang) for c, k in COLUMNS})


def histogram(info: ds.DatasetInfo, returns, lang: str | None = None) -> go.Figure:
    """Histogram of episode returns with the random and expert references as lines."""
    fig = go.Figure(
        go.Histogram(
            x=list(map(float, returns)),
            nbinsx=min(40, max(5, len(returns) // 2)),
            marker_color=BLUE,
            name=t("ds.hist_y", lang),
        )
    )
    refs = (
        (info.ref_random, RED, t("ds.ref_random", lang, v=info.ref_random)),
        (info.ref_expert, GREEN, t("ds.ref_expert", lang, v=info.ref_expert)),
    )
    for x, color, label in refs:
        fig.add_vline(x=x, line_dash="dash", line_color=color, line_width=2)
        fig.add_annotation(
            x=x,
            y=1.0,
            yref="paper",
            yanchor="bottom",
            text=label,
            showarrow=False,
            font=dict(color=color),
        )
    fig.update_layout(
        title=t("ds.hist_title", lang, id=info.id),
        xaxis_title=t("ds.hist_x", lang),
        yaxis_title=t("ds.hist_y", lang),
        height=360,
        title_y=0.97,
        margin=dict(l=10, r=10, t=80, b=10),
        bargap=0.05,
        showlegend=False,
    )
    return fig


def training_progress(log: str, spec: dict) -> tuple[int, int] | None:
    """``(step, total)`` of the agent a build is training, from its log (None if none)."""
    steps = re.findall(r"^training step (\d+)", log, flags=re.M)
    if not steps:
        return None
    total = spec.get("expert_steps")
    if not total:
        e = ENVIRONMENTS[spec["env"]]
        preset = e.presets.get("sac" if e.action_space == "continuous" else "dqn")
        total = preset.steps if preset else 0
    return int(steps[-1]), int(total or 0)


def local_datasets() -> list[ds.DatasetInfo]:
    """The local datasets this browser may see, read once per change of the folder.

    ``ds.list_datasets`` loads every dataset's transitions; the Datasets, Offline and
    Compare pages all call this instead, so a rerun reads nothing while nothing changed
    (:func:`fingerprint`). On a hosted server: this browser's datasets and the
    operator's, never another visitor's.
    """
    from ui.owner import current

    me = current()
    return [i for i in _infos(fingerprint()) if ds.visible_to(i.id, me)]


def hosted_name(name: str | None) -> str | None:
    """A dataset name with a random part on a hosted server (never another's, never guessed)."""
    from rlcore.core.owners import hosted

    if not hosted():
        return name
    return f"{name or 'data'}-{secrets.token_hex(3)}"


def forget_datasets() -> None:
    """Drop the cached list (after this session deleted or imported a dataset)."""
    _infos.cache_clear()


@lru_cache(maxsize=4)
def _infos(fingerprint: tuple) -> tuple[ds.DatasetInfo, ...]:
    return tuple(ds.list_datasets())


def fingerprint() -> tuple:
    """Changes whenever a dataset is added, replaced or removed (a cache key)."""
    root = ds.datasets_dir()
    out = [str(root)]
    if root.exists():
        for p in sorted(root.glob("*/*/*")):
            if p.is_dir() and not p.parts[-3].startswith(("_", ".")):  # no staging folders
                try:
                    out.append((str(p), p.stat().st_mtime_ns))
                except OSError:
                    continue
    return tuple(out)


def import_upload(
    data: bytes, filename: str, env_id: str, name: str, who: str = ""
) -> tuple[bool, str]:
    """Import uploaded bytes through ``rlcore.data.datasets.import_file``.

    Returns ``(True, dataset id)`` or ``(False, the reason)``. The bytes go to a
    temporary file (removed afterwards) named with the upload's suffix, which selects
    the reader; rlcore leaves nothing on disk for a rejected file. ``who`` (this
    browser's owner token) owns the dataset; on a hosted server its name gets a random
    part and it must fit their disk budget.
    """
    suffix = Path(str(filename)).suffix.lower()
    stem = re.sub(r"[^A-Za-z0-9_.-]", "_", Path(str(filename)).stem)[:60] or "upload"
    with tempfile.TemporaryDirectory(prefix="rlplay-upload-") as tmp:
        path = Path(tmp) / f"{stem}{suffix}"
        path.write_bytes(data)
        try:
            # its arrays, as Minari stores them, take about 4x a compressed file's size
            make_room(RunStore(), who, 4 * len(data), "dataset")
            return True, ds.import_file(path, env_id, hosted_name(name) or name, owner=who)
        except ValueError as e:
            return False, str(e)
        except OSError as e:
            return False, f"{e.strerror or e}"
