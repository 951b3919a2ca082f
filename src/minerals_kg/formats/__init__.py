"""Readers of the public file formats people already have: UN Comtrade and CEPII BACI trade files
(through the HS concordance) and the USGS Mineral Commodity Summaries data release.

A source folder's manifest lists such a file with its kind (``comtrade``, ``baci``,
``usgs_mcs_release``); :func:`minerals_kg.sources.read_sources` reads it here into the same validated
records as a curated file (:class:`~minerals_kg.model.ImportFlow`, :class:`~minerals_kg.model.Production`)
with provenance, and every bad row is one issue with its line and column: nothing is loaded while
any exists.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from ..countries import CountryResolver
from ..errors import Issue
from ..model import Confidence, HsLine, ImportFlow, Production, Record, RowError
from .baci import baci_version, read_baci
from .comtrade import REPORTING, Reporting, read_comtrade
from .concordance import Concordance
from .usgs_mcs import read_mcs_release

__all__ = ["DEFAULT_CONFIDENCE", "LOADED_KINDS", "LoadOptions", "Loaded", "load_file"]

LOADED_KINDS: dict[str, type[Record]] = {"comtrade": ImportFlow, "baci": ImportFlow, "usgs_mcs_release": Production}
"""File kinds read by these readers (not by the curated CSV reader) and the records they make."""
DEFAULT_CONFIDENCE = {
    "comtrade": Confidence.OFFICIAL,
    "baci": Confidence.ESTIMATE,
    "usgs_mcs_release": Confidence.OFFICIAL,
}
"""Comtrade's figures are what national customs declared; BACI's are CEPII's reconciliation of the
two declarations of each flow (an estimate by construction); the MCS release is USGS's own table."""


@dataclass(frozen=True)
class LoadOptions:
    """What a manifest entry says about a file beyond its path and kind."""

    source: str
    confidence: Confidence
    edition: str | None = None
    country_codes: Path | None = None  # baci
    country_codes_file: str = ""
    reporting: str = "importer_then_mirror"  # comtrade
    encoding: str | None = None


@dataclass(frozen=True)
class Loaded:
    records: list[Record]
    issues: list[Issue]
    counts: dict[str, int]
    lines: list[int] | None = None  # the file line of each record, where one line makes one record


def _flow_records(flows: list[dict[str, Any]], kind: str, opts: LoadOptions, file: str) -> Loaded:
    from .comtrade import BASIS

    records: list[Record] = []
    issues: list[Issue] = []
    name = Path(file).name
    for flow in flows:
        if kind == "baci":
            basis = "BACI reconciled flow: value FOB in US$ (v x 1,000); quantity in metric tonnes"
        else:
            basis = "Comtrade " + BASIS[flow["flow_code"]]
        fields = {
            "importer": flow["importer"],
            "exporter": flow["exporter"],
            "mineral": flow["mineral"],
            "stage": flow["stage"],
            "form": flow["form"],
            "year_from": flow["year"],
            "year_to": flow["year"],
            "value_usd": flow["value_usd"],
            "quantity": flow["quantity"],
            "unit": "t" if flow["quantity"] is not None else None,
            "basis": basis,
            "edition": opts.edition,
            "source": opts.source,
            "confidence": opts.confidence,
            "note": f"HS {flow['hs_codes']} in {name}",
        }
        try:
            records.append(ImportFlow.model_validate(fields))
        except ValidationError as exc:  # the readers check every value first; this is a last guard
            issues.append(Issue(file, 0, "flow", "a valid import flow", str(exc.errors()[0]["msg"])))
    return Loaded(records, issues, {})


def load_file(
    kind: str,
    path: Path,
    *,
    file: str,
    options: LoadOptions,
    concordance: list[HsLine],
    minerals: list[tuple[str, str, str | None]],
    resolver: CountryResolver,
) -> Loaded:
    """Read one file of a loaded kind into validated records (or issues, and then no records)."""
    if kind == "usgs_mcs_release":
        rows, issues, counts = read_mcs_release(
            path, file=file, minerals=minerals, resolver=resolver, encoding=options.encoding or "cp1252"
        )
        if issues:
            return Loaded([], issues, counts)
        records: list[Record] = []
        lines = [row.pop("line") for row in rows]
        for row, line in zip(rows, lines):
            try:
                records.append(
                    Production.model_validate(
                        {**row, "edition": options.edition, "source": options.source, "confidence": options.confidence}
                    )
                )
            except ValidationError as exc:
                err = exc.errors()[0]
                ctx = (err.get("ctx") or {}).get("error")
                where = ctx.field if isinstance(ctx, RowError) else ".".join(map(str, err["loc"])) or "row"
                issues.append(Issue(file, line, where, "a valid production row", str(err["msg"])))
        return Loaded(records if not issues else [], issues, counts, lines)
    products = Concordance(concordance)
    if kind == "baci":
        assert options.country_codes is not None
        flows, issues, counts = read_baci(
            path,
            file=file,
            country_codes=options.country_codes,
            country_codes_file=options.country_codes_file,
            concordance=products,
        )
        opts = options if options.edition else _with_edition(options, baci_version(path))
    else:
        reporting: Reporting = "importer_then_mirror"
        if options.reporting in REPORTING:
            reporting = options.reporting  # type: ignore[assignment]
        flows, issues, counts = read_comtrade(
            path, file=file, concordance=products, reporting=reporting, encoding=options.encoding or "utf-8"
        )
        opts = options
    if issues:
        return Loaded([], issues, counts)
    loaded = _flow_records(flows, kind, opts, file)
    return Loaded(loaded.records if not loaded.issues else [], loaded.issues, counts)


def _with_edition(options: LoadOptions, edition: str | None) -> LoadOptions:
    from dataclasses import replace

    return replace(options, edition=f"BACI {edition}" if edition else None)
