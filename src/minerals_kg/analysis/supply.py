"""The supply network: a directed, multi-stage flow network per mineral, derived from the graph.

For each mineral, the stages with data (mining -> processing -> refining -> component
manufacturing, in that order), each from its latest (year, edition) group::

    SUPPLY --cap s(c,mining)--> c@m/mining --> POOL m/mining --cap s(c',refining)--> c'@m/refining
           --> POOL m/refining --> END USE e (every end use that needs m) --> DEMAND

Capacities are shares of world output at that stage (0-1), so every stage can pass at most its
total share and the flow from SUPPLY to DEMAND is a fraction of world supply; the absolute quantity
(tonnes) of every supplier is kept as ``quantity``/``unit`` where the source gives one. Output a
source leaves unattributed ("other countries", or the rest of a share table) is a supplier node
``unattributed``. Pools and end uses have no capacity limit: they are the structure, not suppliers.
Trade flows (``IMPORTS_FROM``) would join as edges between countries; the shipped data has none yet.
"""

from __future__ import annotations

from dataclasses import dataclass

import networkx as nx
import pandas as pd

STAGES = ["mining", "processing", "refining", "component_manufacturing"]
SUPPLY = "SUPPLY"
UNATTRIBUTED = "unattributed"


def supplier_id(country: str, mineral: str, stage: str) -> str:
    return f"{country}@{mineral}/{stage}"


def pool_id(mineral: str, stage: str) -> str:
    return f"{mineral}/{stage}"


def demand_id(name: str) -> str:
    return f"DEMAND:{name}"


@dataclass(frozen=True)
class MineralChain:
    mineral: str
    stages: list[str]
    groups: dict[str, dict]  # stage -> {year, edition, unit, world_total}


def supply_network(
    current: pd.DataFrame,
    *,
    end_uses: dict[str, list[str]] | None = None,
    demand: str = "world",
    minerals: list[str] | None = None,
) -> nx.DiGraph:
    """The multi-stage supply network of a ``current`` concentration table (one group per mineral and stage).

    Parameters
    ----------
    current : DataFrame
        The latest group per mineral and stage (its ``shares`` become capacities).
    end_uses : dict, optional
        Mineral -> end-use ids; when given, the last pool feeds those end uses and the end uses feed
        ``DEMAND:<demand>``; otherwise the last pool feeds the demand node directly.
    demand : str
        The demand node's name.
    minerals : list of str, optional
        Only these minerals.

    Returns
    -------
    DiGraph
        ``SUPPLY`` -> supplier nodes (capacity = share of world output) -> a pool per stage -> ... ->
        the demand node; ``graph["chains"]`` holds each mineral's stages and groups.

    Examples
    --------
    >>> cur = pd.DataFrame([dict(mineral="x", stage="mining", year=2024, edition="E", unit="t", world_total=100.0,
    ...                          basis="c", shares={"AAA": 0.6, "BBB": 0.3})])
    >>> g = supply_network(cur)
    >>> sorted(n for n, d in g.nodes(data=True) if d["kind"] == "supplier")
    ['AAA@x/mining', 'BBB@x/mining', 'unattributed@x/mining']
    """
    g = nx.DiGraph(demand=demand_id(demand))
    g.add_node(SUPPLY, kind="supply")
    g.add_node(demand_id(demand), kind="demand", name=demand)
    chains: dict[str, MineralChain] = {}
    for mineral, rows in current.groupby("mineral"):
        if minerals is not None and mineral not in minerals:
            continue
        by_stage = {r["stage"]: r for _, r in rows.iterrows()}
        stages = [s for s in STAGES if s in by_stage]
        chains[mineral] = MineralChain(
            mineral,
            stages,
            {
                s: {
                    "year": int(by_stage[s]["year"]),
                    "edition": by_stage[s]["edition"],
                    "unit": by_stage[s].get("unit"),
                    "world_total": by_stage[s].get("world_total"),
                    "basis": by_stage[s].get("basis"),
                }
                for s in stages
            },
        )
        previous = SUPPLY
        for stage in stages:
            row = by_stage[stage]
            pool = pool_id(mineral, stage)
            g.add_node(pool, kind="pool", mineral=mineral, stage=stage)
            shares: dict[str, float] = dict(row["shares"])
            rest = max(0.0, 1.0 - sum(shares.values()))
            if rest > 1e-9:
                shares[UNATTRIBUTED] = rest
            world = row.get("world_total")
            for country, share in shares.items():
                node = supplier_id(country, mineral, stage)
                quantity = share * world if isinstance(world, (int, float)) and world == world else None
                g.add_node(
                    node,
                    kind="supplier",
                    country=country,
                    mineral=mineral,
                    stage=stage,
                    share=share,
                    quantity=quantity,
                    unit=row.get("unit"),
                    year=int(row["year"]),
                    edition=row["edition"],
                )
                g.add_edge(previous, node, capacity=share)
                g.add_edge(node, pool)
            previous = pool
        if end_uses and end_uses.get(mineral):
            for e in end_uses[mineral]:
                g.add_node(f"END_USE:{e}", kind="end_use", end_use=e)
                g.add_edge(previous, f"END_USE:{e}")
                g.add_edge(f"END_USE:{e}", demand_id(demand))
        else:
            g.add_edge(previous, demand_id(demand))
    g.graph["chains"] = chains
    return g


def mineral_subnetwork(g: nx.DiGraph, mineral: str) -> nx.DiGraph:
    """The part of the network that carries one mineral (with the shared supply and demand nodes)."""
    keep = {n for n, d in g.nodes(data=True) if d.get("mineral") == mineral}
    keep |= {SUPPLY, g.graph["demand"]}
    last = [n for n in keep if g.nodes[n].get("kind") == "pool"]
    for pool in last:
        keep |= {s for s in g.successors(pool) if g.nodes[s].get("kind") == "end_use"}
    sub = g.subgraph(keep).copy()
    sub.graph.update(g.graph)
    return sub
