"""Cross-file rules: references, duplicate ids, date order, group consistency, share sums.

:func:`validate_raw` turns what :mod:`minerals_kg.sources` read into a :class:`~minerals_kg.model.Dataset`
only when no rule is broken; otherwise it raises :class:`~minerals_kg.errors.DataValidationError`
listing every issue. Which columns reference which kinds of node is declared once, in
:mod:`minerals_kg.contract` (from the ontology); this module only applies it.
"""

from __future__ import annotations

import datetime as dt
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
        if "Source" in labels and (value in self.raw.sources or value in self.raw.broken_sources):
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
                if (
                    isinstance(rec, Sourced)
                    and rec.source not in self.raw.sources
                    and rec.source not in self.raw.broken_sources
                ):
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
        pairs: dict[type, list[tuple[str, str]]] = {}  # per record kind, the ordered pairs it has
        for locs in self.raw.records.values():
            for loc in locs:
                kind = type(loc.record)
                if kind not in pairs:
                    fields = kind.model_fields
                    pairs[kind] = [(a, b) for a, b in self.ORDERED if a in fields and b in fields]
                for first, second in pairs[kind]:
                    a, b = getattr(loc.record, first), getattr(loc.record, second)
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
        flagged = {(i.file, i.row) for i in self.issues}  # rows already wrong: no follow-on group errors
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
                if (rec.unit, rec.basis) != (first.unit, first.basis) and rec.value_status.value in (
                    "reported",
                    "zero",
                ):
                    self.add(
                        loc,
                        "unit",
                        f"the unit and basis of the group {label} ({first.unit} {first.basis})",
                        f"{rec.unit} {rec.basis}",
                    )
                if rec.product != first.product:
                    self.add(
                        loc,
                        "product",
                        f"the product of the group {label} ({first.product or 'none'})",
                        repr(rec.product) if rec.product else "none",
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
            if (
                quantities
                and not any(l.record.country == WORLD for l in locs)
                and not any((l.file, l.row) in flagged for l in locs)
            ):
                self.add(
                    quantities[0],
                    "country",
                    f"a World total row in {label} (the denominator of its shares, "
                    "or its value status when the source prints none; a table without one is a partial extract)",
                    "no World total row",
                )
            if world:
                w = world[0].record.quantity
                parts = [l for l in quantities if l.record.country != WORLD]
                total = sum(l.record.quantity for l in parts)
                tol = world_total_tolerance(w)
                if total > w * (1 + tol):
                    self.add(
                        world[0],
                        "quantity",
                        f"a world total of {label} at least the sum of its parts within rounding ({total:g} / (1+{tol:.3f}))",
                        f"{w:g} (shares sum to {total / w:.3f})" if w else f"{w:g} with parts summing to {total:g}",
                    )

    # -- honesty: confidence against where a source was read ----------------------------------
    def check_confidence(self) -> None:
        """``official`` only for a text read at its publisher or a faithful archive; nothing stronger
        than ``press`` from a blog or social-media copy."""
        for locs in self.raw.records.values():
            for loc in locs:
                rec = loc.record
                if not isinstance(rec, Sourced) or rec.source not in self.raw.sources:
                    continue
                src = self.raw.sources[rec.source].record
                kind = src.via_kind.value if src.via_kind else None
                if rec.confidence.value == "official" and kind not in (None, "archive"):
                    self.add(
                        loc,
                        "confidence",
                        f"secondary or weaker (source {rec.source} was read in a {kind} copy, not at its publisher)",
                        "'official'",
                    )
                if kind in ("blog", "social") and rec.confidence.value in ("official", "secondary"):
                    self.add(
                        loc,
                        "confidence",
                        f"press or weaker (source {rec.source} was read in a {kind} copy)",
                        repr(rec.confidence.value),
                    )
        primary = {
            (r.record.mineral, r.record.stage, r.record.year)
            for r in self.raw.of("production")
            if self._via(r.record.source) not in ("blog", "social")
        }
        for loc in self.raw.of("production"):
            rec = loc.record
            if self._via(rec.source) in ("blog", "social") and (rec.mineral, rec.stage, rec.year) in primary:
                self.add(
                    loc,
                    "source",
                    f"a primary publication (one exists for {rec.mineral}/{rec.stage.value}/{rec.year}; "
                    f"a {self._via(rec.source)} copy is not used beside it)",
                    repr(rec.source),
                )

    def _via(self, source: str) -> str | None:
        src = self.raw.sources.get(source)
        return src.record.via_kind.value if src is not None and src.record.via_kind else None

    # -- organisations, memberships, instruments ---------------------------------------------
    def check_structure(self) -> None:
        """No self-references or cycles in PART_OF / SUCCESSOR_OF, no organisation member of itself,
        memberships that end when their organisation is dissolved, one imposer id per kind of act."""
        orgs = dict(self.entities["Organisation"])
        instruments = self.entities["PolicyInstrument"]
        for graph_name, items, column in (
            ("parent", orgs, "parent"),
            ("successor_of", orgs, "successor_of"),
            ("successor_of", instruments, "successor_of"),
        ):
            for rid, loc in items.items():
                seen, node = [rid], getattr(loc.record, column)
                while node is not None and node in items:
                    if node in seen:
                        chain = " -> ".join([*seen[seen.index(node) :], node])
                        self.add(
                            loc,
                            column,
                            f"no cycle of {graph_name} links",
                            chain if node != rid or len(seen) > 1 else f"{rid!r} (itself)",
                        )
                        break
                    seen.append(node)
                    node = getattr(items[node].record, column)
        for loc in self.raw.of("memberships"):
            rec = loc.record
            if rec.member == rec.organisation:
                self.add(loc, "member", "a member other than the organisation itself", repr(rec.member))
            org = orgs.get(rec.organisation)
            dissolved = getattr(org.record, "dissolved", None) if org else None
            if (
                dissolved
                and rec.role.value != "observer"
                and (rec.until is None or period_end(rec.until) > period_end(dissolved))
            ):
                self.add(
                    loc,
                    "until",
                    f"a date no later than {rec.organisation}'s dissolution ({dissolved})",
                    repr(rec.until) if rec.until else "empty (open-ended)",
                )
        parents = {rid: loc.record.parent for rid, loc in orgs.items() if loc.record.parent}
        by_kind: dict[tuple[str, str], Located] = {}
        for loc in instruments.values():
            rec = loc.record
            by_kind.setdefault((rec.instrument_kind.value, rec.imposer), loc)
        for (kind, imposer), loc in by_kind.items():
            parent = parents.get(imposer)
            if parent and (kind, parent) in by_kind:
                other = by_kind[(kind, parent)]
                self.add(
                    loc,
                    "imposer",
                    f"one imposer id for {kind} acts: {parent} (as in {other.file}:{other.row}), "
                    f"not also {imposer}, which acts for it",
                    repr(imposer),
                )
        for loc in instruments.values():
            rec = loc.record
            if rec.status.value == "unknown" and rec.confidence.value != "uncertain":
                self.add(loc, "confidence", "uncertain when status is unknown", repr(rec.confidence.value))

    # -- ownership ------------------------------------------------------------------------------
    def check_ownership(self) -> None:
        """Stakes in one firm or facility sum to at most 1 at any date; no firm owns itself; no
        circular majority ownership."""
        by_owned: dict[str, list[Located]] = defaultdict(list)
        for loc in self.raw.of("ownership"):
            rec = loc.record
            if rec.owner == rec.owned:
                self.add(loc, "owner", "an owner other than the owned firm or facility", repr(rec.owner))
                continue
            by_owned[rec.owned].append(loc)
        for owned, locs in by_owned.items():
            stakes = [l for l in locs if l.record.share is not None]
            dates = sorted(
                {period_start(l.record.since) for l in stakes if l.record.since}
                | {period_end(l.record.until) for l in stakes if l.record.until}
                | {dt.date.min}
            )
            for day in dates:
                active = [
                    l
                    for l in stakes
                    if (not l.record.since or period_start(l.record.since) <= day)
                    and (not l.record.until or day <= period_end(l.record.until))
                ]
                total = sum(l.record.share for l in active)
                if total > 1 + SHARE_ROUNDING:
                    when = "with no dates" if day == dt.date.min else f"on {day.isoformat()}"
                    parts = ", ".join(f"{l.record.owner} {l.record.share:g} (row {l.row})" for l in active)
                    self.add(
                        active[-1],
                        "share",
                        f"stakes in {owned} summing to at most 1 {when} (close a superseded stake with until)",
                        f"{total:.3f}: {parts}",
                    )
                    break
        majority: dict[str, tuple[str, Located]] = {}
        for loc in self.raw.of("ownership"):
            rec = loc.record
            if rec.share is not None and rec.share > 0.5 and not rec.until:
                majority.setdefault(rec.owned, (rec.owner, loc))
        reported = set()
        for start in majority:
            chain, node = [start], majority[start][0]
            while node in majority and node not in chain:
                chain.append(node)
                node = majority[node][0]
            if node == start and frozenset(chain) not in reported:
                reported.add(frozenset(chain))
                self.add(
                    majority[start][1], "owner", "no circular majority ownership", " owned by ".join([*chain, start])
                )

    # -- crosswalk and imports ---------------------------------------------------------------
    def check_crosswalk_and_flows(self) -> None:
        for loc in self.raw.of("country_crosswalk"):
            if not self.resolver.is_code(loc.record.iso3):
                self.add(loc, "iso3", "an ISO 3166-1 alpha-3 code known to pycountry", repr(loc.record.iso3))
        groups: dict[tuple, list[Located]] = defaultdict(list)
        for loc in self.raw.of("imports"):
            rec = loc.record
            if rec.share is not None and rec.share_basis.value in ("imports", "sourcing"):
                groups[
                    (
                        rec.importer,
                        rec.mineral,
                        rec.stage,
                        rec.form,
                        rec.year_from,
                        rec.year_to,
                        rec.edition,
                        rec.share_basis,
                        rec.source,
                    )
                ].append(loc)
        for key, locs in groups.items():
            total = sum(l.record.share for l in locs)
            allowed = 1.0 + SHARE_ROUNDING * len(locs)
            if total > allowed:
                label = f"{key[0]} imports of {key[1]} {key[4]}-{key[5]} ({key[6] or key[8]})"
                self.add(locs[-1], "share", f"shares of {label} summing to at most {allowed:.3f}", f"{total:.3f}")

    def check_concordance(self) -> None:
        """A specific HS subheading names one mineral, stage and form (a basket line may name several)."""
        seen: dict[str, Located] = {}
        for loc in self.raw.of("hs_concordance"):
            rec = loc.record
            if not rec.specific:
                continue
            if rec.hs_code in seen:
                first = seen[rec.hs_code]
                self.add(
                    loc,
                    "hs_code",
                    f"a specific subheading listed once (first at {first.file}:{first.row}; "
                    "mark a shared subheading specific=false)",
                    repr(rec.hs_code),
                )
                continue
            seen[rec.hs_code] = loc

    def run(self) -> Dataset:
        self.collect_ids()
        self.check_references()
        self.check_dates()
        self.check_production()
        self.check_confidence()
        self.check_structure()
        self.check_ownership()
        self.check_crosswalk_and_flows()
        self.check_concordance()
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
            imports=records("imports"),
            import_reliance=records("import_reliance"),
            data_gaps=records("data_gaps"),
            instrument_amounts=records("instrument_amounts"),
            hs_concordance=records("hs_concordance"),
        )


def validate_raw(raw: RawData) -> Dataset:
    """Apply every cross-file rule to what the readers returned; raise with every issue found."""
    return _Checker(raw).run()
