// name: gds_supply_bridges
// description: Bridges of the supply network computed in the database with Graph Data Science (gds.bridges on the undirected network): links whose loss splits a mineral's network, e.g. the only supplier of a stage, or the step from a mineral's last stage to its demand. The network is minerals_kg's supply network (see gds_supply_chokepoints).
// param: mineral: mineral = null -- mineral id (null: every mineral with production data)
// returns: mineral, from_kind, from_country, from_stage, to_kind, to_country, to_stage
// @fragment latest_groups (from _fragments/latest_groups.cypher; edit it there)
// The latest group of every (mineral, stage), as minerals_kg.analysis.concentration.current_groups picks
// it (latest year, then latest edition, among the groups with a reported country row: a world total
// alone has no concentration): the facts marked latest when the graph was built. Adds rows with
// mineral, stage, year, edition and rows: a list of {country, is_country, quantity, share} (reported values).
CALL () {
  MATCH (x)-[p:PRODUCES {latest: true}]->(mi:Mineral)
  WHERE (x:Country OR x:Aggregate) AND p.value_status = 'reported'
  RETURN mi.id AS mineral, p.stage AS stage, p.year AS year, p.edition AS edition,
         collect({country: x.id, is_country: x:Country, quantity: p.quantity, share: p.share}) AS rows
}
// @end latest_groups
// @fragment shares (from _fragments/shares.cypher; edit it there)
// Shares of one group, as minerals_kg.analysis.concentration computes them: every fact carries its share
// of the world total its source prints (stated by the source, or quantity / world_total), computed once
// when the graph was built. Needs rows (see latest_groups); adds shares: a list of {country, share} for
// the countries of the group (aggregates are not suppliers).
WITH *, [r IN rows WHERE r.is_country | {country: r.country, share: toFloat(r.share)}] AS shares
// @end shares
// @fragment supply_network (from _fragments/supply_network.cypher; edit it there)
// The supply network of minerals_kg.analysis.supply.supply_network, one part per mineral (demand: the
// world), as numbered nodes and edges for a GDS projection. Needs mineral, stage, year, edition and
// shares (see latest_groups and shares) and $mineral (null: every mineral). Leaves nets: one map per
// mineral with nodes (supply, demand, then per stage in chain order its pool and its suppliers, the
// output the source leaves unattributed being a supplier 'unattributed'), edges {s, t} between node
// positions (supply -> suppliers -> pool -> next stage's suppliers -> ... -> demand) and offset (the
// position of its first node among all minerals' nodes). Each mineral gets its own supply and demand
// node, so its part is the Python network's mineral_subnetwork and algorithms see one part each.
// the chain's stages and their order, as minerals_kg.analysis.supply.STAGES
WITH mineral, stage, year, edition, shares, 1.0 - reduce(t = 0.0, s IN shares | t + s.share) AS rest,
     ['mining', 'processing', 'refining', 'component_manufacturing'] AS chainStages
WHERE ($mineral IS NULL OR mineral = $mineral) AND stage IN chainStages
WITH mineral, stage, year, edition, [i IN range(0, size(chainStages) - 1) WHERE chainStages[i] = stage][0] AS position,
     shares + CASE WHEN rest > 1e-9 THEN [{country: 'unattributed', share: rest}] ELSE [] END AS suppliers
ORDER BY mineral, position
WITH mineral, collect({stage: stage, year: year, edition: edition, suppliers: suppliers}) AS chain
WITH mineral, reduce(acc = {nodes: [{kind: 'supply'}, {kind: 'demand'}], edges: [], prev: 0}, c IN chain |
       {nodes: acc.nodes + [{kind: 'pool', stage: c.stage}]
               + [s IN c.suppliers | {kind: 'supplier', country: s.country, stage: c.stage, share: s.share,
                                       year: c.year, edition: c.edition}],
        edges: acc.edges + reduce(e = [], j IN range(0, size(c.suppliers) - 1) |
                 e + [{s: acc.prev, t: size(acc.nodes) + 1 + j}, {s: size(acc.nodes) + 1 + j, t: size(acc.nodes)}]),
        prev: size(acc.nodes)}) AS net
WITH collect({mineral: mineral, nodes: net.nodes, edges: net.edges + [{s: net.prev, t: 1}]}) AS nets
WITH reduce(acc = {offset: 0, nets: []}, n IN nets |
       {offset: acc.offset + size(n.nodes), nets: acc.nets + [n {.*, offset: acc.offset}]}).nets AS nets
// @end supply_network
WITH nets, 'mkg-supply-undirected-' + randomUUID() AS undirected
CALL (nets, undirected) {
  UNWIND nets AS n
  UNWIND n.edges AS e
  RETURN gds.graph.project(undirected, n.offset + e.s, n.offset + e.t, {}, {undirectedRelationshipTypes: ['*']}) AS projected
}
CALL (projected) {
  CALL gds.bridges.stream(projected.graphName) YIELD from, to
  RETURN collect([from, to]) AS bridges
}
CALL (undirected, bridges) {
  WITH undirected WHERE bridges IS NOT NULL  // after the algorithm: drop the projection
  CALL gds.graph.drop(undirected, false) YIELD graphName
  RETURN count(graphName) AS dropped
}
UNWIND nets AS n
UNWIND bridges AS b
WITH n, b
WHERE n.offset <= b[0] < n.offset + size(n.nodes)
// report each bridge in the network's direction (supply towards demand)
WITH n, CASE WHEN any(e IN n.edges WHERE e.s = b[0] - n.offset AND e.t = b[1] - n.offset) THEN b ELSE [b[1], b[0]] END AS b
WITH n.mineral AS mineral, n.nodes[b[0] - n.offset] AS a, n.nodes[b[1] - n.offset] AS z
RETURN mineral, a.kind AS from_kind, a.country AS from_country, a.stage AS from_stage,
       z.kind AS to_kind, z.country AS to_country, z.stage AS to_stage
ORDER BY mineral, from_kind, from_stage, to_kind
