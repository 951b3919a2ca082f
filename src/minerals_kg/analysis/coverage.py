"""Alliance coverage: how much of each mineral, stage by stage, an alliance's members supply.

Definitions (``shared/reference/methods.md``, "alliance coverage"; not an existing standard):

- stage coverage ``Cov_A(m,k) = sum_{c in A} q(c,m,k) / sum_c q(c,m,k)`` (host-country basis);
- ex-China coverage: the alliance's share of the world supply that is not China's,
  ``sum_{c in A, c != CHN} q / (sum_c q - q(CHN))`` — what the alliance covers of a market
  without China;
- chain coverage ``min_k Cov_A(m,k)``: the weakest stage bounds the chain;
- unattributed output (the source's "other countries" row, or the part of a share-only table the
  source does not attribute, e.g. an IEA refining share that names only China) may belong to
  members: ``coverage`` is a lower bound and ``coverage_upper = coverage + unattributed_share``;
- largest outsider share ``max_{c not in A} s(c,m,k)`` against the EU Critical Raw Materials Act
  benchmark that no more than 65 % of any strategic raw material come from one third country
  (Regulation (EU) 2024/1252, Art. 5(1)(b)).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field

import pandas as pd

from ..contract import Table, make_table
from ..errors import InvalidArgument
from ..model import period_end, period_start

__all__ = [
    "ACTIVE_ROLES",
    "CHAIN_COVERAGE",
    "CHINA",
    "COVERAGE",
    "CRMA_SINGLE_COUNTRY_BENCHMARK",
    "AllianceData",
    "AllianceMembers",
    "chain_coverage",
    "coverage",
    "membership_active",
    "resolve_members",
]

CHINA = "CHN"
CRMA_SINGLE_COUNTRY_BENCHMARK = 0.65
"""Regulation (EU) 2024/1252 (Critical Raw Materials Act), Art. 5(1)(b): no more than 65 % of the
Union's annual consumption of each strategic raw material at any relevant stage from one third country."""
ACTIVE_ROLES = frozenset({"member", "founding_member", "chair", "signatory"})
"""Membership roles that make a country count for an alliance (observers and guests do not)."""

COVERAGE: Table = make_table(
    "coverage",
    "One row per (mineral, stage): the alliance's share of the latest group.",
    ("mineral", "object"),
    ("stage", "object"),
    ("year", "Int64"),
    ("edition", "object"),
    ("coverage", "float64", "members' share of world output (lower bound), 0-1"),
    ("coverage_upper", "float64", "coverage plus the output the source leaves unattributed"),
    ("unattributed_share", "float64"),
    ("coverage_ex_china", "float64", "members' share of the output outside China"),
    ("max_outsider", "object", "the largest non-member producer (ISO-3)"),
    ("max_outsider_share", "float64"),
    ("exceeds_benchmark", "boolean", "max_outsider_share above the CRMA 65 % benchmark"),
    ("members_producing", "object"),
    ("withheld_members", "object", "members whose value the source withholds"),
)
CHAIN_COVERAGE: Table = make_table(
    "chain_coverage",
    "One row per mineral: the coverage of its weakest stage.",
    ("mineral", "object"),
    ("chain_coverage", "float64"),
    ("chain_coverage_upper", "float64"),
    ("weakest_stage", "object"),
    ("stages", "object"),
)


@dataclass(frozen=True)
class AllianceMembers:
    """The member countries of an alliance as of a date, and how each one got in."""

    alliance: str
    as_of: dt.date
    countries: frozenset[str]
    via: dict[str, str] = field(default_factory=dict)  # country -> "delegation", "host", "club>bloc", ...


@dataclass(frozen=True)
class AllianceData:
    """What member resolution reads: node labels, memberships, participations, PART_OF and event dates.

    Built from the contract's tables (``nodes``, ``memberships``, ``participations``,
    ``organisations``, ``events``) by :meth:`from_tables`.
    """

    labels: Mapping[str, str]
    memberships: pd.DataFrame
    participations: pd.DataFrame
    parents: Mapping[str, tuple[str, ...]]
    event_starts: Mapping[str, dt.date]

    @classmethod
    def from_tables(
        cls,
        nodes: pd.DataFrame,
        memberships: pd.DataFrame,
        participations: pd.DataFrame,
        organisations: pd.DataFrame,
        events: pd.DataFrame,
    ) -> AllianceData:
        parents: dict[str, tuple[str, ...]] = {}
        for org, parent in zip(organisations["id"], organisations["parent"], strict=True):
            if isinstance(parent, str):
                parents[org] = (*parents.get(org, ()), parent)
        return cls(
            dict(zip(nodes["id"], nodes["label"], strict=True)),
            memberships,
            participations,
            parents,
            dict(zip(events["id"], events["start"], strict=True)),
        )

    def alliance_ids(self) -> list[str]:
        """Ids that can define an alliance: organisations and events."""
        return sorted(n for n, label in self.labels.items() if label in ("Organisation", "Event"))


