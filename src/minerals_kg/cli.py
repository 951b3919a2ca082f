"""The ``minerals-kg`` command line: thin — parses options, calls the API, renders through :mod:`.present`.

Every failure is one line on stderr and a nonzero exit: 2 for something the user typed (an unknown
command, option, id or value), 1 for bad data or an unreachable server. ``--debug`` adds the traceback.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Annotated, Any, NoReturn

import pandas as pd
import typer
from rich.console import Console
from rich.table import Table as RichTable
from rich.text import Text

from . import present
from .analysis.concentration import CHOKEPOINTS, CONCENTRATION, DEFAULT_CR1, DEFAULT_HHI
from .analysis.coverage import COVERAGE
from .analysis.network_chokepoints import NETWORK_CHOKEPOINTS
from .analysis.scenario import BY_STAGE
from .analysis.strategy import DEFAULT_EXCLUDED, RECOMMENDATIONS, WHAT_IF
from .errors import DataValidationError, InvalidArgument, InvalidArguments, MineralsKGError
from .inputs import choose
from .resources import DEFAULT_ROOT

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    help="A sourced knowledge graph of the critical-minerals alliance.",
)
out = Console(width=None if sys.stdout.isatty() else 200, emoji=False)
err = Console(stderr=True, soft_wrap=True, highlight=False, emoji=False)
_state = {"debug": False}

RootOpt = Annotated[Path, typer.Option("--root", help="Folder of source folders (default: the shipped sources).")]
FormatOpt = Annotated[str, typer.Option("--format", "-f", help="Output format: table, json or csv.")]
YearOpt = Annotated[int | None, typer.Option(help="Pin the data year (default: latest per mineral and stage).")]
EditionOpt = Annotated[str | None, typer.Option(help="Pin the edition, e.g. MCS2025 (default: latest).")]
BasisOpt = Annotated[
    str,
    typer.Option("--by", help="Attribute output to the host country or to the controlling country (host, control)."),
]
AsOfOpt = Annotated[str | None, typer.Option("--as-of", help="Date YYYY-MM-DD (default: the event's date, or today).")]
UriOpt = Annotated[
    str | None, typer.Option("--uri", help="Bolt/neo4j URI (default: NEO4J_URI, then the local server).")
]

# API argument names that the command line spells differently
OPTION_NAMES = {
    "minerals": "--mineral",
    "imports_of": "--imports-of",
    "basis": "--by",
    "k": "-k",
    "as_of": "--as-of",
    "uri": "--uri",
    "fmt": "--format",
    "root": "--root",
    "stages": "--stage",
    "path": "--out",
    "format": "--format",
}


@app.callback()
def _main(debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks on errors.")] = False) -> None:
    _state["debug"] = debug


def _fmt(fmt: str) -> str:
    return choose(fmt, present.FORMATS, "--format", "an output format")


def _kg(root: Path):
    from .api import open as open_kg

    return open_kg(root=root)


def _render(
    df: pd.DataFrame, fmt: str, keys: list[str], columns: list[str], title: str, caption: str | None = None
) -> None:
    present.render(df, _fmt(fmt), keys, columns, title, sys.stdout, out, caption)


# --- commands ------------------------------------------------------------------------------------


@app.command()
def validate(root: RootOpt = DEFAULT_ROOT) -> None:
    """Check every source (pydantic, cross-file rules, SHACL); list all errors; exit 1 on any."""
    from .checks import load_dataset

    if not root.is_dir():
        raise InvalidArgument("--root", "a folder of source folders (each with a manifest.yaml)", repr(str(root)))
    dataset = load_dataset(root, shacl=True)
    counts = dataset.counts()
    out.print(
        f"ok: {len(dataset.sources)} sources, " + ", ".join(f"{n} {k}" for k, n in counts.items() if k != "sources")
    )


@app.command("concentration")
def concentration_cmd(
    mineral: Annotated[str | None, typer.Option(help="Mineral id, e.g. rare_earths.")] = None,
    stage: Annotated[str | None, typer.Option(help="mining, processing, refining, ...")] = None,
    year: YearOpt = None,
    edition: EditionOpt = None,
    current: Annotated[bool, typer.Option(help="Only the latest year and edition per mineral and stage.")] = False,
    by: BasisOpt = "host",
    fmt: FormatOpt = "table",
    root: RootOpt = DEFAULT_ROOT,
) -> None:
    """Shares, HHI, CR1, CR3 and effective suppliers per mineral, stage, year and edition."""
    _fmt(fmt)
    df = _kg(root).concentration(mineral, stage, year=year, edition=edition, current=current, basis=by)
    _render(
        df,
        fmt,
        CONCENTRATION.names,
        ["mineral", "stage", "year", "edition", "top_country", "top_share", "cr3", "hhi", "effective_suppliers"],
        "Production concentration",
    )


@app.command("chokepoints")
def chokepoints_cmd(
    method: Annotated[
        str, typer.Option(help="concentration (CR1/HHI per stage) or network (dominators, cuts, N-1, betweenness).")
    ] = "concentration",
    demand: Annotated[
        str | None,
        typer.Option(
            help="network: the demand node, an alliance, ISO-3 country or end-use id (default ministerial_2026)."
        ),
    ] = None,
    mineral: Annotated[list[str] | None, typer.Option(help="network: only these minerals (repeatable).")] = None,
    top: Annotated[int | None, typer.Option(help="network: N-1 and N-k rows per mineral (default 3).")] = None,
    cr1: Annotated[
        float | None,
        typer.Option(
            help=f"concentration: flag when the top country's share is at least this (0-1, default {DEFAULT_CR1})."
        ),
    ] = None,
    hhi: Annotated[
        float | None,
        typer.Option(help=f"concentration: flag when the HHI (0-1) is at least this (default {DEFAULT_HHI})."),
    ] = None,
    year: YearOpt = None,
    edition: EditionOpt = None,
    by: BasisOpt = "host",
    fmt: FormatOpt = "table",
    root: RootOpt = DEFAULT_ROOT,
) -> None:
    """Where one country controls a stage: by concentration, or on the supply network for a demand node."""
    method = choose(method, ["concentration", "network"], "--method", "a method")
    _fmt(fmt)
    only: dict[str, dict[str, Any]] = {
        "network": {"--demand": demand, "--mineral": mineral, "--top": top},
        "concentration": {
            "--cr1": cr1,
            "--hhi": hhi,
            "--year": year,
            "--edition": edition,
            "--by": None if by == "host" else by,
        },
    }
    for other, options in only.items():
        for option, value in options.items():
            if other != method and value is not None and value != []:
                raise InvalidArgument(option, f"--method {other} (it does not apply to --method {method})", repr(value))
    kg = _kg(root)
    if method == "network":
        df = present.with_display_columns(
            kg.network_chokepoints(
                demand or "ministerial_2026", minerals=mineral or None, top=3 if top is None else top
            ),
            NETWORK_CHOKEPOINTS,
        )
        _render(
            df,
            fmt,
            [*NETWORK_CHOKEPOINTS.names, "detail"],
            [
                "mineral",
                "method",
                "country",
                "stage",
                "year",
                "is_member",
                "flow_at_stake",
                "quantity_at_stake",
                "unit",
                "detail",
            ],
            f"Network chokepoints for {demand}",
        )
        return
    cr1 = DEFAULT_CR1 if cr1 is None else cr1
    hhi = DEFAULT_HHI if hhi is None else hhi
    df = present.with_display_columns(
        kg.chokepoints(cr1=cr1, hhi=hhi, year=year, edition=edition, basis=by), CHOKEPOINTS, cr1=cr1, hhi=hhi
    )
    _render(
        df,
        fmt,
        [*CHOKEPOINTS.names, "reason"],
        ["mineral", "stage", "year", "edition", "top_country", "top_share", "hhi", "reason"],
        "Chokepoints" + (" (by controlling country)" if by == "control" else ""),
    )


@app.command("coverage")
def coverage_cmd(
    alliance: Annotated[
        str, typer.Option(help="Organisation or event id, e.g. ministerial_2026, msp, g7.")
    ] = "ministerial_2026",
    as_of: AsOfOpt = None,
    include_host: Annotated[bool, typer.Option(help="Count an event's host as a member.")] = True,
    expand_organisations: Annotated[
        bool, typer.Option(help="Count an organisation member (e.g. the European Commission) as its member countries.")
    ] = True,
    year: YearOpt = None,
    edition: EditionOpt = None,
    by: BasisOpt = "host",
    add: Annotated[list[str] | None, typer.Option(help="What-if: add this ISO-3 country (repeatable).")] = None,
    remove: Annotated[list[str] | None, typer.Option(help="What-if: remove this ISO-3 country (repeatable).")] = None,
    imports_of: Annotated[
        str | None,
        typer.Option("--imports-of", help="Instead: the share of this member's imports from inside the alliance."),
    ] = None,
    mineral: Annotated[list[str] | None, typer.Option(help="--imports-of: only these minerals (repeatable).")] = None,
    fmt: FormatOpt = "table",
    root: RootOpt = DEFAULT_ROOT,
) -> None:
    """How much of each mineral, stage by stage, the alliance's countries produce (and what-if changes)."""
    _fmt(fmt)
    kg = _kg(root)
    if mineral and imports_of is None:
        raise InvalidArgument("--mineral", "--imports-of (it narrows the import coverage)", repr(mineral))
    members = kg.members(alliance, as_of=as_of, include_host=include_host, expand_organisations=expand_organisations)
    if imports_of is not None:
        from .analysis.exposure import IMPORT_COVERAGE

        for option, value in (("--add", add), ("--remove", remove), ("--year", year), ("--edition", edition)):
            if value:
                raise InvalidArgument(option, "no --imports-of (it does not apply to import coverage)", repr(value))
        df = kg.import_coverage(alliance, imports_of, minerals=mineral or None, as_of=as_of, include_host=include_host)
        _render(
            df,
            fmt,
            IMPORT_COVERAGE.names,
            [
                "mineral",
                "edition",
                "year_to",
                "from_members",
                "from_outside",
                "unattributed",
                "origin_in_alliance",
                "origin_unknown",
                "largest_outsider",
                "largest_outsider_share",
            ],
            f"Share of {imports_of}'s imports from inside {alliance}",
        )
        return
    if add or remove:
        df = kg.what_if(alliance, add=add or [], remove=remove or [], as_of=as_of)
        change = " and ".join(
            p for p in (f"adds {', '.join(add)}" if add else "", f"removes {', '.join(remove)}" if remove else "") if p
        )
        _render(
            df,
            fmt,
            WHAT_IF.names,
            [
                "mineral",
                "stage",
                "coverage_before",
                "coverage_after",
                "delta",
                "max_outsider_after",
                "max_outsider_share_after",
            ],
            f"What if {alliance} {change}",
        )
        return
    df = kg.coverage(
        alliance,
        as_of=as_of,
        include_host=include_host,
        expand_organisations=expand_organisations,
        year=year,
        edition=edition,
        basis=by,
    )
    if _fmt(fmt) == "table":
        err.print(f"{alliance}: {len(members.countries)} member countries as of {members.as_of}", markup=False)
    _render(
        df,
        fmt,
        COVERAGE.names,
        ["mineral", "stage", "year", "edition", "coverage", "coverage_ex_china", "max_outsider", "max_outsider_share"],
        f"Coverage of {alliance}",
    )


