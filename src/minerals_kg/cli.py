"""The ``minerals-kg`` command line: thin — parses options, calls the API, renders tables."""

from __future__ import annotations

import enum
import json
import sys
from pathlib import Path
from typing import Annotated, Any

import pandas as pd
import typer
from rich.console import Console
from rich.table import Table

from .errors import DataValidationError, MineralsKGError
from .sources import DEFAULT_ROOT

app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                  help="A sourced knowledge graph of the critical-minerals alliance.")
out = Console(width=None if sys.stdout.isatty() else 200)
err = Console(stderr=True, soft_wrap=True)
_state = {"debug": False}


class Format(str, enum.Enum):
    table = "table"
    json = "json"
    csv = "csv"


class Method(str, enum.Enum):
    concentration = "concentration"
    network = "network"


class Basis(str, enum.Enum):
    host = "host"
    control = "control"


BasisOpt = Annotated[Basis, typer.Option("--by", help="Attribute output to the host country or to the controlling country (firm ownership).")]
NETWORK_KEYS = ["mineral", "demand", "method", "country", "stage", "year", "edition", "is_member", "flow_total",
                "flow_at_stake", "quantity_at_stake", "unit", "detail"]


RootOpt = Annotated[Path, typer.Option("--root", help="Folder of source folders (loaders/).")]
FormatOpt = Annotated[Format, typer.Option("--format", "-f", help="Output format.")]
YearOpt = Annotated[int | None, typer.Option(help="Pin the data year (default: latest per mineral and stage).")]
EditionOpt = Annotated[str | None, typer.Option(help="Pin the edition, e.g. MCS2025 (default: latest).")]


