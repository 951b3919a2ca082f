"""Readers: ``loaders/*/manifest.yaml`` and their CSV files -> validated records with provenance.

Reading never stops at the first problem: every issue is collected (file, row, field, expected,
got), and :func:`read_sources` raises :class:`DataValidationError` with all of them. Cross-file
rules (references, duplicates, dates, share sums) live in :mod:`minerals_kg.validate`.
"""

from __future__ import annotations

import csv
import typing
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from .countries import CountryResolver
from .errors import InvalidArgument, Issue, shorten
from .model import (
    FILE_KINDS,
    CountryAlias,
    PartialDate,
    Production,
    Record,
    RowError,
    Slug,
    Source,
    column_names,
)
from .resources import DEFAULT_ROOT

YAML_MAX_BYTES = 1_000_000
"""Manifests and scenario files are small; anything larger is refused before it is parsed."""


class _NoAliasLoader(yaml.SafeLoader):
    """PyYAML's safe loader without anchors/aliases: a few bytes of aliases cannot expand to gigabytes."""

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise yaml.composer.ComposerError(None, None, "YAML aliases (*name) are not allowed", event.start_mark)
        return super().compose_node(parent, index)


def load_yaml(path: Path, where: str | None = None) -> Any:
    """A small YAML file read safely: size-capped, no aliases, one precise error otherwise.

    Raises :class:`~minerals_kg.errors.InvalidArgument` naming ``where`` (default the path).
    """
    where = where or str(path)
    try:
        size = path.stat().st_size
        if size > YAML_MAX_BYTES:
            raise InvalidArgument(where, f"a YAML file of at most {YAML_MAX_BYTES:,} bytes", f"{size:,} bytes")
        text = path.read_bytes().decode("utf-8")
        return yaml.load(text, Loader=_NoAliasLoader)
    except InvalidArgument:
        raise
    except FileNotFoundError:
        raise InvalidArgument(where, "an existing YAML file", "no such file") from None
    except IsADirectoryError:
        raise InvalidArgument(where, "a YAML file", "a folder") from None
    except UnicodeDecodeError as exc:
        raise InvalidArgument(where, "UTF-8 text", f"an undecodable byte at offset {exc.start}") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f" at line {mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise InvalidArgument(where, "well-formed YAML", f"{shorten(problem)}{line}") from None
    except OSError as exc:
        raise InvalidArgument(where, "a readable file", type(exc).__name__) from None


class FileEntry(BaseModel):
    model_config = ConfigDict(extra="forbid")
    path: str
    kind: typing.Literal[tuple(FILE_KINDS)]  # type: ignore[valid-type]


class Manifest(BaseModel):
    """A source folder's manifest: the source itself, its files, and further documents it cites."""

    model_config = ConfigDict(extra="forbid")
    id: Slug
    title: str
    publisher: str
    url: str
    edition: str | None = None
    published: PartialDate | None = None
    retrieved: PartialDate
    licence: str
    files: list[FileEntry] = []
    sources: list[dict] = []

    def as_source(self) -> dict:
        return self.model_dump(exclude={"files", "sources"})


@dataclass(frozen=True)
class Located:
    """A record and where it was read (for errors found later, across files)."""

    record: Any  # the Record subclass of its file kind (typed per kind by the readers)
    file: str
    row: int


@dataclass
class RawData:
    """Everything read from the loaders folder, before cross-file validation."""

    root: Path
    sources: dict[str, Located] = field(default_factory=dict)
    records: dict[str, list[Located]] = field(default_factory=dict)
    issues: list[Issue] = field(default_factory=list)
    unreadable_kinds: set[str] = field(default_factory=set)  # files whose header was rejected

    def of(self, kind: str) -> list[Located]:
        return self.records.get(kind, [])


def _rel(path: Path, root: Path) -> str:
    try:
        return str(path.relative_to(root.parent))
    except ValueError:
        return str(path)


def _issues_from(exc: ValidationError, file: str, row: int, model: type[BaseModel]) -> Iterator[Issue]:
    aliases = {name: (info.alias or name) for name, info in model.model_fields.items()}
    for err in exc.errors():
        ctx_error = (err.get("ctx") or {}).get("error")
        if isinstance(ctx_error, RowError):
            yield Issue(file, row, ctx_error.field, ctx_error.expected, ctx_error.got)
            continue
        loc = [str(p) for p in err["loc"] if not isinstance(p, int)]
        fld = aliases.get(loc[0], loc[0]) if loc else "row"
        msg = err["msg"].removeprefix("Value error, ").removeprefix("Input should be ")
        if err["type"] == "missing":
            msg, got = "a value", "empty"
        else:
            value = err.get("input")
            got = "empty" if value is None else repr(value)
        yield Issue(file, row, fld, msg, got)


def _is_list_field(model: type[Record], column: str) -> bool:
    for name, info in model.model_fields.items():
        if (info.alias or name) == column:
            return typing.get_origin(info.annotation) is tuple
    return False


