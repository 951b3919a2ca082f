"""The Cypher library (``queries/*.cypher``): headers, typed parameters, shared fragments, read-only runs.

A query file starts with ``//`` header lines::

    // name: concentration
    // description: ...
    // param: mineral: mineral = null -- what it is
    // returns: mineral, stage, ...

Parameter types: ``string``, ``integer``, ``float``, ``fraction`` (0-1), ``boolean``, ``date``
(``YYYY-MM-DD``), the id types ``mineral``, ``stage``, ``country``, ``alliance``, ``firm``,
``end_use``, ``instrument``, ``instrument_kind`` (checked against the graph or the vocabularies), and
``list<T>`` of any of them. Every value is checked before the query runs; a bad one is one error.

Rules several queries share (member resolution, shares of a group, the latest group per mineral and
stage) are written once, in ``queries/_fragments/``; a query includes one between
``// @fragment NAME`` and ``// @end NAME`` lines, so each file stays runnable as-is in Neo4j Browser.
:func:`sync_fragments` rewrites the copies from the fragment files and a test checks they agree.

Queries are chosen by name from the library only (never a path or text from the user), parameters
are always bound, and a query runs in a read-only session unless ``write=True``; whether it writes
is judged by the server (``EXPLAIN`` query type), not by reading its text.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ...errors import InvalidArgument, MineralsKGError, shorten
from ...inputs import Vocabulary, check_fraction, check_int, check_number, choose, describe_options, parse_date
from ...model import InstrumentKind, Stage
from ...resources import QUERY_DIR
from .config import Neo4jError, first_line, native

__all__ = [
    "BASE_TYPES",
    "ID_TYPES",
    "Param",
    "QueryError",
    "QuerySpec",
    "cypher_literal",
    "get_query",
    "library",
    "parse_query",
    "run_query",
    "script_parameters",
    "sync_fragments",
]

FRAGMENT_DIR = QUERY_DIR / "_fragments"
_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
_PARAM = re.compile(
    r"^(?P<name>[a-z_][a-z0-9_]*):\s*(?P<type>[a-z_<>]+)\s*=\s*(?P<default>.+?)\s*(?:--\s*(?P<doc>.*))?$"
)
_FRAGMENT = re.compile(r"^// @fragment (?P<name>[a-z_]+)\b.*?\n.*?^// @end (?P=name)[ \t]*$", re.M | re.S)
HEADER_KEYS = ("name", "description", "param", "returns")
BASE_TYPES = ("string", "integer", "float", "fraction", "boolean", "date")
ID_TYPES = ("mineral", "stage", "country", "alliance", "firm", "end_use", "instrument", "instrument_kind")


class QueryError(Neo4jError):
    """A query that cannot be run as asked (unknown, malformed, or writing without --write)."""


def _valid_type(t: str) -> bool:
    inner = t[5:-1] if t.startswith("list<") and t.endswith(">") else t
    return inner in BASE_TYPES or inner in ID_TYPES or t == "list"


@dataclass(frozen=True)
class Param:
    name: str
    type: str
    default: Any
    doc: str

    def check(self, raw: Any, where: str, vocabulary: Vocabulary | None) -> Any:
        """The value to bind: parsed from text where needed, checked against its type."""
        if raw is None or (isinstance(raw, str) and raw.lower() == "null"):
            return None
        kind = self.type
        if kind == "list" or kind.startswith("list<"):
            items = [p.strip() for p in raw.split(",") if p.strip()] if isinstance(raw, str) else raw
            if not isinstance(items, (list, tuple)):
                raise InvalidArgument(where, "a comma-separated list", shorten(raw))
            inner = Param(self.name, kind[5:-1] if kind != "list" else "string", None, self.doc)
            return [inner.check(item, where, vocabulary) for item in items]
        if kind == "string":
            if not isinstance(raw, str):
                raise InvalidArgument(where, "a string", shorten(raw))
            return raw
        if kind == "integer":
            return check_int(raw, where)
        if kind == "float":
            return check_number(raw, where)
        if kind == "fraction":
            return check_fraction(raw, where)
        if kind == "boolean":
            if isinstance(raw, bool):
                return raw
            return choose(str(raw).lower(), ["true", "false"], where, "a boolean") == "true"
        if kind == "date":
            return parse_date(raw, where)  # bound as a Neo4j DATE
        if kind == "stage":
            return choose(raw, [s.value for s in Stage], where, "a stage")
        if kind == "instrument_kind":
            return choose(raw, [k.value for k in InstrumentKind], where, "an instrument kind")
        if kind == "country":
            return Vocabulary.country(raw, where)
        if not isinstance(raw, str):
            raise InvalidArgument(where, f"a {kind.replace('_', '-')} id", shorten(raw))
        # ids of nodes: checked against the graph when a vocabulary is given
        return getattr(vocabulary, kind)(raw, where) if vocabulary is not None else raw


@dataclass(frozen=True)
class QuerySpec:
    name: str
    description: str
    params: dict[str, Param]
    returns: list[str]
    text: str
    path: Path

    def bind(self, given: dict[str, Any], vocabulary: Vocabulary | None = None) -> dict[str, Any]:
        """Every parameter's value: given ones checked against their type, the others at their default."""
        problems = []
        for name in sorted(set(given) - set(self.params)):
            problems.append(
                InvalidArgument(
                    f"{self.name}: parameter",
                    describe_options("one of the query's parameters", list(self.params), name),
                    repr(name),
                )
            )
        bound: dict[str, Any] = {}
        for name, p in self.params.items():
            try:
                bound[name] = p.check(given[name], f"{self.name}: {name}", vocabulary) if name in given else p.default
            except InvalidArgument as exc:
                problems.append(exc)
        from ...errors import raise_all

        raise_all(problems)
        return bound


