"""The Compare page's data: every saved run as a table row, groups of seeds, sweeps.

Runs are grouped by *configuration*: everything in ``config.json`` except the seed, so
the seeds of one setup form one group (mean and confidence band), whether they were
started together or on different days.
"""

from __future__ import annotations

import json
import time
from typing import Any

import pandas as pd
import streamlit as st

from rlcore.algos.registry import ALGORITHMS
from rlcore.core.config import hparams, to_dict
from rlcore.service.jobs import JobQueue, run_extra
from rlcore.service.runs import TERMINAL, RunRecord, RunStore
from ui.i18n import t
from ui.jobs import fmt_duration, status_text

__all__ = [
    "config_key",
    "csv_bytes",
    "group_labels",
    "load_metrics",
    "one_per_seed",
    "runs_frame",
    "seed_groups",
    "sweep_points",
]


def config_key(rec: RunRecord) -> str:
    """Identity of a run's configuration, seed left out."""
    run = to_dict(rec.run)
    run.pop("seed")
    return json.dumps({"run": run, "algo": to_dict(rec.algo)}, sort_keys=True)


def _short(v: Any) -> str:
    if isinstance(v, float):
        return f"{v:.3g}"
    if isinstance(v, list | tuple):
        return ",".join(map(str, v))
    return str(v)


def _flat(key: str) -> dict[str, Any]:
    d = json.loads(key)
    return {**{f"run.{n}": v for n, v in d["run"].items()}, **d["algo"]}


# Shown in their own columns (or meaningless between runs): never "what differs".
_OWN_COLUMNS = ("run.algo", "run.env", "run.dataset", "run.seed")


def differences(keys: list[str], limit: int = 4) -> list[str]:
    """For each configuration key, the settings in which it differs from the others.

    ``["lr=0.001", "lr=0.0003", ...]`` for the runs of a learning-rate sweep: the column
    that tells the runs of one table apart (algorithm, environment and seed have their own).
    Runs are compared with those of the same algorithm and environment (another
    algorithm's settings are not comparable), and the settings that take the most values
    come first: a search's lr and gamma before a preset's batch size.
    """
    flat = {k: _flat(k) for k in set(keys)}
    groups: dict[tuple, list[str]] = {}
    for k, f in flat.items():
        where = (f.get("run.algo"), f.get("run.env"), f.get("run.dataset"))
        groups.setdefault(where, []).append(k)
    differ: dict[str, list[str]] = {}
    for members in groups.values():
        names = sorted({n for k in members for n in flat[k]} - set(_OWN_COLUMNS))
        counts = {n: len({_short(flat[k].get(n)) for k in members}) for n in names}
        order = sorted((n for n in names if counts[n] > 1), key=lambda n: (-counts[n], n))
        for k in members:
            differ[k] = order
    return [
        " · ".join(
            [f"{n.removeprefix('run.')}={_short(flat[k][n])}" for n in differ[k] if n in flat[k]][
                :limit
            ]
        )
        for k in keys
    ]


def group_labels(keys: list[str]) -> dict[str, str]:
    """Readable labels for configuration keys: algorithm · env + what differs between them."""
    unique = list(dict.fromkeys(keys))
    out = {}
    for k, extra in zip(unique, differences(unique)):
        f = _flat(k)
        algo = f["run.algo"]
        head = ALGORITHMS[algo].title if algo in ALGORITHMS else algo
        head += f" · {f.get('run.dataset') or f['run.env']}"
        out[k] = " · ".join([head, extra]) if extra else head
    return out


def one_per_seed(rows: pd.DataFrame) -> pd.DataFrame:
    """The runs with each seed of a configuration once: the one furthest along, else newest.

    The same setup trained twice on the same seed (three seeds on the Train page, then a
    lesson's run with seed 0) is one seed, not two: counted twice it read "n=4" for three
    seeds and weighed that seed double in the mean and the band.
    """
    if rows.empty:
        return rows
    order = rows.sort_values(["step", "created", "id"], ascending=False, kind="stable")
    keep = order.drop_duplicates(["config", "seed"]).index
    return rows[rows.index.isin(keep)]  # in the table's order