@app.command("exposure")
def exposure_cmd(
    importer: Annotated[str, typer.Option(help="ISO-3 country or organisation id with import data, e.g. USA, eu.")],
    mineral: Annotated[str, typer.Option(help="Mineral id, e.g. cobalt.")],
    stage: Annotated[str | None, typer.Option(help="Pin the stage of the importer's group.")] = None,
    edition: EditionOpt = None,
    year: Annotated[int | None, typer.Option(help="Pin a group whose period covers this year.")] = None,
    source: Annotated[str | None, typer.Option(help="Pin the source id of the importer's group.")] = None,
    fmt: FormatOpt = "table",
    root: RootOpt = DEFAULT_ROOT,
) -> None:
    """Who supplies an importer, where that material ultimately comes from, and how much depends on China."""
    from .analysis.exposure import EXPOSURE_ORIGINS, EXPOSURE_ROUTES, EXPOSURE_SUPPLIERS

    fmt = _fmt(fmt)
    result = _kg(root).exposure(importer, mineral, stage=stage, edition=edition, year=year, source=source)
    if fmt == "json":
        sys.stdout.write(json.dumps(present.jsonable(result.to_dict()), indent=2, ensure_ascii=False) + "\n")
        return
    if fmt in ("csv", "markdown"):
        _render(result.origins, fmt, EXPOSURE_ORIGINS.names, EXPOSURE_ORIGINS.names, "")
        return
    s = result.summary.iloc[0]
    out.print(present.exposure_headline(s.to_dict()), markup=False)
    _render(
        result.suppliers,
        fmt,
        EXPOSURE_SUPPLIERS.names,
        ["exporter", "share", "rank", "value_usd", "quantity", "unit", "upstream", "china_through", "confidence"],
        f"Direct suppliers of {s.importer} ({s.mineral})",
    )
    _render(result.origins, fmt, EXPOSURE_ORIGINS.names, ["origin", "kind", "share", "direct_share"], "Ultimate origin")
    _render(
        result.routes.head(15),
        fmt,
        EXPOSURE_ROUTES.names,
        ["route", "kind", "share", "through_china"],
        f"Routes (top {min(15, len(result.routes))} of {len(result.routes)})",
    )


