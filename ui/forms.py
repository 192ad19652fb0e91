"""Widgets generated from the config dataclasses, and the Train page's setup in the URL.

Every hyperparameter declared with ``hp(...)`` becomes one widget: bounds become the
widget's limits, the help text its tooltip, log-scale floats a slider over 1-2-3-5
values per decade, choices a select box, booleans a toggle and layer sizes a text field
("256,256"). Values are validated with ``rlcore`` itself (``from_dict`` /
``make_configs``), and the ``ValueError`` text is shown under the field it names.

The whole setup (environment, algorithm, preset, hyperparameters, seed, run settings,
seeds and sweep) is mirrored into the URL's query parameters, so a copied link opens the
same setup; only values that differ from the preset (or defaults) are written.
"""

from __future__ import annotations

import dataclasses
import math
import re
import typing
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
import streamlit as st

from rlcore.config import AlgoConfig, HParam, RunConfig, coerce, from_dict, hparams
from rlcore.device import resolve_device
from rlcore.envs import ENVIRONMENTS, env_spec
from rlcore.jobs import MAX_BATCH_RUNS, Plan, default_max_workers, parse_values, seed_plan
from rlcore.jobs import sweep_plan as make_sweep_plan
from rlcore.presets import compatible_algos, make_configs
from rlcore.registry import ALGORITHMS
from ui.i18n import current_language, t
from ui.state import ALGO_DOC
from ui.text.app import ENV_DESC_ZH, HP_HELP_ZH

__all__ = [
    "Setup",
    "algo_envs_table",
    "algo_hparams_table",
    "hparam_widget",
    "lang_key",
    "paper_link",
    "train_form",
    "write_url",
]

# App defaults that differ from RunConfig's: one torch thread per worker, since the
# queue already runs up to one worker per core.
APP_RUN_DEFAULTS: dict[str, Any] = {"threads": 1}
RUN_MAIN = ("seed", "steps")  # run settings shown beside the algorithm, not in "advanced"
RUN_HIDDEN = ("algo", "env", "dataset")  # own select boxes; datasets are for offline
PRESET_RUN = ("steps", "eval_every", "eval_episodes", "log_every")  # reset with the preset
MODES = ("single", "seeds", "sweep")
MAX_SEEDS = 20

K_ENV, K_ALGO, K_PRESET = "train_env", "train_algo", "train_preset"
K_MODE, K_SEEDS, K_SWEEP = "train_mode", "train_seeds", "train_sweep_param"
K_URL_WRITTEN = "train_url_written"  # non-widget: the setup last written to the URL
K_NOTICES = "train_url_notices"


@dataclass
class Setup:
    """What the Train page's widgets say, validated."""

    env: str
    algo: str
    preset: bool
    run: RunConfig | None = None
    algo_cfg: AlgoConfig | None = None
    plan: Plan | None = None
    errors: dict[str, str] = field(default_factory=dict)  # field name -> message
    query: dict[str, str] = field(default_factory=dict)  # the URL of this setup

    @property
    def ok(self) -> bool:
        return not self.errors and self.plan is not None


def lang_key(key: str) -> str:
    """The key of a widget whose option labels are translated: one per language.

    Streamlit sends the value of a radio or select box as the label of the chosen option;
    after a language switch the browser would send the old language's label, which no
    longer matches, and the widget would fall back to its first option.
    """
    return f"{key}_{current_language()}"


# -- one widget per hyperparameter ---------------------------------------------------
def _is_tuple(p: HParam) -> bool:
    return typing.get_origin(p.type) is tuple


def log_grid(low: float, high: float, *extra: float) -> list[float]:
    """1-2-3-5 values per decade within ``[low, high]``, plus ``extra`` values."""
    out = set()
    for e in range(math.floor(math.log10(low)), math.ceil(math.log10(high)) + 1):
        for m in (1, 2, 3, 5):
            v = float(f"{m}e{e}")
            if low <= v <= high:
                out.add(v)
    out.update(float(x) for x in extra if x is not None and low <= x <= high)
    return sorted(out)


def _float_step(p: HParam, base: float) -> float:
    if base:
        return 10.0 ** (math.floor(math.log10(abs(base))) - 1)
    if p.low is not None and p.high is not None:
        return 10.0 ** (math.floor(math.log10(p.high - p.low)) - 2)
    return 0.01


def to_widget(p: HParam, value: Any) -> Any:
    """A config value as its widget holds it (layer sizes as "256,256")."""
    if _is_tuple(p):
        return ",".join(str(v) for v in value)
    if p.type is float:
        return float(value)
    return value


