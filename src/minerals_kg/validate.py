"""Cross-file validation: references, duplicate ids, date order, group consistency, share sums.

:func:`load_dataset` is the only way the rest of the engine gets data: it returns a
:class:`Dataset` only when the sources hold no error at all, and otherwise raises
:class:`~minerals_kg.errors.DataValidationError` listing every issue. Nothing downstream re-parses
source files or sees half-valid data.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from .countries import AGGREGATES, ISO_SOURCE, WORLD, CountryResolver
from .errors import DataValidationError, Issue
from .model import (
    Aggregate,
    Country,
    EndUse,
    EndUseMineral,
    Event,
    Facility,
    Firm,
    FirmActivity,
    Membership,
    Mineral,
    Organisation,
    Ownership,
    Participation,
    PolicyInstrument,
    Production,
    Source,
    Sourced,
    period_end,
    period_start,
)
from .shacl import shacl_issues
from .sources import DEFAULT_ROOT, Located, RawData, read_sources

SHARE_ROUNDING = 0.005
"""Half a percentage point: the rounding of one share stated in whole percent."""


def world_total_tolerance(world: float) -> float:
    """Relative rounding of a world total published to two significant figures (USGS practice).

    A total printed as 390,000 stands for 385,000-395,000: half a unit of the second significant
    digit, relative to the total, plus half a percentage point for the rounding of the parts.

    >>> round(world_total_tolerance(390_000), 4)
    0.0178
    """
    if world <= 0:
        return SHARE_ROUNDING
    half_unit = 0.5 * 10 ** (math.floor(math.log10(world)) - 1)
    return half_unit / world + SHARE_ROUNDING


@dataclass(frozen=True)
class Dataset:
    """All validated records, by entity and fact type, plus every country they reference."""

    sources: dict[str, Source]
    countries: dict[str, Country]
    aggregates: dict[str, Aggregate]
    minerals: dict[str, Mineral]
    organisations: dict[str, Organisation]
    events: dict[str, Event]
    firms: dict[str, Firm]
    facilities: dict[str, Facility]
    end_uses: dict[str, EndUse]
    instruments: dict[str, PolicyInstrument]
    production: list[Production]
    firm_activities: list[FirmActivity]
    memberships: list[Membership]
    participations: list[Participation]
    ownership: list[Ownership]
    end_use_minerals: list[EndUseMineral]

    def counts(self) -> dict[str, int]:
        return {name: len(value) for name, value in vars(self).items()}


ENTITY_KINDS = {
    "minerals": Mineral,
    "organisations": Organisation,
    "events": Event,
    "firms": Firm,
    "facilities": Facility,
    "end_uses": EndUse,
    "instruments": PolicyInstrument,
}


NOUNS = {"minerals": "mineral", "organisations": "organisation", "events": "event", "firms": "firm",
         "facilities": "facility", "end_uses": "end use", "instruments": "instrument"}


class _Checker:
    def __init__(self, raw: RawData):
        self.raw = raw
        self.issues: list[Issue] = list(raw.issues)
        self.resolver = CountryResolver(
            (a.record.name, a.record.iso3) for a in raw.of("country_crosswalk")
        )
        self.entities: dict[str, dict[str, Located]] = {k: {} for k in ENTITY_KINDS}
        self.countries: set[str] = set()
        self.first_seen: dict[str, Located] = {sid: loc for sid, loc in raw.sources.items()}

    def add(self, loc: Located, fld: str, expected: str, got: object) -> None:
        self.issues.append(Issue(loc.file, loc.row, fld, expected, got if isinstance(got, str) else repr(got)))

    # -- ids --------------------------------------------------------------------------------
    def collect_ids(self) -> None:
        for kind in ENTITY_KINDS:
            for loc in self.raw.of(kind):
                rid = loc.record.id  # type: ignore[attr-defined]
                if rid in self.first_seen:
                    first = self.first_seen[rid]
                    where = f"{first.file}:{first.row}" if first.row else first.file
                    self.add(loc, "id", f"an id not used before (first used at {where})", repr(rid))
                    continue
                self.first_seen[rid] = loc
                self.entities[kind][rid] = loc

    # -- references -------------------------------------------------------------------------
    def ref(self, loc: Located, fld: str, value: str | None, *kinds: str) -> None:
        """Check that ``value`` names an entity of one of ``kinds`` ('country' = an ISO-3 code)."""
        if value is None:
            return
        if "country" in kinds and self.resolver.is_code(value):
            self.countries.add(value)
            return
        if any(value in self.entities[k] for k in kinds if k != "country"):
            return
        if any(k in self.raw.unreadable_kinds for k in kinds):
            return  # that file's header was rejected (already reported): its ids are unknowable
        what = " or ".join("an ISO-3 country code" if k == "country" else f"a known {NOUNS[k]} id" for k in kinds)
        self.add(loc, fld, what, repr(value))

    def check_references(self) -> None:
        r = self.ref
        for kind, locs in self.raw.records.items():
            for loc in locs:
                rec = loc.record
                if isinstance(rec, Sourced) and rec.source not in self.raw.sources:
                    self.add(loc, "source", "the id of a source declared in a manifest", repr(rec.source))
                match rec:
                    case Organisation():
                        r(loc, "parent", rec.parent, "organisations")
                        r(loc, "successor_of", rec.successor_of, "organisations")
                    case Event():
                        r(loc, "location", rec.location, "country")
                    case Firm():
                        r(loc, "hq", rec.hq, "country")
                    case Facility():
                        r(loc, "country", rec.country, "country")
                        r(loc, "operator", rec.operator, "firms")
                        for m in rec.minerals:
                            r(loc, "minerals", m, "minerals")
                    case PolicyInstrument():
                        r(loc, "imposer", rec.imposer, "country", "organisations")
                        for m in rec.minerals:
                            r(loc, "minerals", m, "minerals")
                        for t in rec.targets:
                            r(loc, "targets", t, "country", "firms", "organisations", "facilities")
                        for b in rec.beneficiaries:
                            r(loc, "beneficiaries", b, "firms", "facilities")
                        for p in rec.parties:
                            r(loc, "parties", p, "country", "organisations")
                        r(loc, "event", rec.event, "events")
                        r(loc, "successor_of", rec.successor_of, "instruments")
                    case Production():
                        r(loc, "mineral", rec.mineral, "minerals")
                        if rec.country not in AGGREGATES:
                            r(loc, "country", rec.country, "country")
                    case FirmActivity():
                        r(loc, "firm", rec.firm, "firms")
                        r(loc, "mineral", rec.mineral, "minerals")
                        r(loc, "country", rec.country, "country")
                        r(loc, "facility", rec.facility, "facilities")
                    case Membership():
                        r(loc, "member", rec.member, "country", "organisations")
                        r(loc, "organisation", rec.organisation, "organisations")
                    case Participation():
                        r(loc, "participant", rec.participant, "country", "organisations")
                        r(loc, "event", rec.event, "events")
                    case Ownership():
                        r(loc, "owner", rec.owner, "country", "organisations", "firms")
                        r(loc, "owned", rec.owned, "firms", "facilities")
                    case EndUseMineral():
                        r(loc, "end_use", rec.end_use, "end_uses")
                        r(loc, "mineral", rec.mineral, "minerals")

    # -- dates ------------------------------------------------------------------------------
    ORDERED = (
        ("since", "until"), ("founded", "dissolved"), ("start", "end"), ("announced", "effective"),
        ("effective", "ended"), ("announced", "ended"), ("suspended_from", "suspended_until"),
    )

    def check_dates(self) -> None:
        for locs in self.raw.records.values():
            for loc in locs:
                for first, second in self.ORDERED:
                    a, b = getattr(loc.record, first, None), getattr(loc.record, second, None)
                    if a and b and period_end(b) < period_start(a):
                        self.add(loc, second, f"a date on or after {first} ({a})", repr(b))

    # -- production groups ----------------------------------------------------------------------
    def check_production(self) -> None:
        groups: dict[tuple, list[Located]] = defaultdict(list)
        for loc in self.raw.of("production"):
            rec: Production = loc.record  # type: ignore[assignment]
            groups[(rec.mineral, rec.stage, rec.year, rec.edition)].append(loc)
            src = self.raw.sources.get(rec.source)
            if src and src.record.edition and src.record.edition != rec.edition:  # type: ignore[attr-defined]
                self.add(loc, "edition", f"{src.record.edition} (the edition of source {rec.source})", repr(rec.edition))  # type: ignore[attr-defined]
        for (mineral, stage, year, edition), locs in groups.items():
            label = f"{mineral}/{stage.value}/{year}/{edition}"
            seen: dict[str, Located] = {}
            first = locs[0].record
            for loc in locs:
                rec = loc.record
                if rec.country in seen:
                    self.add(loc, "country", f"one row per country in {label} (first at row {seen[rec.country].row})", repr(rec.country))
                seen[rec.country] = loc
                if (rec.unit, rec.basis) != (first.unit, first.basis) and rec.value_status.value == "reported":
                    self.add(loc, "unit", f"the unit and basis of the group {label} ({first.unit} {first.basis})", f"{rec.unit} {rec.basis}")
            reported = [l for l in locs if l.record.value_status.value == "reported"]
            shares = [l for l in reported if l.record.share is not None]
            quantities = [l for l in reported if l.record.quantity is not None]
            if shares and quantities:
                self.add(shares[0], "share", f"quantities like the other rows of {label}", "a share")
                continue
            if shares:
                total = sum(l.record.share for l in shares if l.record.country != WORLD)
                allowed = 1.0 + SHARE_ROUNDING * len(shares)
                if total > allowed:
                    self.add(shares[-1], "share", f"shares of {label} summing to at most {allowed:.3f}", f"{total:.3f}")
            world = [l for l in quantities if l.record.country == WORLD]
            if world:
                w = world[0].record.quantity
                parts = [l for l in quantities if l.record.country != WORLD]
                total = sum(l.record.quantity for l in parts)
                tol = world_total_tolerance(w)
                for l in parts:
                    if l.record.quantity > w * (1 + tol):
                        self.add(l, "quantity", f"at most the world total of {label} ({w:g})", f"{l.record.quantity:g}")
                if total > w * (1 + tol):
                    self.add(world[0], "quantity", f"a world total of {label} at least the sum of its parts within rounding ({total:g} / (1+{tol:.3f}))", f"{w:g} (shares sum to {total / w:.3f})")

    def run(self) -> Dataset:
        self.collect_ids()
        self.check_references()
        self.check_dates()
        self.check_production()
        if ISO_SOURCE not in self.raw.sources:
            self.issues.append(Issue(str(self.raw.root), 0, "sources", f"a manifest declaring source {ISO_SOURCE!r} (country codes)", "none"))
        if self.issues:
            raise DataValidationError(self.issues)
        return self.dataset()

    def dataset(self) -> Dataset:
        def records(kind: str) -> list:
            return [l.record for l in self.raw.of(kind)]

        def entities(kind: str) -> dict:
            return {rid: loc.record for rid, loc in self.entities[kind].items()}

        return Dataset(
            sources={sid: l.record for sid, l in self.raw.sources.items()},  # type: ignore[misc]
            countries={c: CountryResolver.country(c) for c in sorted(self.countries)},
            aggregates={aid: Aggregate(id=aid, name=name) for aid, name in AGGREGATES.items()},
            minerals=entities("minerals"),
            organisations=entities("organisations"),
            events=entities("events"),
            firms=entities("firms"),
            facilities=entities("facilities"),
            end_uses=entities("end_uses"),
            instruments=entities("instruments"),
            production=records("production"),
            firm_activities=records("firm_activities"),
            memberships=records("memberships"),
            participations=records("participations"),
            ownership=records("ownership"),
            end_use_minerals=records("end_use_minerals"),
        )


def validate_raw(raw: RawData) -> Dataset:
    return _Checker(raw).run()


def load_dataset(root: Path | str = DEFAULT_ROOT, *, shacl: bool = True) -> Dataset:
    """Read and validate every source under ``root``; raise with every issue if any exists.

    With ``shacl=True`` the dataset, as RDF, is also checked against ``ontology/shapes.ttl``.
    """
    dataset = validate_raw(read_sources(root))
    if shacl:
        issues = shacl_issues(dataset)
        if issues:
            raise DataValidationError(issues)
    return dataset
