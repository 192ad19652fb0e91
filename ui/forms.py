"""The Train and Offline pages' setup form: widgets generated from the config dataclasses.

Every hyperparameter declared with ``hp(...)`` becomes one widget: bounds become the
widget's limits, the help text its tooltip, log-scale floats a slider over 1-2-3-5
values per decade, choices a select box, booleans a toggle and layer sizes a text field
("256,256"). Values are validated with ``rlcore`` itself (``from_dict`` /
``make_configs``), and the ``ValueError`` text is shown under the field it names.

The whole setup (environment, algorithm, preset, hyperparameters, seed, run settings,
seeds, sweep and search) is mirrored into the URL's query parameters, so a copied link opens the
same setup. What the setup is, how it reads and writes the URL and how it is validated
lives in ``ui/setup.py`` (no Streamlit); this module draws its widgets and its errors,
and ``ui/search.py`` the Search mode's.
"""

from __future__ import annotations

import math
import re
import typing
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
import streamlit as st

from rlcore.algos.registry import ALGORITHMS
from rlcore.core.config import HParam, hparams
from rlcore.core.envs import ENVIRONMENTS, env_spec
from rlcore.service.jobs import MAX_BATCH_RUNS, default_max_workers, trains_together
from rlcore.train.presets import compatible_algos
from ui import pbt, search
from ui import setup as model
from ui.i18n import current_language, page_params, set_page_params, t
from ui.safe import md_text
from ui.setup import MAX_SEEDS, MODES, PRESET_RUN, RUN_MAIN, Draft, Experiment, Setup, fmt_value
from ui.state import ALGO_DOC
from ui.text.algo_docs import DOC_ZH
from ui.text.hparams import hp_key

__all__ = [
    "Setup",
    "algo_doc",
    "algo_envs_table",
    "algo_hparams_table",
    "hparam_widget",
    "lang_key",
    "paper_link",
    "train_form",
    "write_url",
]


@dataclass(frozen=True)
class Keys:
    """The session-state keys of one page's form (the Train page or the Offline page).

    The two pages keep separate setups, so switching between them loses neither. The
    Train page's keys are ``train_*``, ``run_*`` and ``hp_<algo>_*``; the Offline page's
    ``offline_*``, ``offline_run_*`` and ``offline_hp_<algo>_*``.
    """

    page: str  # "train" | "offline"

    @property
    def offline(self) -> bool:
        return self.page == "offline"

    @property
    def run(self) -> str:
        return "run_" if self.page == "train" else f"{self.page}_run_"

    @property
    def hp(self) -> str:
        return "hp_" if self.page == "train" else f"{self.page}_hp_"

    def __post_init__(self) -> None:
        p = self.page
        for name in ("env", "dataset", "algo", "preset", "mode", "seeds", "start"):
            object.__setattr__(self, name, f"{p}_{name}")
        object.__setattr__(self, "sweep_param", f"{p}_sweep_param")
        object.__setattr__(self, "sweep_values_", f"{p}_sweep_values_")
        object.__setattr__(self, "url_written", f"{p}_url_written")  # non-widget
        object.__setattr__(self, "notices", f"{p}_url_notices")

    env: str = field(init=False)
    dataset: str = field(init=False)
    algo: str = field(init=False)
    preset: str = field(init=False)
    mode: str = field(init=False)
    seeds: str = field(init=False)
    start: str = field(init=False)
    sweep_param: str = field(init=False)
    sweep_values_: str = field(init=False)
    url_written: str = field(init=False)
    notices: str = field(init=False)


TRAIN, OFFLINE = Keys("train"), Keys("offline")


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


def _typed(p: HParam) -> bool:
    """Fields typed as text: numbers (but log-scale floats, a slider) and layer sizes.

    Why text and not a number box: a number box turned "abc" into its minimum and -5 into
    1 behind the learner's back; a text field keeps what was typed, and the check says
    under it what is wrong and what is allowed.
    """
    return _is_tuple(p) or p.type is int or (p.type is float and not (p.log and p.low and p.high))


def to_widget(p: HParam, value: Any) -> Any:
    """A config value as its widget holds it (numbers and layer sizes as text)."""
    if _is_tuple(p):
        return ",".join(str(v) for v in value)
    if _typed(p) and not isinstance(value, str):
        return fmt_value(value)
    if p.type is float:
        return float(value)
    return value


def env_label(env: str) -> str:
    """An environment as the select box lists it; custom ones are marked."""
    spec = env_spec(env)
    if spec.custom:
        # both languages at once: the select box's value travels as its label, and a
        # label that changed with the language would lose the choice on a switch
        return f"{env} — {t('train.env.custom', 'en')} / {t('train.env.custom', 'zh')}"
    return f"{spec.title} ({env})"


