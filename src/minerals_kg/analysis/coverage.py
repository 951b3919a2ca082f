"""Alliance coverage: how much of each mineral, stage by stage, an alliance's members supply.

Definitions (docs/methods, "alliance coverage"; not an existing standard):

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
import difflib
from dataclasses import dataclass, field

import pandas as pd

from ..errors import MineralsKGError
from ..model import period_end, period_start

CHINA = "CHN"
CRMA_SINGLE_COUNTRY_BENCHMARK = 0.65
ACTIVE_ROLES = {"member", "founding_member", "chair", "signatory"}


class UnknownAlliance(MineralsKGError):
    pass


@dataclass(frozen=True)
class AllianceMembers:
    """The member countries of an alliance as of a date, and how each one got in."""

    alliance: str
    as_of: dt.date
    countries: frozenset[str]
    via: dict[str, str] = field(default_factory=dict)  # country -> "delegation", "host", "eu", ...


def _active(row: pd.Series, as_of: dt.date) -> bool:
    """Active on ``as_of`` if since <= as_of <= until; ``until`` is the last day of membership.

    Partial dates widen to their period: since "2024-03" starts on 1 March, until "2026-06" runs
    to 30 June. An empty date is open-ended.
    """
    since, until = row.get("since"), row.get("until")
    if isinstance(since, str) and period_start(since) > as_of:
        return False
    return not (isinstance(until, str) and period_end(until) < as_of)


def resolve_members(
    projection,  # graph.Projection or neo4j store: node_label, memberships, participations, parts_of
    alliance: str,
    *,
    as_of: dt.date | str | None = None,
    include_host: bool = True,
    expand_organisations: bool = True,
) -> AllianceMembers:
    """Countries of an organisation or event id, as of a date.

    - An **organisation**'s members are its ``MEMBER_OF`` relationships active on ``as_of`` with an
      active role (member, founding member, chair, signatory; not observers or guests).
    - An **event**'s members are its participants; the host counts only with ``include_host``
      (the US hosted the 2026 ministerial and is not among its 55 listed delegations).
    - A member that is itself an organisation (the European Commission, the EU in the G7) stands
      for its own members when ``expand_organisations`` is true; a body that acts for another
      (``PART_OF``: the Commission for the EU) stands for that one's members. Otherwise it adds no
      country.
    - ``as_of`` defaults to the event's date for events and to today for organisations.
    """
    label = projection.node_label(alliance)
    if label not in ("Organisation", "Event"):
        known = projection.alliance_ids()
        near = difflib.get_close_matches(alliance, known, n=3)
        hint = f"; did you mean {', '.join(near)}?" if near else ""
        raise UnknownAlliance(f"alliance: expected an organisation or event id, got {alliance!r}{hint}")
    if isinstance(as_of, str):
        as_of = period_start(as_of)
    if as_of is None:
        as_of = period_start(projection.event_date(alliance)) if label == "Event" else dt.date.today()

    memberships = projection.memberships()
    via: dict[str, str] = {}

    def org_members(org: str, path: str, seen: frozenset[str]) -> None:
        if org in seen:
            return
        seen = seen | {org}
        for parent in projection.parts_of(org):
            org_members(parent, f"{path}>{parent}", seen)
        rows = memberships[memberships["organisation"] == org]
        for _, row in rows.iterrows():
            if row["role"] not in ACTIVE_ROLES or not _active(row, as_of):
                continue
            if row["member_label"] == "Country":
                via.setdefault(row["member"], path)
            elif expand_organisations:
                org_members(row["member"], f"{path}>{row['member']}", seen)

    if label == "Event":
        parts = projection.participations()
        for _, row in parts[parts["event"] == alliance].iterrows():
            if row["role"] == "host" and not include_host:
                continue
            if row["participant_label"] == "Country":
                via.setdefault(row["participant"], row["role"])
            elif expand_organisations:
                org_members(row["participant"], row["participant"], frozenset())
    else:
        org_members(alliance, alliance, frozenset())
    return AllianceMembers(alliance, as_of, frozenset(via), via)


def coverage(current: pd.DataFrame, members: frozenset[str] | set[str], *,
             benchmark: float = CRMA_SINGLE_COUNTRY_BENCHMARK) -> pd.DataFrame:
    """Stage coverage of an alliance for every (mineral, stage) group of ``current``.

    ``current`` is a concentration table (one group per mineral and stage, see
    :func:`~minerals_kg.analysis.concentration.current_groups`); its ``shares`` are what the
    alliance's countries add up. Withheld values of members (USGS "W") cannot be counted, so
    ``coverage`` is then a lower bound and ``withheld_members`` names them.

    Examples
    --------
    >>> conc = pd.DataFrame([dict(mineral="x", stage="mining", year=2024, edition="E",
    ...     shares={"CHN": 0.6, "AUS": 0.3, "USA": 0.05}, withheld=[])])
    >>> row = coverage(conc, {"AUS", "USA"}).iloc[0]
    >>> round(row.coverage, 2), round(row.coverage_ex_china, 3), row.max_outsider
    (0.35, 0.875, 'CHN')
    """
    rows = []
    for _, g in current.iterrows():
        shares: dict[str, float] = g["shares"]
        cov = sum(s for c, s in shares.items() if c in members)
        china = shares.get(CHINA, 0.0)
        ex_china = (sum(s for c, s in shares.items() if c in members and c != CHINA) / (1 - china)) if china < 1 else 0.0
        outsiders = sorted(((s, c) for c, s in shares.items() if c not in members), key=lambda t: (-t[0], t[1]))
        out_share, outsider = outsiders[0] if outsiders else (0.0, None)
        unattributed = max(0.0, 1.0 - sum(shares.values()))
        rows.append({
            "mineral": g["mineral"], "stage": g["stage"], "year": int(g["year"]), "edition": g["edition"],
            "coverage": cov,
            "coverage_upper": min(1.0, cov + unattributed),
            "unattributed_share": unattributed,
            "coverage_ex_china": ex_china,
            "max_outsider": outsider,
            "max_outsider_share": out_share,
            "exceeds_benchmark": out_share > benchmark,
            "members_producing": sorted(c for c in shares if c in members),
            "withheld_members": sorted(c for c in g.get("withheld", []) if c in members),
        })
    return pd.DataFrame(rows, columns=[
        "mineral", "stage", "year", "edition", "coverage", "coverage_upper", "unattributed_share",
        "coverage_ex_china", "max_outsider", "max_outsider_share", "exceeds_benchmark", "members_producing",
        "withheld_members",
    ])


def chain_coverage(cov: pd.DataFrame) -> pd.DataFrame:
    """Per mineral, the weakest stage's coverage (the chain is only as covered as that stage), and
    its upper bound (the weakest stage when unattributed output is counted for the members)."""
    columns = ["mineral", "chain_coverage", "chain_coverage_upper", "weakest_stage", "stages"]
    if cov.empty:
        return pd.DataFrame(columns=columns)
    idx = cov.groupby("mineral")["coverage"].idxmin()
    weakest = cov.loc[idx, ["mineral", "coverage", "stage"]].rename(
        columns={"coverage": "chain_coverage", "stage": "weakest_stage"})
    upper = cov.groupby("mineral")["coverage_upper"].min() if "coverage_upper" in cov else cov.groupby("mineral")["coverage"].min()
    weakest["chain_coverage_upper"] = weakest["mineral"].map(upper)
    weakest["stages"] = weakest["mineral"].map(cov.groupby("mineral")["stage"].apply(lambda s: sorted(s)))
    return weakest[columns].sort_values("chain_coverage").reset_index(drop=True)