def fmt_value(value: Any) -> str:
    """A value as text for the URL, tables and sweep fields."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, tuple | list):
        return ",".join(str(v) for v in value)
    if isinstance(value, float):
        return repr(value)
    return str(value)


def env_description(env: str) -> str:
    """The catalogue's description of an environment, in the session's language."""
    if current_language() == "zh" and env in ENV_DESC_ZH:
        return ENV_DESC_ZH[env]
    return ENVIRONMENTS[env].description


def help_text(p: HParam) -> str:
    """Tooltip: the field's help (English from rlcore, Chinese from ui/text) + its range."""
    body = HP_HELP_ZH.get(p.name, p.help) if current_language() == "zh" else p.help
    return f"{body}\n\n{t('form.allowed')}: {p.range_text()}"


def hparam_widget(p: HParam, key: str, base: Any, swept: bool = False) -> Any:
    """Draw the widget of one hyperparameter (state under ``key``); returns its raw value.

    ``base`` is the starting value (preset or default); it is put into session state
    the first time, so the widget is never given both a value and a state.
    """
    if key not in st.session_state:
        st.session_state[key] = to_widget(p, base)
    tip = help_text(p) + (f"\n\n{t('train.swept')}" if swept else "")
    common = {"key": key, "help": tip, "persist_state": "session", "disabled": swept}
    label = p.name
    if p.type is bool:
        return st.toggle(label, **common)
    if p.choices is not None:
        return st.selectbox(label, list(p.choices), **common)
    if _is_tuple(p):
        return st.text_input(label, placeholder="256,256", **common)
    if p.type is float and p.log and p.low and p.high:
        options = log_grid(p.low, p.high, float(base), st.session_state[key])
        return st.select_slider(label, options=options, format_func=lambda v: f"{v:.3g}", **common)
    if p.type is int:
        return st.number_input(
            label,
            min_value=None if p.low is None else int(p.low),
            max_value=None if p.high is None else int(p.high),
            step=1,
            **common,
        )
    if p.type is float:
        return st.number_input(
            label,
            min_value=None if p.low is None else float(p.low),
            max_value=None if p.high is None else float(p.high),
            step=_float_step(p, float(base)),
            format="%g",
            **common,
        )
    return st.text_input(label, **common)


def _field_of(message: str, names: list[str]) -> str | None:
    """Which field a ``ValueError`` message names (``Cls.field = ...`` or ``field = ...``)."""
    m = re.match(r"^(?:\w+\.)?(\w+) =", message)
    if m and m.group(1) in names:
        return m.group(1)
    return None


def _grid(
    params: list[HParam],
    prefix: str,
    base: dict[str, Any],
    cols: int = 3,
    swept: str | None = None,
) -> dict[str, tuple[Any, Any]]:
    """Widgets in rows of ``cols``; returns name -> (raw value, the cell for its error).

    The ``swept`` hyperparameter is shown disabled: the sweep sets its values.
    """
    out = {}
    for start in range(0, len(params), cols):
        row = st.columns(cols)
        for col, p in zip(row, params[start : start + cols]):
            cell = col.container()
            with cell:
                raw = hparam_widget(p, f"{prefix}{p.name}", base[p.name], p.name == swept)
            out[p.name] = (raw, cell)
    return out


# -- the URL -------------------------------------------------------------------------
def _clear_fields() -> None:
    """Forget every value of the form (before a link sets them)."""
    for k in list(st.session_state):
        if isinstance(k, str) and k.startswith(("hp_", "run_", "train_")) and k != K_URL_WRITTEN:
            del st.session_state[k]


def _reset_fields() -> None:
    """Env, algorithm or preset changed: hyperparameters restart from the new base."""
    env = st.session_state.get(K_ENV)
    algos = compatible_algos(env) if env in ENVIRONMENTS else []
    if algos and st.session_state.get(K_ALGO) not in algos:
        st.session_state[K_ALGO] = algos[0]
    for k in list(st.session_state):
        if isinstance(k, str) and (
            k.startswith(("hp_", "train_sweep_values_"))
            or k in {f"run_{n}" for n in PRESET_RUN}
            or k == K_SWEEP
        ):
            del st.session_state[k]


def _base(env: str, algo: str, preset: bool) -> tuple[RunConfig, AlgoConfig]:
    return make_configs(algo, env, None, APP_RUN_DEFAULTS, use_preset=preset)