@app.command()
def report(
    out_dir: Annotated[Path, typer.Option("--out", help="Folder for report.html and its data.")] = Path("out"),
    alliance: Annotated[str, typer.Option(help="Organisation or event id.")] = "ministerial_2026",
    top: Annotated[int, typer.Option(help="Chokepoints to print.")] = 12,
    root: RootOpt = DEFAULT_ROOT,
) -> None:
    """The main job: headline chokepoints and the alliance coverage matrix, plus an HTML report."""
    from .inputs import check_int
    from .report import build_report

    top = check_int(top, "--top", minimum=1)
    kg = _kg(root)
    result = build_report(kg, alliance, out_dir)
    chokes = result.chokepoints.head(top)
    out.print(
        present.rich_table(
            chokes,
            ["mineral", "stage", "year", "edition", "top_country", "top_share", "hhi"],
            f"Headline chokepoints ({present.CHOKEPOINT_RULE}), top {len(chokes)} of {len(result.chokepoints)}",
        )
    )
    t = RichTable(
        title=f"Coverage of {alliance}: {len(result.members.countries)} countries as of {result.members.as_of}",
        caption="members' share of world output per stage; a range where the source leaves output unattributed",
    )
    t.add_column("mineral")
    stages = list(result.matrix.columns)
    for stage in stages:
        t.add_column(stage, justify="right")
    cells = {(r.mineral, r.stage): r for r in result.coverage.itertuples(index=False)}
    for mineral in result.matrix.index:
        row = [cells.get((mineral, stage)) for stage in stages]
        t.add_row(mineral, *(present.coverage_cell(r.coverage, r.coverage_upper) if r is not None else "" for r in row))
    out.print(t)
    out.print(f"Report written to {result.html}", markup=False)