@dataclass
class Library:
    """The queries by name, and the files that could not be read as queries (with why)."""

    queries: dict[str, QuerySpec] = field(default_factory=dict)
    problems: dict[str, str] = field(default_factory=dict)


def parse_query(path: Path) -> QuerySpec:
    """A query file's header and body; :class:`QueryError` naming the file and line when malformed."""
    header: dict[str, Any] = {"params": {}}
    body: list[str] = []
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise QueryError(f"{path.name}: expected a readable UTF-8 query file, got {type(exc).__name__}") from None
    for number, line in enumerate(text.splitlines(), 1):
        key, _, value = line[2:].strip().partition(":")
        if line.startswith("//") and not body and key in HEADER_KEYS:
            value = value.strip()
            if key == "param":
                m = _PARAM.match(value)
                if not m or not _valid_type(m["type"]):
                    raise QueryError(
                        f"{path.name}:{number}: param: expected 'name: type = default -- doc' with a type of "
                        f"{', '.join(BASE_TYPES + ID_TYPES)} or list<type>, got {shorten(value)}"
                    )
                try:
                    default = json.loads(m["default"])
                except ValueError:
                    raise QueryError(
                        f"{path.name}:{number}: param {m['name']}: expected a JSON default, got {shorten(m['default'])}"
                    ) from None
                header["params"][m["name"]] = Param(m["name"], m["type"], default, m["doc"] or "")
            elif key in ("name", "description"):
                header[key] = value
            elif key == "returns":
                header["returns"] = [c.strip() for c in value.split(",")]
        else:
            body.append(line)
    if header.get("name") != path.stem:
        raise QueryError(
            f"{path.name}:1: name: expected a header line '// name: {path.stem}', got "
            f"{shorten(header.get('name', 'no name line'))}"
        )
    if not "".join(body).strip():
        raise QueryError(f"{path.name}: expected a query after the header, got none")
    return QuerySpec(
        path.stem,
        header.get("description", ""),
        header["params"],
        header.get("returns", []),
        "\n".join(body).strip(),
        path,
    )


def query_dirs() -> list[Path]:
    """The shipped library, then any folders listed in ``MINERALS_KG_QUERIES`` (os.pathsep-separated)."""
    extra = [Path(p) for p in os.environ.get("MINERALS_KG_QUERIES", "").split(os.pathsep) if p]
    return [QUERY_DIR, *extra]


def library() -> Library:
    """Every query by name; a user folder may add queries but not replace shipped ones.

    A file that is not a valid query is set aside with its reason (``Library.problems``); the
    others stay usable.
    """
    lib = Library()
    for directory in query_dirs():
        if not directory.is_dir():
            lib.problems[str(directory)] = "expected a folder of .cypher files (MINERALS_KG_QUERIES), got none"
            continue
        for path in sorted(directory.glob("*.cypher")):
            if path.stem in lib.queries:
                continue
            try:
                lib.queries[path.stem] = parse_query(path)
            except QueryError as exc:
                lib.problems[str(path)] = str(exc)
    return lib


def get_query(name: str) -> QuerySpec:
    lib = library()
    if isinstance(name, str) and name in lib.queries and _NAME.match(name):
        return lib.queries[name]
    broken = next((why for path, why in lib.problems.items() if Path(path).stem == name), None)
    if broken:
        raise QueryError(broken)
    raise InvalidArgument(
        "query",
        describe_options("a query of the library (`minerals-kg query --list`)", sorted(lib.queries), name),
        shorten(name),
    )


def query_type(session: Any, text: str, params: dict[str, Any]) -> str:
    """What the server says a query does: ``r`` (read), ``rw``, ``w`` or ``s`` (schema)."""
    summary = session.run("EXPLAIN " + text, params).consume()
    return str(summary.query_type)