def _read_url() -> None:
    """First visit of this session: take the setup from the URL, noting what was wrong."""
    q = st.query_params.to_dict()
    notices: list[str] = []
    env = q.pop("env", None)
    default_env = next(iter(ENVIRONMENTS))
    if env is not None and env not in ENVIRONMENTS:
        notices.append(t("url.bad_env", value=env))
        env = None
    env = env or default_env
    algo = q.pop("algo", None)
    algos = compatible_algos(env)
    if algo is not None and algo not in algos:
        notices.append(t("url.bad_algo", value=algo, env=env, allowed=", ".join(algos)))
        algo = None
    algo = algo or algos[0]
    preset = q.pop("preset", "true")
    if preset.lower() not in ("1", "0", "true", "false"):
        notices.append(t("url.bad_value", name="preset", value=preset))
        preset = "true"
    use_preset = preset.lower() in ("1", "true")
    st.session_state[K_ENV], st.session_state[K_ALGO] = env, algo
    st.session_state[K_PRESET] = use_preset
    run_base, algo_base = _base(env, algo, use_preset)
    q.pop("batch", None)  # the live view reads it
    run_params = {p.name: p for p in hparams(RunConfig) if p.name not in RUN_HIDDEN}
    algo_params = {p.name: p for p in hparams(type(algo_base))}
    for name, raw in q.items():
        try:
            if name in run_params:
                v = getattr(from_dict(RunConfig, {name: raw}, base=run_base), name)
                st.session_state[f"run_{name}"] = to_widget(run_params[name], v)
            elif name in algo_params:
                v = getattr(from_dict(type(algo_base), {name: raw}, base=algo_base), name)
                st.session_state[f"hp_{algo}_{name}"] = to_widget(algo_params[name], v)
            elif name == "mode":
                if raw not in MODES:
                    raise ValueError(f"mode = {raw!r} (allowed: {', '.join(MODES)})")
                st.session_state[K_MODE] = raw
            elif name == "seeds":
                n = int(raw)
                if not 1 <= n <= MAX_SEEDS:
                    raise ValueError(f"seeds = {raw!r} (allowed: 1 to {MAX_SEEDS})")
                st.session_state[K_SEEDS] = n
            elif name == "sweep":
                if raw not in algo_params:
                    raise ValueError(f"sweep = {raw!r} (allowed: {', '.join(algo_params)})")
                st.session_state[K_SWEEP] = raw
            elif name == "values":
                st.session_state[f"train_sweep_values_{q.get('sweep', '')}"] = raw
            else:
                notices.append(t("url.unknown", name=name))
        except ValueError as e:
            notices.append(t("url.bad_field", error=str(e)))
    st.session_state[K_NOTICES] = notices


def write_url(query: dict[str, str], batch: str | None = None) -> None:
    """Replace the query parameters with ``query`` (+ the live batch), if they changed."""
    st.session_state[K_URL_WRITTEN] = dict(query)
    q = dict(query)
    if batch:
        q["batch"] = batch
    if st.query_params.to_dict() != q:
        st.query_params.from_dict(q)


# -- the form ------------------------------------------------------------------------
def _suggest_values(p: HParam, v: Any) -> str:
    """Sensible sweep values around the current one."""
    if p.type is bool:
        return "true, false"
    if p.choices is not None:
        return ", ".join(str(c) for c in p.choices)
    if _is_tuple(p):
        return "; ".join(["64", "64,64", "256,256"])
    if p.type in (int, float) and p.log:
        factors = (0.1, 0.3, 1, 3, 10) if p.type is float else (0.25, 0.5, 1, 2, 4)
        vals = []
        for f in factors:
            x = v * f
            x = round(x) if p.type is int else float(f"{x:.2g}")
            if (p.low is None or x >= p.low) and (p.high is None or x <= p.high) and x not in vals:
                vals.append(x)
        return ", ".join(fmt_value(x) if p.type is int else f"{x:g}" for x in vals)
    if p.type in (int, float) and p.low is not None and p.high is not None:
        lo, hi = p.low, p.high
        vals = sorted({v, *(lo + (hi - lo) * q for q in (0.25, 0.5, 0.75))})
        if p.type is int:
            vals = sorted({round(x) for x in vals})
        return ", ".join(f"{x:g}" for x in vals)
    return fmt_value(v)


