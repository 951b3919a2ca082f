// name: chokepoints
// description: Minerals and stages where one country dominates (top share >= $cr1 or HHI >= $hhi), using for each (mineral, stage) the latest year, then the latest edition; ranked by top share. Twin of minerals_kg chokepoints().
// param: cr1: fraction = 0.5 -- flag when the top country's share is at least this (0-1)
// param: hhi: fraction = 0.25 -- flag when the HHI (0-1) is at least this
// returns: mineral, stage, year, edition, top_country, top_share, cr3, hhi
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
UNWIND shares AS s
WITH mineral, stage, year, edition, s.country AS country, s.share AS share
ORDER BY share DESC, country ASC
WITH mineral, stage, year, edition, collect({country: country, share: share}) AS ranked
WITH mineral, stage, year, edition, ranked[0].country AS top_country, ranked[0].share AS top_share,
     reduce(s = 0.0, x IN ranked[0..3] | s + x.share) AS cr3,
     reduce(s = 0.0, x IN ranked | s + x.share * x.share) AS hhi
WHERE top_share >= $cr1 OR hhi >= $hhi
RETURN mineral, stage, year, edition, top_country, top_share, cr3, hhi
ORDER BY top_share DESC, hhi DESC, mineral, stage
