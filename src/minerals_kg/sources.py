"""Readers: ``loaders/*/manifest.yaml`` and their CSV files -> validated records with provenance.

Reading never stops at the first problem: every issue is collected (file, row, field, expected,
got), and :func:`read_sources` raises :class:`DataValidationError` with all of them. Cross-file
rules (references, duplicates, dates, share sums) live in :mod:`minerals_kg.validate`.
"""

from __future__ import annotations

import csv
import re
import typing
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError, model_validator

from .countries import CountryResolver
from .errors import InvalidArgument, Issue, shorten
from .formats import DEFAULT_CONFIDENCE, LOADED_KINDS, LoadOptions, load_file
from .model import (
    FILE_KINDS,
    Confidence,
    CountryAlias,
    ImportFlow,
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


def _parse_yaml(text: str) -> Any:
    """Safe YAML without aliases: with libyaml (C) when PyYAML has it, about ten times faster on the
    shipped manifests (most of ``open()``), else with the pure-Python :class:`_NoAliasLoader`."""
    fast = getattr(yaml, "CSafeLoader", None)
    if fast is None:
        return yaml.load(text, Loader=_NoAliasLoader)
    for event in yaml.parse(text, Loader=fast):
        if isinstance(event, yaml.AliasEvent):
            mark: Any = event.start_mark  # libyaml's own Mark: the same line and column
            raise yaml.composer.ComposerError(None, None, "YAML aliases (*name) are not allowed", mark)
    return yaml.load(text, Loader=fast)


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
        return _parse_yaml(text)
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


COUNTRY_NAME_COLUMNS: dict[type[Record], str] = {Production: "country", ImportFlow: "exporter"}
"""Columns where a file may name a country as its source prints it ("Congo (Kinshasa)", "Other countries")."""


class FileEntry(BaseModel):
    """A data file of a source folder: a curated CSV of one kind, or a public file a reader loads.

    Loaded kinds (``comtrade``, ``baci``, ``usgs_mcs_release``) take options: ``country_codes`` (BACI:
    the release's ``country_codes_V*.csv``, required), ``reporting`` (Comtrade: ``importer``,
    ``exporter`` or ``importer_then_mirror``), ``encoding``, and ``source``, ``confidence``,
    ``edition`` for the records (default: the manifest's id, the format's confidence, the manifest's
    edition).
    """

    model_config = ConfigDict(extra="forbid")
    path: str
    kind: typing.Literal[tuple(FILE_KINDS) + tuple(LOADED_KINDS)]  # type: ignore[valid-type]
    country_codes: str | None = None
    reporting: typing.Literal["importer", "exporter", "importer_then_mirror"] | None = None
    encoding: typing.Literal["utf-8", "latin-1", "cp1252"] | None = None
    source: Slug | None = None
    confidence: Confidence | None = None
    edition: str | None = None

    @model_validator(mode="after")
    def _options_fit_the_kind(self):
        loaded = self.kind in LOADED_KINDS
        options = ("country_codes", "reporting", "encoding", "source", "confidence", "edition")
        if not loaded:
            for name in options:
                if getattr(self, name) is not None:
                    raise RowError(
                        name,
                        f"no {name} for a curated {self.kind} file (only for comtrade, baci, usgs_mcs_release)",
                        repr(getattr(self, name)),
                    )
        if self.kind == "baci" and not self.country_codes:
            raise RowError("country_codes", "the release's country_codes_V*.csv for a baci file", "none")
        if self.kind != "baci" and self.country_codes is not None:
            raise RowError("country_codes", "no country_codes except for a baci file", repr(self.country_codes))
        if self.kind != "comtrade" and self.reporting is not None:
            raise RowError("reporting", "no reporting except for a comtrade file", repr(self.reporting))
        return self


class Manifest(BaseModel):
    """A source folder's manifest: the source itself, its files, and further documents it cites."""

    model_config = ConfigDict(extra="forbid")
    id: Slug
    title: str
    publisher: str
    url: str
    edition: str | None = None
    published: PartialDate | None = None
    published_note: str | None = None
    retrieved: PartialDate
    licence: str
    via: str | None = None
    via_kind: str | None = None  # checked with the other Source fields
    files: list[FileEntry] = []
    sources: list[dict] = []

    def as_source(self) -> dict:
        return self.model_dump(exclude={"files", "sources"}, exclude_none=True)


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
    broken_sources: set[str] = field(default_factory=set)  # declared, but with an error already reported
    loaded_counts: dict[str, dict[str, int]] = field(default_factory=dict)  # per loaded public file: what was read

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
            got = "empty" if value is None else shorten(value)
        yield Issue(file, row, fld, msg, got)


def _is_list_field(model: type[Record], column: str) -> bool:
    for name, info in model.model_fields.items():
        if (info.alias or name) == column:
            return typing.get_origin(info.annotation) is tuple
    return False


CSV_MAX_BYTES = 50_000_000
"""A curated CSV file is small; larger files (trade data) go through the streaming trade loaders."""


_CONTROL = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f]")
"""Unicode's control characters (category Cc: U+0000-U+001F and U+007F-U+009F) but the tab."""
_SURROGATE = re.compile("[\udc80-\udcff]")
"""The lone surrogates ``errors="surrogateescape"`` leaves for bytes that are not UTF-8."""