def _experiment(algo_cls: type, algo_cfg_values: dict[str, Any]) -> tuple[Any, ...]:
    """Single run / N seeds / sweep widgets; returns (mode, seeds, param, values text, cell)."""
    st.session_state.setdefault(K_SEEDS, 3)
    # Streamlit sends a radio's value as its *label*, and these labels change with the
    # language: one widget per language (lang_key), one value (K_MODE) shared by them.
    widget = lang_key(K_MODE)
    if widget not in st.session_state:
        st.session_state[widget] = st.session_state.get(K_MODE, "single")
    mode = st.radio(
        t("train.mode"),
        MODES,
        format_func=lambda m: t(f"train.mode.{m}"),
        horizontal=True,
        key=widget,
        help=t("train.mode.help"),
        persist_state="session",
    )
    st.session_state[K_MODE] = mode
    if mode == "single":
        return mode, 1, None, None, None
    c1, c2, c3 = st.columns([1, 1, 2])
    with c1:
        seeds = st.number_input(
            t("train.seeds") if mode == "seeds" else t("train.seeds_per_value"),
            min_value=1,
            max_value=MAX_SEEDS,
            step=1,
            key=K_SEEDS,
            help=t("train.seeds.help"),
            persist_state="session",
        )
    if mode == "seeds":
        return mode, int(seeds), None, None, None
    params = {p.name: p for p in hparams(algo_cls)}
    st.session_state.setdefault(K_SWEEP, "lr" if "lr" in params else next(iter(params)))
    with c2:
        param = st.selectbox(
            t("train.sweep_param"),
            list(params),
            key=K_SWEEP,
            help=t("train.sweep_param.help"),
            persist_state="session",
        )
    key = f"train_sweep_values_{param}"
    st.session_state.setdefault(key, _suggest_values(params[param], algo_cfg_values[param]))
    cell = c3.container()
    with cell:
        text = st.text_input(
            t("train.sweep_values"),
            key=key,
            help=t("train.sweep_values.help"),
            persist_state="session",
        )
    return mode, int(seeds), param, text, cell


def train_form() -> Setup:
    """Draw the Train page's setup widgets and return the validated setup.

    Errors are written next to the fields they concern; ``Setup.ok`` says whether a
    run may start.
    """
    # Read the URL on arrival (a shared link, a refresh) or when a link from another page
    # brought a setup; after a page switch it is empty and the session's values stay.
    arrived = {k: v for k, v in st.query_params.to_dict().items() if k != "batch"}
    written = st.session_state.get(K_URL_WRITTEN)
    if written is None or (arrived and arrived != written):
        _clear_fields()
        _read_url()
    for notice in st.session_state.pop(K_NOTICES, []):  # shown once, on arrival
        st.warning(notice, icon=":material/link_off:")

    c_env, c_algo, c_preset = st.columns([2, 2, 1.4], vertical_alignment="bottom")
    with c_env:
        env = st.selectbox(
            t("train.env"),
            list(ENVIRONMENTS),
            format_func=lambda e: f"{ENVIRONMENTS[e].title} ({e})",
            key=K_ENV,
            on_change=_reset_fields,
            help=t("train.env.help"),
            persist_state="session",
        )
    algos = compatible_algos(env)
    if st.session_state.get(K_ALGO) not in algos:
        st.session_state[K_ALGO] = algos[0]
    with c_algo:
        algo = st.selectbox(
            t("train.algo"),
            algos,
            format_func=lambda a: ALGORITHMS[a].title,
            key=K_ALGO,
            on_change=_reset_fields,
            help=t("train.algo.help", kind=env_spec(env).action_space),
            persist_state="session",
        )
    has_preset = algo in env_spec(env).presets
    st.session_state.setdefault(K_PRESET, True)
    with c_preset:
        preset = st.toggle(
            t("train.preset"),
            key=K_PRESET,
            on_change=_reset_fields,
            help=t("train.preset.help") if has_preset else t("train.no_preset"),
            disabled=not has_preset,
            persist_state="session",
        )
    preset = preset and has_preset
    st.session_state[ALGO_DOC] = algo  # the sidebar links to its docs
    spec = ALGORITHMS[algo]
    st.caption(
        f"**{ENVIRONMENTS[env].title}** — {env_description(env)}  \n**{spec.title}** — {spec.paper}"
    )

    run_base, algo_base = _base(env, algo, preset)
    run_params = [p for p in hparams(RunConfig) if p.name not in RUN_HIDDEN]
    algo_params = list(hparams(type(algo_base)))
    run_b, algo_b = dataclasses.asdict(run_base), dataclasses.asdict(algo_base)

    main = [p for p in run_params if p.name in RUN_MAIN]
    fields = _grid(main, "run_", run_b, cols=3)
    with st.expander(t("train.hparams", algo=spec.title), expanded=True):
        mode_now = st.session_state.get(lang_key(K_MODE), st.session_state.get(K_MODE))
        swept = st.session_state.get(K_SWEEP) if mode_now == "sweep" else None
        hp_fields = _grid(algo_params, f"hp_{algo}_", algo_b, swept=swept)
    with st.expander(t("train.run_settings")):
        fields.update(_grid([p for p in run_params if p.name not in RUN_MAIN], "run_", run_b))
    mode, n_seeds, sweep_param, sweep_text, sweep_cell = _experiment(type(algo_base), algo_b)

    setup = Setup(env, algo, preset)
    # One field at a time first, so each message lands under its own field.
    run_values, algo_values = {"algo": algo, "env": env}, {}
    for group, params, values, cls, base in (
        (fields, run_params, run_values, RunConfig, run_base),
        (hp_fields, algo_params, algo_values, type(algo_base), algo_base),
    ):
        by_name = {p.name: p for p in params}
        for name, (raw, cell) in group.items():
            try:
                v = coerce(by_name[name], raw)
                from_dict(cls, {name: v}, base=base)
                values[name] = v
            except ValueError as e:
                setup.errors[name] = str(e)
                cell.error(str(e), icon=":material/error:")
    if not setup.errors:
        try:
            run, cfg = make_configs(algo, env, algo_values, run_values, use_preset=False)
            resolve_device(run.device)
            setup.run, setup.algo_cfg = run, cfg
        except ValueError as e:
            name = _field_of(str(e), [*fields, *hp_fields]) or "setup"
            setup.errors[name] = str(e)
            cell = (fields.get(name) or hp_fields.get(name) or (None, None))[1]
            (cell or st).error(str(e), icon=":material/error:")
    if setup.run is not None:
        try:
            if mode == "sweep":
                values = parse_values(type(algo_base), sweep_param, sweep_text or "")
                setup.plan = make_sweep_plan(
                    setup.run, setup.algo_cfg, sweep_param, values, n_seeds
                )
            else:
                setup.plan = seed_plan(setup.run, setup.algo_cfg, n_seeds)
        except ValueError as e:
            setup.errors["sweep"] = str(e)
            (sweep_cell or st).error(str(e), icon=":material/error:")
    if setup.plan is not None and len(setup.plan) > 1:
        st.caption(
            t("train.plan", n=len(setup.plan), cap=default_max_workers(), max=MAX_BATCH_RUNS)
        )

    # The URL: what differs from the preset (or the defaults), so links stay short.
    q = {"env": env, "algo": algo}
    if not preset and has_preset:
        q["preset"] = "false"
    for name in fields:
        if name not in setup.errors and run_values.get(name, run_b[name]) != run_b[name]:
            q[name] = fmt_value(run_values[name])
    for name in hp_fields:
        if name not in setup.errors and algo_values.get(name, algo_b[name]) != algo_b[name]:
            q[name] = fmt_value(algo_values[name])
    if mode != "single":
        q["mode"], q["seeds"] = mode, str(n_seeds)
    if mode == "sweep":
        q["sweep"], q["values"] = sweep_param, sweep_text or ""
    setup.query = q
    return setup


