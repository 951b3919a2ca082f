"""Cross-file rules: references, duplicate ids, date order, group consistency, share sums.

:func:`validate_raw` turns what :mod:`minerals_kg.sources` read into a :class:`~minerals_kg.model.Dataset`
only when no rule is broken; otherwise it raises :class:`~minerals_kg.errors.DataValidationError`
listing every issue. Which columns reference which kinds of node is declared once, in
:mod:`minerals_kg.contract` (from the ontology); this module only applies it.
"""

from __future__ import annotations

import math
from collections import defaultdict

from .contract import FACTS, PROPERTY_REFERENCES, REFERENCES, fact_endpoints, reference_targets
from .countries import AGGREGATES, ISO_SOURCE, WORLD, CountryResolver
from .errors import DataValidationError, Issue, shorten
from .model import (
    Aggregate,
    Dataset,
    EndUse,
    Event,
    Facility,
    Firm,
    Mineral,
    Organisation,
    PolicyInstrument,
    Production,
    Sourced,
    period_end,
    period_start,
)
from .sources import Located, RawData

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


ENTITY_KINDS = {
    "minerals": Mineral,
    "organisations": Organisation,
    "events": Event,
    "firms": Firm,
    "facilities": Facility,
    "end_uses": EndUse,
    "instruments": PolicyInstrument,
}
"""File kind -> entity model; the model's ontology class is the label of its nodes."""

NOUNS = {
    "Mineral": "mineral",
    "Organisation": "organisation",
    "Event": "event",
    "Firm": "firm",
    "Facility": "facility",
    "EndUse": "end use",
    "PolicyInstrument": "instrument",
    "Source": "source",
}


def describe_labels(labels: frozenset[str]) -> str:
    """What an id of one of ``labels`` looks like, in words (for 'expected ...').

    >>> describe_labels(frozenset({"Organisation", "Country"}))
    'an ISO-3 country code or a known organisation id'
    """
    order = [
        "Country",
        "Aggregate",
        "Organisation",
        "Firm",
        "Facility",
        "Mineral",
        "Event",
        "EndUse",
        "PolicyInstrument",
        "Source",
    ]
    words = {"Country": "an ISO-3 country code", "Aggregate": "an aggregate (World total, Other countries)"}
    return " or ".join(
        words.get(label, f"a known {NOUNS.get(label, label)} id") for label in sorted(labels, key=order.index)
    )