def _control_character(text: str) -> int | None:
    """Position of the first control character (NUL, escape, ...) in a cell, if any."""
    found = _CONTROL.search(text)
    return found.start() if found else None


def _undecodable(text: str) -> int | None:
    """The first byte a file could not decode as UTF-8 (kept as a lone surrogate), if any."""
    found = _SURROGATE.search(text)
    return ord(found.group()) - 0xDC00 if found else None


def read_csv(
    path: Path, model: type[Record], root: Path, data: RawData, resolver: CountryResolver | None = None
) -> list[Located]:
    """Rows of one CSV file as validated records; every problem goes to ``data.issues``.

    One record per line (curated files have no line breaks inside cells). A defect costs its own
    line only: an undecodable byte, an unbalanced quote, a control character or a bad value is one
    issue at its row and field, and reading goes on with the next line.
    """
    file = _rel(path, root)
    columns = column_names(model)
    out: list[Located] = []
    try:
        size = path.stat().st_size
        if size > CSV_MAX_BYTES:
            data.issues.append(
                Issue(file, 0, "size", f"a curated CSV file of at most {CSV_MAX_BYTES:,} bytes", f"{size:,} bytes")
            )
            data.unreadable_kinds.add(model.file_kind)
            return out
        text = path.read_bytes().decode("utf-8", errors="surrogateescape").removeprefix("\ufeff")
    except OSError as exc:
        data.issues.append(Issue(file, 0, "file", "a readable file", exc.strerror or type(exc).__name__))
        data.unreadable_kinds.add(model.file_kind)
        return out
    lines = text.splitlines()
    if not lines or not lines[0].strip():
        data.issues.append(Issue(file, 1, "header", "a header row", "an empty file"))
        data.unreadable_kinds.add(model.file_kind)
        return out
    try:
        header = [h.strip() for h in next(csv.reader([lines[0]], strict=True))]
    except csv.Error as exc:
        data.issues.append(Issue(file, 1, "header", "a well-formed CSV header", shorten(str(exc))))
        data.unreadable_kinds.add(model.file_kind)
        return out
    bad_byte = _undecodable(lines[0])
    if bad_byte is not None:
        data.issues.append(Issue(file, 1, "header", "UTF-8 text", f"the byte 0x{bad_byte:02x}"))
        data.unreadable_kinds.add(model.file_kind)
        return out
    unknown = [h for h in header if h not in columns]
    missing = [c for c, req in columns.items() if req and c not in header]
    repeated = sorted({h for h in header if header.count(h) > 1})
    for h in repeated:
        where = [str(i + 1) for i, x in enumerate(header) if x == h]
        data.issues.append(
            Issue(file, 1, h, "each column once", f"column {h!r} {len(where)} times (columns {', '.join(where)})")
        )
    for h in unknown:
        data.issues.append(
            Issue(file, 1, h, f"a column of {model.file_kind} ({', '.join(columns)})", f"unknown column {shorten(h)}")
        )
    for c in missing:
        data.issues.append(Issue(file, 1, c, "this required column", "no such column"))
    if unknown or missing or repeated:
        data.unreadable_kinds.add(model.file_kind)
        return out
    country_column = COUNTRY_NAME_COLUMNS.get(model)
    list_columns = {col for col in header if _is_list_field(model, col)}  # once per file, not per cell
    rows = 0
    for row, line in enumerate(lines[1:], start=2):
        if not line.strip():
            continue
        rows += 1
        bad_byte = _undecodable(line)
        if bad_byte is not None:
            data.issues.append(Issue(file, row, "encoding", "UTF-8 text", f"the byte 0x{bad_byte:02x}"))
            continue
        try:
            cells = next(csv.reader([line], strict=True))
        except csv.Error as exc:
            data.issues.append(Issue(file, row, "csv", "a well-formed CSV line (balanced quotes)", shorten(str(exc))))
            continue
        if len(cells) != len(header):
            data.issues.append(Issue(file, row, "row", f"{len(header)} fields", f"{len(cells)} fields"))
            continue
        values: dict[str, object] = {}
        control = None
        checked = _CONTROL.search(line) is not None  # most lines have none: look cell by cell only then
        for col, cell in zip(header, cells, strict=True):
            position = _control_character(cell) if checked else None
            if position is not None:
                control = (col, position, cell[position])
                break
            cell = cell.strip()
            if cell == "":
                continue
            values[col] = tuple(p.strip() for p in cell.split(";") if p.strip()) if col in list_columns else cell
        if control is not None:
            col, position, ch = control
            data.issues.append(
                Issue(file, row, col, "text without control characters", f"U+{ord(ch):04X} at character {position + 1}")
            )
            continue
        name = values.get(country_column) if country_column else None
        if country_column and resolver is not None and isinstance(name, str):
            try:
                values[country_column] = resolver.resolve(name, aggregates=True)
            except LookupError as exc:
                data.issues.append(Issue(file, row, country_column, str(exc.args[0]), shorten(name)))
                continue
        try:
            out.append(Located(model.model_validate(values), file, row))
        except ValidationError as exc:
            data.issues.extend(_issues_from(exc, file, row, model))
    if rows == 0:
        data.issues.append(
            Issue(
                file,
                2,
                "rows",
                "at least one data row (to drop a file's facts, remove it from its manifest)",
                "a header only",
            )
        )
        data.unreadable_kinds.add(model.file_kind)
    return out