def seed_groups(
    rows: pd.DataFrame, dfs: dict[str, pd.DataFrame]
) -> tuple[dict[str, list[pd.DataFrame]], dict[str, str]]:
    """Group label -> one metrics frame per seed (:func:`one_per_seed`); label -> environment.

    The environment (or dataset) of a group is where its curves are drawn: environments
    with different returns get separate axes (``ui.charts.band_figure``'s ``facets``).
    """
    rows = one_per_seed(rows)
    labels = group_labels(rows["config"].tolist())
    groups: dict[str, list[pd.DataFrame]] = {}
    facets: dict[str, str] = {}
    for r in rows.itertuples():
        label = labels[r.config]
        groups.setdefault(label, []).append(dfs[r.id])
        facets[label] = r.dataset or r.env
    return groups, facets


def group_bounds(keys: list[str], metric: str) -> dict[str, Any]:
    """Group label -> the range its values can take (returns only: the environment's range)."""
    from ui.charts import RETURN_KEYS, return_bounds

    if metric not in RETURN_KEYS:
        return {}
    labels = group_labels(keys)
    return {labels[k]: return_bounds(_flat(k)["run.env"]) for k in set(keys)}


def runs_frame(store: RunStore | None = None) -> pd.DataFrame:
    """One row per saved run, newest first (internal column names; the page names them)."""
    store = store or RunStore()
    positions = JobQueue(store, dispatch=False).positions()
    rows = []
    now = time.time()
    for rec in store.list():
        s = rec.status
        extra = run_extra(store, rec.id)
        sweep = extra.get("sweep") or {}
        created = (rec.path / "config.json").stat().st_mtime
        wall = s.get("wall_time")
        if wall is None and s.get("started"):
            wall = (s.get("finished") or now) - s["started"]
        rows.append(
            {
                "id": rec.id,
                "algo": rec.run.algo,
                "env": rec.run.env,
                "dataset": rec.run.dataset,
                "seed": rec.run.seed,
                "step": int(s.get("step") or 0),
                "steps": rec.run.steps,
                "final": s.get("eval_return"),
                "final_std": s.get("eval_return_std"),
                "score": s.get("eval_score"),  # offline: normalised score
                "wall": wall,
                "status": s.get("status", "unknown"),
                "position": positions.get(rec.id),
                "created": pd.Timestamp.fromtimestamp(created).floor("s"),
                "batch": extra.get("batch", ""),
                "study": f"{extra['study']} #{extra.get('trial')}" if extra.get("study") else "",
                "sweep_param": sweep.get("param"),
                "sweep_value": sweep.get("value"),
                "config": config_key(rec),
                "has_model": (rec.path / "model.safetensors").exists(),
            }
        )
    return pd.DataFrame(rows)


@st.cache_data(max_entries=256, show_spinner=False)
def _metrics(root: str, run_id: str, size: int, mtime: float) -> pd.DataFrame:
    return RunStore(root).metrics(run_id)


def load_metrics(run_ids: list[str]) -> dict[str, pd.DataFrame]:
    """Metrics of each run (cached until its file changes)."""
    store = RunStore()
    out = {}
    for rid in run_ids:
        p = store.path(rid) / "metrics.jsonl"
        st_ = p.stat() if p.exists() else None
        out[rid] = _metrics(
            str(store.root), rid, st_.st_size if st_ else 0, st_.st_mtime if st_ else 0.0
        )
    return out


def sweep_points(frame: pd.DataFrame, batch: str) -> tuple[str, pd.DataFrame]:
    """``(param, rows of (value, final))`` of the finished-or-stopped runs of a sweep."""
    rows = frame[(frame["batch"] == batch) & frame["sweep_param"].notna()]
    param = str(rows["sweep_param"].iloc[0]) if len(rows) else ""
    done = rows[rows["final"].notna()]
    values = done["sweep_value"].map(lambda v: tuple(v) if isinstance(v, list) else v)
    return param, pd.DataFrame({"value": values.to_list(), "final": done["final"].astype(float)})