@app.command()
def scenario(
    file: Annotated[
        Path | None, typer.Argument(help="Scenario YAML/JSON (see the README); flags override its fields.")
    ] = None,
    alliance: Annotated[str | None, typer.Option(help="Alliance whose supply is assessed.")] = None,
    as_of: AsOfOpt = None,
    imposer: Annotated[
        str | None, typer.Option(help="Apply every in-force instrument of this imposer (ISO-3) ...")
    ] = None,
    kind: Annotated[list[str] | None, typer.Option(help="... of these kinds (default export_control).")] = None,
    instrument: Annotated[list[str] | None, typer.Option(help="Apply this instrument id (repeatable).")] = None,
    remove_country: Annotated[list[str] | None, typer.Option(help="Remove all output of this ISO-3 country.")] = None,
    remove_firm: Annotated[
        list[str] | None, typer.Option(help="Remove this firm's sourced output from its host countries.")
    ] = None,
    year: YearOpt = None,
    edition: EditionOpt = None,
    cut_stage: Annotated[list[str] | None, typer.Option(help="Cut a stage, as mineral:stage (repeatable).")] = None,
    save: Annotated[Path | None, typer.Option("--save", help="Write the full result as JSON here.")] = None,
    fmt: FormatOpt = "table",
    root: RootOpt = DEFAULT_ROOT,
) -> None:
    """Apply export controls or other instruments, remove countries or cut stages; report the losses."""
    from .inputs import parse_date

    _fmt(fmt)
    cuts = []
    for c in cut_stage or []:
        mineral, sep, stage = c.partition(":")
        if not sep or not mineral or not stage:
            raise InvalidArgument("--cut-stage", "mineral:stage, e.g. gallium:refining", repr(c))
        cuts.append({"mineral": mineral, "stage": stage})
    if as_of is not None:
        as_of = parse_date(as_of, "--as-of").isoformat()
    overrides = {
        "alliance": alliance,
        "as_of": as_of,
        "imposer": imposer,
        "kinds": kind,
        "instruments": instrument,
        "remove_countries": remove_country,
        "remove_firms": remove_firm,
        "year": year,
        "edition": edition,
        "cut_stages": cuts or None,
    }
    result = _kg(root).scenario(file if file else {}, overrides={k: v for k, v in overrides.items() if v})
    if save:
        from .atomic import write_text

        write_text(save, json.dumps(result.to_dict(), indent=2), where="--save")
    if fmt != "table":
        _render(result.by_stage, fmt, BY_STAGE.names, [], "")
        return
    applied = result.applied.assign(
        cuts=[
            present.cuts_text(r["cuts"], bool(r["technology_only"]), r["without_data"])
            for r in result.applied.to_dict("records")
        ]
    )
    out.print(
        present.rich_table(applied, ["instrument", "imposer", "status", "targets", "cuts"], "Instruments applied")
    )
    if not result.uncertain.empty:
        out.print(
            present.rich_table(
                result.uncertain,
                ["instrument", "imposer", "status_as_of", "minerals", "stages"],
                "Not applied: no source says whether these were in force on the date (status unknown after status_as_of)",
            )
        )
    out.print(
        present.rich_table(
            result.by_stage,
            [
                "mineral",
                "stage",
                "year",
                "edition",
                "cut_countries",
                "supply_lost_share",
                "supply_lost_quantity",
                "unit",
                "coverage_before",
                "coverage_of_remaining_supply",
            ],
            f"Supply lost to {result.scenario.alliance} by mineral and stage",
        )
    )
    out.print(
        present.rich_table(result.by_end_use, ["end_use", "minerals_cut", "worst_flow_lost_share"], "End uses exposed")
    )
    if not result.by_flow.empty:
        out.print(
            present.rich_table(
                result.by_flow,
                ["member", "mineral", "instruments", "supply_lost_share", "direct_lost_share", "edition", "year_to"],
                "Members' imports cut: share of each member's supply whose route crosses a stopped flow",
            )
        )
        out.print(
            present.rich_table(
                result.flow_routes.head(30),
                ["member", "mineral", "route", "stopped", "supply_lost_share"],
                f"Routes cut (top {min(30, len(result.flow_routes))} of {len(result.flow_routes)})",
            )
        )
    if not result.firms.empty:
        out.print(
            present.rich_table(
                result.firms, list(result.firms.columns), "Firm quantities considered (matched = counted)"
            )
        )
    if save:
        out.print(f"Full result written to {save}", markup=False)


@app.command()
def recommend(
    alliance: Annotated[str, typer.Option(help="Organisation or event id.")] = "ministerial_2026",
    k: Annotated[int, typer.Option("-k", help="How many partners to pick.")] = 5,
    mineral: Annotated[list[str] | None, typer.Option(help="Only these minerals (repeatable; default all).")] = None,
    as_of: AsOfOpt = None,
    exclude: Annotated[
        list[str] | None,
        typer.Option(help="Not a candidate (repeatable; default CHN and RUS; 'none' for no exclusion)."),
    ] = None,
    fmt: FormatOpt = "table",
    root: RootOpt = DEFAULT_ROOT,
) -> None:
    """The k outsiders whose accession most raises the alliance's weakest-stage coverage (greedy)."""
    _fmt(fmt)
    excluded = DEFAULT_EXCLUDED if exclude is None else tuple(x for x in exclude if x.lower() != "none")
    df = _kg(root).recommend(alliance, k=k, minerals=mineral or None, as_of=as_of, exclude=excluded)
    if fmt == "table":
        err.print(f"objective: {present.OBJECTIVE}; not candidates: {', '.join(excluded) or 'none'}", markup=False)
    _render(
        df,
        fmt,
        RECOMMENDATIONS.names,
        ["rank", "country", "marginal_gain", "objective_before", "objective_after", "minerals_raised"],
        f"Partners to bring into {alliance}",
    )