def _inside(path: Path, folder: Path) -> bool:
    """Whether ``path`` (symlinks resolved) lies inside ``folder`` (symlinks resolved)."""
    try:
        path.resolve().relative_to(folder.resolve())
    except (ValueError, OSError):
        return False
    return True


def read_sources(root: Path | str = DEFAULT_ROOT) -> RawData:
    """Read every manifest and data file under ``root``; collect (not raise) every issue.

    Files are read only from inside their own source folder: a manifest path that is absolute,
    climbs out (``..``) or is a symlink leaving the folder is refused, and so is a source folder
    that is a symlink leaving ``root``. A folder with data files but no manifest, a file listed twice
    and a data file without rows are errors rather than silent skips (a later load would otherwise
    delete the facts they used to hold).
    """
    root = Path(root)
    data = RawData(root=root)
    folders = (
        sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith((".", "_"))) if root.is_dir() else []
    )
    manifests = []
    for folder in folders:
        mpath = folder / "manifest.yaml"
        rel = _rel(folder, root)
        if not _inside(folder, root):
            data.issues.append(
                Issue(rel, 0, "folder", f"a source folder inside {root.name}/", "a link to a folder outside it")
            )
        elif mpath.is_file():
            manifests.append(mpath)
        elif any(folder.glob("*.csv")):
            data.issues.append(
                Issue(
                    rel,
                    0,
                    "manifest.yaml",
                    "a manifest.yaml in every folder with data files",
                    f"{len(list(folder.glob('*.csv')))} CSV file(s) and no manifest",
                )
            )
    if not manifests:
        data.issues.append(Issue(str(root), 0, "manifest.yaml", "at least one <source>/manifest.yaml", "none"))
        return data
    parsed: list[tuple[Path, Manifest]] = []
    for mpath in manifests:
        mfile = _rel(mpath, root)
        try:
            raw = load_yaml(mpath, mfile)
        except InvalidArgument as exc:
            data.issues.append(Issue(mfile, 0, "yaml", exc.expected, exc.got))
            continue
        if raw is not None and not isinstance(raw, dict):
            data.issues.append(Issue(mfile, 0, "yaml", "a mapping of manifest fields", type(raw).__name__))
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
                if isinstance(src.get("id"), str):
                    data.broken_sources.add(src["id"])  # reported once, not again at every row citing it
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

    # The crosswalk comes first: production and import files need it to resolve country names.
    entries: list[tuple[Path, FileEntry]] = []
    for mpath, m in parsed:
        seen: set[str] = set()
        for entry in m.files:
            mfile = _rel(mpath, root)
            if entry.path in seen:
                data.issues.append(
                    Issue(mfile, 0, "files", "each data file listed once", f"{entry.path!r} listed twice")
                )
                continue
            seen.add(entry.path)
            target = mpath.parent / entry.path
            if Path(entry.path).is_absolute() or ".." in Path(entry.path).parts or not _inside(target, mpath.parent):
                data.issues.append(
                    Issue(mfile, 0, "files.path", "a path inside the source folder", shorten(entry.path))
                )
                continue
            entries.append((mpath, entry))
    entries.sort(key=lambda e: e[1].kind != CountryAlias.file_kind)
    resolver: CountryResolver | None = None
    loaded = [(m, e) for m, e in entries if e.kind in LOADED_KINDS]
    entries = [(m, e) for m, e in entries if e.kind not in LOADED_KINDS]
    for mpath, entry in entries:
        path = mpath.parent / entry.path
        if not path.is_file():
            data.issues.append(Issue(_rel(mpath, root), 0, "files.path", "an existing data file", shorten(entry.path)))
            data.unreadable_kinds.add(entry.kind)
            continue
        model = FILE_KINDS[entry.kind]
        if model is not CountryAlias and resolver is None:
            resolver = CountryResolver((a.record.name, a.record.iso3) for a in data.of(CountryAlias.file_kind))
        data.records.setdefault(entry.kind, []).extend(read_csv(path, model, root, data, resolver))
    if loaded:
        _read_loaded(data, root, loaded, dict(parsed))
    return data