def read_csv(
    path: Path, model: type[Record], root: Path, data: RawData, resolver: CountryResolver | None = None
) -> list[Located]:
    """Rows of one CSV file as validated records; problems go to ``data.issues``."""
    file = _rel(path, root)
    columns = column_names(model)
    out: list[Located] = []
    try:
        with path.open(newline="", encoding="utf-8-sig") as fh:
            reader = csv.reader(fh, strict=True)
            try:
                header = [h.strip() for h in next(reader)]
            except StopIteration:
                data.issues.append(Issue(file, 1, "header", "a header row", "an empty file"))
                return out
            unknown = [h for h in header if h not in columns]
            missing = [c for c, req in columns.items() if req and c not in header]
            for h in unknown:
                data.issues.append(
                    Issue(file, 1, h, f"a column of {model.file_kind} ({', '.join(columns)})", f"unknown column {h!r}")
                )
            for c in missing:
                data.issues.append(Issue(file, 1, c, "this required column", "no such column"))
            if unknown or missing:
                data.unreadable_kinds.add(model.file_kind)
                return out
            for cells in reader:
                row = reader.line_num
                if not any(c.strip() for c in cells):
                    continue
                if len(cells) != len(header):
                    data.issues.append(Issue(file, row, "row", f"{len(header)} fields", f"{len(cells)} fields"))
                    continue
                values: dict[str, object] = {}
                for col, cell in zip(header, cells):
                    cell = cell.strip()
                    if cell == "":
                        continue
                    values[col] = (
                        tuple(p.strip() for p in cell.split(";") if p.strip()) if _is_list_field(model, col) else cell
                    )
                country = values.get("country")
                if model is Production and resolver is not None and isinstance(country, str):
                    try:
                        values["country"] = resolver.resolve(country, aggregates=True)
                    except LookupError as exc:
                        data.issues.append(Issue(file, row, "country", str(exc.args[0]), repr(values["country"])))
                        continue
                try:
                    out.append(Located(model.model_validate(values), file, row))
                except ValidationError as exc:
                    data.issues.extend(_issues_from(exc, file, row, model))
    except csv.Error as exc:
        data.issues.append(Issue(file, reader.line_num, "csv", "well-formed CSV", str(exc)))
    except UnicodeDecodeError as exc:
        data.issues.append(Issue(file, 0, "encoding", "UTF-8 text", f"undecodable byte at offset {exc.start}"))
    return out


def read_sources(root: Path | str = DEFAULT_ROOT) -> RawData:
    """Read every manifest and data file under ``root``; collect (not raise) every issue."""
    root = Path(root)
    data = RawData(root=root)
    manifests = sorted(root.glob("*/manifest.yaml"))
    if not manifests:
        data.issues.append(Issue(str(root), 0, "manifest.yaml", "at least one loaders/*/manifest.yaml", "none"))
        return data
    parsed: list[tuple[Path, Manifest]] = []
    for mpath in manifests:
        mfile = _rel(mpath, root)
        try:
            raw = load_yaml(mpath, mfile)
        except InvalidArgument as exc:
            data.issues.append(Issue(mfile, 0, "yaml", exc.expected, exc.got))
            continue
        try:
            manifest = Manifest.model_validate(raw or {})
        except ValidationError as exc:
            data.issues.extend(_issues_from(exc, mfile, 0, Manifest))
            continue
        parsed.append((mpath, manifest))
        for i, src in enumerate([manifest.as_source(), *manifest.sources]):
            src = dict(src)
            if i and manifest.edition and "edition" not in src:
                src["edition"] = manifest.edition
            try:
                record = Source.model_validate(src)
            except ValidationError as exc:
                data.issues.extend(_issues_from(exc, f"{mfile} (source {src.get('id', i)})", 0, Source))
                continue
            if record.id in data.sources:
                first = data.sources[record.id]
                data.issues.append(
                    Issue(
                        mfile, 0, "sources.id", f"a source id not yet declared (first in {first.file})", repr(record.id)
                    )
                )
                continue
            data.sources[record.id] = Located(record, mfile, 0)

    # The crosswalk comes first: production files need it to resolve country names.
    entries = [(mpath, entry) for mpath, m in parsed for entry in m.files]
    entries.sort(key=lambda e: e[1].kind != CountryAlias.file_kind)
    resolver: CountryResolver | None = None
    for mpath, entry in entries:
        path = mpath.parent / entry.path
        if not path.is_file():
            data.issues.append(Issue(_rel(mpath, root), 0, "files.path", "an existing data file", repr(entry.path)))
            continue
        model = FILE_KINDS[entry.kind]
        if model is not CountryAlias and resolver is None:
            resolver = CountryResolver((a.record.name, a.record.iso3) for a in data.of(CountryAlias.file_kind))
        data.records.setdefault(entry.kind, []).extend(read_csv(path, model, root, data, resolver))
    return data