@app.command("data-coverage")
def data_coverage_cmd(
    lists: Annotated[
        bool, typer.Option("--lists", help="Counts against each official list instead of the per-mineral table.")
    ] = False,
    fmt: FormatOpt = "table",
    root: RootOpt = DEFAULT_ROOT,
) -> None:
    """What the data covers: per mineral and stage the latest edition and year, or the gap a source records."""
    from .analysis.data_coverage import DATA_COVERAGE, LIST_COVERAGE

    _fmt(fmt)
    kg = _kg(root)
    if lists:
        _render(kg.list_coverage(), fmt, LIST_COVERAGE.names, LIST_COVERAGE.names, "Coverage of the official lists")
        return
    columns = ["mineral", "lists", "mining", "processing", "refining", "metal_production", "component_manufacturing"]
    _render(
        kg.data_coverage(),
        fmt,
        DATA_COVERAGE.names,
        columns,
        "Latest data per mineral and stage (edition and year), or the gap a source records",
    )


@app.command()
def export(
    fmt: Annotated[
        str,
        typer.Option(
            "--format",
            "-f",
            help="graphml, gexf, cytoscape, d3, turtle, jsonld, neo4j-admin (a folder of CSV files) or html.",
        ),
    ],
    out_path: Annotated[Path, typer.Option("--out", "-o", help="File to write (a folder for neo4j-admin).")],
    alliance: Annotated[
        str | None, typer.Option(help="An alliance as of --as-of: members, memberships, production, instruments.")
    ] = None,
    as_of: AsOfOpt = None,
    mineral: Annotated[
        list[str] | None, typer.Option(help="A mineral's producers, firms, instruments, end uses (repeatable).")
    ] = None,
    stage: Annotated[list[str] | None, typer.Option(help="Only these stages of the minerals (repeatable).")] = None,
    node: Annotated[
        str | None, typer.Option("--node", "--country", help="Any node id (ISO-3 for countries): its neighbourhood.")
    ] = None,
    hops: Annotated[
        int | None, typer.Option(help="Depth of the neighbourhood of --node (default 1, at most 10).")
    ] = None,
    labels: Annotated[
        list[str] | None, typer.Option(help="Keep only nodes with these labels (repeatable or comma-separated).")
    ] = None,
    types: Annotated[
        list[str] | None,
        typer.Option(help="Keep only relationships of these types (repeatable or comma-separated)."),
    ] = None,
    scenario_file: Annotated[
        Path | None, typer.Option("--scenario", help="Scenario YAML/JSON: mark what it cuts.")
    ] = None,
    cypher: Annotated[
        str | None, typer.Option(help="Neo4j only: what a read-only query returns (MATCH p=... RETURN p).")
    ] = None,
    uri: UriOpt = None,
    root: RootOpt = DEFAULT_ROOT,
) -> None:
    """Export a selection of the graph for Gephi, yEd, Cytoscape, D3, triple stores, neo4j-admin or a browser."""
    from .export import FORMATS
    from .inputs import parse_date

    fmt = choose(fmt, FORMATS, "--format", "an export format")
    if as_of is not None:
        parse_date(as_of, "--as-of")
    if scenario_file is not None and not scenario_file.is_file():
        raise InvalidArgument("--scenario", "a scenario YAML or JSON file", repr(str(scenario_file)))
    if cypher is not None or uri is not None:
        kg = _connect(uri)  # --uri, NEO4J_URI, the local server, the default
    else:
        if not root.is_dir():
            raise InvalidArgument("--root", "a folder of source folders (each with a manifest.yaml)", repr(str(root)))
        kg = _kg(root)
    with kg:
        sub = kg.subgraph(
            alliance=alliance,
            as_of=as_of,
            minerals=mineral,
            stages=stage,
            node=node,
            hops=hops,
            labels=labels,
            types=types,
            scenario=scenario_file,
            cypher=cypher,
        )
        result = kg.export(sub, fmt, out_path, highlight_label=f"member of {alliance}" if alliance else "highlighted")
    out.print(
        f"wrote {result.nodes:,} nodes and {result.relationships:,} relationships as {result.format} to {result.path}"
        + (f" ({len(result.files)} files)" if len(result.files) > 1 else ""),
        markup=False,
    )
    if kg.backend == "neo4j":
        _say_server(kg.server)


# --- Neo4j ---------------------------------------------------------------------------------------

neo4j_app = typer.Typer(
    no_args_is_help=True,
    help="The local Neo4j 5.26 server with Neo4j Browser, APOC and Graph Data Science (jars from Maven Central).",
)
app.add_typer(neo4j_app, name="neo4j")


def _server_lines(st: Any) -> list[str]:
    return [
        f"bolt:    {st.uri}",
        f"browser: {st.browser_url}",
        f"data:    {st.home} (database {st.database}, Neo4j {st.version})",
    ]