def is_log_param(algo: str, param: str) -> bool:
    """Whether a hyperparameter is declared log-scale (the sensitivity x axis follows)."""
    spec = ALGORITHMS.get(algo)
    if spec is None:
        return False
    return any(p.name == param and p.log for p in hparams(spec.config_cls))


def csv_bytes(run_ids: list[str]) -> bytes:
    """All metrics of the runs as one long CSV (a ``run`` column first)."""
    store = RunStore()
    frames = [store.metrics(r).assign(run=r) for r in run_ids]
    frames = [f[["run", *[c for c in f.columns if c != "run"]]] for f in frames if len(f)]
    df = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    return df.to_csv(index=False).encode()


def delete(run_ids: list[str], who: str | None = None) -> tuple[list[str], list[str]]:
    """Delete runs that are not training; returns ``(deleted, refused)``.

    ``who``: this browser's owner token; on a hosted server a run of anyone else is
    refused, queued or not.
    """
    q = JobQueue(RunStore(), dispatch=False)
    done, refused = [], []
    for rid in run_ids:
        try:
            if q.store.status(rid).get("status") == "queued":
                q.stop(rid, who=who)  # cancel it first if it is still waiting
            if q.store.status(rid).get("status") not in (*TERMINAL, "unknown"):
                refused.append(rid)
                continue
            q.delete(rid, who=who)
            done.append(rid)
        except (ValueError, OSError):
            refused.append(rid)
    return done, refused


TABLE_COLUMNS = (
    "algo",
    "env",
    "dataset",
    "study",
    "differs",
    "seed",
    "step",
    "steps",
    "final",
    "final_std",
    "score",
    "wall",
    "status",
    "created",
    "id",
)
PREFERRED = (
    "eval/return_mean",
    "eval/normalized_score",
    "rollout/return",
    "eval/q_start",
    "train/critic_loss",
)


def visible(frame: pd.DataFrame, who: str) -> pd.DataFrame:
    """The runs this browser may see: all locally, only its own when hosted.

    On a public demo (``RLCORE_PROFILE=hosted``) strangers share one server; each sees
    the runs this browser started (any page, any tab, before a refresh or after), not
    everyone's: the runs whose recorded owner is ``who`` (:func:`ui.owner.current`).
    """
    from rlcore.core.owners import hosted
    from rlcore.service.owners import run_owner

    if not hosted() or frame.empty:
        return frame
    store = RunStore()
    mine = frame["id"].map(lambda rid: run_owner(store, rid) == who)
    return frame[mine].reset_index(drop=True)


def dataset_summary(frame: pd.DataFrame, band: str = "bootstrap") -> pd.DataFrame:
    """Offline runs with a final evaluation, per (dataset, algorithm): seeds and scores.

    Columns: ``dataset, algo, n, score, score_low, score_high, final`` (mean final return);
    the interval is ``band`` over seeds (:func:`ui.charts.spread`; NaN for a single seed).
    """
    from ui.charts import spread

    done = frame[(frame["dataset"] != "") & frame["final"].notna()] if len(frame) else frame
    done = one_per_seed(done)
    rows = []
    for (dataset, algo), grp in done.groupby(["dataset", "algo"], sort=True):
        scores = grp["score"].astype(float).to_numpy()
        mean, low, high, n = (float(x[0]) for x in spread(scores, band))
        rows.append(
            {
                "dataset": dataset,
                "algo": algo,
                "n": int(n),
                "score": mean,
                "score_low": low,
                "score_high": high,
                "final": float(grp["final"].astype(float).mean()),
            }
        )
    return pd.DataFrame(rows)


def dataset_info(ds_id: str) -> Any:
    """A local dataset's info (``None`` if it was deleted since its runs trained)."""
    from ui.datasets import local_datasets

    return next((d for d in local_datasets() if d.id == ds_id), None)


