"""Control attribution: production by the country that controls it, following firm ownership.

A firm's output (or a facility's, split by its owners' shares) counts for its **controlling
country**: the government that holds a majority of it, or the controlling country of a firm that
holds a majority of it, else the country of its headquarters. The rest of a country's output stays
with the host. Only firm quantities that match a production group (same mineral, stage, year and
unit, and a basis naming the same content) are moved; everything else is host-attributed, so a
country's control share is a lower bound where firm data is missing.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from ..countries import OTHER_COUNTRIES, WORLD
from ..world_shares import basis_compatible, in_unit, quantity_in_group

__all__ = ["attribute_control", "basis_compatible", "controlling_country", "in_unit", "quantity_in_group"]


def controlling_country(
    entity: str,
    firms: dict[str, str],
    owners: dict[str, list[tuple[str, float | None]]],
    _seen: frozenset[str] = frozenset(),
) -> str | None:
    """ISO-3 of the controller of a firm or facility id (or the id itself when it is a country)."""
    if len(entity) == 3 and entity.isupper():
        return entity
    if entity in _seen:
        return firms.get(entity)
    majority = [(o, s) for o, s in owners.get(entity, []) if s is not None and s > 0.5]
    if majority:
        return controlling_country(majority[0][0], firms, owners, _seen | {entity})
    return firms.get(entity)


def attribute_control(
    production: pd.DataFrame,
    activities: pd.DataFrame,
    firms: pd.DataFrame,
    ownership: pd.DataFrame,
    facilities: pd.DataFrame,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A production table re-attributed to controlling countries, and the moves made (for the record).

    ``production`` has the projection's columns; ``activities`` firm, mineral, stage, country,
    facility, year, quantity, unit, basis, source; ``firms`` id, hq; ``ownership`` owner, owned,
    share; ``facilities`` id, operator.
    """
    hq = dict(zip(firms["id"], firms["hq"]))
    owners: dict[str, list[tuple[str, float | None]]] = {}
    for r in ownership.itertuples():
        owners.setdefault(r.owned, []).append((r.owner, None if pd.isna(r.share) else float(r.share)))
    for k in owners:
        owners[k].sort(key=lambda t: -(t[1] or 0))
    operator = dict(zip(facilities["id"], facilities["operator"]))
    out = production.copy()
    moves = []
    groups = out[(out["country_label"] == "Country") & out["quantity"].notna()]
    for act in activities.dropna(subset=["quantity", "year"]).itertuples():
        match = groups[
            (groups["mineral"] == act.mineral)
            & (groups["stage"] == act.stage)
            & (groups["year"] == int(act.year))
            & (groups["country"] == act.country)
        ]
        for idx, host in match.iterrows():
            quantity = quantity_in_group(
                act.quantity,
                act.unit,
                act.year,
                act.basis,
                group_year=host["year"],
                group_unit=host["unit"],
                group_basis=host["basis"],
            )
            if quantity is None:
                continue
            # who controls the output: the facility's owners by share, else the firm
            shares = owners.get(act.facility, []) if isinstance(act.facility, str) else []
            known = [(o, s) for o, s in shares if s is not None]
            parts = (
                [(controlling_country(o, hq, owners), s) for o, s in known]
                if known
                else [(controlling_country(act.firm, hq, owners), 1.0)]
            )
            rest = 1.0 - sum(s for _, s in parts)
            if known and rest > 1e-9:
                parts.append((controlling_country(operator.get(act.facility) or act.firm, hq, owners), rest))
            for controller, share in parts:
                if controller is None or controller == host["country"]:
                    continue
                moved = min(quantity * share, float(out.at[idx, "quantity"]))
                out.at[idx, "quantity"] -= moved
                extra = host.copy()
                extra["country"], extra["quantity"] = controller, moved
                out = pd.concat([out, extra.to_frame().T], ignore_index=True)
                moves.append(
                    {
                        "mineral": act.mineral,
                        "stage": act.stage,
                        "year": int(act.year),
                        "edition": host["edition"],
                        "host": host["country"],
                        "controller": controller,
                        "firm": act.firm,
                        "facility": act.facility,
                        "quantity": moved,
                        "unit": host["unit"],
                        "source": act.source,
                    }
                )
    # merge the rows of a controller that already produced in the same group
    keys = ["mineral", "stage", "year", "edition", "country"]
    agg: dict[str, Any] = {c: "first" for c in out.columns if c not in [*keys, "quantity"]}
    agg["quantity"] = lambda s: s.sum(min_count=1)
    countries = out[~out["country"].isin([WORLD, OTHER_COUNTRIES])]
    aggregates = out[out["country"].isin([WORLD, OTHER_COUNTRIES])]
    merged = countries.groupby(keys, dropna=False, sort=False).agg(agg).reset_index()
    result = pd.concat([merged, aggregates], ignore_index=True)[production.columns]
    result["year"] = result["year"].astype("Int64")
    return result, pd.DataFrame(
        moves,
        columns=[
            "mineral",
            "stage",
            "year",
            "edition",
            "host",
            "controller",
            "firm",
            "facility",
            "quantity",
            "unit",
            "source",
        ],
    )