@neo4j_app.command("start")
def neo4j_start(
    bolt_port: Annotated[
        int | None, typer.Option("--bolt-port", "--port", help="Bolt port on 127.0.0.1 (default: NEO4J_PORT or 7687).")
    ] = None,
    http_port: Annotated[
        int | None,
        typer.Option(help="HTTP port on 127.0.0.1, for Neo4j Browser (default: NEO4J_HTTP_PORT or 7474)."),
    ] = None,
    heap: Annotated[str | None, typer.Option(help="JVM heap, e.g. 2g (default: MINERALS_KG_NEO4J_HEAP or 2g).")] = None,
    pagecache: Annotated[
        str | None, typer.Option(help="Page cache, e.g. 512m (default: MINERALS_KG_NEO4J_PAGECACHE or 512m).")
    ] = None,
) -> None:
    """Build on first use, start in the background, wait until Bolt and HTTP answer, print the URLs."""
    from .backends.neo4j import server
    from .inputs import check_int

    if bolt_port is not None:
        bolt_port = check_int(bolt_port, "--bolt-port", minimum=1, maximum=65535)
    if http_port is not None:
        http_port = check_int(http_port, "--http-port", minimum=1, maximum=65535)
    options = server.ServerOptions.from_env(bolt_port, http_port, heap, pagecache)
    st = server.start(options)
    for line in _server_lines(st):
        out.print(line, markup=False)


@neo4j_app.command("stop")
def neo4j_stop() -> None:
    """Stop the local server (clean shutdown)."""
    from .backends.neo4j import server

    out.print("stopped" if server.stop() else "not running")


@neo4j_app.command("status")
def neo4j_status() -> None:
    """Whether the local server runs, its pid, URLs and data folder; exit 3 when it is stopped."""
    from .backends.neo4j import server

    st = server.status()
    if not st.running or not st.uri:
        out.print(f"{'starting' if st.running else 'stopped'} home={st.home}", markup=False)
        raise typer.Exit(3)
    out.print(f"running pid={st.pid}", markup=False)
    for line in _server_lines(st):
        out.print(line, markup=False)


def _settings(uri: str | None) -> Any:
    """The server to use: ``--uri``, NEO4J_URI, the local server of ``neo4j start``, the default."""
    from .backends.neo4j.config import Neo4jSettings

    return Neo4jSettings.from_env(uri)


def _say_server(description: str) -> None:
    """Which server a command talked to, on stderr, once it succeeded (a failure stays one error line)."""
    err.print(f"used {description}", markup=False, style="dim")


def _connect(uri: str | None) -> Any:
    """A KnowledgeGraph on the configured server (``kg.server`` says which)."""
    from .api import KnowledgeGraph
    from .backends.neo4j.reader import connect

    return KnowledgeGraph(connect(_settings(uri)))


@app.command()
def shell(
    file: Annotated[
        Path | None, typer.Option("--file", "-f", help="Run this Cypher script (e.g. a library query) and exit.")
    ] = None,
    param: Annotated[
        list[str] | None,
        typer.Option("--param", "-p", help="key=value for the script's $parameters (a library query's are checked)."),
    ] = None,
    shell_format: Annotated[
        str, typer.Option("--format", help="cypher-shell output: auto, verbose or plain.")
    ] = "auto",
    uri: UriOpt = None,
) -> None:
    """Neo4j's cypher-shell against the configured server (the password goes by environment, never argv)."""
    import subprocess

    from .backends.neo4j import server
    from .backends.neo4j.library import cypher_literal, script_parameters

    shell_format = choose(shell_format, ["auto", "verbose", "plain"], "--format", "a cypher-shell format")
    args = ["--format", shell_format]
    if file is not None:
        if not file.is_file():
            raise InvalidArgument("--file", "a readable Cypher script", repr(str(file)))
        args += ["--file", str(file)]
    bound = script_parameters(file, _params(param))
    if bound:
        args += ["--param", "{" + ", ".join(f"`{k}`: {cypher_literal(v)}" for k, v in bound.items()) + "}"]
    settings = _settings(uri)
    from .backends.neo4j.reader import connect

    connect(settings).close()  # an unreachable server or a wrong password: one line, before cypher-shell
    err.print(f"cypher-shell on {settings.describe()}", markup=False, style="dim")
    env = {**os.environ, "NEO4J_PASSWORD": settings.password}
    rc = subprocess.run(server.cypher_shell_command(settings, *args), env=env).returncode
    if rc:
        raise typer.Exit(rc)


def _params(items: list[str] | None) -> dict[str, str]:
    params: dict[str, str] = {}
    for item in items or []:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise InvalidArgument("--param", "key=value", repr(item))
        params[key.strip()] = value
    return params


@app.command()
def schema(
    uri: UriOpt = None,
    prune: Annotated[bool, typer.Option(help="Drop mkg_* constraints and indexes the ontology no longer has.")] = False,
) -> None:
    """Diff the server's constraints and indexes against the ontology; create what is missing."""
    from .backends.neo4j.schema import apply_schema

    settings = _settings(uri)
    with settings.driver() as driver:
        diff = apply_schema(driver, settings.database, prune=prune)
    _say_server(settings.describe())
    out.print(
        f"present: {len(diff.present)}; created: {', '.join(i.name for i in diff.missing) or 'none'}; "
        f"{'dropped' if prune else 'not in the ontology (use --prune to drop)'}: {', '.join(diff.extra) or 'none'}",
        markup=False,
    )