def _read_loaded(
    data: RawData, root: Path, entries: list[tuple[Path, FileEntry]], manifests: dict[Path, Manifest]
) -> None:
    """Public files (Comtrade, BACI, the USGS MCS release) through their readers, after the curated files:
    they need the crosswalk, the minerals and the HS concordance."""
    resolver = CountryResolver((a.record.name, a.record.iso3) for a in data.of(CountryAlias.file_kind))
    concordance = [loc.record for loc in data.of("hs_concordance")]
    minerals = [(loc.record.id, loc.record.name, loc.record.usgs_chapter) for loc in data.of("minerals")]
    for mpath, entry in entries:
        mfile = _rel(mpath, root)
        manifest = manifests[mpath]
        path = mpath.parent / entry.path
        file = _rel(path, root)
        model = LOADED_KINDS[entry.kind]
        if not path.is_file():
            data.issues.append(Issue(mfile, 0, "files.path", "an existing data file", shorten(entry.path)))
            data.unreadable_kinds.add(model.file_kind)
            continue
        codes = None
        if entry.country_codes is not None:
            codes = mpath.parent / entry.country_codes
            if (
                Path(entry.country_codes).is_absolute()
                or ".." in Path(entry.country_codes).parts
                or not _inside(codes, mpath.parent)
            ):
                data.issues.append(
                    Issue(
                        mfile, 0, "files.country_codes", "a path inside the source folder", shorten(entry.country_codes)
                    )
                )
                continue
            if not codes.is_file():
                data.issues.append(
                    Issue(
                        mfile, 0, "files.country_codes", "an existing country codes file", shorten(entry.country_codes)
                    )
                )
                continue
        if entry.kind in ("baci", "comtrade") and not concordance:
            if "hs_concordance" not in data.unreadable_kinds:
                data.issues.append(
                    Issue(
                        mfile,
                        0,
                        "files",
                        "a source folder listing an hs_concordance file (the HS codes a trade file is read through)",
                        "none",
                    )
                )
            continue
        if entry.kind == "usgs_mcs_release" and not (entry.edition or manifest.edition):
            data.issues.append(Issue(mfile, 0, "edition", "an edition (MCS2027) for a usgs_mcs_release file", "none"))
            continue
        options = LoadOptions(
            source=entry.source or manifest.id,
            confidence=entry.confidence or DEFAULT_CONFIDENCE[entry.kind],
            edition=entry.edition or manifest.edition,
            country_codes=codes,
            country_codes_file=_rel(codes, root) if codes is not None else "",
            reporting=entry.reporting or "importer_then_mirror",
            encoding=entry.encoding,
        )
        result = load_file(
            entry.kind, path, file=file, options=options, concordance=concordance, minerals=minerals, resolver=resolver
        )
        data.issues.extend(result.issues)
        data.loaded_counts[file] = result.counts
        data.records.setdefault(model.file_kind, []).extend(
            Located(r, file, line) for r, line in zip(result.records, result.lines or [0] * len(result.records))
        )