@app.callback()
def _main(debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks on errors.")] = False) -> None:
    _state["debug"] = debug


# --- JSON contract ---------------------------------------------------------------------------------

CONCENTRATION_KEYS = ["mineral", "stage", "year", "edition", "top_country", "top_share", "hhi", "cr3", "shares",
                      "hhi_points", "effective_suppliers", "other_share", "world_total", "unit", "basis",
                      "estimated", "confidence", "sources"]
COVERAGE_KEYS = ["mineral", "stage", "year", "edition", "coverage", "coverage_ex_china", "max_outsider",
                 "max_outsider_share", "coverage_upper", "unattributed_share", "exceeds_benchmark",
                 "members_producing", "withheld_members"]


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    if isinstance(value, float) and value != value:  # NaN
        return None
    return value


def records(df: pd.DataFrame, keys: list[str]) -> list[dict[str, Any]]:
    return [{k: _jsonable(row[k]) for k in keys if k in row} for row in df.to_dict("records")]


def render(df: pd.DataFrame, fmt: Format, keys: list[str], table_columns: list[str], title: str) -> None:
    if fmt is Format.json:
        sys.stdout.write(json.dumps(records(df, keys), indent=2, ensure_ascii=False) + "\n")
    elif fmt is Format.csv:
        flat = df[[k for k in keys if k in df.columns]].copy()
        for col in flat.columns:
            if flat[col].map(lambda v: isinstance(v, (dict, list))).any():
                flat[col] = flat[col].map(lambda v: json.dumps(_jsonable(v), ensure_ascii=False))
        flat.to_csv(sys.stdout, index=False)
    else:
        out.print(rich_table(df, table_columns, title))


def _cell(value: Any, column: str) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return ""
    if isinstance(value, float):
        if "quantity" in column or column in ("hhi_points", "world_total"):
            return f"{value:,.0f}"
        if column in ("hhi", "effective_suppliers"):
            return f"{value:.3f}" if column == "hhi" else f"{value:.1f}"
        if any(w in column for w in ("share", "coverage", "flow", "cr3", "objective", "gain", "delta")):
            return f"{value:.1%}"
        return f"{value:g}"
    if isinstance(value, list):
        return ", ".join(map(str, value))
    return str(value)


def rich_table(df: pd.DataFrame, columns: list[str], title: str) -> Table:
    table = Table(title=title, show_lines=False)
    for col in columns:
        table.add_column(col, justify="right" if df[col].dtype.kind in "fi" else "left")
    for row in df[columns].itertuples(index=False):
        table.add_row(*(_cell(v, c) for v, c in zip(row, columns)))
    return table


def _kg(root: Path):  # type: ignore[no-untyped-def]
    from .api import open as open_kg

    return open_kg(root=root)


# --- commands ------------------------------------------------------------------------------------

@app.command()
def validate(root: RootOpt = DEFAULT_ROOT) -> None:
    """Check every source (pydantic, cross-file rules, SHACL); list all errors; exit 1 on any."""
    from .validate import load_dataset

    dataset = load_dataset(root, shacl=True)
    counts = dataset.counts()
    out.print(f"[green]ok[/green]: {len(dataset.sources)} sources, "
              + ", ".join(f"{n} {k}" for k, n in counts.items() if k != "sources"))


@app.command("concentration")
def concentration_cmd(
    mineral: Annotated[str | None, typer.Option(help="Mineral id, e.g. rare_earths.")] = None,
    stage: Annotated[str | None, typer.Option(help="mining, processing, refining, ...")] = None,
    year: YearOpt = None, edition: EditionOpt = None,
    current: Annotated[bool, typer.Option(help="Only the latest year and edition per mineral and stage.")] = False,
    by: BasisOpt = Basis.host,
    fmt: FormatOpt = Format.table, root: RootOpt = DEFAULT_ROOT,
) -> None:
    """Shares, HHI, CR1, CR3 and effective suppliers per mineral, stage, year and edition."""
    df = _kg(root).concentration(mineral, stage, year=year, edition=edition, current=current, basis=by.value)
    render(df, fmt, CONCENTRATION_KEYS,
           ["mineral", "stage", "year", "edition", "top_country", "top_share", "cr3", "hhi", "effective_suppliers"],
           "Production concentration")


@app.command("chokepoints")
def chokepoints_cmd(
    method: Annotated[Method, typer.Option(help="concentration (CR1/HHI per stage) or network (dominators, cuts, N-1, betweenness).")] = Method.concentration,
    demand: Annotated[str, typer.Option(help="network: the demand node, an alliance, ISO-3 country or end-use id.")] = "ministerial_2026",
    mineral: Annotated[list[str] | None, typer.Option(help="network: only these minerals (repeatable).")] = None,
    top: Annotated[int, typer.Option(help="network: N-1 and N-k rows per mineral.")] = 3,
    cr1: Annotated[float, typer.Option(help="Flag when the top country's share is at least this.")] = 0.5,
    hhi: Annotated[float, typer.Option(help="Flag when the HHI (0-1) is at least this.")] = 0.25,
    year: YearOpt = None, edition: EditionOpt = None, by: BasisOpt = Basis.host,
    fmt: FormatOpt = Format.table, root: RootOpt = DEFAULT_ROOT,
) -> None:
    """Where one country controls a stage: by concentration, or on the supply network for a demand node."""
    kg = _kg(root)
    if method is Method.network:
        df = kg.network_chokepoints(demand, minerals=mineral or None, top=top)
        render(df, fmt, NETWORK_KEYS, ["mineral", "method", "country", "stage", "year", "is_member", "flow_at_stake",
                                       "quantity_at_stake", "unit", "detail"], f"Network chokepoints for {demand}")
        return
    df = kg.chokepoints(cr1=cr1, hhi=hhi, year=year, edition=edition, basis=by.value)
    render(df, fmt, CONCENTRATION_KEYS + ["reason"],
           ["mineral", "stage", "year", "edition", "top_country", "top_share", "hhi", "reason"],
           "Chokepoints" + (" (by controlling country)" if by is Basis.control else ""))


@app.command("coverage")
def coverage_cmd(
    alliance: Annotated[str, typer.Option(help="Organisation or event id, e.g. ministerial_2026, msp, g7.")] = "ministerial_2026",
    as_of: Annotated[str | None, typer.Option("--as-of", help="Membership date YYYY[-MM[-DD]] (default: event date or today).")] = None,
    include_host: Annotated[bool, typer.Option(help="Count an event's host as a member.")] = True,
    expand_organisations: Annotated[bool, typer.Option(help="Count an organisation member (e.g. the European Commission) as its member countries.")] = True,
    year: YearOpt = None, edition: EditionOpt = None, by: BasisOpt = Basis.host,
    add: Annotated[list[str] | None, typer.Option(help="What-if: add this ISO-3 country (repeatable).")] = None,
    remove: Annotated[list[str] | None, typer.Option(help="What-if: remove this ISO-3 country (repeatable).")] = None,
    fmt: FormatOpt = Format.table, root: RootOpt = DEFAULT_ROOT,
) -> None:
    """How much of each mineral, stage by stage, the alliance's countries produce (and what-if changes)."""
    kg = _kg(root)
    members = kg.members(alliance, as_of=as_of, include_host=include_host, expand_organisations=expand_organisations)
    if add or remove:
        df = kg.what_if(alliance, add=add or [], remove=remove or [], as_of=as_of)
        render(df, fmt, list(df.columns), ["mineral", "stage", "coverage_before", "coverage_after", "delta",
                                           "max_outsider_after", "max_outsider_share_after"],
               f"What if {alliance} {'adds ' + ', '.join(add) if add else ''} {'removes ' + ', '.join(remove) if remove else ''}")
        return
    df = kg.coverage(alliance, as_of=as_of, include_host=include_host, expand_organisations=expand_organisations,
                     year=year, edition=edition, basis=by.value)
    if fmt is Format.table:
        err.print(f"{alliance}: {len(members.countries)} member countries as of {members.as_of}")
    render(df, fmt, COVERAGE_KEYS,
           ["mineral", "stage", "year", "edition", "coverage", "coverage_ex_china", "max_outsider", "max_outsider_share"],
           f"Coverage of {alliance}")


@app.command()
def report(
    out_dir: Annotated[Path, typer.Option("--out", help="Folder for report.html and its data.")] = Path("out"),
    alliance: Annotated[str, typer.Option(help="Organisation or event id.")] = "ministerial_2026",
    top: Annotated[int, typer.Option(help="Chokepoints to print.")] = 12,
    root: RootOpt = DEFAULT_ROOT,
) -> None:
    """The main job: headline chokepoints and the alliance coverage matrix, plus an HTML report."""
    from .report import build_report

    kg = _kg(root)
    result = build_report(kg, alliance, out_dir)
    chokes = result.chokepoints.head(top)
    out.print(rich_table(chokes, ["mineral", "stage", "year", "edition", "top_country", "top_share", "hhi"],
                         f"Headline chokepoints (CR1 ≥ 50% or HHI ≥ 0.25), top {len(chokes)} of {len(result.chokepoints)}"))
    t = Table(title=f"Coverage of {alliance}: {len(result.members.countries)} countries as of {result.members.as_of}",
              caption="members' share of world output per stage; a range where the source leaves output unattributed")
    t.add_column("mineral")
    stages = list(result.matrix.columns)
    for stage in stages:
        t.add_column(stage, justify="right")
    cells = {(r.mineral, r.stage): r for r in result.coverage.itertuples(index=False)}
    for mineral in result.matrix.index:
        t.add_row(mineral, *(_coverage_cell(cells.get((mineral, stage))) for stage in stages))
    out.print(t)
    out.print(f"Report written to [bold]{result.html}[/bold]")


@app.command()
def scenario(
    file: Annotated[Path | None, typer.Argument(help="Scenario YAML/JSON (see docs); flags override its fields.")] = None,
    alliance: Annotated[str | None, typer.Option(help="Alliance whose supply is assessed.")] = None,
    as_of: Annotated[str | None, typer.Option("--as-of", help="Date for instruments in force and membership.")] = None,
    imposer: Annotated[str | None, typer.Option(help="Apply every in-force instrument of this imposer (ISO-3) ...")] = None,
    kind: Annotated[list[str] | None, typer.Option(help="... of these kinds (default export_control).")] = None,
    instrument: Annotated[list[str] | None, typer.Option(help="Apply this instrument id (repeatable).")] = None,
    remove_country: Annotated[list[str] | None, typer.Option(help="Remove all output of this ISO-3 country.")] = None,
    remove_firm: Annotated[list[str] | None, typer.Option(help="Remove this firm's sourced output from its host countries.")] = None,
    year: YearOpt = None, edition: EditionOpt = None,
    cut_stage: Annotated[list[str] | None, typer.Option(help="Cut a stage, as mineral:stage (repeatable).")] = None,
    save: Annotated[Path | None, typer.Option("--save", help="Write the full result as JSON here.")] = None,
    fmt: FormatOpt = Format.table, root: RootOpt = DEFAULT_ROOT,
) -> None:
    """Apply export controls or other instruments, remove countries or cut stages; report the losses."""
    overrides = {"alliance": alliance, "as_of": as_of, "imposer": imposer, "kinds": kind, "instruments": instrument,
                 "remove_countries": remove_country, "remove_firms": remove_firm, "year": year, "edition": edition,
                 "cut_stages": [dict(zip(("mineral", "stage"), c.split(":", 1))) for c in cut_stage] if cut_stage else None}
    result = _kg(root).scenario(file if file else {}, overrides={k: v for k, v in overrides.items() if v})
    if save:
        save.write_text(json.dumps(result.to_dict(), indent=2), encoding="utf-8")
    if fmt is not Format.table:
        render(result.by_stage, fmt, list(result.by_stage.columns), [], "")
        return
    out.print(rich_table(result.applied, ["instrument", "imposer", "status", "targets", "cuts"], "Instruments applied"))
    out.print(rich_table(result.by_stage, ["mineral", "stage", "year", "edition", "cut_countries", "supply_lost_share",
                                           "supply_lost_quantity", "unit", "coverage_before", "coverage_of_remaining_supply"],
                         f"Supply lost to {result.scenario.alliance} by mineral and stage"))
    out.print(rich_table(result.by_end_use, ["end_use", "minerals_cut", "worst_flow_lost_share"], "End uses exposed"))
    if not result.firms.empty:
        out.print(rich_table(result.firms, list(result.firms.columns), "Firm quantities considered (matched = counted)"))
    if save:
        out.print(f"Full result written to {save}")


@app.command()
def recommend(
    alliance: Annotated[str, typer.Option(help="Organisation or event id.")] = "ministerial_2026",
    k: Annotated[int, typer.Option("-k", help="How many partners to pick.")] = 5,
    mineral: Annotated[list[str] | None, typer.Option(help="Only these minerals (repeatable; default all).")] = None,
    as_of: Annotated[str | None, typer.Option("--as-of")] = None,
    exclude: Annotated[list[str] | None, typer.Option(help="Not a candidate (repeatable; default CHN and RUS; 'none' for no exclusion).")] = None,
    fmt: FormatOpt = Format.table, root: RootOpt = DEFAULT_ROOT,
) -> None:
    """The k outsiders whose accession most raises the alliance's weakest-stage coverage (greedy)."""
    from .analysis.strategy import DEFAULT_EXCLUDED, OBJECTIVE

    excluded = DEFAULT_EXCLUDED if exclude is None else tuple(x for x in exclude if x.lower() != "none")
    df = _kg(root).recommend(alliance, k=k, minerals=mineral or None, as_of=as_of, exclude=excluded)
    if fmt is Format.table:
        err.print(f"objective: {OBJECTIVE}; not candidates: {', '.join(excluded) or 'none'}")
    render(df, fmt, list(df.columns), ["rank", "country", "marginal_gain", "objective_before", "objective_after",
                                       "minerals_raised"], f"Partners to bring into {alliance}")


# --- Neo4j ---------------------------------------------------------------------------------------

neo4j_app = typer.Typer(no_args_is_help=True, help="A local Neo4j 5.26 Community server (built from Maven Central).")
app.add_typer(neo4j_app, name="neo4j")
UriOpt = Annotated[str | None, typer.Option("--uri", help="Bolt/neo4j URI (default: NEO4J_URI, then the local server).")]


@neo4j_app.command("start")
def neo4j_start(port: Annotated[int | None, typer.Option(help="Bolt port on 127.0.0.1 (default: NEO4J_PORT or 7687).")] = None) -> None:
    """Build on first use, start in the background, wait until Bolt answers, print the URI."""
    from .store import server

    uri = server.start(port=port)
    out.print(uri)


@neo4j_app.command("stop")
def neo4j_stop() -> None:
    """Stop the local server (clean shutdown)."""
    from .store import server

    out.print("stopped" if server.stop() else "not running")


@neo4j_app.command("status")
def neo4j_status() -> None:
    """Whether the local server runs, its pid, URI and data folder."""
    from .store import server

    st = server.status()
    out.print(f"{'running' if st.running else 'stopped'}" + (f" pid={st.pid} uri={st.uri}" if st.running else "")
              + f" home={st.home}")
    if not st.running:
        raise typer.Exit(3)


def _local_uri(uri: str | None) -> str | None:
    import os

    if uri or os.environ.get("NEO4J_URI"):
        return uri or os.environ["NEO4J_URI"]
    from .store import server

    st = server.status()
    return st.uri if st.running else None


@app.command()
def schema(
    uri: UriOpt = None,
    prune: Annotated[bool, typer.Option(help="Drop mkg_* constraints and indexes the ontology no longer has.")] = False,
) -> None:
    """Diff the server's constraints and indexes against the ontology; create what is missing."""
    from .store.config import Neo4jSettings
    from .store.schema import apply_schema

    settings = Neo4jSettings.from_env(_local_uri(uri))
    with settings.driver() as driver:
        diff = apply_schema(driver, settings.database, prune=prune)
    out.print(f"present: {len(diff.present)}; created: {', '.join(i.name for i in diff.missing) or 'none'}; "
              f"{'dropped' if prune else 'not in the ontology (use --prune to drop)'}: {', '.join(diff.extra) or 'none'}")


@app.command()
def load(
    uri: UriOpt = None,
    wipe: Annotated[bool, typer.Option(help="Delete every node of the ontology's labels first.")] = False,
    batch_size: Annotated[int, typer.Option(help="Rows per UNWIND transaction.")] = 10_000,
    root: RootOpt = DEFAULT_ROOT,
) -> None:
    """Validate every source, then write the graph to Neo4j (idempotent: MERGE on constrained ids)."""
    from .store.config import Neo4jSettings
    from .store.loader import load as load_graph

    settings = Neo4jSettings.from_env(_local_uri(uri))
    report = load_graph(settings, root, wipe=wipe, batch_size=batch_size, progress=sys.stderr.isatty())
    out.print(f"loaded {report.nodes_written} nodes and {report.relationships_written} relationships into "
              f"{settings.uri} in {report.seconds:.1f}s (schema created: {len(report.schema_created)}; "
              f"stale removed: {report.nodes_deleted} nodes, {report.relationships_deleted} relationships)")
    if report.schema_stale:
        err.print(f"schema items the ontology no longer has: {', '.join(report.schema_stale)} "
                  "(`minerals-kg schema --prune` drops them)")


@app.command()
def query(
    name: Annotated[str | None, typer.Argument(help="Query name (see --list).")] = None,
    param: Annotated[list[str] | None, typer.Option("--param", "-p", help="key=value, repeatable.")] = None,
    list_: Annotated[bool, typer.Option("--list", help="List the queries with their descriptions.")] = False,
    write: Annotated[bool, typer.Option("--write", help="Allow a query that writes.")] = False,
    uri: UriOpt = None, fmt: FormatOpt = Format.table,
) -> None:
    """Run a query of the Cypher library by name, with bound parameters, read-only unless --write."""
    from .store.queries import QueryError, get_query, library

    if list_ or not name:
        t = Table(title="Cypher library (queries/)")
        for col in ("name", "parameters", "description"):
            t.add_column(col)
        for spec in library().values():
            t.add_row(spec.name, ", ".join(f"{p.name}: {p.type} = {json.dumps(p.default)}" for p in spec.params.values()),
                      spec.description)
        out.print(t)
        return
    spec = get_query(name)
    params: dict[str, str] = {}
    for item in param or []:
        key, sep, value = item.partition("=")
        if not sep:
            raise QueryError(f"--param: expected key=value, got {item!r}")
        params[key.strip()] = value
    from .api import open as open_kg

    target = _local_uri(uri)
    if target is None:
        raise QueryError("no Neo4j server: set NEO4J_URI, pass --uri, or run `minerals-kg neo4j start`")
    with open_kg(target) as kg:
        df = kg.query(name, write=write, **params)
    render(df, fmt, list(df.columns), list(df.columns), f"{name}")


def _coverage_cell(row) -> str:  # type: ignore[no-untyped-def]
    if row is None:
        return ""
    if row.coverage_upper - row.coverage >= 0.05:
        return f"{row.coverage:.0%}–{row.coverage_upper:.0%}"
    return f"{row.coverage:.0%}"


def main() -> None:
    import logging

    # server notifications (e.g. "property key does not exist" for a key no row has yet) are not
    # errors; tests check the library for deprecations instead of printing them to users
    logging.getLogger("neo4j.notifications").setLevel(logging.ERROR)
    try:
        rc = app(standalone_mode=False)
        if isinstance(rc, int) and rc:
            sys.exit(rc)
    except DataValidationError as exc:
        err.print(f"[red]error[/red]: {len(exc.issues)} error(s) in the sources; nothing was loaded", highlight=False)
        for issue in exc.issues:
            err.print(str(issue), highlight=False, markup=False)
        sys.exit(1)
    except MineralsKGError as exc:
        if _state["debug"]:
            raise
        err.print(f"[red]error[/red]: {exc}", highlight=False)
        sys.exit(1)
    except (typer.Exit, SystemExit) as exc:
        sys.exit(getattr(exc, "exit_code", getattr(exc, "code", 0)) or 0)
    except typer.Abort:
        sys.exit(1)
    except Exception as exc:  # click usage errors and anything unexpected: one line, traceback with --debug
        import click

        if isinstance(exc, click.ClickException):
            exc.show()
            sys.exit(exc.exit_code)
        if _state["debug"]:
            raise
        err.print(f"[red]error[/red]: {type(exc).__name__}: {exc} (run with --debug for the traceback)", highlight=False)
        sys.exit(1)


if __name__ == "__main__":
    main()