def run_query(
    driver: Any,
    name: str,
    params: dict[str, Any] | None = None,
    *,
    database: str = "neo4j",
    write: bool = False,
    vocabulary: Vocabulary | None = None,
    uri: str = "the Neo4j server",
) -> list[dict[str, Any]]:
    """Run a library query with checked, bound parameters; read-only unless ``write``.

    Without ``write`` the server first plans the query (``EXPLAIN``) and a query it classes as
    writing is refused; the session is read-only as well, so the server enforces it twice. A
    read-only query runs between two reads of the load marker (:func:`.loadstate.consistent_read`):
    it sees one completed load's graph, or fails with one line while a load is in progress.
    """
    import neo4j

    from .loadstate import consistent_read

    spec = get_query(name)
    bound = spec.bind(params or {}, vocabulary)
    mode = neo4j.WRITE_ACCESS if write else neo4j.READ_ACCESS
    try:
        with driver.session(database=database, default_access_mode=mode) as session:
            if not write:
                kind = query_type(session, spec.text, bound)
                if kind != "r":
                    raise QueryError(
                        f"query {name}: expected a read-only query (the server classes it as '{kind}'), "
                        "refused without --write"
                    )

            def work(tx: Any) -> list[dict[str, Any]]:
                return [native(r.data()) for r in tx.run(spec.text, bound)]

            if write:
                return session.execute_write(work)
            return consistent_read(session, work, uri)
    except neo4j.exceptions.Neo4jError as exc:
        raise QueryError(f"query {name} failed: {exc.code}: {first_line(exc)}") from None
    except (neo4j.exceptions.ServiceUnavailable, neo4j.exceptions.SessionExpired, OSError) as exc:
        raise QueryError(f"query {name}: cannot reach Neo4j at {uri} ({type(exc).__name__})") from None
    except neo4j.exceptions.DriverError as exc:
        raise QueryError(f"query {name}: {type(exc).__name__}: {first_line(exc)}") from None


# --- cypher-shell ---------------------------------------------------------------------------------


def cypher_literal(value: Any) -> str:
    """A parameter value as a Cypher literal (for cypher-shell's ``--param``), quoted and escaped.

    >>> print(cypher_literal({"a": [1, 2.5, None, True], "b": "it's"}))
    {`a`: [1, 2.5, null, true], `b`: 'it\\'s'}
    >>> cypher_literal(dt.date(2026, 2, 4))
    "date('2026-02-04')"
    """
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, dt.date):
        return f"date('{value.isoformat()}')"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(cypher_literal(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"`{k}`: {cypher_literal(v)}" for k, v in value.items()) + "}"
    text = str(value).replace("\\", "\\\\").replace("'", "\\'")
    return f"'{text}'"


def script_parameters(path: Path | None, given: dict[str, str]) -> dict[str, Any]:
    """The parameters to send with a cypher-shell script.

    A library query (a file with the library's header) gets every parameter: the given ones
    checked against their types, the others at their defaults. Any other script gets the given
    values as they are (JSON numbers, booleans and null as such, anything else as a string).
    """
    spec = None
    if path is not None:
        try:
            spec = parse_query(path)
        except QueryError:
            spec = None
    if spec is not None:
        return spec.bind(given)
    out: dict[str, Any] = {}
    for key, raw in given.items():
        try:
            value = json.loads(raw)
        except ValueError:
            value = raw
        out[key] = value if isinstance(value, (int, float, bool)) or value is None else raw
    return out


# --- shared fragments --------------------------------------------------------------------------------


def fragments() -> dict[str, str]:
    return {p.stem: p.read_text(encoding="utf-8").rstrip("\n") for p in sorted(FRAGMENT_DIR.glob("*.cypher"))}


def sync_fragments(text: str, known: dict[str, str] | None = None) -> str:
    """The query text with every included fragment replaced by the fragment file's current text.

    >>> sync_fragments("// @fragment x (from ...)\\nold\\n// @end x\\nRETURN 1", {"x": "new"})
    '// @fragment x (from _fragments/x.cypher; edit it there)\\nnew\\n// @end x\\nRETURN 1'
    """
    known = fragments() if known is None else known

    def replace(m: re.Match[str]) -> str:
        name = m["name"]
        if name not in known:
            raise MineralsKGError(f"fragment: expected one of {', '.join(sorted(known))}, got {name!r}")
        return f"// @fragment {name} (from _fragments/{name}.cypher; edit it there)\n{known[name]}\n// @end {name}"

    return _FRAGMENT.sub(replace, text)


def stale_queries() -> list[Path]:
    """Shipped query files whose fragment copies differ from the fragment files."""
    return [
        p
        for p in sorted(QUERY_DIR.glob("*.cypher"))
        if sync_fragments(p.read_text(encoding="utf-8")) != p.read_text(encoding="utf-8")
    ]


def main(argv: list[str] | None = None) -> int:
    """``python -m minerals_kg.backends.neo4j.library --check|--sync`` (for contributors)."""
    args = sys.argv[1:] if argv is None else argv
    stale = stale_queries()
    if args == ["--sync"]:
        for path in stale:
            path.write_text(sync_fragments(path.read_text(encoding="utf-8")), encoding="utf-8")
        print(f"synced {len(stale)} query file(s)")  # noqa: T201
        return 0
    for path in stale:
        print(f"{path.name}: its fragment copies differ from queries/_fragments (run with --sync)")  # noqa: T201
    return 1 if stale else 0


if __name__ == "__main__":
    raise SystemExit(main())
