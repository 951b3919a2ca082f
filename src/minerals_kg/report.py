"""The main job's output: a self-contained HTML report (tables + inline charts) and its data."""

from __future__ import annotations

import dataclasses
import datetime as dt
import html
import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from . import present
from .analysis.concentration import DEFAULT_CR1, DEFAULT_HHI
from .analysis.coverage import CRMA_SINGLE_COUNTRY_BENCHMARK, AllianceMembers
from .atomic import write_text
from .export import export
from .model import Stage

if TYPE_CHECKING:
    from .api import KnowledgeGraph

STAGE_ORDER = [s.value for s in Stage]


NETWORK_CHAINS = 4
"""How many of the most concentrated chains the report's network view shows."""
NETWORK_LABELS = ["Country", "Mineral", "Firm", "Facility", "PolicyInstrument", "EndUse", "Organisation"]
"""What the report's network view draws (Source documents and statistical aggregates stay out)."""


@dataclass(frozen=True)
class ReportResult:
    html: Path
    members: AllianceMembers
    chokepoints: pd.DataFrame
    coverage: pd.DataFrame
    matrix: pd.DataFrame  # minerals x stages coverage
    network: Path | None = None  # the interactive view of the most concentrated chains
    network_minerals: tuple[str, ...] = ()


def coverage_matrix(cov: pd.DataFrame) -> pd.DataFrame:
    if cov.empty:
        return pd.DataFrame()
    m = cov.pivot(index="mineral", columns="stage", values="coverage")
    return m[[s for s in STAGE_ORDER if s in m.columns]].sort_index()


RED_YELLOW_GREEN = (
    "#a50026", "#d73027", "#f46d43", "#fdae61", "#fee08b", "#ffffbf", "#d9ef8b", "#a6d96a", "#66bd63", "#1a9850", "#006837",
)  # fmt: skip
"""ColorBrewer's diverging RdYlGn, 11 classes (Brewer, colorbrewer2.org; matplotlib's ``RdYlGn``)."""


def coverage_colour(value: float) -> str:
    """The heatmap colour of a coverage 0-1: red at 0, yellow at one half, green at 1 (linear between classes).

    >>> coverage_colour(0.0), coverage_colour(0.5), coverage_colour(1.0)
    ('#a50026', '#ffffbf', '#006837')
    """
    x = min(max(float(value), 0.0), 1.0) * (len(RED_YELLOW_GREEN) - 1)
    i = min(int(x), len(RED_YELLOW_GREEN) - 2)
    a, b = RED_YELLOW_GREEN[i], RED_YELLOW_GREEN[i + 1]
    mix = [round(int(a[k : k + 2], 16) * (i + 1 - x) + int(b[k : k + 2], 16) * (x - i)) for k in (1, 3, 5)]
    return "#" + "".join(f"{c:02x}" for c in mix)


def heatmap_table(matrix: pd.DataFrame, title: str, upper: pd.DataFrame | None = None) -> str:
    """The minerals x stages coverage heatmap as an HTML table: each cell coloured by its coverage.

    A table rather than a drawn image: the labels stay text (searchable, sharp at any zoom), and the
    report no longer spends a second laying out a few hundred labels in matplotlib (issue 12).

    >>> m = pd.DataFrame({"mining": [0.25, float("nan")]}, index=["x", "y"])
    >>> "<td style='background:#f88e52'>25%</td>" in heatmap_table(m, "t"), "<td>–</td>" in heatmap_table(m, "t")
    (True, True)
    """
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in ["mineral", *matrix.columns])
    body = []
    for i, mineral in enumerate(matrix.index):
        cells = [f"<th>{html.escape(str(mineral))}</th>"]
        for j in range(matrix.shape[1]):
            v = matrix.values[i, j]
            if v != v:
                cells.append("<td>–</td>")
                continue
            hi = upper.values[i, j] if upper is not None else v
            ink = ";color:#fff" if not 0.15 <= v <= 0.85 else ""  # the darkest reds and greens
            cells.append(
                f"<td style='background:{coverage_colour(v)}{ink}'>{html.escape(present.coverage_cell(v, hi))}</td>"
            )
        body.append(f"<tr>{''.join(cells)}</tr>")
    stops = ",".join(RED_YELLOW_GREEN)
    legend = (
        f"<div class='legend'><span>0%</span><span class='ramp' style='background:linear-gradient(to right,{stops})'>"
        "</span><span>100% of world output</span></div>"
    )
    return (
        f"<table class='heat'><caption>{html.escape(title)}</caption><thead><tr>{head}</tr></thead>"
        f"<tbody>{''.join(body)}</tbody></table>{legend}"
    )


