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