def env_description(env: str) -> str:
    """The description of an environment, in the session's language."""
    spec = env_spec(env)
    if spec.custom:
        solved = t("train.env.unknown") if spec.solved is None else f"{spec.solved:g}"
        kind = t(f"train.env.kind.{spec.action_space}")
        return t("train.env.custom_desc", shape=spec.obs_shape, kind=kind, solved=solved)
    return t("env." + env)


def help_text(cls: type, p: HParam) -> str:
    """Tooltip: the field's help in the session's language (keyed by its owner) + its range."""
    return f"{t(hp_key(cls, p.name))}\n\n{t('form.allowed')}: {p.range_text()}"


def hparam_widget(cls: type, p: HParam, key: str, base: Any, swept: bool = False) -> Any:
    """Draw the widget of field ``p`` of config class ``cls`` (state under ``key``).

    Returns its raw value. ``base`` is the starting value (preset or default); it is put
    into session state the first time, so the widget is never given both a value and a
    state.
    """
    if key not in st.session_state:
        st.session_state[key] = to_widget(p, base)
    tip = help_text(cls, p) + (f"\n\n{t('train.swept')}" if swept else "")
    common = {"key": key, "help": tip, "persist_state": "session", "disabled": swept}
    label = p.name
    if p.type is bool:
        return st.toggle(label, **common)
    if p.choices is not None:
        return st.selectbox(label, list(p.choices), **common)
    if p.type is float and p.log and p.low and p.high:
        options = log_grid(p.low, p.high, float(base), st.session_state[key])
        return st.select_slider(label, options=options, format_func=lambda v: f"{v:.3g}", **common)
    if not isinstance(st.session_state[key], str) and _typed(p):
        st.session_state[key] = to_widget(p, st.session_state[key])  # set by an older page
    return st.text_input(label, placeholder=fmt_value(base), **common)


def _grid(
    params: list[HParam],
    prefix: str,
    base: Any,
    cols: int = 3,
    swept: Collection[str] = (),
) -> dict[str, tuple[Any, Any]]:
    """Widgets in rows of ``cols``; returns name -> (raw value, the cell for its error).

    ``base`` is the config the values start from (preset or defaults). The ``swept``
    hyperparameters are shown disabled: the sweep (or the search) sets their values.
    """
    out = {}
    for start in range(0, len(params), cols):
        row = st.columns(cols)
        for col, p in zip(row, params[start : start + cols]):
            cell = col.container()
            with cell:
                value = getattr(base, p.name)
                raw = hparam_widget(type(base), p, f"{prefix}{p.name}", value, p.name in swept)
            out[p.name] = (raw, cell)
    return out


# -- the URL -------------------------------------------------------------------------
def _clear_fields(k: Keys) -> None:
    """Forget every value of the form (before a link sets them)."""
    for key in list(st.session_state):
        if (
            isinstance(key, str)
            and key.startswith((k.hp, k.run, f"{k.page}_"))
            and key != k.url_written
        ):
            del st.session_state[key]


def _reset_fields(k: Keys) -> None:
    """Env (dataset), algorithm or preset changed: hyperparameters restart from the base."""
    env = _env_of(k, st.session_state.get(k.dataset if k.offline else k.env))
    algos = compatible_algos(env, _setting(k)) if env in model.available_envs() else []
    if algos and st.session_state.get(k.algo) not in algos:
        st.session_state[k.algo] = algos[0]
    for key in list(st.session_state):
        if isinstance(key, str) and (
            key.startswith((k.hp, k.sweep_values_))
            or key in {f"{k.run}{n}" for n in PRESET_RUN}
            or key == k.sweep_param
        ):
            del st.session_state[key]


def _setting(k: Keys) -> str:
    return "offline" if k.offline else "online"


def _datasets() -> dict[str, Any]:
    """Local datasets of catalogue environments: id -> DatasetInfo."""
    from ui.datasets import local_datasets

    return {d.id: d for d in local_datasets() if d.env in ENVIRONMENTS}


def _env_of(k: Keys, choice: str | None) -> str | None:
    """The environment of the choice: the env itself, or the chosen dataset's env."""
    if not k.offline:
        return choice
    info = _datasets().get(choice or "")
    return info.env if info else None