TOP_COLOURS = ("#c0392b", "#e67e22", "#f1c40f")
"""The first, second and third producer's segment; the rest of world output is grey."""


def top_producers_bars(current: pd.DataFrame, stage: str) -> str:
    """Per mineral, the top three countries' shares of world output at a stage as a stacked bar (HTML).

    The most concentrated first; a dashed line marks the CRMA's 65 % single-country benchmark. Drawn
    with HTML and CSS rather than matplotlib: the report no longer imports it (issue 12).

    >>> cur = pd.DataFrame([dict(mineral="x", stage="mining", year=2024, edition="E", top_share=0.6,
    ...                          shares={"CHN": 0.6, "AUS": 0.3})])
    >>> "width:60.0%" in top_producers_bars(cur, "mining")
    True
    """
    rows = current[current["stage"] == stage].sort_values("top_share", ascending=False)
    lines = []
    for mineral, year, edition, shares in zip(rows["mineral"], rows["year"], rows["edition"], rows["shares"]):
        segments, left = [], 0.0
        for rank, (country, share) in enumerate(list(shares.items())[:3]):
            label = html.escape(str(country)) if share > 0.06 else ""
            segments.append(
                f"<span style='width:{share * 100:.1f}%;background:{TOP_COLOURS[rank]}' "
                f"title='{html.escape(str(country))} {share:.1%}'>{label}</span>"
            )
            left += share
        segments.append(f"<span style='width:{max(0.0, 1 - left) * 100:.1f}%;background:#bdc3c7'></span>")
        name = html.escape(f"{mineral} ({year}, {edition})")
        lines.append(
            f"<div class='bar'><span class='name'>{name}</span><span class='track'>{''.join(segments)}</span></div>"
        )
    benchmark = CRMA_SINGLE_COUNTRY_BENCHMARK * 100
    return (
        f"<div class='bars' style='--benchmark:{benchmark:.0f}%'>{''.join(lines)}"
        f"<p class='note'>share of world {html.escape(stage)} output: top three countries, then the rest; "
        f"dashed: CRMA {CRMA_SINGLE_COUNTRY_BENCHMARK:.0%}</p></div>"
    )


