"""Pydantic models of the records curators write and the graph is built from.

The ontology (``ontology/minerals-kg.ttl``) is the source of truth for classes, relationship types,
properties and vocabularies; ``tests/test_ontology.py`` proves that these models agree with it term
for term. Each model names the ontology class (``__ontology_class__``) or relationship type
(``__ontology_relation__``) it stands for.
"""

from __future__ import annotations

import calendar
import datetime as dt
import functools
import math
import re
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Annotated, ClassVar

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, model_validator

# --- controlled vocabularies (skos:ConceptScheme in the ontology) -------------------------------


class Stage(StrEnum):
    MINING = "mining"
    PROCESSING = "processing"
    REFINING = "refining"
    METAL_PRODUCTION = "metal_production"
    COMPONENT_MANUFACTURING = "component_manufacturing"


class Confidence(StrEnum):
    """From strongest to weakest (the order matters: a group's confidence is its weakest row's)."""

    OFFICIAL = "official"
    SECONDARY = "secondary"
    PRESS = "press"
    ESTIMATE = "estimate"
    UNCERTAIN = "uncertain"


class InstrumentKind(StrEnum):
    EXPORT_CONTROL = "export_control"
    TARIFF = "tariff"
    PRICE_FLOOR = "price_floor"
    STOCKPILE = "stockpile"
    EQUITY_STAKE = "equity_stake"
    LOAN = "loan"
    OFFTAKE = "offtake"
    FRAMEWORK_AGREEMENT = "framework_agreement"
    LEGISLATION = "legislation"
    STRATEGIC_PROJECT = "strategic_project"
    CRITICAL_MINERALS_LIST = "critical_minerals_list"
    SUBSIDY = "subsidy"
    EXPORT_LICENCE = "export_licence"


class InstrumentStatus(StrEnum):
    PROPOSED = "proposed"
    ANNOUNCED = "announced"
    SIGNED = "signed"
    IN_FORCE = "in_force"
    PARTIALLY_SUSPENDED = "partially_suspended"
    SUSPENDED = "suspended"
    EXPIRED = "expired"
    SUPERSEDED = "superseded"
    WITHDRAWN = "withdrawn"
    UNKNOWN = "unknown"


class TargetScope(StrEnum):
    ALL = "all"
    LISTED = "listed"


class ItemScope(StrEnum):
    """What an instrument controls: physical materials, or only technology (know-how, equipment designs)."""

    MATERIALS = "materials"
    TECHNOLOGY = "technology"


class OrganisationKind(StrEnum):
    ALLIANCE = "alliance"
    BLOC = "bloc"
    INTERGOVERNMENTAL_BODY = "intergovernmental_body"
    GOVERNMENT_AGENCY = "government_agency"


class MembershipRole(StrEnum):
    MEMBER = "member"
    FOUNDING_MEMBER = "founding_member"
    CHAIR = "chair"
    SIGNATORY = "signatory"
    OBSERVER = "observer"
    GUEST = "guest"


class ParticipationRole(StrEnum):
    HOST = "host"
    DELEGATION = "delegation"
    CHAIR = "chair"
    GUEST = "guest"


class EventKind(StrEnum):
    MINISTERIAL = "ministerial"
    SUMMIT = "summit"
    MEETING = "meeting"
    SIGNING = "signing"
    ANNOUNCEMENT = "announcement"


class FacilityKind(StrEnum):
    MINE = "mine"
    REFINERY = "refinery"
    SMELTER = "smelter"
    SEPARATION_PLANT = "separation_plant"
    MAGNET_PLANT = "magnet_plant"
    PROCESSING_PLANT = "processing_plant"


class Unit(StrEnum):
    """Units of quantities as the sources publish them: mass, and volume for gases (helium)."""

    KG = "kg"
    T = "t"
    KT = "kt"
    MT = "Mt"
    M3 = "m3"
    MM3 = "Mm3"


TONNES_PER_UNIT: dict[Unit, float] = {Unit.KG: 0.001, Unit.T: 1.0, Unit.KT: 1e3, Unit.MT: 1e6}
"""Mass units only: quantities convert exactly between them, never to or from a volume."""


class ValueStatus(StrEnum):
    REPORTED = "reported"
    WITHHELD = "withheld"
    NOT_AVAILABLE = "not_available"
    ZERO = "zero"