def membership_active(since: object, until: object, as_of: dt.date) -> bool:
    """Active on ``as_of`` if since <= as_of <= until; ``until`` is the last day of membership.

    The graph stores a partial source date as the first day of its period for ``since`` and the last
    day for ``until`` (``minerals_kg.model.graph_date``): since "2024-03" is 1 March, until "2026-06"
    is 30 June. An empty date is open-ended. The Cypher fragment ``members`` compares the same dates.

    >>> d = dt.date
    >>> membership_active(d(2024, 3, 1), d(2026, 6, 30), d(2026, 6, 30)), membership_active(d(2024, 3, 1), None, d(2024, 2, 29))
    (True, False)
    >>> membership_active("2024-03", "2026-06", d(2026, 6, 30))   # source text widens the same way
    True
    """
    if isinstance(since, str):
        since = period_start(since)
    if isinstance(until, str):
        until = period_end(until)
    if isinstance(since, dt.date) and since > as_of:
        return False
    return not (isinstance(until, dt.date) and until < as_of)


def resolve_members(
    data: AllianceData,
    alliance: str,
    *,
    as_of: dt.date | None = None,
    include_host: bool = True,
    expand_organisations: bool = True,
) -> AllianceMembers:
    """Countries of an organisation or event id, as of a date.

    Parameters
    ----------
    data : AllianceData
        Memberships, participations, PART_OF links and event dates.
    alliance : str
        An organisation id (``msp``, ``g7``) or an event id (``ministerial_2026``).
    as_of : date, optional
        Membership date; default the event's date for events, today for organisations.
    include_host : bool
        Count an event's host (the US hosted the 2026 ministerial and is not among its 55 delegations).
    expand_organisations : bool
        Let a member organisation stand for its own members, to any depth.

    Returns
    -------
    AllianceMembers
        The member countries and, for each, the path it came through.

    Raises
    ------
    InvalidArgument
        If ``alliance`` is not an organisation or event id.

    Notes
    -----
    - An **organisation**'s members are its ``MEMBER_OF`` relationships active on ``as_of`` with an
      active role (:data:`ACTIVE_ROLES`) that no source contests (``contested`` rows never count).
    - A member that is itself an organisation (the European Commission, the EU in the G7) stands for
      its own members when ``expand_organisations`` is true, recursively; a body that acts for another
      (``PART_OF``: the Commission for the EU) stands for that one's members. Otherwise it adds no
      country. The Cypher library resolves members with the same rule and depth.
    """
    label = data.labels.get(alliance)
    if label not in ("Organisation", "Event"):
        raise InvalidArgument("alliance", "an organisation or event id", repr(alliance))
    if as_of is None:
        as_of = data.event_starts[alliance] if label == "Event" else dt.date.today()
    memberships = data.memberships
    by_org = {org: rows for org, rows in memberships.groupby("organisation")} if len(memberships) else {}  # noqa: C416
    via: dict[str, str] = {}

    def org_members(org: str, path: str, seen: frozenset[str]) -> None:
        if org in seen:
            return
        seen = seen | {org}
        for parent in data.parents.get(org, ()):
            org_members(parent, f"{path}>{parent}", seen)
        rows = by_org.get(org)
        if rows is None:
            return
        for row in rows.itertuples(index=False):
            contested = row.contested is not pd.NA and bool(row.contested)
            if row.role not in ACTIVE_ROLES or contested or not membership_active(row.since, row.until, as_of):
                continue
            if row.member_label == "Country":
                via.setdefault(row.member, path)
            elif expand_organisations:
                org_members(row.member, f"{path}>{row.member}", seen)

    if label == "Event":
        parts = data.participations
        for row in parts[parts["event"] == alliance].itertuples(index=False):
            if row.role == "host" and not include_host:
                continue
            if row.participant_label == "Country":
                via.setdefault(row.participant, row.role)
            elif expand_organisations:
                org_members(row.participant, row.participant, frozenset())
    else:
        org_members(alliance, alliance, frozenset())
    return AllianceMembers(alliance, as_of, frozenset(via), via)


