"""Shares of world output, world totals and the latest group: computed once, from the validated
production records, so every backend carries the same values on every ``PRODUCES`` fact.

A production **group** is one (mineral, stage, year, edition) table of one source. In a group of
quantities, a row's share is its quantity over the world total the source prints (the sum of the
other rows when it prints none), as USGS computes shares; in a group of stated shares (an IEA table)
the stated share is kept. The **latest** group of a (mineral, stage) is its latest year, then its
latest edition (``MCS2026`` after ``MCS2025``), among the groups with a reported country row (a world
total alone has no concentration): the one ``chokepoints``, ``coverage`` and the supply network use. A firm's quantity gets a share of the world total of the latest group it matches (same
mineral, stage and year, a mass unit, a basis naming the same content).

>>> world_total([("world", 100.0), ("CHN", 60.0), ("other_countries", 5.0)])
100.0
>>> world_total([("CHN", 60.0), ("AUS", 30.0)])
90.0
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from .countries import AGGREGATES, WORLD
from .model import TONNES_PER_UNIT, FirmActivity, Production, Unit, ValueStatus

__all__ = [
    "basis_compatible",
    "in_unit",
    "latest_key",
    "production_properties",
    "quantity_in_group",
    "world_total",
]

GroupKey = tuple[str, str, int, str]  # (mineral, stage, year, edition)
INCOMPATIBLE = re.compile(r"carbonate|hydroxide|spodumene|concentrate grade|magnet|NdPr|ferro|oxide \(|blanks", re.I)


def world_total(rows: Iterable[tuple[str, float | None]]) -> float:
    """The denominator of a quantity group: the world row the source prints, else the sum of the rows.

    ``rows`` are (country or aggregate id, quantity) of the group's reported values.
    """
    known = [(c, float(q)) for c, q in rows if q is not None and q == q]  # q == q: not NaN
    printed = [q for c, q in known if c == WORLD]
    return printed[0] if printed else float(sum(q for c, q in known if c != WORLD))


def latest_key(year: int, edition: str) -> tuple[int, str]:
    """What "latest" sorts by: the year, then the edition's name (the newest publication wins a tie)."""
    return (int(year), str(edition))


def in_unit(quantity: float, unit: str | None, target: str | None) -> float | None:
    """A mass converted between kg, t, kt and Mt (exact); None when either unit is not a mass unit.

    >>> in_unit(1500.0, "kg", "t")
    1.5
    """
    if unit is None or target is None:
        return None
    try:
        return quantity * TONNES_PER_UNIT[Unit(unit)] / TONNES_PER_UNIT[Unit(target)]
    except (ValueError, KeyError):
        return None


def basis_compatible(group_basis: str | None, firm_basis: str | None) -> bool:
    """Whether a firm's basis names the content a production group counts ("Co content" ~ "cobalt Co")."""
    if not group_basis or not firm_basis or INCOMPATIBLE.search(firm_basis):
        return False
    token = group_basis.split()[0].lower()  # "Co content" -> "co", "REO equivalent" -> "reo"
    return token in re.findall(r"[a-z]+", firm_basis.lower())


def quantity_in_group(quantity, unit, year, basis, *, group_year, group_unit, group_basis) -> float | None:
    """A firm quantity in the unit of a production group it matches, or None if it does not match.

    It matches when the years are equal, the units are both mass units (converted exactly) and the
    firm's basis names the content the group counts. The one rule for attribution, scenarios and
    the shares firm facts carry.
    """
    if quantity is None or quantity != quantity or year is None or year != year or int(year) != int(group_year):
        return None
    converted = in_unit(float(quantity), unit, group_unit)
    return converted if converted is not None and basis_compatible(group_basis, basis) else None


def _value(x: Any) -> Any:
    return getattr(x, "value", x)


def production_properties(
    production: Sequence[Production], firm_activities: Sequence[FirmActivity] = ()
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The computed properties of every production fact and every firm fact, in their order.

    Production facts get ``share`` (of the world total the source prints; reported values only),
    ``share_stated`` (the source prints the share itself), ``world_total`` (quantity groups) and
    ``latest`` (the fact belongs to the latest group of its mineral and stage). Firm facts with a
    quantity that matches a quantity group get ``share``, ``world_total`` (in the firm's unit) and
    ``share_edition`` (whose world total it is).

    Examples
    --------
    >>> rows = [Production(mineral="x", stage="mining", country=c, year=2024, edition="E", quantity=q,
    ...                    unit="t", source="s", confidence="official")
    ...         for c, q in [("CHN", 60), ("AUS", 30), ("world", 100)]]
    >>> [p["share"] for p in production_properties(rows)[0]]
    [0.6, 0.3, 1.0]
    """
    groups: dict[GroupKey, list[int]] = defaultdict(list)
    for i, r in enumerate(production):
        groups[(r.mineral, _value(r.stage), r.year, r.edition)].append(i)
    latest: dict[tuple[str, str], tuple[int, str]] = {}
    for (mineral, stage, year, edition), members in groups.items():
        has_country = any(
            production[i].country not in AGGREGATES and production[i].value_status is ValueStatus.REPORTED
            for i in members
        )
        order = latest_key(year, edition)
        if has_country and order > latest.get((mineral, stage), (-1, "")):
            latest[(mineral, stage)] = order
    props: list[dict[str, Any]] = [{} for _ in production]
    totals: dict[GroupKey, tuple[float, str | None, str | None]] = {}  # quantity groups: (W, unit, basis)
    for key, members in groups.items():
        reported = [i for i in members if production[i].value_status is ValueStatus.REPORTED]
        stated = any(production[i].share is not None for i in reported)
        total = None if stated else world_total((production[i].country, production[i].quantity) for i in reported)
        if total is not None:
            first = production[reported[0]] if reported else production[members[0]]
            totals[key] = (total, _value(first.unit), first.basis)
        is_latest = latest_key(key[2], key[3]) == latest.get((key[0], key[1]))
        for i in members:
            r = production[i]
            share: float | None = None
            if r.value_status is ValueStatus.REPORTED:
                if stated:
                    share = r.share
                elif r.quantity is not None and total is not None:
                    share = float(r.quantity) / total if total else 0.0
            props[i] = {"share": share, "share_stated": stated, "world_total": total, "latest": is_latest}
    firm_props: list[dict[str, Any]] = []
    for act in firm_activities:
        best: tuple[tuple[int, str], dict[str, Any]] | None = None
        for (mineral, stage, year, edition), (total, unit, basis) in totals.items():
            if (mineral, stage) != (act.mineral, _value(act.stage)) or not total:
                continue
            converted = quantity_in_group(
                act.quantity,
                _value(act.unit),
                act.year,
                act.basis,
                group_year=year,
                group_unit=unit,
                group_basis=basis,
            )
            if converted is None:
                continue
            found = {
                "share": converted / total,
                "world_total": in_unit(total, unit, _value(act.unit)),
                "share_edition": edition,
            }
            if best is None or latest_key(year, edition) > best[0]:
                best = (latest_key(year, edition), found)
        firm_props.append(best[1] if best else {})
    return props, firm_props