@app.command()
def load(
    uri: UriOpt = None,
    wipe: Annotated[
        bool, typer.Option(help="Delete every node of the ontology's labels first (the counts are reported).")
    ] = False,
    batch_size: Annotated[int, typer.Option(help="Rows per UNWIND transaction (1-1,000,000).")] = 10_000,
    allow_deletions: Annotated[
        bool,
        typer.Option(
            "--allow-deletions",
            help="Let the load remove most of a source's facts (by default it stops before writing when "
            "more than half of a source's facts, at least 10 or all of them, would go).",
        ),
    ] = False,
    root: RootOpt = DEFAULT_ROOT,
    bulk: Annotated[
        bool,
        typer.Option(
            help="First load into the EMPTY database of the local server (`neo4j start`) with neo4j-admin import: "
            "stops and restarts it; with --wipe, replaces the whole database."
        ),
    ] = False,
) -> None:
    """Validate every source, then write the graph to Neo4j (idempotent: MERGE on constrained ids).

    Readers see the previous graph or the new one, never part of a load: while it runs they wait a
    few seconds, then say a load is in progress.
    """
    from .backends.neo4j.loader import load as load_graph
    from .inputs import check_int

    batch_size = check_int(batch_size, "--batch-size", minimum=1, maximum=1_000_000)
    if not root.is_dir():
        raise InvalidArgument("--root", "a folder of source folders (each with a manifest.yaml)", repr(str(root)))
    settings = _settings(uri)
    if bulk:
        if allow_deletions:
            raise InvalidArgument(
                "--allow-deletions", "no --bulk (a bulk load writes only into an empty database)", "both"
            )
        _bulk_load(settings, root, wipe)
        return
    report = load_graph(
        settings,
        root,
        wipe=wipe,
        batch_size=batch_size,
        progress=sys.stderr.isatty(),
        allow_deletions=allow_deletions,
    )
    _say_server(settings.describe())
    wiped = f"wiped first: {report.wiped_nodes} nodes, {report.wiped_relationships} relationships; " if wipe else ""
    out.print(
        f"loaded {report.nodes_written} nodes and {report.relationships_written} relationships into "
        f"{settings.safe_uri} in {report.seconds:.1f}s (schema created: {len(report.schema_created)}; {wiped}"
        f"stale removed: {report.nodes_deleted - report.wiped_nodes} nodes, "
        f"{report.relationships_deleted - report.wiped_relationships} relationships)",
        markup=False,
    )
    if report.schema_stale:
        err.print(
            f"schema items the ontology no longer has: {', '.join(report.schema_stale)} "
            "(`minerals-kg schema --prune` drops them)",
            markup=False,
        )


def _bulk_load(settings: Any, root: Path, wipe: bool) -> None:
    from .bulk_load import bulk_load, check_local
    from .checks import load_dataset
    from .elements import graph_elements

    check_local(settings)  # before validating: a remote server is refused at once
    elements = graph_elements(load_dataset(root, shacl=True))
    report = bulk_load(settings, elements, wipe=wipe)
    _say_server(settings.describe())
    phases = ", ".join(f"{name} {seconds:.1f}s" for name, seconds in report.seconds.items())
    out.print(
        f"imported {report.nodes} nodes and {report.relationships} relationships into {settings.safe_uri} "
        f"with neo4j-admin in {report.total_seconds:.1f}s ({phases})",
        markup=False,
    )


@app.command()
def query(
    name: Annotated[str | None, typer.Argument(help="Query name (see --list).")] = None,
    param: Annotated[list[str] | None, typer.Option("--param", "-p", help="key=value, repeatable.")] = None,
    list_: Annotated[bool, typer.Option("--list", help="List the queries with their descriptions.")] = False,
    write: Annotated[bool, typer.Option("--write", help="Allow a query that writes.")] = False,
    uri: UriOpt = None,
    fmt: FormatOpt = "table",
) -> None:
    """Run a query of the Cypher library by name, with bound parameters, read-only unless --write."""
    from .backends.neo4j.library import get_query, library

    _fmt(fmt)
    if list_ or not name:
        t = RichTable(title="Cypher library")
        for col in ("name", "parameters", "description"):
            t.add_column(col)
        lib = library()
        for spec in lib.queries.values():
            t.add_row(
                spec.name,
                ", ".join(f"{p.name}: {p.type} = {json.dumps(p.default)}" for p in spec.params.values()),
                spec.description,
            )
        out.print(t)
        for why in lib.problems.values():
            err.print(f"skipped: {why}", markup=False)
        return
    spec = get_query(name)
    params = _params(param)
    spec.bind(params)  # types, dates, vocabularies: before any connection (ids are checked on the server's graph)
    with _connect(uri) as kg:
        df = kg.query(name, write=write, **params)
        server = kg.server
    _render(df, fmt, list(df.columns), list(df.columns), f"{name}")
    _say_server(server)