class ShareBasis(StrEnum):
    IMPORTS = "imports"
    EXPORTS = "exports"
    PRODUCTION = "production"
    SOURCING = "sourcing"


class RelianceBound(StrEnum):
    EXACT = "exact"
    GREATER_THAN = "greater_than"
    LESS_THAN = "less_than"
    NET_EXPORTER = "net_exporter"
    NOT_AVAILABLE = "not_available"


class DataGapReason(StrEnum):
    NO_COUNTRY_TABLE = "no_country_table"
    WORLD_TOTAL_ONLY = "world_total_only"
    WITHHELD = "withheld"
    NOT_PUBLISHED = "not_published"


class ViaKind(StrEnum):
    ARCHIVE = "archive"
    CODE = "code"
    AGGREGATOR = "aggregator"
    REFERENCE = "reference"
    PRESS = "press"
    BLOG = "blog"
    SOCIAL = "social"


VOCABULARIES: dict[str, type[StrEnum]] = {
    "Stage": Stage,
    "Confidence": Confidence,
    "InstrumentKind": InstrumentKind,
    "InstrumentStatus": InstrumentStatus,
    "TargetScope": TargetScope,
    "ItemScope": ItemScope,
    "OrganisationKind": OrganisationKind,
    "MembershipRole": MembershipRole,
    "ParticipationRole": ParticipationRole,
    "EventKind": EventKind,
    "FacilityKind": FacilityKind,
    "Unit": Unit,
    "ValueStatus": ValueStatus,
    "ShareBasis": ShareBasis,
    "RelianceBound": RelianceBound,
    "DataGapReason": DataGapReason,
    "ViaKind": ViaKind,
}


class RowError(ValueError):
    """A rule across cells of one row, naming the field to blame."""

    def __init__(self, field: str, expected: str, got: str):
        super().__init__(f"{field}: expected {expected}, got {got}")
        self.field, self.expected, self.got = field, expected, got


# --- value types --------------------------------------------------------------------------------

_SLUG = re.compile(r"^[a-z][a-z0-9_]*$")
_ISO3 = re.compile(r"^[A-Z]{3}$")
_PARTIAL_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")


def _slug(value: str) -> str:
    if not _SLUG.match(value):
        raise ValueError("a lower_snake_case id")
    return value


def _ref(value: str) -> str:
    if not (_SLUG.match(value) or _ISO3.match(value)):
        raise ValueError("an ISO-3 country code or a lower_snake_case id")
    return value


def _iso3(value: str) -> str:
    if not _ISO3.match(value):
        raise ValueError("an ISO 3166-1 alpha-3 code")
    return value


def _partial_date(value: str) -> str:
    m = _PARTIAL_DATE.match(value)
    if not m:
        raise ValueError("a date YYYY, YYYY-MM or YYYY-MM-DD")
    year, month, day = m.groups()
    if month is not None and not 1 <= int(month) <= 12:
        raise ValueError("a date with a month 01-12")
    if day is not None:
        try:
            dt.date(int(year), int(month), int(day))
        except ValueError:
            raise ValueError("a calendar date") from None
    return value


Slug = Annotated[str, AfterValidator(_slug)]
Ref = Annotated[str, AfterValidator(_ref)]
Iso3 = Annotated[str, AfterValidator(_iso3)]


def _date_text(value: object) -> object:
    """YAML reads 2025-01-31 as a date and 2025 as an int: take both as the text they were."""
    if isinstance(value, dt.date) or (isinstance(value, int) and not isinstance(value, bool)):
        return value.isoformat() if isinstance(value, dt.date) else str(value)
    return value


PartialDate = Annotated[str, BeforeValidator(_date_text), AfterValidator(_partial_date)]


def _plain_number(value: object) -> object:
    """A number as curators write it: plain decimal text; not ``270_000``, ``inf``, ``nan`` or ``1e308``."""
    if isinstance(value, str):
        text = value.strip()
        if "_" in text or text.lower().lstrip("+-") in ("inf", "infinity", "nan"):
            raise ValueError("a plain decimal number (no underscores, inf or nan)")
    return value


def _finite(value: float) -> float:
    if not math.isfinite(value) or abs(value) >= 1e300:
        raise ValueError("a finite number below 1e300")
    return value


