"""Everything shown to people: wording, rounding, thresholds, and rendering as table, JSON or CSV.

Analyses return data (a mineral and a stage, a flag, a number); only this module turns it into
words, and nothing parses its output back. The command line and the HTML report both use it.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from typing import Any, TextIO

import pandas as pd
from rich.table import Table as RichTable

from .analysis.concentration import DEFAULT_CR1, DEFAULT_HHI
from .analysis.coverage import CRMA_SINGLE_COUNTRY_BENCHMARK
from .contract import Table

__all__ = [
    "FORMATS",
    "OBJECTIVE",
    "RANGE_DISPLAY_MIN",
    "cell",
    "chokepoint_reason",
    "coverage_cell",
    "cuts_text",
    "exposure_headline",
    "jsonable",
    "network_detail",
    "records",
    "render",
    "rich_table",
    "with_display_columns",
]

FORMATS = ("table", "json", "csv", "markdown")
RANGE_DISPLAY_MIN = 0.05
"""A coverage is shown as a range (``15%–35%``) when its upper bound is at least this much higher."""
CHOKEPOINT_RULE = f"CR1 ≥ {DEFAULT_CR1:.0%} or HHI ≥ {DEFAULT_HHI:g}"
CRMA_RULE = f"the EU CRMA benchmark of at most {CRMA_SINGLE_COUNTRY_BENCHMARK:.0%} from one third country"
OBJECTIVE = "mean over minerals of chain coverage (the weakest stage's share of world output held by members)"
PERCENT_WORDS = (
    "share",
    "coverage",
    "flow",
    "cr3",
    "objective",
    "gain",
    "delta",
    "china",
    "members",
    "outside",
    "unattributed",
    "origin_",
    "unknown",
    "lost",
)


def jsonable(value: Any) -> Any:
    """A value as JSON: numpy scalars unwrapped, NaN/NA as null, containers recursively.

    >>> jsonable({"a": float("nan"), "b": [1, 2]})
    {'a': None, 'b': [1, 2]}
    """
    if isinstance(value, Mapping):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if value is None or value is pd.NA:
        return None
    if hasattr(value, "item"):  # numpy scalars
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def records(df: pd.DataFrame, keys: Sequence[str]) -> list[dict[str, Any]]:
    """Rows as dicts with exactly ``keys`` (the JSON contract), JSON-ready."""
    return [{k: jsonable(row.get(k)) for k in keys} for row in df.to_dict("records")]


def cell(value: Any, column: str) -> str:
    """One table cell as people read it: shares as percentages, quantities with thousands separators.

    >>> cell(0.6923, "top_share"), cell(270000.0, "quantity"), cell(0.8493, "hhi"), cell(None, "x")
    ('69.2%', '270,000', '0.849', '')
    """
    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        return ""
    if hasattr(value, "item") and not isinstance(value, (list, dict)):
        value = value.item()
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        if "quantity" in column or column in ("hhi_points", "world_total"):
            return f"{value:,.0f}"
        if column in ("hhi", "betweenness"):
            return f"{value:.3f}"
        if column == "effective_suppliers":
            return f"{value:.1f}"
        if any(w in column for w in PERCENT_WORDS):
            return f"{value:.1%}"
        return f"{value:g}"
    if isinstance(value, dict):
        return ", ".join(f"{k} {cell(v, 'share') if isinstance(v, float) else v}" for k, v in list(value.items())[:5])
    if isinstance(value, (list, tuple)):
        return ", ".join(cell(v, column) if not isinstance(v, dict) else cuts_text([v]) for v in value)
    return str(value)


def coverage_cell(coverage: float | None, upper: float | None) -> str:
    """A coverage as a percentage, or a range when the source leaves enough output unattributed.

    >>> coverage_cell(0.15, 0.35), coverage_cell(0.46, 0.47), coverage_cell(None, None)
    ('15%–35%', '46%', '')
    """
    if coverage is None or coverage != coverage:
        return ""
    if upper is not None and upper == upper and upper - coverage >= RANGE_DISPLAY_MIN:
        return f"{coverage:.0%}–{upper:.0%}"
    return f"{coverage:.0%}"


def chokepoint_reason(row: Mapping[str, Any], cr1: float = DEFAULT_CR1, hhi: float = DEFAULT_HHI) -> str:
    """Why a group is a chokepoint, in words.

    >>> chokepoint_reason({"top_share": 0.6, "hhi": 0.4, "cr1_flag": True, "hhi_flag": True})
    'CR1 60% >= 50%; HHI 0.40 >= 0.25'
    """
    why = []
    if row.get("cr1_flag"):
        why.append(f"CR1 {row['top_share']:.0%} >= {cr1:.0%}")
    if row.get("hhi_flag"):
        why.append(f"HHI {row['hhi']:.2f} >= {hhi:.2f}")
    return "; ".join(why)


def network_detail(row: Mapping[str, Any]) -> str:
    """What a network-chokepoint row means, in words.

    >>> network_detail({"method": "n_1", "flow_before": 0.9, "flow_after": 0.3})
    'flow 0.900 -> 0.300 without it'
    """
    method = row.get("method")
    if method == "dominator":
        return "on every supply path"
    if method == "articulation_point":
        return "its removal disconnects the network"
    if method == "min_node_cut":
        return f"one of the {row.get('cut_size')} suppliers whose removal cuts all supply"
    if method == "n_1":
        return f"flow {row['flow_before']:.3f} -> {row['flow_after']:.3f} without it"
    if method == "n_k_country":
        return f"all {row.get('stages_removed')} stage(s) of {row.get('country')} removed"
    if method == "betweenness":
        return f"betweenness {row['betweenness']:.3f}"
    if method == "min_route_cut":
        return (
            f"one of the {row.get('cut_size')} flows whose loss cuts all supply: {' -> '.join(row.get('route') or [])}"
        )
    if method == "n_k":
        return f"{', '.join(row.get('route') or [])} lost together"
    if method == "n_1_route":
        return f"the flow {' -> '.join(row.get('route') or [])} lost"
    if method == "n_k_route":
        return f"the flows {', '.join(row.get('route') or [])} lost together"
    return ""


def exposure_headline(summary: Mapping[str, Any]) -> str:
    """The exposure summary in words: the group used and the China dependence with its bound.

    >>> print(exposure_headline({"importer": "USA", "mineral": "m", "edition": "E", "source": "s", "stage": None,
    ...     "year_from": 2021, "year_to": 2024, "share_basis": "imports", "share_from": "printed", "china_direct": 0.4,
    ...     "china_indirect": 0.3, "china_total": 0.7, "china_upper": 0.8, "unknown_share": 0.1, "followed": []}))
    USA m: E (s), 2021-2024, shares of imports (printed)
    China: 40.0% direct + 30.0% through other suppliers = 70.0% (at most 80.0% if every unknown part were Chinese); unknown 10.0%
    """
    followed = ", ".join(f"{f['country']} ({f.get('edition') or f['source']})" for f in summary.get("followed") or [])
    basis = {"imports": "shares of imports", "sourcing": "shares of supply (sourcing)"}.get(
        str(summary.get("share_basis")), str(summary.get("share_basis"))
    )
    lines = [
        f"{summary['importer']} {summary['mineral']}: {summary.get('edition') or summary['source']} ({summary['source']}), "
        f"{summary['year_from']}-{summary['year_to']}{', ' + str(summary['stage']) if summary.get('stage') else ''}, "
        f"{basis} ({summary.get('share_from')})",
        f"China: {summary['china_direct']:.1%} direct + {summary['china_indirect']:.1%} through other suppliers = "
        f"{summary['china_total']:.1%} (at most {summary['china_upper']:.1%} if every unknown part were Chinese); "
        f"unknown {summary['unknown_share']:.1%}",
    ]
    if followed:
        lines.append(f"followed upstream: {followed}")
    return "\n".join(lines)


def cuts_text(
    cuts: Sequence[Mapping[str, str]], technology_only: bool = False, without_data: Sequence[Mapping[str, str]] = ()
) -> str:
    """The stages an instrument cuts, in words, and those it covers where the graph has no data.

    >>> cuts_text([{"mineral": "gallium", "stage": "refining"}]), cuts_text([], technology_only=True)
    ('gallium/refining', 'technology only: no material cut')
    >>> cuts_text([], without_data=[{"mineral": "tungsten", "stage": "refining"}])
    'nothing with data; no data for tungsten/refining'
    """
    if technology_only:
        return "technology only: no material cut"
    text = ", ".join(f"{c['mineral']}/{c['stage']}" for c in cuts) or "nothing with data"
    if without_data:
        text += "; no data for " + ", ".join(f"{c['mineral']}/{c['stage']}" for c in without_data)
    return text


def with_display_columns(df: pd.DataFrame, table: Table | None = None, **thresholds: float) -> pd.DataFrame:
    """The frame plus the worded columns people and the JSON contract expect (``reason``, ``detail``)."""
    out = df.copy()
    if table is not None and table.name == "chokepoints" and not out.empty:
        out["reason"] = [chokepoint_reason(r, **thresholds) for r in out.to_dict("records")]
    elif table is not None and table.name == "chokepoints":
        out["reason"] = pd.Series(dtype="object")
    if table is not None and table.name == "network_chokepoints":
        out["detail"] = (
            [network_detail(r) for r in out.to_dict("records")] if not out.empty else pd.Series(dtype="object")
        )
    return out


def rich_table(df: pd.DataFrame, columns: Sequence[str], title: str, caption: str | None = None) -> RichTable:
    table = RichTable(title=title, caption=caption, show_lines=False)
    for col in columns:
        table.add_column(
            col,
            justify="right" if df[col].dtype.kind in "fiu" or str(df[col].dtype) in ("Int64", "Float64") else "left",
        )
    for row in df[list(columns)].itertuples(index=False):
        table.add_row(*(cell(v, c) for v, c in zip(row, columns, strict=True)))
    return table


def markdown_table(df: pd.DataFrame, columns: Sequence[str]) -> str:
    """A GitHub-flavoured Markdown table of ``columns`` (cells as :func:`cell` words them).

    >>> print(markdown_table(pd.DataFrame([{"mineral": "x", "top_share": 0.5}]), ["mineral", "top_share"]), end="")
    | mineral | top_share |
    |---|---|
    | x | 50.0% |
    """
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    for row in df.reindex(columns=list(columns)).itertuples(index=False):
        lines.append(
            "| " + " | ".join(cell(v, c).replace("|", "\\|") for v, c in zip(row, columns, strict=True)) + " |"
        )
    return "\n".join(lines) + "\n"


def render(
    df: pd.DataFrame,
    fmt: str,
    keys: Sequence[str],
    table_columns: Sequence[str],
    title: str,
    out: TextIO,
    console: Any,
    caption: str | None = None,
) -> None:
    """Write a result as ``table`` (rich, for people), ``json`` (the contract's keys) or ``csv``."""
    if fmt == "json":
        out.write(json.dumps(records(df, keys), indent=2, ensure_ascii=False) + "\n")
    elif fmt == "markdown":
        out.write(markdown_table(df, list(table_columns) or list(keys)))
    elif fmt == "csv":
        flat = df.reindex(columns=list(keys)).copy()
        for col in flat.columns:
            if flat[col].map(lambda v: isinstance(v, (dict, list, tuple))).any():
                flat[col] = flat[col].map(lambda v: json.dumps(jsonable(v), ensure_ascii=False))
        flat.to_csv(out, index=False)
    else:
        console.print(rich_table(df, table_columns, title, caption))
