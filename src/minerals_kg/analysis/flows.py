"""Import flows as a chain of supply: which group of shares each country's supply mix comes from,
and the absorbing Markov chain that follows every supplier back to where the material originates.

One **group** is one source's table of an importer's suppliers: (importer, mineral, stage, form,
period, edition, source, share basis). A calculation never mixes groups within a country: each
country's mix is exactly one group (:func:`choose_group`). Shares are the printed ones; a group of
trade-file flows (values and tonnages, no printed share) gets its shares from value, else from
quantity in one unit (``share_from``).

**The chain** (:func:`follow`): the importer's supply is split over its suppliers by its group's
shares; each supplier passes its part on in proportion to its own supply mix, so the material is
followed upstream until it reaches where it was produced. This is the proportional trade-attribution
of Kastner, Kastner & Nonhebel (2011), the Leontief inverse of an input-output table (Leontief 1936)
applied to one material; as an absorbing Markov chain the origin shares are ``B = (I - Q)^-1 R``.
A supplier's mix is used when the data give its domestic share: an ``imports``-basis group plus its
net import reliance (domestic = 1 - reliance), a ``sourcing``-basis group (which already counts
domestic supply), or a country that produces none of the mineral (domestic = 0). Everything else
ends explicitly: a producer without a usable mix is taken as the origin of what it exports
(``assumed_origin``); a supplier that neither produces nor has a mix is ``unknown_supplier``; the
source's residual ("other countries") is ``unknown_other``; what a group leaves unattributed is
``unknown_missing``; a re-export cycle with no way out is ``unknown_cycle``. Origin shares and the
unknown parts always sum to 1.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd

from ..countries import OTHER_COUNTRIES

__all__ = [
    "GROUP_KEY",
    "MIX_BASES",
    "Chain",
    "ImportGroup",
    "choose_group",
    "flow_network",
    "follow",
    "import_groups",
    "route_shares",
]

GROUP_KEY = ["importer", "mineral", "stage", "form", "year_from", "year_to", "edition", "source", "share_basis"]
MIX_BASES = ("imports", "sourcing")
"""Share bases that describe a country's own supply mix. ``exports`` (of the exporter's exports) and
``production`` (of the exporter's output) describe the other side of a flow and are never a mix."""
STAGE_ORDER = ["mining", "processing", "refining", "metal_production", "component_manufacturing"]
UNKNOWN_KINDS = ("unknown_other", "unknown_missing", "unknown_supplier", "unknown_cycle")
CONFIDENCE_RANK = {"official": 0, "secondary": 1, "press": 2, "estimate": 3, "uncertain": 4}


@dataclass(frozen=True)
class ImportGroup:
    """One source's table of an importer's suppliers of a mineral (see the module docstring)."""

    importer: str
    mineral: str
    stage: str | None
    form: str | None
    year_from: int
    year_to: int
    edition: str | None
    source: str
    share_basis: str
    confidence: str
    share_from: str | None  # printed, value_usd, quantity; None: no shares (a ranking only)
    shares: dict[str, float] = field(default_factory=dict)
    rows: tuple[dict[str, Any], ...] = ()

    @property
    def total(self) -> float:
        return sum(self.shares.values())

    def describe(self) -> dict[str, Any]:
        return {
            "importer": self.importer,
            "stage": self.stage,
            "form": self.form,
            "year_from": self.year_from,
            "year_to": self.year_to,
            "edition": self.edition,
            "source": self.source,
            "share_basis": self.share_basis,
            "share_from": self.share_from,
        }


def _none(value: Any) -> Any:
    return None if value is None or value is pd.NA or (isinstance(value, float) and value != value) else value


TRADE_FILE_BASES = ("BACI reconciled", "Comtrade ")
"""How the trade-file loaders start a flow's ``basis``: their groups list every partner of the file."""


def _complete(records: list[dict[str, Any]]) -> bool:
    """Whether values or quantities of a group can be read as shares: a loaded trade file lists every
    partner; a curated table does only when it carries the source's residual (other countries)."""
    if all(str(r.get("basis") or "").startswith(TRADE_FILE_BASES) for r in records):
        return True
    return any(r.get("exporter") == OTHER_COUNTRIES for r in records)


def import_groups(imports: pd.DataFrame) -> list[ImportGroup]:
    """Every group of the contract's ``imports`` table, with its shares.

    Printed shares are used as printed. Without them, values (else quantities in one unit) become
    shares only when the group is complete: a trade file's flows, or a curated table with its
    "other countries" row; otherwise the group is a ranking and is not used as a mix.

    >>> t = pd.DataFrame([dict(importer="A", exporter="B", mineral="m", year_from=2024, year_to=2024, source="s",
    ...                        share_basis="imports", confidence="official", value_usd=30.0, basis="Comtrade M"),
    ...                   dict(importer="A", exporter="C", mineral="m", year_from=2024, year_to=2024, source="s",
    ...                        share_basis="imports", confidence="official", value_usd=10.0, basis="Comtrade M")])
    >>> g = import_groups(t)[0]
    >>> g.share_from, g.shares
    ('value_usd', {'B': 0.75, 'C': 0.25})
    """
    out: list[ImportGroup] = []
    if imports.empty:
        return out
    by_key: dict[tuple, list[dict[str, Any]]] = {}
    for raw in imports.to_dict("records"):
        record = {k: _none(v) for k, v in raw.items()}
        by_key.setdefault(tuple(record.get(c) for c in GROUP_KEY), []).append(record)
    for key in sorted(by_key, key=lambda k: tuple("" if v is None else str(v) for v in k)):
        records = by_key[key]
        importer, mineral, stage, form, year_from, year_to, edition, source, basis = key
        shares: dict[str, float] = {}
        share_from: str | None = None
        if any(r.get("share") is not None for r in records):
            share_from = "printed"
            for r in records:
                if r.get("share") is not None:
                    shares[r["exporter"]] = shares.get(r["exporter"], 0.0) + float(r["share"])
        elif not _complete(records):
            pass  # quantities or values of a few named suppliers: a ranking, not a share table
        elif all(r.get("value_usd") is not None for r in records) and sum(r["value_usd"] for r in records) > 0:
            share_from = "value_usd"
            total = sum(float(r["value_usd"]) for r in records)
            for r in records:
                shares[r["exporter"]] = shares.get(r["exporter"], 0.0) + float(r["value_usd"]) / total
        elif (
            all(r.get("quantity") is not None for r in records)
            and len({r.get("unit") for r in records}) == 1
            and sum(r["quantity"] for r in records) > 0
        ):
            share_from = "quantity"
            total = sum(float(r["quantity"]) for r in records)
            for r in records:
                shares[r["exporter"]] = shares.get(r["exporter"], 0.0) + float(r["quantity"]) / total
        confidence = max(
            (str(r.get("confidence") or "uncertain") for r in records), key=lambda c: CONFIDENCE_RANK.get(c, 9)
        )
        out.append(
            ImportGroup(
                importer=importer,
                mineral=mineral,
                stage=stage,
                form=form,
                year_from=int(year_from),
                year_to=int(year_to),
                edition=edition,
                source=source,
                share_basis=basis or "imports",
                confidence=confidence,
                share_from=share_from,
                shares=shares,
                rows=tuple(records),
            )
        )
    return out


def choose_group(
    groups: Iterable[ImportGroup],
    importer: str,
    mineral: str,
    *,
    stage: str | None = None,
    form: str | None = None,
    edition: str | None = None,
    year: int | None = None,
    source: str | None = None,
    not_after: int | None = None,
    prefer_stage: str | None = None,
) -> ImportGroup | None:
    """The one group a country's mix comes from, or None.

    Candidates: the country's groups for the mineral with shares and a mix basis (imports,
    sourcing), narrowed by the pins given (``stage``, ``form``, ``edition``, ``year`` inside the
    period, ``source``) and, for a supplier, starting no later than the importer's period ends
    (``not_after``). Then, in order: not ``uncertain``; the latest period end; ``prefer_stage``
    (a supplier's group at the importer's stage, else the nearest stage upstream); the latest
    edition; the most complete (largest share attributed); the source id.
    """
    found = [
        g
        for g in groups
        if g.importer == importer
        and g.mineral == mineral
        and g.share_from is not None
        and g.share_basis in MIX_BASES
        and (stage is None or g.stage == stage)
        and (form is None or g.form == form)
        and (edition is None or g.edition == edition)
        and (year is None or g.year_from <= year <= g.year_to)
        and (source is None or g.source == source)
        and (not_after is None or g.year_from <= not_after)
    ]
    if not found:
        return None

    def stage_distance(g: ImportGroup) -> int:
        if prefer_stage is None or g.stage is None or prefer_stage not in STAGE_ORDER or g.stage not in STAGE_ORDER:
            return 0 if prefer_stage is None or g.stage == prefer_stage else 5
        d = STAGE_ORDER.index(prefer_stage) - STAGE_ORDER.index(g.stage)
        return d if d >= 0 else 10 - d

    return _best(found, stage_distance)


def _best(found: list[ImportGroup], stage_distance: Callable[[ImportGroup], int]) -> ImportGroup:
    def key(g: ImportGroup) -> tuple:
        return (g.confidence == "uncertain", -g.year_to, stage_distance(g))

    first = min(key(g) for g in found)
    tied = [g for g in found if key(g) == first]
    latest = max((g.edition or "") for g in tied)
    tied = [g for g in tied if (g.edition or "") == latest]
    return sorted(tied, key=lambda g: (-g.total, g.source, g.stage or "", g.form or ""))[0]


# --- the chain ------------------------------------------------------------------------------------


@dataclass
class Chain:
    """The absorbing Markov chain of one importer's supply of one mineral, solved.

    States: ``node:X`` (a country whose mix is followed), ``origin:X`` (X's own output),
    ``assumed:X`` (a producer without a usable mix, taken as the origin), ``unknown_supplier:X``,
    ``unknown_other``, ``unknown_missing``, ``unknown_cycle``, and ``cut:X<Y`` (a flow from Y to X
    that a scenario stops).
    """

    root: str
    mineral: str
    group: ImportGroup
    groups: dict[str, ImportGroup]  # country -> the group its mix comes from
    domestic: dict[str, float]  # country -> domestic share used (0 for the importer: its imports are traced)
    transitions: dict[str, dict[str, float]]
    visits: dict[str, float]  # expected passages through each transient state, per unit of supply
    absorbed: dict[str, float]  # absorbing state -> share of the importer's supply that ends there
    notes: dict[str, str] = field(default_factory=dict)  # country -> why it ends where it ends

    def share_through(self, country: str) -> float:
        """Share of the importer's supply that passes through or originates in ``country`` (after the
        importer itself): its direct and indirect dependence on that country."""
        return _through(self, country)


def _producers(production: pd.DataFrame, mineral: str) -> set[str]:
    if production.empty:
        return set()
    p = production[(production["mineral"] == mineral) & (production["country_label"] == "Country")]
    status = p["value_status"].fillna("reported")
    positive = (p["quantity"].fillna(0) > 0) | (p["share"].fillna(0) > 0) | status.isin(["withheld", "not_available"])
    return set(p.loc[positive, "country"])


def _reliance_index(import_reliance: pd.DataFrame, mineral: str) -> dict[str, list[dict[str, Any]]]:
    """Country -> its usable net import reliance facts for the mineral, oldest year first."""
    if import_reliance.empty:
        return {}
    r = import_reliance[
        (import_reliance["mineral"] == mineral)
        & import_reliance["bound"].isin(["exact", "greater_than", "less_than", "net_exporter"])
    ]
    out: dict[str, list[dict[str, Any]]] = {}
    for row in r.sort_values("year", kind="stable").to_dict("records"):
        out.setdefault(row["importer"], []).append(row)
    return out


def _reliance(facts: list[dict[str, Any]], group: ImportGroup) -> float | None:
    """The reliance of the group's edition if there is one, else the latest year's."""
    if not facts:
        return None
    same = [f for f in facts if group.edition and f.get("edition") == group.edition]
    pick = (same or facts)[-1]
    if pick["bound"] == "net_exporter":
        return 0.0
    return float(pick["reliance"])


def follow(
    root_group: ImportGroup,
    groups: list[ImportGroup],
    *,
    import_reliance: pd.DataFrame,
    production: pd.DataFrame,
    members_of: Mapping[str, frozenset[str]] | None = None,
    cut: Mapping[str, frozenset[str]] | None = None,
    cut_stages: frozenset[str] | None = None,
) -> Chain:
    """Follow an importer's supply upstream through its suppliers' own mixes (see the module docstring).

    Parameters
    ----------
    root_group : ImportGroup
        The importer's group (its direct suppliers).
    groups : list of ImportGroup
        Every group of the graph (:func:`import_groups`); suppliers' mixes are chosen from them.
    import_reliance, production : DataFrame
        The contract's tables: net import reliance gives a supplier's domestic share; production
        says which countries produce the mineral at all.
    members_of : mapping, optional
        Organisation importer -> its member countries (rows of a ``sourcing`` group naming a member
        are the organisation's domestic supply).
    cut : mapping, optional
        Country -> exporters whose flows to it are stopped (a scenario); those flows end in
        ``cut:country<exporter`` states.
    cut_stages : frozenset of str, optional
        Stop those flows only where the country's group is at one of these stages (or names none).

    Returns
    -------
    Chain

    References
    ----------
    Kastner, T., Kastner, M. & Nonhebel, S. (2011). Tracing distant environmental impacts of
    agricultural products from a consumer perspective. Ecological Economics 70(6), 1032-1040.
    Leontief, W. (1936). Quantitative input and output relations in the economic system of the
    United States. Review of Economics and Statistics 18(3), 105-125.

    Examples
    --------
    >>> imports = pd.DataFrame([
    ...     dict(importer="USA", exporter="JPN", mineral="m", year_from=2024, year_to=2024, share=0.6, source="s",
    ...          share_basis="imports", confidence="official"),
    ...     dict(importer="USA", exporter="CHN", mineral="m", year_from=2024, year_to=2024, share=0.4, source="s",
    ...          share_basis="imports", confidence="official"),
    ...     dict(importer="JPN", exporter="CHN", mineral="m", year_from=2024, year_to=2024, share=1.0, source="s",
    ...          share_basis="imports", confidence="official")])
    >>> production = pd.DataFrame([dict(mineral="m", country="CHN", country_label="Country", quantity=1.0,
    ...                                 share=None, value_status="reported")])
    >>> gs = import_groups(imports)
    >>> chain = follow(choose_group(gs, "USA", "m"), gs, import_reliance=pd.DataFrame(), production=production)
    >>> round(chain.absorbed["assumed:CHN"], 3), round(chain.share_through("CHN"), 3)
    (1.0, 1.0)
    """
    members_of = members_of or {}
    cut = cut or {}
    mineral = root_group.mineral
    producers = _producers(production, mineral)
    reliance_of = _reliance_index(import_reliance, mineral)
    by_country: dict[str, list[ImportGroup]] = {}
    for grp in groups:
        if grp.mineral == mineral:
            by_country.setdefault(grp.importer, []).append(grp)
    chosen: dict[str, ImportGroup | None] = {root_group.importer: root_group}
    domestic: dict[str, float] = {root_group.importer: 0.0}
    unknown_domestic: set[str] = set()
    notes: dict[str, str] = {}

    def mix_of(country: str) -> tuple[ImportGroup | None, float | None]:
        """The country's group and domestic share, or (group or None, None) when it cannot be followed."""
        if country not in chosen:
            chosen[country] = choose_group(
                by_country.get(country, []),
                country,
                mineral,
                not_after=root_group.year_to,
                prefer_stage=root_group.stage,
            )
        g = chosen[country]
        if g is None:
            return None, None
        if country in domestic:
            return g, domestic[country]
        if country in unknown_domestic:
            return g, None
        if g.share_basis == "sourcing":
            dom: float | None = 0.0  # its domestic supply is among the group's rows
        else:
            reliance = _reliance(reliance_of.get(country, []), g)
            if reliance is not None:
                dom = max(0.0, 1.0 - reliance)
            elif country not in producers:
                dom = 0.0
            else:
                dom = None
        if dom is not None:
            domestic[country] = dom
        else:
            unknown_domestic.add(country)
        return g, dom

    transitions: dict[str, dict[str, float]] = {}
    queue = [root_group.importer]
    seen = {root_group.importer}
    while queue:
        node = queue.pop(0)
        g, dom = mix_of(node)
        assert g is not None and dom is not None
        out: dict[str, float] = {}
        total = g.total
        scale = (1.0 - dom) / total if total > 1.0 else (1.0 - dom)
        own = members_of.get(node, frozenset())
        for exporter, share in sorted(g.shares.items()):
            p = share * scale
            if p <= 0:
                continue
            stage_hit = cut_stages is None or g.stage is None or g.stage in cut_stages
            if stage_hit and exporter in cut.get(node, frozenset()):
                target = f"cut:{node}<{exporter}"
            elif exporter == OTHER_COUNTRIES:
                target = "unknown_other"
            elif exporter == node or exporter in own:
                target = f"origin:{exporter}"
            else:
                eg, edom = mix_of(exporter)
                if eg is not None and edom is not None:
                    target = f"node:{exporter}"
                    if exporter not in seen:
                        seen.add(exporter)
                        queue.append(exporter)
                elif exporter in producers:
                    target = f"assumed:{exporter}"
                    notes[exporter] = (
                        "produces the mineral; its imports are known but not its domestic share"
                        if eg is not None
                        else "produces the mineral; no sourcing data of its own"
                    )
                else:
                    target = f"unknown_supplier:{exporter}"
                    notes[exporter] = "no sourcing data and no production data of its own"
            out[target] = out.get(target, 0.0) + p
        if dom > 0:
            out[f"origin:{node}"] = out.get(f"origin:{node}", 0.0) + dom
        rest = 1.0 - sum(out.values())
        if rest > 1e-12:
            out["unknown_missing"] = out.get("unknown_missing", 0.0) + rest
        transitions[f"node:{node}"] = out
    _close_cycles(transitions)
    visits, absorbed = _solve(transitions, f"node:{root_group.importer}")
    groups_used = {c: g for c, g in chosen.items() if g is not None and f"node:{c}" in transitions}
    return Chain(
        root_group.importer,
        mineral,
        root_group,
        groups_used,
        {c: d for c, d in domestic.items() if f"node:{c}" in transitions},
        transitions,
        visits,
        absorbed,
        notes,
    )


def _close_cycles(transitions: dict[str, dict[str, float]]) -> None:
    """A set of countries that only supply each other (no way out to any origin) ends as ``unknown_cycle``."""
    g = nx.DiGraph()
    for state, out in transitions.items():
        g.add_node(state)
        for target, p in out.items():
            if p > 0:
                g.add_edge(state, target)
    for component in nx.strongly_connected_components(g):
        if not all(s.startswith("node:") for s in component):
            continue
        leaves = any(t not in component for s in component for t in transitions.get(s, {}))
        if not leaves:
            for s in component:
                transitions[s] = {"unknown_cycle": 1.0}


def _solve(transitions: dict[str, dict[str, float]], root: str) -> tuple[dict[str, float], dict[str, float]]:
    """Expected passages through each transient state and absorption shares, starting at ``root``."""
    transient = sorted(transitions)
    index = {s: i for i, s in enumerate(transient)}
    absorbing = sorted({t for out in transitions.values() for t in out if t not in index})
    aindex = {s: i for i, s in enumerate(absorbing)}
    n = len(transient)
    q = np.zeros((n, n))
    r = np.zeros((n, len(absorbing)))
    for s, out in transitions.items():
        for t, p in out.items():
            if t in index:
                q[index[s], index[t]] += p
            else:
                r[index[s], aindex[t]] += p
    start = np.zeros(n)
    start[index[root]] = 1.0
    visits = np.linalg.solve((np.eye(n) - q).T, start)
    absorbed = visits @ r
    return (
        {s: float(visits[i]) for s, i in index.items()},
        {s: float(absorbed[i]) for s, i in aindex.items() if absorbed[i] > 1e-15},
    )


def hitting(
    transitions: dict[str, dict[str, float]], hit: Callable[[str], bool], stop: Callable[[str], bool] = lambda s: False
) -> dict[str, float]:
    """For every transient state, the probability of reaching a state for which ``hit`` is true before
    one for which ``stop`` is true (both end the walk). One linear solve for all starting states."""
    transient = sorted(s for s in transitions if not hit(s) and not stop(s))
    index = {s: i for i, s in enumerate(transient)}
    n = len(transient)
    q = np.zeros((n, n))
    b = np.zeros(n)
    for s in transient:
        for t, p in transitions[s].items():
            if hit(t):
                b[index[s]] += p
            elif t in index:
                q[index[s], index[t]] += p
    h = np.linalg.solve(np.eye(n) - q, b) if n else np.zeros(0)
    out = {s: float(h[i]) for s, i in index.items()}
    out.update({s: 1.0 for s in transitions if hit(s)})
    out.update({s: 0.0 for s in transitions if stop(s) and not hit(s)})
    return out


def _names(state: str, country: str) -> bool:
    kind, _, rest = state.partition(":")
    return rest == country and kind in ("node", "origin", "assumed", "unknown_supplier")


def _through(chain: Chain, country: str) -> float:
    """Probability that the supply passes through or ends in ``country`` after leaving the importer."""
    root = f"node:{chain.root}"
    transitions = dict(chain.transitions)
    if country == chain.root:  # the importer's own domestic rows (sourcing) are the only way to 'reach' it
        return sum(p for t, p in transitions[root].items() if t == f"origin:{country}")
    return hitting(transitions, lambda s: _names(s, country)).get(root, 0.0)


def route_shares(chain: Chain, *, max_depth: int = 6, min_share: float = 1e-4) -> list[dict[str, Any]]:
    """The routes the supply takes, origin first, with their shares (paths of the chain).

    Each route is a list of countries from where it ends upstream (an origin, an assumed origin, an
    unknown supplier; or nothing for the residual) down to the importer, and the share of the
    importer's supply that takes it. Routes through a re-export cycle are cut after ``max_depth``
    hops, and routes below ``min_share`` (0.01 % of the supply by default) are dropped, so the listed
    shares may sum to a little less than 1.
    """
    out: list[dict[str, Any]] = []

    def walk(state: str, path: list[str], share: float, cut: tuple[str, str] | None) -> None:
        for target, p in chain.transitions.get(state, {}).items():
            s = share * p
            if s < min_share:
                continue
            kind, _, rest = target.partition(":")
            if kind == "node" and len(path) < max_depth:
                walk(target, [rest, *path], s, cut)
                continue
            if kind == "node":
                out.append({"route": path, "kind": "truncated", "end": None, "share": s, "cut": cut})
                continue
            if kind == "cut":
                into, exporter = rest.split("<")
                out.append(
                    {"route": [exporter, *path], "kind": "cut", "end": exporter, "share": s, "cut": (exporter, into)}
                )
                continue
            end = rest or None
            route = path if kind in ("origin",) and end == path[0] else ([end, *path] if end else path)
            name = {"assumed": "assumed_origin"}.get(kind, kind)
            out.append({"route": route, "kind": name, "end": end, "share": s, "cut": cut})

    walk(f"node:{chain.root}", [chain.root], 1.0, None)
    return sorted(out, key=lambda r: (-r["share"], r["route"]))


def flow_network(chain: Chain, demand: str | None = None) -> nx.DiGraph:
    """The importer's supply as a capacitated flow network: ``SUPPLY`` -> where material ends upstream
    -> the countries it passes -> the importer -> ``DEMAND``.

    Every edge's capacity is the share of the importer's supply it carries now (so removing a node or
    an edge never lets another supplier deliver more than it does: there is no substitution), and the
    maximum flow is 1. Nodes: ``X`` (country X passing the material on; the importer is
    ``kind="importer"``, structure), ``X:output`` (X's own or assumed output, or an unknown supplier),
    ``unknown_other``/``unknown_missing``/``unknown_cycle``; all but the importer, ``SUPPLY`` and
    ``DEMAND`` are ``kind="supplier"`` with their ``country``. Edges between two countries are routes
    (``route=True``).

    Examples
    --------
    >>> imports = pd.DataFrame([dict(importer="USA", exporter="JPN", mineral="m", year_from=2024, year_to=2024,
    ...     share=1.0, source="s", share_basis="imports", confidence="official"),
    ...     dict(importer="JPN", exporter="CHN", mineral="m", year_from=2024, year_to=2024,
    ...     share=1.0, source="s", share_basis="imports", confidence="official")])
    >>> production = pd.DataFrame([dict(mineral="m", country="CHN", country_label="Country", quantity=1.0,
    ...                                 share=None, value_status="reported")])
    >>> gs = import_groups(imports)
    >>> g = flow_network(follow(choose_group(gs, "USA", "m"), gs, import_reliance=pd.DataFrame(), production=production))
    >>> sorted(g.edges)
    [('CHN:output', 'JPN'), ('JPN', 'USA'), ('SUPPLY', 'CHN:output'), ('USA', 'DEMAND')]
    """
    g = nx.DiGraph(demand="DEMAND", importer=chain.root, mineral=chain.mineral)
    g.add_node("SUPPLY", kind="supply")
    g.add_node("DEMAND", kind="demand", name=demand or chain.root)

    def node_of(state: str) -> str:
        kind, _, country = state.partition(":")
        if kind == "node":
            if country not in g:
                g.add_node(
                    country, kind="importer" if country == chain.root else "supplier", country=country, role="passes"
                )
            return country
        if kind in ("origin", "assumed", "unknown_supplier"):
            name = f"{country}:output"
            if name not in g:
                g.add_node(
                    name,
                    kind="supplier",
                    country=country,
                    role={"origin": "origin", "assumed": "assumed_origin"}.get(kind, kind),
                )
            return name
        if kind == "cut":
            return state
        if state not in g:
            g.add_node(state, kind="supplier", country=state, role=state)
        return state

    for state, out in chain.transitions.items():
        c = node_of(state)
        v = chain.visits.get(state, 0.0)
        for target, p in out.items():
            flow = v * p
            if flow <= 0 or target.startswith("cut:"):
                continue
            u = node_of(target)
            if not target.startswith("node:"):
                g.add_edge(
                    "SUPPLY", u, capacity=g.edges["SUPPLY", u]["capacity"] + flow if g.has_edge("SUPPLY", u) else flow
                )
            cu, cc = g.nodes[u].get("country"), g.nodes[c].get("country")
            route = bool(cu) and cu != cc
            cap = g.edges[u, c]["capacity"] + flow if g.has_edge(u, c) else flow
            g.add_edge(u, c, capacity=cap, route=route)
    g.add_edge(chain.root, "DEMAND")
    return g
