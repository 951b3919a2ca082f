"""Exposure of an importer: its direct suppliers, where their material ultimately comes from, how
much depends on China directly and through third countries, and what is unknown.

Pure functions over the contract's ``imports``, ``import_reliance`` and ``production`` tables; the
chain that follows suppliers upstream is :mod:`minerals_kg.analysis.flows` (method, assumptions and
references there and in the README).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd

from ..contract import Dtype, Table, make_table
from ..errors import InvalidArgument
from .coverage import CHINA, CRMA_SINGLE_COUNTRY_BENCHMARK
from .flows import Chain, ImportGroup, choose_group, follow, hitting, import_groups, route_shares

__all__ = [
    "EXPOSURE_ORIGINS",
    "EXPOSURE_ROUTES",
    "EXPOSURE_SUMMARY",
    "EXPOSURE_SUPPLIERS",
    "IMPORT_COVERAGE",
    "Exposure",
    "exposure",
    "import_coverage",
    "importer_chain",
]

# the import group a row describes (importer, mineral, stage, form, years, edition, source)
GROUP_COLUMNS: tuple[tuple[str, Dtype], ...] = (
    ("importer", "object"),
    ("mineral", "object"),
    ("stage", "object"),
    ("form", "object"),
    ("year_from", "Int64"),
    ("year_to", "Int64"),
    ("edition", "object"),
    ("source", "object"),
)
EXPOSURE_SUMMARY: Table = make_table(
    "exposure_summary",
    "One row: the importer's group and its dependence on China, direct and through third countries.",
    *GROUP_COLUMNS,
    ("share_basis", "object", "imports (of the importer's imports) or sourcing (of its supply)"),
    ("share_from", "object", "printed, value_usd or quantity"),
    ("china_direct", "float64", "share bought from China itself"),
    ("china_indirect", "float64", "share that passes through or originates in China via other suppliers"),
    ("china_total", "float64", "china_direct + china_indirect"),
    ("china_upper", "float64", "china_total plus every unknown part that does not pass China (if all were Chinese)"),
    ("origin_share", "float64", "share whose origin is known (a country's own output, from its mix)"),
    ("assumed_origin_share", "float64", "share ending at producers without a usable mix (taken as origins)"),
    ("unknown_share", "float64", "unknown_other + unknown_missing + unknown_supplier + unknown_cycle"),
    ("unknown_other", "float64", "the sources' 'other countries'"),
    ("unknown_missing", "float64", "what a group leaves unattributed"),
    ("unknown_supplier", "float64", "suppliers with neither sourcing nor production data"),
    ("unknown_cycle", "float64", "re-export cycles with no way out"),
    ("suppliers", "Int64", "direct suppliers named (not counting 'other countries')"),
    ("followed", "object", "countries whose own mix was followed, with the group each came from"),
)
EXPOSURE_SUPPLIERS: Table = make_table(
    "exposure_suppliers",
    "The importer's direct suppliers in its group, and what happens to each upstream.",
    ("importer", "object"),
    ("mineral", "object"),
    ("exporter", "object", "ISO-3, or other_countries"),
    ("share", "float64"),
    ("rank", "Int64"),
    ("value_usd", "float64"),
    ("quantity", "float64"),
    ("unit", "object"),
    (
        "upstream",
        "object",
        "followed (its own mix), origin (its own output), assumed_origin, unknown_supplier, unknown_other",
    ),
    ("china_through", "float64", "share of the importer's supply through this supplier that passes or ends in China"),
    ("confidence", "object"),
)
EXPOSURE_ORIGINS: Table = make_table(
    "exposure_origins",
    "Where the importer's supply ends upstream: origins and the unknown parts; shares sum to 1.",
    ("importer", "object"),
    ("mineral", "object"),
    ("origin", "object", "ISO-3, or empty for unknown_other/missing/cycle"),
    ("kind", "object", "origin, assumed_origin, unknown_supplier, unknown_other, unknown_missing, unknown_cycle"),
    ("share", "float64"),
    ("direct_share", "float64", "the part bought directly from that country"),
)
EXPOSURE_ROUTES: Table = make_table(
    "exposure_routes",
    "The routes the supply takes (origin first, importer last) and their shares.",
    ("importer", "object"),
    ("mineral", "object"),
    ("route", "object", "countries, origin first"),
    ("kind", "object"),
    ("share", "float64"),
    ("through_china", "boolean"),
)
IMPORT_COVERAGE: Table = make_table(
    "import_coverage",
    "Per mineral: the share of a member's imports that comes from inside the alliance.",
    *GROUP_COLUMNS,
    ("share_basis", "object"),
    ("from_members", "float64", "bought directly from member countries"),
    ("from_outside", "float64", "bought directly from named non-members"),
    ("unattributed", "float64", "'other countries' and what the group leaves unattributed"),
    ("origin_in_alliance", "float64", "ultimately originating in member countries (known origins)"),
    ("origin_outside", "float64", "ultimately originating outside (known and assumed origins)"),
    ("origin_unknown", "float64"),
    ("largest_outsider", "object"),
    ("largest_outsider_share", "float64"),
    ("exceeds_benchmark", "boolean", "largest_outsider_share above the CRMA 65 % benchmark"),
    ("members_supplying", "object"),
)


@dataclass(frozen=True)
class Exposure:
    """The tables of one exposure calculation (each a declared table) and the solved chain."""

    summary: pd.DataFrame
    suppliers: pd.DataFrame
    origins: pd.DataFrame
    routes: pd.DataFrame
    chain: Chain

    def to_dict(self) -> dict:
        import json

        def records(df: pd.DataFrame) -> list[dict]:
            return json.loads(df.to_json(orient="records"))

        return {
            "summary": records(self.summary)[0],
            "suppliers": records(self.suppliers),
            "origins": records(self.origins),
            "routes": records(self.routes),
        }


def importer_chain(
    imports: pd.DataFrame,
    import_reliance: pd.DataFrame,
    production: pd.DataFrame,
    *,
    importer: str,
    mineral: str,
    members_of: Mapping[str, frozenset[str]] | None = None,
    stage: str | None = None,
    form: str | None = None,
    edition: str | None = None,
    year: int | None = None,
    source: str | None = None,
    cut: Mapping[str, frozenset[str]] | None = None,
    groups: list[ImportGroup] | None = None,
) -> Chain:
    """The solved chain of one importer's supply (its group chosen by :func:`~minerals_kg.analysis.flows.choose_group`).

    Raises
    ------
    InvalidArgument
        When the importer has no group with shares for the mineral under the pins given.
    """
    groups = import_groups(imports) if groups is None else groups
    mine = [g for g in groups if g.importer == importer and g.mineral == mineral]
    root = choose_group(mine, importer, mineral, stage=stage, form=form, edition=edition, year=year, source=source)
    if root is None:
        have = sorted(
            {
                f"{g.edition or g.source} {g.stage or 'any stage'} {g.year_from}-{g.year_to}"
                for g in groups
                if g.importer == importer
                and g.mineral == mineral
                and g.share_from
                and g.share_basis in ("imports", "sourcing")
            }
        )
        pins = {"stage": stage, "form": form, "edition": edition, "year": year, "source": source}
        pinned = [(k, v) for k, v in pins.items() if v is not None]
        what = f"a group of {importer}'s {mineral} suppliers with shares" + (
            f" ({len(have)} without the pins: {'; '.join(have[:6])})" if have else " (none in the data)"
        )
        if pinned and have:
            raise InvalidArgument(pinned[0][0], what, repr(pinned[0][1]))
        raise InvalidArgument("importer", what, repr(importer))
    return follow(root, groups, import_reliance=import_reliance, production=production, members_of=members_of, cut=cut)


def exposure(
    imports: pd.DataFrame,
    import_reliance: pd.DataFrame,
    production: pd.DataFrame,
    *,
    importer: str,
    mineral: str,
    members_of: Mapping[str, frozenset[str]] | None = None,
    stage: str | None = None,
    form: str | None = None,
    edition: str | None = None,
    year: int | None = None,
    source: str | None = None,
    china: str = CHINA,
    groups: list[ImportGroup] | None = None,
) -> Exposure:
    """Direct suppliers, ultimate origins, China dependence and unknowns of one importer and mineral.

    Parameters
    ----------
    imports, import_reliance, production : DataFrame
        The contract's tables.
    importer : str
        ISO-3 or an organisation id with import data (``eu``).
    mineral : str
    members_of : mapping, optional
        Organisation -> member countries (their rows in a ``sourcing`` group are domestic supply).
    stage, form, edition, year, source : optional
        Pin the importer's group; by default the one :func:`~minerals_kg.analysis.flows.choose_group`
        picks (latest period, then latest edition).
    china : str
        The country whose direct and indirect share is measured.
    groups : list of ImportGroup, optional
        The groups of ``imports`` (:func:`~minerals_kg.analysis.flows.import_groups`), when already built.

    Returns
    -------
    Exposure
        :data:`EXPOSURE_SUMMARY` (one row), :data:`EXPOSURE_SUPPLIERS`, :data:`EXPOSURE_ORIGINS`
        (shares sum to 1) and :data:`EXPOSURE_ROUTES`.

    References
    ----------
    Kastner, Kastner & Nonhebel (2011), Ecological Economics 70(6), 1032-1040 (proportional
    attribution of re-exports); Leontief (1936) (the inverse (I - A)^-1).

    Examples
    --------
    A hand-made chain: the US buys 60 % from Japan and 40 % from China; Japan makes nothing and
    buys all of its supply from China and Congo (half each); China and Congo produce.

    >>> imports = pd.DataFrame([
    ...     dict(importer=i, exporter=e, mineral="m", year_from=2024, year_to=2024, share=s, source="s",
    ...          share_basis="imports", confidence="official")
    ...     for i, e, s in [("USA", "JPN", 0.6), ("USA", "CHN", 0.4), ("JPN", "CHN", 0.5), ("JPN", "COD", 0.5)]])
    >>> production = pd.DataFrame([dict(mineral="m", country=c, country_label="Country", quantity=1.0, share=None,
    ...                                 value_status="reported") for c in ("CHN", "COD")])
    >>> e = exposure(imports, pd.DataFrame(), production, importer="USA", mineral="m")
    >>> s = e.summary.iloc[0]
    >>> [round(float(s[c]), 2) for c in ("china_direct", "china_indirect", "china_total")]
    [0.4, 0.3, 0.7]
    >>> sorted((o.origin, round(float(o.share), 2)) for o in e.origins.itertuples())
    [('CHN', 0.7), ('COD', 0.3)]
    """
    chain = importer_chain(
        imports,
        import_reliance,
        production,
        importer=importer,
        mineral=mineral,
        members_of=members_of,
        stage=stage,
        form=form,
        edition=edition,
        year=year,
        source=source,
        groups=groups,
    )
    g = chain.group
    direct = dict(g.shares)
    kinds: dict[str, float] = {}
    origin_rows = []
    for state, share in sorted(chain.absorbed.items(), key=lambda kv: -kv[1]):
        kind, _, country = state.partition(":")
        name = {"origin": "origin", "assumed": "assumed_origin"}.get(kind, kind)
        kinds[name] = kinds.get(name, 0.0) + share
        origin_rows.append(
            {
                "importer": importer,
                "mineral": mineral,
                "origin": country or None,
                "kind": name,
                "share": share,
                "direct_share": direct.get(country, 0.0) if country else 0.0,
            }
        )
    china_direct = direct.get(china, 0.0) if importer != china else 0.0
    through = hitting(chain.transitions, lambda st: st.partition(":")[2] == china and not st.startswith("cut:"))
    china_total = through.get(f"node:{importer}", 0.0) if importer != china else 0.0
    china_total = max(china_total, china_direct)
    unknown = sum(kinds.get(k, 0.0) for k in ("unknown_other", "unknown_missing", "unknown_supplier", "unknown_cycle"))
    unknown_not_china = _unknown_outside(chain, china)
    routes = route_shares(chain)
    summary = {
        **g.describe(),
        "mineral": mineral,
        "china_direct": china_direct,
        "china_indirect": china_total - china_direct,
        "china_total": china_total,
        "china_upper": min(1.0, china_total + unknown_not_china),
        "origin_share": kinds.get("origin", 0.0),
        "assumed_origin_share": kinds.get("assumed_origin", 0.0),
        "unknown_share": unknown,
        "unknown_other": kinds.get("unknown_other", 0.0),
        "unknown_missing": kinds.get("unknown_missing", 0.0),
        "unknown_supplier": kinds.get("unknown_supplier", 0.0),
        "unknown_cycle": kinds.get("unknown_cycle", 0.0),
        "suppliers": sum(1 for e in direct if e != "other_countries"),
        "followed": [
            {"country": c, **grp.describe(), "domestic_share": chain.domestic.get(c)}
            for c, grp in sorted(chain.groups.items())
            if c != importer
        ],
    }
    upstream_of = _upstream(chain)
    supplier_rows = []
    for r in sorted(g.rows, key=lambda r: (-(direct.get(r["exporter"]) or 0.0), r["exporter"])):
        e = r["exporter"]
        supplier_rows.append(
            {
                "importer": importer,
                "mineral": mineral,
                "exporter": e,
                "share": direct.get(e),
                "rank": r.get("rank"),
                "value_usd": r.get("value_usd"),
                "quantity": r.get("quantity"),
                "unit": r.get("unit"),
                "upstream": upstream_of.get(e, "unknown_other" if e == "other_countries" else None),
                "china_through": _china_via(chain, e, china, through),
                "confidence": r.get("confidence"),
            }
        )
    route_rows = [
        {
            "importer": importer,
            "mineral": mineral,
            "route": r["route"],
            "kind": r["kind"],
            "share": r["share"],
            "through_china": china in r["route"][:-1] or (importer != china and china in r["route"]),
        }
        for r in routes
    ]
    return Exposure(
        EXPOSURE_SUMMARY.conform([summary]),
        EXPOSURE_SUPPLIERS.conform(supplier_rows),
        EXPOSURE_ORIGINS.conform(origin_rows),
        EXPOSURE_ROUTES.conform(route_rows),
        chain,
    )


def _upstream(chain: Chain) -> dict[str, str]:
    out = {}
    for target in chain.transitions[f"node:{chain.root}"]:
        kind, _, country = target.partition(":")
        if country:
            out[country.split("<")[-1]] = {"node": "followed", "assumed": "assumed_origin"}.get(kind, kind)
    return out


def _china_via(chain: Chain, exporter: str, china: str, through: dict[str, float]) -> float:
    """Share of the importer's supply bought from ``exporter`` that passes or ends in China."""
    root_out = chain.transitions[f"node:{chain.root}"]
    if exporter == china:
        return sum(p for t, p in root_out.items() if t.partition(":")[2] == china)
    return sum(p for t, p in root_out.items() if t == f"node:{exporter}") * through.get(f"node:{exporter}", 0.0)