class _Checker:
    def __init__(self, raw: RawData):
        self.raw = raw
        self.issues: list[Issue] = list(raw.issues)
        self.resolver = CountryResolver((a.record.name, a.record.iso3) for a in raw.of("country_crosswalk"))
        self.entities: dict[str, dict[str, Located]] = {m.__ontology_class__: {} for m in ENTITY_KINDS.values()}  # type: ignore[attr-defined]
        self.countries: set[str] = set()
        self.first_seen: dict[str, Located] = dict(raw.sources.items())

    def add(self, loc: Located, fld: str, expected: str, got: object) -> None:
        self.issues.append(Issue(loc.file, loc.row, fld, expected, got if isinstance(got, str) else repr(got)))

    # -- ids --------------------------------------------------------------------------------
    def collect_ids(self) -> None:
        for kind in ENTITY_KINDS:
            for loc in self.raw.of(kind):
                rid = loc.record.id
                if rid in self.first_seen:
                    first = self.first_seen[rid]
                    where = f"{first.file}:{first.row}" if first.row else first.file
                    self.add(loc, "id", f"an id not used before (first used at {where})", repr(rid))
                    continue
                self.first_seen[rid] = loc
                self.entities[ENTITY_KINDS[kind].__ontology_class__][rid] = loc  # type: ignore[attr-defined]

    # -- references -------------------------------------------------------------------------
    def ref(self, loc: Located, fld: str, value: str | None, labels: frozenset[str]) -> None:
        """Check that ``value`` names a node of one of ``labels`` (a Country is an ISO-3 code)."""
        if value is None:
            return
        if "Country" in labels and self.resolver.is_code(value):
            self.countries.add(value)
            return
        if "Aggregate" in labels and value in AGGREGATES:
            return
        if any(value in self.entities.get(label, {}) for label in labels):
            return
        unreadable = {ENTITY_KINDS[k].__ontology_class__ for k in self.raw.unreadable_kinds if k in ENTITY_KINDS}  # type: ignore[attr-defined]
        if labels & unreadable:
            return  # that file's header was rejected (already reported): its ids are unknowable
        self.add(loc, fld, describe_labels(labels), shorten(value))

    def check_references(self) -> None:
        """Every reference the contract declares, checked against the labels the ontology allows."""
        by_model: dict[type, list[tuple[str, frozenset[str]]]] = {}
        for ref in REFERENCES:
            by_model.setdefault(ref.model, []).append((ref.column, reference_targets(ref)))
        for fact in FACTS:
            start, end = fact_endpoints(fact)
            by_model.setdefault(fact.model, []).extend([(fact.start, start), (fact.end, end)])
        for pref in PROPERTY_REFERENCES:
            by_model.setdefault(pref.model, []).append((pref.column, pref.labels))
        for locs in self.raw.records.values():
            for loc in locs:
                rec = loc.record
                if isinstance(rec, Sourced) and rec.source not in self.raw.sources:
                    self.add(loc, "source", "the id of a source declared in a manifest", shorten(rec.source))
                for column, labels in by_model.get(type(rec), []):
                    value = getattr(rec, column)
                    for v in value if isinstance(value, tuple) else (value,):
                        self.ref(loc, column, v, labels)

    # -- dates ------------------------------------------------------------------------------
    ORDERED = (
        ("since", "until"),
        ("founded", "dissolved"),
        ("start", "end"),
        ("announced", "effective"),
        ("effective", "ended"),
        ("announced", "ended"),
        ("suspended_from", "suspended_until"),
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
            rec: Production = loc.record
            groups[(rec.mineral, rec.stage, rec.year, rec.edition)].append(loc)
            src = self.raw.sources.get(rec.source)
            if src and src.record.edition and src.record.edition != rec.edition:
                self.add(
                    loc, "edition", f"{src.record.edition} (the edition of source {rec.source})", repr(rec.edition)
                )
        for (mineral, stage, year, edition), locs in groups.items():
            label = f"{mineral}/{stage.value}/{year}/{edition}"
            seen: dict[str, Located] = {}
            first = locs[0].record
            for loc in locs:
                rec = loc.record
                if rec.country in seen:
                    self.add(
                        loc,
                        "country",
                        f"one row per country in {label} (first at row {seen[rec.country].row})",
                        repr(rec.country),
                    )
                seen[rec.country] = loc
                if (rec.unit, rec.basis) != (first.unit, first.basis) and rec.value_status.value == "reported":
                    self.add(
                        loc,
                        "unit",
                        f"the unit and basis of the group {label} ({first.unit} {first.basis})",
                        f"{rec.unit} {rec.basis}",
                    )
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
                    self.add(
                        world[0],
                        "quantity",
                        f"a world total of {label} at least the sum of its parts within rounding ({total:g} / (1+{tol:.3f}))",
                        f"{w:g} (shares sum to {total / w:.3f})",
                    )

    def run(self) -> Dataset:
        self.collect_ids()
        self.check_references()
        self.check_dates()
        self.check_production()
        if ISO_SOURCE not in self.raw.sources:
            self.issues.append(
                Issue(
                    str(self.raw.root),
                    0,
                    "sources",
                    f"a manifest declaring source {ISO_SOURCE!r} (country codes)",
                    "none",
                )
            )
        if self.issues:
            raise DataValidationError(self.issues)
        return self.dataset()

    def dataset(self) -> Dataset:
        def records(kind: str) -> list:
            return [l.record for l in self.raw.of(kind)]

        def entities(kind: str) -> dict:
            label = ENTITY_KINDS[kind].__ontology_class__  # type: ignore[attr-defined]
            return {rid: loc.record for rid, loc in self.entities[label].items()}

        return Dataset(
            sources={sid: l.record for sid, l in self.raw.sources.items()},
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
    """Apply every cross-file rule to what the readers returned; raise with every issue found."""
    return _Checker(raw).run()