# -- tables about configs (Algorithms page) ------------------------------------------
def algo_hparams_table(cls: type) -> pd.DataFrame:
    """Every hyperparameter of a config class: name, default, allowed values, meaning."""
    return pd.DataFrame(
        [
            {
                t("algos.col.name"): p.name,
                t("algos.col.default"): fmt_value(p.default),
                t("algos.col.allowed"): p.range_text(),
                t("algos.col.scale"): t("algos.log") if p.log else "",
                t("algos.col.help"): HP_HELP_ZH.get(p.name, p.help)
                if current_language() == "zh"
                else p.help,
            }
            for p in hparams(cls)
        ]
    )


def algo_envs_table(algo: str) -> pd.DataFrame:
    """The catalogue environments an algorithm can train on, with its tuned preset there."""
    rows = []
    for e in ENVIRONMENTS.values():
        if algo not in compatible_algos(e.id, ALGORITHMS[algo].setting):
            continue
        preset = e.presets.get(algo)
        rows.append(
            {
                t("algos.col.env"): e.id,
                t("algos.col.solved"): e.solved,
                t("algos.col.preset_steps"): preset.steps if preset else None,
                t("algos.col.preset"): ", ".join(
                    f"{k}={fmt_value(v)}" for k, v in preset.hp.items()
                )
                if preset
                else "",
            }
        )
    rows.sort(key=lambda r: r[t("algos.col.preset_steps")] is None)
    return pd.DataFrame(rows)


def paper_link(paper: str) -> str:
    """A scholar search for a paper reference."""
    from urllib.parse import quote_plus

    return f"https://scholar.google.com/scholar?q={quote_plus(paper)}"