def _table(df: pd.DataFrame, columns: list[str]) -> str:
    head = "".join(f"<th>{html.escape(c)}</th>" for c in columns)
    body = []
    for row in df.reindex(columns=columns).to_dict("records"):
        cells = "".join(f"<td>{html.escape(present.cell(row[c], c))}</td>" for c in columns)
        body.append(f"<tr>{cells}</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


CSS = """body{font-family:system-ui,sans-serif;margin:2em auto;max-width:1100px;color:#222}
table{border-collapse:collapse;font-size:13px;margin:1em 0}th,td{border:1px solid #ddd;padding:3px 7px}
th{background:#f4f4f4;text-align:left}td{vertical-align:top}h2{margin-top:2em}.note{color:#555;font-size:13px}
img{max-width:100%}.heat td{text-align:center;min-width:4.5em}.heat caption{font-weight:600;text-align:left}
.legend{display:flex;gap:.5em;align-items:center;font-size:12px;color:#555}.ramp{display:inline-block;width:14em;height:.8em}
.bar{display:flex;align-items:center;font-size:12px;margin:1px 0}.bar .name{width:17em;flex:none;text-align:right;padding-right:.6em;white-space:nowrap;overflow:hidden;text-overflow:ellipsis}
.bar .track{position:relative;display:flex;flex:1;height:1.2em}.bar .track span{display:inline-block;height:100%;text-align:center;
overflow:hidden;font-size:11px;line-height:1.2em;border-right:1px solid #fff;box-sizing:border-box}
.bars{position:relative}.bar .track::after{content:"";position:absolute;left:var(--benchmark);top:0;bottom:0;border-left:1px dashed #000}"""


def most_concentrated_chains(current: pd.DataFrame, n: int = NETWORK_CHAINS) -> list[str]:
    """The ``n`` chains (minerals with data at two stages or more) whose most concentrated stage has
    the highest HHI (then CR1), latest groups; single-stage minerals only when chains run out.

    >>> most_concentrated_chains(pd.DataFrame({"mineral": ["a", "a", "b", "c"], "hhi": [0.2, 0.9, 0.5, 0.9],
    ...                                        "top_share": [0.3, 0.9, 0.6, 0.95]}), 2)
    ['a', 'c']
    """
    worst = (
        current.groupby("mineral")
        .agg(hhi=("hhi", "max"), top_share=("top_share", "max"), stages=("hhi", "size"))
        .reset_index()
    )
    worst["chain"] = worst["stages"] >= 2
    worst = worst.sort_values(["chain", "hhi", "top_share", "mineral"], ascending=[False, False, False, True])
    return list(worst["mineral"].head(n))


def network_view(kg: KnowledgeGraph, alliance: str, members: AllianceMembers, out_dir: Path) -> tuple[Path, list[str]]:
    """Write ``network.html``: the most concentrated chains, the alliance's members ringed."""
    minerals = most_concentrated_chains(kg.concentration(current=True))
    sub = kg.subgraph(minerals=minerals, labels=NETWORK_LABELS)
    sub = dataclasses.replace(sub, highlight=members.countries & {n.id for n in sub.nodes})
    result = export(
        sub,
        "html",
        out_dir / "network.html",
        title=f"The {len(minerals)} most concentrated chains: {', '.join(minerals)}",
        highlight_label=f"member of {alliance}",
        where="--out",
    )
    return result.path, minerals


def build_report(kg: KnowledgeGraph, alliance: str, out_dir: Path) -> ReportResult:
    """Compute the main job's analyses and write ``report.html`` (plus JSON data) to ``out_dir``."""
    out_dir = Path(out_dir)
    members = kg.members(alliance)
    current = kg.concentration(current=True)
    chokes = kg.chokepoints()
    cov = kg.coverage(alliance)
    chain = kg.chain_coverage(alliance)
    matrix = coverage_matrix(cov)
    upper = coverage_matrix(cov.assign(coverage=cov["coverage_upper"])) if not cov.empty else None
    sources = kg.sources()
    used = sorted({s for lst in current["sources"] for s in lst})
    bans = kg.scenario({"imposer": "CHN", "kinds": ["export_control"], "alliance": alliance})

    network, chains = network_view(kg, alliance, members, out_dir)
    via = pd.Series(members.via).value_counts()
    via_text = ", ".join(f"{n} via {html.escape(k)}" for k, n in via.items())
    generated = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    parts = [
        f"<!doctype html><html><head><meta charset='utf-8'><title>minerals-kg report: {html.escape(alliance)}</title>",
        f"<style>{CSS}</style></head><body>",
        f"<h1>Critical-minerals chokepoints and the coverage of <code>{html.escape(alliance)}</code></h1>",
        f"<p class='note'>Generated {generated} by minerals-kg from {len(sources)} sources. "
        f"Alliance members as of {members.as_of}: {len(members.countries)} countries ({via_text}). "
        "Each row uses one (mineral, stage, year, edition) group — editions are never mixed — "
        "the latest year available for that mineral and stage.</p>",
        "<h2>Headline chokepoints</h2>",
        f"<p class='note'>Flagged when the top country holds at least {DEFAULT_CR1:.0%} of world output at a stage or "
        f"the HHI is at least {DEFAULT_HHI:g} ({DEFAULT_HHI * 10_000:,.0f} points).</p>",
        _table(
            chokes,
            [
                "mineral",
                "stage",
                "year",
                "edition",
                "top_country",
                "top_share",
                "cr3",
                "hhi",
                "effective_suppliers",
                "confidence",
            ],
        ),
        "<h2>Alliance coverage, minerals × stages</h2>",
        "<p class='note'>Colour: the share of world output from members' countries; a range where the source "
        "leaves part of the output unattributed (the members' share is then between the two numbers).</p>",
        heatmap_table(matrix, f"Share of world output from {alliance} members", upper)
        if not matrix.empty
        else "<p>No coverage data.</p>",
        "<h3>Chain coverage (weakest stage)</h3>",
        _table(chain, ["mineral", "chain_coverage", "chain_coverage_upper", "weakest_stage", "stages"]),
        "<h3>Stage coverage, ex-China coverage and the largest outsider</h3>",
        "<p class='note'>coverage counts only output the source attributes to member countries; coverage_upper adds "
        "what the source leaves unattributed ('other countries', or the rest of a share table that names only the "
        f"leaders). ex-China: the members' share of world output outside China. Largest outsider against "
        f"{present.CRMA_RULE}.</p>",
        _table(
            cov,
            [
                "mineral",
                "stage",
                "year",
                "edition",
                "coverage",
                "coverage_upper",
                "coverage_ex_china",
                "max_outsider",
                "max_outsider_share",
                "exceeds_benchmark",
                "withheld_members",
            ],
        ),
        f"<h2>What China's export controls in force on {bans.scenario.as_of or members.as_of} cut</h2>",
        "<p class='note'>Scenario: every Chinese export control in force that date and reaching a member "
        "(technology-only controls cut no material); the supply lost is China's share of world output at the "
        "stage the control covers. `minerals-kg scenario --imposer CHN` for the full result.</p>",
        _table(
            bans.by_stage,
            [
                "mineral",
                "stage",
                "year",
                "edition",
                "supply_lost_share",
                "supply_lost_quantity",
                "unit",
                "coverage_before",
                "coverage_of_remaining_supply",
            ],
        ),
        _table(
            bans.applied.assign(
                cuts=[present.cuts_text(r["cuts"], bool(r["technology_only"])) for r in bans.applied.to_dict("records")]
            ),
            ["instrument", "name", "status", "targets", "cuts"],
        ),
        "<h2>The most concentrated chains as a network</h2>",
        f"<p class='note'>The {len(chains)} chains (minerals with data at two stages or more) whose most concentrated stage has the highest HHI: "
        f"{html.escape(', '.join(chains))}. Their producers in the latest groups, the firms and facilities active "
        "in them, the instruments covering them and their end uses. Node colour: label; size: share of world output "
        f"at the stage chosen on the left; members of <code>{html.escape(alliance)}</code> ringed in black. "
        "Click a node or a relationship for its properties and source; search and filter on the left. "
        "<a href='network.html'>Open it in its own window</a>.</p>",
        f"<iframe title='network view of the most concentrated chains' style='width:100%;height:720px;"
        f'border:1px solid #ddd\' srcdoc="{html.escape(network.read_text(encoding="utf-8"), quote=True)}"></iframe>',
        "<h2>Top producers</h2>",
        top_producers_bars(current, "mining"),
        top_producers_bars(current, "refining") if (current["stage"] == "refining").any() else "",
        "<h2>Concentration (latest group per mineral and stage)</h2>",
        _table(
            current,
            [
                "mineral",
                "stage",
                "year",
                "edition",
                "unit",
                "basis",
                "world_total",
                "top_country",
                "top_share",
                "cr3",
                "hhi",
                "shares",
                "estimated",
            ],
        ),
        "<h2>Sources used above</h2>",
        _table(
            sources[sources["id"].isin(used)].reindex(
                columns=["id", "publisher", "title", "edition", "published", "url", "licence"]
            ),
            ["id", "publisher", "title", "edition", "published", "url", "licence"],
        )
        if not sources.empty
        else "",
        "</body></html>",
    ]
    path = write_text(out_dir / "report.html", "\n".join(parts))
    write_text(out_dir / "coverage.json", json.dumps(present.records(cov, list(cov.columns)), indent=2))
    write_text(out_dir / "chokepoints.json", json.dumps(present.records(chokes, list(chokes.columns)), indent=2))
    return ReportResult(path, members, chokes, cov, matrix, network, tuple(chains))