Number = Annotated[float, BeforeValidator(_plain_number), AfterValidator(_finite)]
Fraction = Annotated[Number, Field(ge=0.0, le=1.0)]
NonNegative = Annotated[Number, Field(ge=0.0)]


def period_start(value: str) -> dt.date:
    """First day of a partial date: ``"2024-03"`` -> 2024-03-01."""
    year, month, day = _PARTIAL_DATE.match(value).groups()  # type: ignore[union-attr]
    return dt.date(int(year), int(month or 1), int(day or 1))


def period_end(value: str) -> dt.date:
    """Last day of a partial date: ``"2024-02"`` -> 2024-02-29."""
    year, month, day = _PARTIAL_DATE.match(value).groups()  # type: ignore[union-attr]
    y, m = int(year), int(month or 12)
    return dt.date(y, m, int(day) if day else calendar.monthrange(y, m)[1])


DATE_PRECISIONS = ("year", "month", "day")
PERIOD_END_DATES = frozenset({"until", "end", "suspended_until"})
"""Date properties that close a span (membership, event, suspension): a partial value means the last
day of its period (``until: 2026-06`` runs to 30 June). Every other date opens or marks a moment and
means the first day of its period (``since: 2024-03`` is 1 March)."""


def date_precision(value: str) -> str:
    """How much of a partial date the source gives: ``year``, ``month`` or ``day``.

    >>> date_precision("2024"), date_precision("2024-03"), date_precision("2024-03-15")
    ('year', 'month', 'day')
    """
    return DATE_PRECISIONS[value.count("-")]


def graph_date(name: str, value: str) -> dt.date:
    """A source date as the graph stores it: the first day of its period, or the last day for the
    properties in :data:`PERIOD_END_DATES`. The precision is stored beside it (``<name>_precision``).

    >>> graph_date("since", "2024-03"), graph_date("until", "2024-02"), graph_date("until", "2025-06-30")
    (datetime.date(2024, 3, 1), datetime.date(2024, 2, 29), datetime.date(2025, 6, 30))
    """
    return period_end(value) if name in PERIOD_END_DATES else period_start(value)


@functools.cache
def date_columns(model: type[BaseModel]) -> tuple[str, ...]:
    """The columns of a record model that hold partial dates (by their column names; read once per kind)."""
    return tuple(
        (info.alias or name)
        for name, info in model.model_fields.items()
        if "_partial_date" in repr(info.annotation)
        or any(getattr(m, "func", None) is _partial_date for m in info.metadata)
    )


# --- records ------------------------------------------------------------------------------------


class Record(BaseModel):
    """A row of a curated file. Unknown columns are errors; empty cells arrive as None."""

    model_config = ConfigDict(extra="forbid", frozen=True, use_enum_values=False)
    file_kind: ClassVar[str]


class Sourced(Record):
    source: Slug
    confidence: Confidence
    note: str | None = None


class Source(Record):
    """A document cited by facts (class Source)."""

    __ontology_class__: ClassVar[str] = "Source"
    file_kind: ClassVar[str] = "source"
    id: Slug
    title: str
    publisher: str
    url: str = Field(pattern=r"^https?://\S+$")
    edition: str | None = None
    published: PartialDate | None = None
    published_note: str | None = None
    retrieved: PartialDate
    licence: str
    via: str | None = None  # the copy actually read: its URL, or where it is when it has none
    via_kind: ViaKind | None = None

    @model_validator(mode="after")
    def _dated_and_via(self):
        if self.published is None and not self.published_note:
            raise RowError("published", "a publication date, or published_note saying why there is none", "neither")
        if (self.via is None) != (self.via_kind is None):
            raise RowError(
                "via_kind",
                "via and via_kind together (the copy read and what kind of copy it is)",
                "one without the other",
            )
        return self


class Country(Record):
    """A country, created from ISO 3166-1 (pycountry) for every code the data references."""

    __ontology_class__: ClassVar[str] = "Country"
    file_kind: ClassVar[str] = "country"
    id: Iso3
    name: str
    iso2: str | None = None
    source: Slug
    confidence: Confidence


class Aggregate(Record):
    """A statistical aggregate in production tables: the world total or 'other countries'."""

    __ontology_class__: ClassVar[str] = "Aggregate"
    file_kind: ClassVar[str] = "aggregate"
    id: Slug
    name: str


