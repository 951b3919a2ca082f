"""The main job's output: a self-contained HTML report (tables + inline charts) and its data."""

from __future__ import annotations

import base64
import datetime as dt
import html
import io
import json
from dataclasses import dataclass
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

from .analysis.coverage import AllianceMembers  # noqa: E402

STAGE_ORDER = ["mining", "processing", "refining", "component_manufacturing"]


@dataclass(frozen=True)
class ReportResult:
    html: Path
    members: AllianceMembers
    chokepoints: pd.DataFrame
    coverage: pd.DataFrame
    matrix: pd.DataFrame  # minerals x stages coverage


def coverage_matrix(cov: pd.DataFrame) -> pd.DataFrame:
    if cov.empty:
        return pd.DataFrame()
    m = cov.pivot(index="mineral", columns="stage", values="coverage")
    return m[[s for s in STAGE_ORDER if s in m.columns]].sort_index()


def _png(fig) -> str:  # type: ignore[no-untyped-def]
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110, bbox_inches="tight")
    plt.close(fig)
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def heatmap(matrix: pd.DataFrame, title: str, upper: pd.DataFrame | None = None) -> str:
    fig, ax = plt.subplots(figsize=(1.6 + 1.4 * len(matrix.columns), 0.32 * len(matrix) + 1.2))
    im = ax.imshow(matrix.values, cmap="RdYlGn", vmin=0, vmax=1, aspect="auto")
    ax.set_xticks(range(len(matrix.columns)), matrix.columns)
    ax.set_yticks(range(len(matrix.index)), matrix.index)
    for i in range(matrix.shape[0]):
        for j in range(matrix.shape[1]):
            v = matrix.values[i, j]
            hi = upper.values[i, j] if upper is not None else v
            label = "–" if v != v else (f"{v:.0%}–{hi:.0%}" if hi - v >= 0.05 else f"{v:.0%}")
            ax.text(j, i, label, ha="center", va="center", fontsize=8)
    ax.set_title(title, fontsize=10)
    fig.colorbar(im, ax=ax, fraction=0.04, label="share of world output")
    return _png(fig)


def top_producers_chart(current: pd.DataFrame, stage: str) -> str:
    rows = current[current["stage"] == stage].sort_values("top_share")
    fig, ax = plt.subplots(figsize=(8, 0.32 * len(rows) + 1.2))
    palette = ["#c0392b", "#e67e22", "#f1c40f"]
    for i, (_, r) in enumerate(rows.iterrows()):
        left = 0.0
        for rank, (country, share) in enumerate(list(r["shares"].items())[:3]):
            ax.barh(i, share, left=left, color=palette[rank], edgecolor="white")
            if share > 0.06:
                ax.text(left + share / 2, i, country, ha="center", va="center", fontsize=7)
            left += share
        ax.barh(i, max(0.0, 1 - left), left=left, color="#bdc3c7", edgecolor="white")
    ax.set_yticks(range(len(rows)), [f"{m} ({y}, {e})" for m, y, e in zip(rows["mineral"], rows["year"], rows["edition"])], fontsize=8)
    ax.set_xlim(0, 1)
    ax.axvline(0.65, color="black", lw=0.8, ls="--")
    ax.text(0.655, len(rows) - 0.5, "CRMA 65%", fontsize=7)
    ax.set_xlabel(f"share of world {stage} output: top three countries, then the rest")
    return _png(fig)