def coverage(
    current: pd.DataFrame, members: frozenset[str] | set[str], *, benchmark: float = CRMA_SINGLE_COUNTRY_BENCHMARK
) -> pd.DataFrame:
    """Stage coverage of an alliance for every (mineral, stage) group of ``current``.

    Parameters
    ----------
    current : DataFrame
        A concentration table, one group per mineral and stage (see
        :func:`~minerals_kg.analysis.concentration.current_groups`); its ``shares`` are what the
        alliance's countries add up.
    members : set of str
        ISO-3 codes of the member countries.
    benchmark : float
        The single-outsider share above which ``exceeds_benchmark`` is true (default the CRMA's 65 %).

    Returns
    -------
    DataFrame
        A :data:`COVERAGE` table. Withheld values of members (USGS "W") cannot be counted, so
        ``coverage`` is then a lower bound and ``withheld_members`` names them.

    References
    ----------
    Regulation (EU) 2024/1252 (Critical Raw Materials Act), Art. 5(1)(b).

    Examples
    --------
    >>> conc = pd.DataFrame([dict(mineral="x", stage="mining", year=2024, edition="E",
    ...     shares={"CHN": 0.6, "AUS": 0.3, "USA": 0.05}, withheld=[])])
    >>> row = coverage(conc, {"AUS", "USA"}).iloc[0]
    >>> round(float(row.coverage), 2), round(float(row.coverage_ex_china), 3), row.max_outsider
    (0.35, 0.875, 'CHN')
    """
    rows = []
    for g in current.to_dict("records"):
        shares: dict[str, float] = g["shares"]
        cov = sum(s for c, s in shares.items() if c in members)
        china = shares.get(CHINA, 0.0)
        ex_china = (
            (sum(s for c, s in shares.items() if c in members and c != CHINA) / (1 - china)) if china < 1 else 0.0
        )
        outsiders = sorted(((s, c) for c, s in shares.items() if c not in members), key=lambda t: (-t[0], t[1]))
        out_share, outsider = outsiders[0] if outsiders else (0.0, None)
        unattributed = max(0.0, 1.0 - sum(shares.values()))
        rows.append(
            {
                "mineral": g["mineral"],
                "stage": g["stage"],
                "year": g["year"],
                "edition": g["edition"],
                "coverage": cov,
                "coverage_upper": min(1.0, cov + unattributed),
                "unattributed_share": unattributed,
                "coverage_ex_china": ex_china,
                "max_outsider": outsider,
                "max_outsider_share": out_share,
                "exceeds_benchmark": out_share > benchmark,
                "members_producing": sorted(c for c in shares if c in members),
                "withheld_members": sorted(c for c in (g.get("withheld") or []) if c in members),
            }
        )
    return COVERAGE.conform(rows)


def chain_coverage(cov: pd.DataFrame) -> pd.DataFrame:
    """Per mineral, the weakest stage's coverage (the chain is only as covered as that stage).

    Returns a :data:`CHAIN_COVERAGE` table, weakest chain first; ``chain_coverage_upper`` is the
    weakest stage when unattributed output is counted for the members.

    Examples
    --------
    >>> cov = pd.DataFrame([dict(mineral="x", stage="mining", coverage=0.4, coverage_upper=0.5),
    ...                     dict(mineral="x", stage="refining", coverage=0.1, coverage_upper=0.1)])
    >>> chain_coverage(cov)[["mineral", "chain_coverage", "weakest_stage"]].to_dict("records")
    [{'mineral': 'x', 'chain_coverage': 0.1, 'weakest_stage': 'refining'}]
    """
    if cov.empty:
        return CHAIN_COVERAGE.conform([])
    idx = cov.groupby("mineral")["coverage"].idxmin()
    weakest = cov.loc[idx, ["mineral", "coverage", "stage"]].rename(
        columns={"coverage": "chain_coverage", "stage": "weakest_stage"}
    )
    upper = cov.groupby("mineral")["coverage_upper"].min()
    weakest["chain_coverage_upper"] = weakest["mineral"].map(upper)
    weakest["stages"] = weakest["mineral"].map(cov.groupby("mineral")["stage"].apply(sorted))
    return CHAIN_COVERAGE.conform(weakest.sort_values(["chain_coverage", "mineral"]))