def _read_url(k: Keys) -> None:
    """First visit of this session: take the setup from the URL, noting what was wrong."""
    datasets = {d: info.env for d, info in _datasets().items()} if k.offline else None
    draft, notices = model.from_query(page_params(), k.offline, datasets)
    st.session_state[k.notices] = [t(key, **fmt) for key, fmt in notices]
    if draft is None:
        return
    state = st.session_state
    if k.offline:
        state[k.dataset] = draft.dataset
    else:
        state[k.env] = draft.env
    state[k.algo], state[k.preset] = draft.algo, draft.preset
    runs = {p.name: p for p in model.run_params()}
    hps = {p.name: p for p in hparams(ALGORITHMS[draft.algo].config_cls)}
    for name, v in draft.run.items():
        state[f"{k.run}{name}"] = to_widget(runs[name], v)
    for name, v in draft.hp.items():
        state[f"{k.hp}{draft.algo}_{name}"] = to_widget(hps[name], v)
    state[k.mode], state[k.seeds] = draft.exp.mode, draft.exp.seeds
    if draft.exp.param is not None:
        state[k.sweep_param] = draft.exp.param
    if draft.exp.values is not None:
        state[f"{k.sweep_values_}{draft.exp.param or ''}"] = draft.exp.values
    search.restore(k.page, k.hp, draft)
    pbt.restore(k.page, draft)


def write_url(query: dict[str, str], batch: str | None = None, k: Keys = TRAIN) -> None:
    """Replace the query parameters with ``query`` (+ the live batch), if they changed."""
    st.session_state[k.url_written] = dict(query)
    q = dict(query)
    if batch:
        q["batch"] = batch
    set_page_params(q)


# -- the form ------------------------------------------------------------------------
def _dataset_select(k: Keys) -> str | None:
    """The Offline page's dataset picker (``None`` when there is no local dataset)."""
    have = _datasets()
    if not have:
        return None
    if st.session_state.get(k.dataset) not in have:
        st.session_state[k.dataset] = next(iter(have))
    return st.selectbox(
        t("offline.dataset"),
        list(have),
        format_func=lambda d: f"{d} ({have[d].kind}, {have[d].transitions:,})",
        key=k.dataset,
        on_change=_reset_fields,
        args=(k,),
        help=t("offline.dataset.help"),
        persist_state="session",
    )


def _dataset_caption(info: Any) -> str:
    """One line about a dataset: size, return distribution, references, source."""
    return t(
        "offline.dataset.caption",
        id=info.id,
        kind=info.kind,
        n=f"{info.transitions:,}",
        episodes=info.episodes,
        mean=f"{info.return_mean:.1f}",
        std=f"{info.return_std:.1f}",
        random=f"{info.ref_random:.1f}",
        expert=f"{info.ref_expert:.1f}",
        source=info.source,
    )


def _choices(k: Keys) -> Draft | None:
    """Environment (or dataset), algorithm and preset, with a caption about them.

    ``None`` on the Offline page when there is no local dataset to choose.
    """
    c_env, c_algo, c_preset = st.columns([2, 2, 1.4], vertical_alignment="bottom")
    dataset = None
    with c_env:
        if k.offline:
            dataset = _dataset_select(k)
            if dataset is None:
                return None
            env = _datasets()[dataset].env
        else:
            env = st.selectbox(
                t("train.env"),
                model.available_envs(),
                format_func=env_label,
                key=k.env,
                on_change=_reset_fields,
                args=(k,),
                help=t("train.env.help"),
                persist_state="session",
            )
            broken = model.env_error()  # RLCORE_ENV_MODULES names a module that fails
            if broken:
                st.error(md_text(broken), icon=":material/error:")
    algos = compatible_algos(env, _setting(k))
    if st.session_state.get(k.algo) not in algos:
        st.session_state[k.algo] = algos[0]
    with c_algo:
        algo = st.selectbox(
            t("train.algo"),
            algos,
            format_func=lambda a: ALGORITHMS[a].title,
            key=k.algo,
            on_change=_reset_fields,
            args=(k,),
            help=t("train.algo.help", kind=env_spec(env).action_space),
            persist_state="session",
        )
    has_preset = model.has_preset(env, algo)
    st.session_state.setdefault(k.preset, True)
    with c_preset:
        preset = st.toggle(
            t("train.preset"),
            key=k.preset,
            on_change=_reset_fields,
            args=(k,),
            help=t("train.preset.help") if has_preset else t("train.no_preset"),
            disabled=not has_preset,
            persist_state="session",
        )
    st.session_state[ALGO_DOC] = algo  # the sidebar links to its docs
    spec = ALGORITHMS[algo]
    what = f"**{env_spec(env).title}** — {env_description(env)}"
    if dataset:
        what = _dataset_caption(_datasets()[dataset]) + "  \n" + what
    st.caption(f"{what}  \n**{spec.title}** — {spec.paper}")
    return Draft(env, algo, preset, dataset)