class CountryAlias(Sourced):
    """A country name as a source prints it, mapped to ISO-3 (the crosswalk)."""

    file_kind: ClassVar[str] = "country_crosswalk"
    name: str
    iso3: Iso3


class Mineral(Sourced):
    __ontology_class__: ClassVar[str] = "Mineral"
    file_kind: ClassVar[str] = "minerals"
    id: Slug
    name: str
    usgs_chapter: str | None = None
    part_of: Slug | None = None


class Organisation(Sourced):
    __ontology_class__: ClassVar[str] = "Organisation"
    file_kind: ClassVar[str] = "organisations"
    id: Slug
    name: str
    org_kind: OrganisationKind = Field(alias="kind")
    parent: Slug | None = None
    founded: PartialDate | None = None
    dissolved: PartialDate | None = None
    successor_of: Slug | None = None
    model_config = ConfigDict(populate_by_name=True)


class Event(Sourced):
    __ontology_class__: ClassVar[str] = "Event"
    file_kind: ClassVar[str] = "events"
    id: Slug
    name: str
    event_kind: EventKind = Field(alias="kind")
    start: PartialDate
    end: PartialDate | None = None
    location: Iso3 | None = None
    model_config = ConfigDict(populate_by_name=True)


class Firm(Sourced):
    __ontology_class__: ClassVar[str] = "Firm"
    file_kind: ClassVar[str] = "firms"
    id: Slug
    name: str
    hq: Iso3
    state_owned: bool | None = None


class Facility(Sourced):
    __ontology_class__: ClassVar[str] = "Facility"
    file_kind: ClassVar[str] = "facilities"
    id: Slug
    name: str
    facility_kind: FacilityKind = Field(alias="kind")
    country: Iso3
    operator: Slug | None = None
    minerals: tuple[Slug, ...] = ()
    stages: tuple[Stage, ...] = ()
    status: str | None = None
    model_config = ConfigDict(populate_by_name=True)


class EndUse(Sourced):
    __ontology_class__: ClassVar[str] = "EndUse"
    file_kind: ClassVar[str] = "end_uses"
    id: Slug
    name: str


class PolicyInstrument(Sourced):
    __ontology_class__: ClassVar[str] = "PolicyInstrument"
    file_kind: ClassVar[str] = "instruments"
    id: Slug
    name: str
    instrument_kind: InstrumentKind = Field(alias="kind")
    imposer: Ref
    announced: PartialDate | None = None
    effective: PartialDate | None = None
    ended: PartialDate | None = None
    status: InstrumentStatus
    status_as_of: PartialDate
    suspended_from: PartialDate | None = None
    suspended_until: PartialDate | None = None
    amount_usd: NonNegative | None = None
    minerals: tuple[Slug, ...] = ()
    stages: tuple[Stage, ...] = ()
    targets: tuple[Ref, ...] = ()
    target_scope: TargetScope | None = None
    item_scope: ItemScope = ItemScope.MATERIALS
    beneficiaries: tuple[Slug, ...] = ()
    parties: tuple[Ref, ...] = ()
    event: Slug | None = None
    successor_of: Slug | None = None
    model_config = ConfigDict(populate_by_name=True)


# --- facts (relationships) ---------------------------------------------------------------------


class _Quantity(Sourced):
    quantity: NonNegative | None = None
    unit: Unit | None = None
    basis: str | None = None

    @model_validator(mode="after")
    def _unit_goes_with_quantity(self):
        if self.quantity is not None and self.unit is None:
            raise RowError("unit", "one of kg, t, kt, Mt with a quantity", "empty")
        return self


class Production(_Quantity):
    """Country (or aggregate) PRODUCES Mineral at a stage, in a year, per one edition of a source."""

    __ontology_relation__: ClassVar[str] = "PRODUCES"
    file_kind: ClassVar[str] = "production"
    mineral: Slug
    stage: Stage
    country: str  # resolved to ISO-3 or an aggregate id by the reader
    year: int = Field(ge=1900, le=2100)
    edition: str
    share: Fraction | None = None
    product: str | None = None
    value_status: ValueStatus = ValueStatus.REPORTED
    estimated: bool = False

    @model_validator(mode="after")
    def _one_value(self):
        has_q, has_s = self.quantity is not None, self.share is not None
        if self.value_status is ValueStatus.REPORTED:
            if has_q == has_s:
                got = "both" if has_q else "neither"
                raise RowError("quantity", "exactly one of quantity or share", got)
        elif self.value_status is ValueStatus.ZERO:
            if self.quantity != 0 or has_s:
                got = "a share" if has_s else ("empty" if not has_q else repr(self.quantity))
                raise RowError("quantity", "0 with a unit when value_status is zero (a zero is a quantity of 0)", got)
        elif has_q or has_s:
            raise RowError("quantity", f"empty when value_status is {self.value_status.value}", "a value")
        return self