def _table(df: pd.DataFrame, columns: list[str], pct: set[str] = frozenset()) -> str:  # type: ignore[assignment]
    head = "".join(f"<th>{html.escape(c)}</th>" for c in columns)
    body = []
    for _, r in df.iterrows():
        cells = []
        for c in columns:
            v = r[c]
            if isinstance(v, float) and v != v:
                text = ""
            elif c in pct and isinstance(v, (int, float)):
                text = f"{v:.1%}"
            elif isinstance(v, float) and ("quantity" in c or c == "world_total"):
                text = f"{v:,.0f}"
            elif isinstance(v, float):
                text = f"{v:,.3f}"
            elif isinstance(v, (list, tuple)):
                text = ", ".join(map(str, v))
            elif isinstance(v, dict):
                text = ", ".join(f"{k} {s:.0%}" for k, s in list(v.items())[:5])
            else:
                text = "" if v is None else str(v)
            cells.append(f"<td>{html.escape(text)}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


CSS = """body{font-family:system-ui,sans-serif;margin:2em auto;max-width:1100px;color:#222}
table{border-collapse:collapse;font-size:13px;margin:1em 0}th,td{border:1px solid #ddd;padding:3px 7px}
th{background:#f4f4f4;text-align:left}td{vertical-align:top}h2{margin-top:2em}.note{color:#555;font-size:13px}
img{max-width:100%}"""


def build_report(kg, alliance: str, out_dir: Path) -> ReportResult:  # type: ignore[no-untyped-def]
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
        "<p class='note'>Flagged when the top country holds at least 50% of world output at a stage or the HHI is at "
        "least 0.25 (2,500 points).</p>",
        _table(chokes, ["mineral", "stage", "year", "edition", "top_country", "top_share", "cr3", "hhi",
                        "effective_suppliers", "confidence"], {"top_share", "cr3"}),
        "<h2>Alliance coverage, minerals × stages</h2>",
        "<p class='note'>Colour: the share of world output from members' countries; a range where the source "
        "leaves part of the output unattributed (the members' share is then between the two numbers).</p>",
        f"<img alt='coverage heatmap' src='{heatmap(matrix, f'Share of world output from {alliance} members', upper)}'>"
        if not matrix.empty else "<p>No coverage data.</p>",
        "<h3>Chain coverage (weakest stage)</h3>",
        _table(chain, ["mineral", "chain_coverage", "chain_coverage_upper", "weakest_stage", "stages"],
               {"chain_coverage", "chain_coverage_upper"}),
        "<h3>Stage coverage, ex-China coverage and the largest outsider</h3>",
        "<p class='note'>coverage counts only output the source attributes to member countries; coverage_upper adds "
        "what the source leaves unattributed ('other countries', or the rest of a share table that names only the "
        "leaders). ex-China: the members' share of world output outside China. Largest outsider against the "
        "EU CRMA benchmark of at most 65% from one third country.</p>",
        _table(cov, ["mineral", "stage", "year", "edition", "coverage", "coverage_upper", "coverage_ex_china",
                     "max_outsider", "max_outsider_share", "exceeds_benchmark", "withheld_members"],
               {"coverage", "coverage_upper", "coverage_ex_china", "max_outsider_share"}),
        f"<h2>What China's export controls in force on {bans.scenario.as_of or members.as_of} cut</h2>",
        "<p class='note'>Scenario: every Chinese export control in force that date and reaching a member "
        "(technology-only controls cut no material); the supply lost is China's share of world output at the "
        "stage the control covers. `minerals-kg scenario --imposer CHN` for the full result.</p>",
        _table(bans.by_stage, ["mineral", "stage", "year", "edition", "supply_lost_share", "supply_lost_quantity", "unit",
                               "coverage_before", "coverage_of_remaining_supply"],
               {"supply_lost_share", "coverage_before", "coverage_of_remaining_supply"}),
        _table(bans.applied, ["instrument", "name", "status", "targets", "cuts"]),
        "<h2>Top producers</h2>",
        f"<img alt='top producers, mining' src='{top_producers_chart(current, 'mining')}'>",
        f"<img alt='top producers, refining' src='{top_producers_chart(current, 'refining')}'>"
        if (current["stage"] == "refining").any() else "",
        "<h2>Concentration (latest group per mineral and stage)</h2>",
        _table(current, ["mineral", "stage", "year", "edition", "unit", "basis", "world_total", "top_country",
                         "top_share", "cr3", "hhi", "shares", "estimated"], {"top_share", "cr3"}),
        "<h2>Sources used above</h2>",
        _table(sources[sources["id"].isin(used)].reindex(
            columns=["id", "publisher", "title", "edition", "published", "url", "licence"]),
            ["id", "publisher", "title", "edition", "published", "url", "licence"]) if not sources.empty else "",
        "</body></html>",
    ]
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / "report.html"
    path.write_text("\n".join(parts), encoding="utf-8")
    (out_dir / "coverage.json").write_text(json.dumps(
        json.loads(cov.to_json(orient="records")), indent=2), encoding="utf-8")
    (out_dir / "chokepoints.json").write_text(json.dumps(
        json.loads(chokes.to_json(orient="records")), indent=2), encoding="utf-8")
    return ReportResult(path, members, chokes, cov, matrix)