def _fields(k: Keys, d: Draft) -> dict[str, Any]:
    """Run settings and hyperparameters into ``d``; returns name -> the cell for its error."""
    run_base, algo_base = model.base_configs(d)
    run_params = model.run_params()
    main = [p for p in run_params if p.name in RUN_MAIN]
    fields = _grid(main, k.run, run_base, cols=3)
    with st.expander(t("train.hparams", algo=ALGORITHMS[d.algo].title), expanded=True):
        mode_now = st.session_state.get(lang_key(k.mode), st.session_state.get(k.mode))
        swept: Collection[str] = ()
        if mode_now == "sweep":
            swept = {st.session_state.get(k.sweep_param)}
        elif mode_now == "search":
            swept = search.searched(k.page)
        params = model.algo_params(type(algo_base), k.offline)
        hp_fields = _grid(params, f"{k.hp}{d.algo}_", algo_base, swept=swept)
    with st.expander(t("train.run_settings")):
        rest = [p for p in run_params if p.name not in RUN_MAIN]
        fields.update(_grid(rest, k.run, run_base))
    d.run = {name: raw for name, (raw, _) in fields.items()}
    d.hp = {name: raw for name, (raw, _) in hp_fields.items()}
    return {name: cell for name, (_, cell) in (fields | hp_fields).items()}


def _experiment(k: Keys, d: Draft) -> Any:
    """The experiment's widgets (single run, N seeds, sweep) into ``d.exp``.

    Returns the cell for the experiment's error (``None``: below the form).
    """
    st.session_state.setdefault(k.seeds, model.DEFAULT_SEEDS)
    # Streamlit sends a radio's value as its *label*, and these labels change with the
    # language: one widget per language (lang_key), one value (k.mode) shared by them.
    widget = lang_key(k.mode)
    if widget not in st.session_state:
        st.session_state[widget] = st.session_state.get(k.mode, "single")
    mode = st.radio(
        t("train.mode"),
        list(MODES),
        format_func=lambda m: t(f"train.mode.{m}"),
        horizontal=True,
        key=widget,
        help=t("train.mode.help"),
        persist_state="session",
    )
    st.session_state[k.mode] = mode
    d.exp = Experiment(mode)
    if mode == "single":
        return None
    if mode == "search":
        return search.search_fields(k.page, k.hp, d, k.offline)
    if mode == "pbt":
        return pbt.pbt_fields(k.page, d)
    c1, c2, c3 = st.columns([1, 1, 2])
    with c1:
        d.exp.seeds = int(
            st.number_input(
                t("train.seeds") if mode == "seeds" else t("train.seeds_per_value"),
                min_value=1,
                max_value=MAX_SEEDS,
                step=1,
                key=k.seeds,
                help=t("train.seeds.help"),
                persist_state="session",
            )
        )
    if mode == "seeds":
        return None
    algo_cls = ALGORITHMS[d.algo].config_cls
    params = {p.name: p for p in model.algo_params(algo_cls, k.offline)}
    st.session_state.setdefault(k.sweep_param, "lr" if "lr" in params else next(iter(params)))
    with c2:
        d.exp.param = st.selectbox(
            t("train.sweep_param"),
            list(params),
            key=k.sweep_param,
            help=t("train.sweep_param.help"),
            persist_state="session",
        )
    key = f"{k.sweep_values_}{d.exp.param}"
    if key not in st.session_state:
        base = getattr(model.base_configs(d)[1], d.exp.param)
        st.session_state[key] = model.suggest_values(params[d.exp.param], base)
    cell = c3.container()
    with cell:
        d.exp.values = st.text_input(
            t("train.sweep_values"),
            key=key,
            help=t("train.sweep_values.help"),
            persist_state="session",
        )
    return cell