class FirmActivity(_Quantity):
    """Firm PRODUCES Mineral at a stage in a country (optionally at a facility)."""

    __ontology_relation__: ClassVar[str] = "PRODUCES"
    file_kind: ClassVar[str] = "firm_activities"
    firm: Slug
    mineral: Slug
    stage: Stage
    country: Iso3
    facility: Slug | None = None
    year: int | None = Field(default=None, ge=1900, le=2100)


class Membership(Sourced):
    __ontology_relation__: ClassVar[str] = "MEMBER_OF"
    file_kind: ClassVar[str] = "memberships"
    member: Ref
    organisation: Slug
    since: PartialDate | None = None
    until: PartialDate | None = None
    role: MembershipRole = MembershipRole.MEMBER
    contested: bool = False


class Participation(Sourced):
    __ontology_relation__: ClassVar[str] = "PARTICIPATED_IN"
    file_kind: ClassVar[str] = "participations"
    participant: Ref
    event: Slug
    role: ParticipationRole


class Ownership(Sourced):
    __ontology_relation__: ClassVar[str] = "OWNS"
    file_kind: ClassVar[str] = "ownership"
    owner: Ref
    owned: Slug
    share: Fraction | None = None
    since: PartialDate | None = None
    until: PartialDate | None = None


class EndUseMineral(Sourced):
    __ontology_relation__: ClassVar[str] = "USED_IN"
    file_kind: ClassVar[str] = "end_use_minerals"
    end_use: Slug
    mineral: Slug
    component: str | None = None
    intensity: NonNegative | None = None
    unit: str | None = None


class ImportFlow(Sourced):
    """An importer's supply of a mineral from an exporter over a period, as one source prints it."""

    __ontology_relation__: ClassVar[str] = "IMPORTS_FROM"
    file_kind: ClassVar[str] = "imports"
    importer: Ref
    exporter: str  # resolved to ISO-3 or an aggregate id by the reader
    mineral: Slug
    stage: Stage | None = None
    form: str | None = None
    year_from: int = Field(ge=1900, le=2100)
    year_to: int = Field(ge=1900, le=2100)
    share: Fraction | None = None
    share_basis: ShareBasis = ShareBasis.IMPORTS
    quantity: NonNegative | None = None
    unit: Unit | None = None
    value_usd: NonNegative | None = None
    basis: str | None = None
    rank: int | None = Field(default=None, ge=1)
    edition: str | None = None

    @model_validator(mode="after")
    def _a_figure(self):
        if self.year_to < self.year_from:
            raise RowError("year_to", f"a year on or after year_from ({self.year_from})", str(self.year_to))
        if self.quantity is not None and self.unit is None:
            raise RowError("unit", "a unit with a quantity", "empty")
        if self.share is None and self.quantity is None and self.value_usd is None and self.rank is None:
            raise RowError("share", "a share, quantity, value_usd or rank", "none of them")
        return self


class ImportReliance(Sourced):
    """An importer's net import reliance on a mineral in a year."""

    __ontology_relation__: ClassVar[str] = "RELIES_ON_IMPORTS"
    file_kind: ClassVar[str] = "import_reliance"
    importer: Ref
    mineral: Slug
    year: int = Field(ge=1900, le=2100)
    stage: Stage | None = None
    form: str | None = None
    reliance: Fraction | None = None
    bound: RelianceBound = RelianceBound.EXACT
    edition: str | None = None

    @model_validator(mode="after")
    def _bounded(self):
        needs_value = self.bound in (RelianceBound.EXACT, RelianceBound.GREATER_THAN, RelianceBound.LESS_THAN)
        if needs_value and self.reliance is None:
            raise RowError("reliance", f"a share 0-1 when bound is {self.bound.value}", "empty")
        if not needs_value and self.reliance is not None:
            raise RowError("reliance", f"empty when bound is {self.bound.value}", repr(self.reliance))
        return self