def filtered(frame: pd.DataFrame, **allowed: list) -> pd.DataFrame:
    """Rows whose column values are in the allowed lists (an empty list allows all)."""
    mask = pd.Series(True, index=frame.index)
    for column, values in allowed.items():
        if values:
            mask &= frame[column].isin(values)
    return frame[mask].reset_index(drop=True)


def display_table(shown: pd.DataFrame) -> pd.DataFrame:
    """The runs table as the page shows it: translated headers and statuses."""
    table = shown.assign(
        status=[status_text(s, p) for s, p in zip(shown["status"], shown["position"])],
        wall=shown["wall"].map(fmt_duration),
        differs=differences(shown["config"].tolist()) if len(shown) else [],
    )[list(TABLE_COLUMNS)]
    table.columns = [t(f"col.{c}") for c in TABLE_COLUMNS]
    return table


def metric_keys(dfs: dict[str, pd.DataFrame]) -> list[str]:
    """Numeric metric keys of the runs, the most telling first."""
    keys = {c for df in dfs.values() for c in df.columns if c != "step"}
    return [k for k in PREFERRED if k in keys] + sorted(keys - set(PREFERRED))


def run_label(row: Any, differs: str = "") -> str:
    """A run in a legend: algorithm · env · what differs · seed · when."""
    parts = [
        row.algo,
        row.env,
        differs,
        t("live.seed", n=row.seed),
        f"{row.created:%m-%d %H:%M:%S}",
    ]
    return " · ".join(p for p in parts if p)


def run_labels(rows: pd.DataFrame) -> dict[str, str]:
    """Run id -> legend label, with what differs between these runs (a sweep's value)."""
    diffs = differences(rows["config"].tolist())
    return {r.id: run_label(r, d) for r, d in zip(rows.itertuples(), diffs)}


def steps_axis(rows: pd.DataFrame) -> str:
    """The step axis title of these runs: gradient steps if all train offline, and so on."""
    from ui.charts import step_title

    offline = set((rows["dataset"].fillna("") != "").tolist())
    return step_title(offline.pop() if len(offline) == 1 else None)


def model_bytes(run_id: str) -> bytes:
    """The run's weights file (safetensors)."""
    return (RunStore().path(run_id) / "model.safetensors").read_bytes()


def sweeps(frame: pd.DataFrame) -> dict[str, str]:
    """Sweep batches among the runs: batch id -> a label."""
    rows = frame[frame["sweep_param"].notna()]
    out = {}
    for batch, grp in rows.groupby("batch", sort=False):
        n_values = grp["sweep_value"].map(json.dumps).nunique()
        out[batch] = t(
            "cmp.sweep.label",
            param=grp["sweep_param"].iloc[0],
            values=n_values,
            seeds=len(grp) // max(n_values, 1),
            algo=grp["algo"].iloc[0],
            env=grp["env"].iloc[0],
            when=f"{grp['created'].min():%m-%d %H:%M}",
        )
    return out


@st.cache_data(max_entries=16, show_spinner=False)
def _actions(ds_id: str, runs: tuple[tuple[str, str], ...], stamp: float) -> Any:
    from ui.actions import policy_actions

    return policy_actions(ds_id, dict(runs))


def dataset_actions(frame: pd.DataFrame, ds_id: str) -> Any:
    """The actions-against-states picture of a 1-D-action dataset (``None`` otherwise).

    One policy per algorithm trained on the dataset: its newest run that finished. The
    policies come in the algorithms' alphabetical order: runs made within the same second
    tie on ``created``, and an unstable sort then swapped the legend from one view to the
    next.
    """
    done = frame[(frame["dataset"] == ds_id) & frame["has_model"] & frame["final"].notna()]
    if done.empty:
        return None
    newest = done.sort_values(["created", "id"], kind="stable").groupby("algo").tail(1)
    newest = newest.sort_values("algo", kind="stable")
    runs = tuple((r.algo.upper().replace("_", "-"), r.id) for r in newest.itertuples())
    stamp = max((RunStore().path(rid) / "model.safetensors").stat().st_mtime for _, rid in runs)
    try:
        return _actions(ds_id, runs, stamp)
    except (ValueError, OSError):
        return None