def train_form(k: Keys = TRAIN) -> Setup:
    """Draw a page's setup widgets and return the validated setup.

    ``k`` picks the page: the Train page chooses an environment and an online algorithm,
    the Offline page (``OFFLINE``) a local dataset and an offline algorithm. Errors are
    written next to the fields they concern; ``Setup.ok`` says whether a run may start.
    """
    # Read the URL on arrival (a shared link, a refresh) or when a link from another page
    # brought a setup; after a page switch it is empty and the session's values stay.
    arrived = {n: v for n, v in page_params().items() if n != "batch"}
    written = st.session_state.get(k.url_written)
    if written is None or (arrived and arrived != written):
        _clear_fields(k)
        _read_url(k)
    for notice in st.session_state.pop(k.notices, []):  # shown once, on arrival
        st.warning(notice, icon=":material/link_off:")

    draft = _choices(k)
    if draft is None:
        return Setup("", "", False, errors={"dataset": t("offline.no_datasets")})
    cells = _fields(k, draft)
    exp_cell = _experiment(k, draft)
    cells[model.MODES[draft.exp.mode].error_field] = exp_cell
    setup = model.validate(draft)
    for name, message in setup.errors.items():
        (cells.get(name) or st).error(explain(message), icon=":material/error:")
    if setup.plan is not None and len(setup.plan) > 1 and setup.mode != "pbt":
        if trains_together(setup.plan):  # one population: no queue between its runs
            st.caption(t("train.plan_together", n=len(setup.plan), max=MAX_BATCH_RUNS))
        else:
            st.caption(
                t("train.plan", n=len(setup.plan), cap=default_max_workers(), max=MAX_BATCH_RUNS)
            )
    search.plan_caption(setup)
    pbt.plan_caption(setup)
    return setup


# -- errors in a learner's words -----------------------------------------------------
_ERROR = re.compile(r"^(?:\w+\.)?(\w+) = (.*?): (.*?)(?: \(allowed: (.*)\))?$", re.DOTALL)
_WHY = (  # rlcore's reasons, as the text keys that say them in the session's language
    ("too small", "err.too_small"),
    ("too large", "err.too_large"),
    ("must be an integer", "err.integer"),
    ("cannot be read as int", "err.integer"),
    ("must be a number", "err.number"),
    ("cannot be read as float", "err.number"),
    ("must be finite", "err.finite"),
    ("not a valid choice", "err.choice"),
    ("must be true or false", "err.bool"),
    ("must be a list of 1 to 8 layer sizes", "err.layers"),
    ("cannot be read as tuple", "err.layers"),
    ("above this server's limit", "err.server"),
    ("off on the public demo", "err.hosted_off"),
)


def _allowed(text: str) -> str:
    """``1 to 50000000`` -> ``1 to 50,000,000`` (in Chinese ``1 到 50,000,000``)."""
    text = re.sub(r"(?<![\d.e-])\d{5,}(?![\d.])", lambda m: f"{int(m.group()):,}", text)
    m = re.fullmatch(r"(-?[\d.,e+-]+) to (-?[\d.,e+-]+)", text)
    if m:
        return t("err.range", low=m.group(1), high=m.group(2))
    if text.startswith("one of "):
        return t("err.one_of", options=text.removeprefix("one of "))
    return text


def explain(message: str) -> str:
    """An rlcore ``ValueError`` as a learner reads it: the field, what is wrong, what is allowed.

    ``DQNConfig.lr = 7.0: too large (allowed: 1e-06 to 1)`` becomes "**lr** = 7.0 is too
    large. Allowed: from 1e-06 to 1 — type a value in that range." (in the session's
    language); a reason it does not know is kept as written.
    """
    m = _ERROR.match(message.strip())
    if m is None:
        return md_text(message)
    name, value, why, allowed = m.groups()
    reason = next((t(key) for text, key in _WHY if why.startswith(text)), why)
    out = t("err.head", name=name, value=value, why=reason)
    if allowed:
        out += " " + t("err.allowed", allowed=_allowed(allowed))
    return out


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
                t("algos.col.help"): t(hp_key(cls, p.name)),
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


EQUATION = re.compile(r"\$\$.*?\$\$", re.DOTALL)  # a display equation of the notes
EQ_MARKER = re.compile(r"\[\[eq(\d+)\]\]")  # where ui/text/algo_docs.py puts one back


def algo_doc(algo: str) -> str:
    """An algorithm's notes in the session's language, with rlcore's equations in both.

    The English notes are the algorithm module's docstring; the Chinese ones
    (``ui/text/algo_docs.py``) mark where each of its display equations goes.
    """
    doc = ALGORITHMS[algo].doc
    zh = DOC_ZH.get(algo) if current_language() == "zh" else None
    if zh is None:
        return doc
    equations = EQUATION.findall(doc)
    return EQ_MARKER.sub(lambda m: equations[int(m.group(1)) - 1], zh)


def paper_link(paper: str) -> str:
    """A scholar search for a paper reference."""
    from urllib.parse import quote_plus

    return f"https://scholar.google.com/scholar?q={quote_plus(paper)}"