# --- errors ------------------------------------------------------------------------------------


def _command_options(argv: list[str]) -> dict[str, str]:
    """Python parameter name -> the option people type, for the subcommand on ``argv``."""
    command: Any = typer.main.get_command(app)
    for token in argv:
        if token.startswith("-"):
            continue
        sub = getattr(command, "commands", {}).get(token)
        if sub is None:
            break
        command = sub
    return {p.name: (p.opts[0] if getattr(p, "opts", None) else p.name) for p in getattr(command, "params", [])}


def _cli_name(where: str, argv: list[str]) -> str:
    if where.startswith("-") or ":" in where or " " in where:
        return where
    options = _command_options(argv)
    if where in OPTION_NAMES and OPTION_NAMES[where] in options.values():
        return OPTION_NAMES[where]
    return options.get(where, where)


def _usage_error(exc: Exception, argv: list[str]) -> InvalidArgument:
    """A typer/click usage error as one ``where: expected …, got …`` line."""
    name = type(exc).__name__
    param = getattr(exc, "param", None)
    opts = getattr(param, "opts", None) or []
    where = opts[0] if opts else getattr(exc, "option_name", None) or "command line"
    cause = exc.__cause__
    if name == "BadParameter" and cause is not None and hasattr(cause, "errors"):
        detail = cause.errors()[0]
        kind = detail.get("type", "")
        expected = {"int_parsing": "an integer", "float_parsing": "a number", "bool_parsing": "true or false"}.get(
            kind, detail.get("msg", "a valid value").removeprefix("Value error, ").removeprefix("Input should be ")
        )
        return InvalidArgument(where, expected, repr(detail.get("input")))
    if name == "NoSuchOption":
        known = sorted({o for o in _command_options(argv).values() if o.startswith("-")})
        return InvalidArgument(
            "option",
            f"one of {', '.join(known)}" if known else "no option here",
            repr(getattr(exc, "option_name", "?")),
        )
    if name == "BadOptionUsage":
        text = exc.format_message() if hasattr(exc, "format_message") else str(exc)
        if "does not take a value" in text:  # --flag=value
            return InvalidArgument(where, "no value (it is a flag)", "a value")
        return InvalidArgument(where, "a value after the option", "nothing")
    if name == "MissingParameter":
        return InvalidArgument(where, "a value", "nothing")
    message = exc.format_message() if hasattr(exc, "format_message") else str(exc)
    if message.startswith("No such command"):
        command: Any = typer.main.get_command(app)
        known = []
        for token in argv:
            if token.startswith("-"):
                continue
            sub = getattr(command, "commands", {}).get(token)
            if sub is None:
                known = sorted(getattr(command, "commands", {}))
                return InvalidArgument("command", f"one of {', '.join(known)}", repr(token))
            command = sub
    if message.startswith("Got unexpected extra argument"):
        return InvalidArgument(
            "arguments", "none beyond the options (see --help)", message.split("(", 1)[-1].rstrip(")")
        )
    return InvalidArgument("command line", "valid usage (see --help)", repr(message))


def _fail(message: str, code: int) -> NoReturn:
    text = Text("error", style="red")
    text.append(f": {message}")
    err.print(text)
    sys.exit(code)


def main(argv: list[str] | None = None) -> None:
    """Run the command line; every error is one line per problem and a nonzero exit code."""
    import logging

    argv = list(sys.argv[1:] if argv is None else argv)
    # server notifications (e.g. "property key does not exist" for a key no row has yet) are not errors
    logging.getLogger("neo4j.notifications").setLevel(logging.ERROR)
    logging.getLogger("neo4j").setLevel(logging.CRITICAL)
    try:
        rc = app(argv, standalone_mode=False)
        if isinstance(rc, int) and rc:
            sys.exit(rc)
    except DataValidationError as exc:
        if _state["debug"]:
            raise
        err.print(Text(f"error: {len(exc.issues)} error(s) in the sources; nothing was loaded", style="red"))
        for issue in exc.issues:
            err.print(str(issue), markup=False)
        sys.exit(1)
    except InvalidArguments as exc:
        if _state["debug"]:
            raise
        for problem in exc.problems:
            err.print(Text("error", style="red") + Text(f": {problem.at(_cli_name(problem.where, argv))}"))
        sys.exit(exc.exit_code)
    except InvalidArgument as exc:
        if _state["debug"]:
            raise
        _fail(str(exc.at(_cli_name(exc.where, argv))), exc.exit_code)
    except MineralsKGError as exc:
        if _state["debug"]:
            raise
        _fail(str(exc), exc.exit_code)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except typer.Abort:
        _fail("aborted", 1)
    except KeyboardInterrupt:
        _fail("interrupted", 130)
    except typer.TyperException as exc:  # usage errors from the option parser
        if _state["debug"]:
            raise
        _fail(str(_usage_error(exc, argv)), 2)
    except Exception as exc:  # anything unexpected: one line, the traceback with --debug
        if _state["debug"] or "--debug" in argv:
            raise
        first = (str(exc).splitlines() or [""])[0]
        _fail(f"{type(exc).__name__}: {first[:200]} (run with --debug for the traceback)", 1)


if __name__ == "__main__":
    main()
