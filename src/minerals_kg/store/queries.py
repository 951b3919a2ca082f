"""The Cypher library (``queries/*.cypher``): parse the headers, bind typed parameters, run read-only.

A query file starts with ``//`` header lines::

    // name: concentration
    // description: ...
    // param: mineral: string = null -- what it is
    // returns: mineral, stage, ...

Queries are chosen by name from the library only (never a path, never text from the user), and
parameters are always bound, never formatted into the query. Sessions are read-only unless
``write=True``; a query whose text holds a write clause is refused before it reaches the server.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .config import Neo4jError

QUERY_DIR = Path(__file__).resolve().parents[3] / "queries"
_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
_PARAM = re.compile(r"^(?P<name>[a-z_][a-z0-9_]*):\s*(?P<type>string|integer|float|boolean|list)\s*=\s*(?P<default>.+?)\s*(?:--\s*(?P<doc>.*))?$")
_WRITE = re.compile(r"\b(CREATE|MERGE|DELETE|DETACH|SET|REMOVE|DROP|LOAD\s+CSV|FOREACH)\b|\bIN\s+TRANSACTIONS\b", re.IGNORECASE)


class QueryError(Neo4jError):
    pass


@dataclass(frozen=True)
class Param:
    name: str
    type: str
    default: Any
    doc: str

    def coerce(self, raw: Any) -> Any:
        if not isinstance(raw, str):
            return raw
        if raw.lower() == "null":
            return None
        try:
            if self.type == "integer":
                return int(raw)
            if self.type == "float":
                return float(raw)
            if self.type == "boolean":
                if raw.lower() not in ("true", "false"):
                    raise ValueError(raw)
                return raw.lower() == "true"
            if self.type == "list":
                return [p.strip() for p in raw.split(",") if p.strip()]
        except ValueError:
            raise QueryError(f"parameter {self.name}: expected a {self.type}, got {raw!r}") from None
        return raw


@dataclass(frozen=True)
class QuerySpec:
    name: str
    description: str
    params: dict[str, Param]
    returns: list[str]
    text: str
    path: Path

    @property
    def writes(self) -> bool:
        return bool(_WRITE.search(_strip_comments(self.text)))

    def bind(self, given: dict[str, Any]) -> dict[str, Any]:
        unknown = set(given) - set(self.params)
        if unknown:
            raise QueryError(f"query {self.name}: unknown parameter(s) {', '.join(sorted(unknown))}; "
                             f"expected {', '.join(self.params) or 'none'}")
        return {name: p.coerce(given[name]) if name in given else p.default for name, p in self.params.items()}


def _strip_comments(text: str) -> str:
    text = re.sub(r"//[^\n]*", "", text)
    return re.sub(r"'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"", "''", text)  # string literals cannot write


def parse_query(path: Path) -> QuerySpec:
    header: dict[str, Any] = {"params": {}}
    body = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("//") and not body:
            key, _, value = line[2:].strip().partition(":")
            value = value.strip()
            if key == "param":
                m = _PARAM.match(value)
                if not m:
                    raise QueryError(f"{path.name}: malformed param header {value!r}")
                header["params"][m["name"]] = Param(m["name"], m["type"], json.loads(m["default"]), m["doc"] or "")
            elif key in ("name", "description"):
                header[key] = value
            elif key == "returns":
                header["returns"] = [c.strip() for c in value.split(",")]
        else:
            body.append(line)
    if header.get("name") != path.stem:
        raise QueryError(f"{path.name}: the header's name must be {path.stem!r}")
    return QuerySpec(path.stem, header.get("description", ""), header["params"], header.get("returns", []),
                     "\n".join(body).strip(), path)


def query_dirs() -> list[Path]:
    """The shipped library, then any folders listed in ``MINERALS_KG_QUERIES`` (os.pathsep-separated)."""
    extra = [Path(p) for p in os.environ.get("MINERALS_KG_QUERIES", "").split(os.pathsep) if p]
    return [QUERY_DIR, *extra]


def library() -> dict[str, QuerySpec]:
    """Every query by name; a user folder may add queries but not replace shipped ones."""
    queries: dict[str, QuerySpec] = {}
    for directory in query_dirs():
        for path in sorted(directory.glob("*.cypher")):
            queries.setdefault(path.stem, parse_query(path))
    return queries


def get_query(name: str) -> QuerySpec:
    queries = library()
    if not _NAME.match(name) or name not in queries:
        raise QueryError(f"unknown query {name!r}; `minerals-kg query --list` shows the {len(queries)} queries: "
                         + ", ".join(queries))
    return queries[name]


def run_query(driver, name: str, params: dict[str, Any] | None = None, *, database: str = "neo4j",  # type: ignore[no-untyped-def]
              write: bool = False) -> list[dict[str, Any]]:
    """Run a library query with bound parameters; read-only unless ``write``."""
    import neo4j

    spec = get_query(name)
    if spec.writes and not write:
        raise QueryError(f"query {name} writes to the database; refused without --write")
    bound = spec.bind(params or {})
    mode = neo4j.WRITE_ACCESS if write else neo4j.READ_ACCESS
    with driver.session(database=database, default_access_mode=mode) as session:
        runner = session.execute_write if write else session.execute_read
        try:
            return runner(lambda tx: [r.data() for r in tx.run(spec.text, bound)])
        except neo4j.exceptions.Neo4jError as exc:
            raise QueryError(f"query {name} failed: {exc.code}: {exc.message}") from exc