class HsLine(Sourced):
    """One line of the HS concordance: a 6-digit HS subheading and the mineral, stage and form its goods are.

    ``specific`` is false for a basket subheading shared with other materials (8112.92 holds gallium,
    germanium, indium, niobium and vanadium): such a line documents why a mineral has no trade flows
    of its own and is never loaded as one.
    """

    file_kind: ClassVar[str] = "hs_concordance"
    hs_code: str = Field(pattern=r"^\d{6}$")
    description: str
    mineral: Slug
    stage: Stage
    form: str
    specific: bool = True


class DataGap(Sourced):
    """A source that says it publishes no country figures for a mineral at a stage."""

    __ontology_relation__: ClassVar[str] = "HAS_DATA_GAP"
    file_kind: ClassVar[str] = "data_gaps"
    mineral: Slug
    stage: Stage
    reason: DataGapReason


class InstrumentAmount(Sourced):
    """An amount of money a source gives for an instrument (several per instrument allowed)."""

    __ontology_relation__: ClassVar[str] = "HAS_AMOUNT"
    file_kind: ClassVar[str] = "instrument_amounts"
    instrument: Slug
    amount: NonNegative
    currency: str = Field(pattern=r"^[A-Z]{3}$")
    component: str | None = None


FILE_KINDS: dict[str, type[Record]] = {
    m.file_kind: m
    for m in (
        CountryAlias,
        Mineral,
        Organisation,
        Event,
        Firm,
        Facility,
        EndUse,
        PolicyInstrument,
        Production,
        FirmActivity,
        Membership,
        Participation,
        Ownership,
        EndUseMineral,
        ImportFlow,
        ImportReliance,
        DataGap,
        InstrumentAmount,
        HsLine,
    )
}
"""File kind (as named in a manifest) -> the record model of its rows."""

ENTITY_MODELS: tuple[type[Record], ...] = (
    Source,
    Country,
    Aggregate,
    Mineral,
    Organisation,
    Event,
    Firm,
    Facility,
    EndUse,
    PolicyInstrument,
)
FACT_MODELS: tuple[type[Record], ...] = (
    Production,
    FirmActivity,
    Membership,
    Participation,
    Ownership,
    EndUseMineral,
    ImportFlow,
    ImportReliance,
    DataGap,
    InstrumentAmount,
)


def column_names(model: type[Record]) -> dict[str, bool]:
    """CSV column name -> required, for a record model (aliases are the column names)."""
    return {(info.alias or name): info.is_required() for name, info in model.model_fields.items()}


@dataclass(frozen=True)
class Dataset:
    """All validated records, by entity and fact type, plus every country they reference.

    Only :func:`minerals_kg.checks.load_dataset` makes one, and only from sources without any error.
    """

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
    imports: list[ImportFlow]
    import_reliance: list[ImportReliance]
    data_gaps: list[DataGap]
    instrument_amounts: list[InstrumentAmount]
    hs_concordance: list[HsLine] = field(default_factory=list)  # read by the trade-file loaders; not in the graph

    def counts(self) -> dict[str, int]:
        return {name: len(value) for name, value in vars(self).items()}

    def entities(self) -> dict[str, dict[str, Record]]:
        """Entity records by ontology label (``Country``, ``Mineral``, ...)."""
        return {
            "Source": dict(self.sources),
            "Country": dict(self.countries),
            "Aggregate": dict(self.aggregates),
            "Mineral": dict(self.minerals),
            "Organisation": dict(self.organisations),
            "Event": dict(self.events),
            "Firm": dict(self.firms),
            "Facility": dict(self.facilities),
            "EndUse": dict(self.end_uses),
            "PolicyInstrument": dict(self.instruments),
        }

    def facts(self) -> list[Record]:
        """Every fact record (the relationships that carry their own properties)."""
        return [
            *self.production,
            *self.firm_activities,
            *self.memberships,
            *self.participations,
            *self.ownership,
            *self.end_use_minerals,
            *self.imports,
            *self.import_reliance,
            *self.data_gaps,
            *self.instrument_amounts,
        ]