def _unknown_outside(chain: Chain, china: str) -> float:
    """Share ending in an unknown state without passing China first (the rest of the China upper bound)."""
    h = hitting(
        chain.transitions,
        lambda s: s.startswith("unknown") and not s.endswith(f":{china}"),
        lambda s: s.partition(":")[2] == china,
    )
    return h.get(f"node:{chain.root}", 0.0)


def import_coverage(
    imports: pd.DataFrame,
    import_reliance: pd.DataFrame,
    production: pd.DataFrame,
    *,
    importer: str,
    members: frozenset[str] | set[str],
    minerals: list[str] | None = None,
    members_of: Mapping[str, frozenset[str]] | None = None,
    benchmark: float = CRMA_SINGLE_COUNTRY_BENCHMARK,
) -> pd.DataFrame:
    """Per mineral, the share of an importer's imports that comes from inside an alliance.

    Direct (bought from members) and by ultimate origin (followed upstream as in :func:`exposure`);
    the largest single outside supplier against the EU CRMA 65 % benchmark. One row per mineral
    the importer has a group for.

    Examples
    --------
    >>> imports = pd.DataFrame([
    ...     dict(importer="USA", exporter=e, mineral="m", year_from=2024, year_to=2024, share=s, source="s",
    ...          share_basis="imports", confidence="official") for e, s in [("CAN", 0.5), ("CHN", 0.3)]])
    >>> row = import_coverage(imports, pd.DataFrame(), pd.DataFrame(), importer="USA", members={"CAN", "USA"}).iloc[0]
    >>> [round(float(row[c]), 2) for c in ("from_members", "from_outside", "unattributed")], row.largest_outsider
    ([0.5, 0.3, 0.2], 'CHN')
    """
    groups = import_groups(imports)
    wanted = sorted({g.mineral for g in groups if g.importer == importer}) if minerals is None else minerals
    rows = []
    for mineral in wanted:
        root = choose_group(groups, importer, mineral)
        if root is None:
            continue
        chain = follow(root, groups, import_reliance=import_reliance, production=production, members_of=members_of)
        named = {e: s for e, s in root.shares.items() if e != "other_countries"}
        inside = sum(s for e, s in named.items() if e in members)
        outside = {e: s for e, s in named.items() if e not in members}
        largest = max(sorted(outside.items()), key=lambda kv: kv[1], default=(None, 0.0))
        origin_in = origin_out = origin_unknown = 0.0
        for state, share in chain.absorbed.items():
            kind, _, country = state.partition(":")
            if kind in ("origin", "assumed") and country in members:
                origin_in += share
            elif kind in ("origin", "assumed"):
                origin_out += share
            else:
                origin_unknown += share
        rows.append(
            {
                **root.describe(),
                "mineral": mineral,
                "from_members": inside,
                "from_outside": sum(outside.values()),
                "unattributed": max(0.0, 1.0 - inside - sum(outside.values())),
                "origin_in_alliance": origin_in,
                "origin_outside": origin_out,
                "origin_unknown": origin_unknown,
                "largest_outsider": largest[0],
                "largest_outsider_share": largest[1],
                "exceeds_benchmark": largest[1] > benchmark,
                "members_supplying": sorted(e for e in named if e in members),
            }
        )
    return IMPORT_COVERAGE.conform(rows)
