// name: chokepoints
// description: Minerals and stages where one country dominates (top share >= $cr1 or HHI >= $hhi), using for each (mineral, stage) the latest year, then the latest edition; ranked by top share. Twin of minerals_kg chokepoints().
// param: cr1: fraction = 0.5 -- flag when the top country's share is at least this (0-1)
// param: hhi: fraction = 0.25 -- flag when the HHI (0-1) is at least this
// returns: mineral, stage, year, edition, top_country, top_share, cr3, hhi
// @fragment latest_groups (from _fragments/latest_groups.cypher; edit it there)
// The latest group of every (mineral, stage): its latest year, then its latest edition, as
// minerals_kg.analysis.concentration.current_groups picks it. Adds rows with mineral, stage, year,
// edition and rows: a list of {country, is_country, quantity, share} (reported values only).
CALL () {
  // only groups with a reported country row count (a world total alone has no concentration)
  MATCH (x:Country)-[p:PRODUCES]->(mi:Mineral)
  WHERE coalesce(p.value_status, 'reported') = 'reported'
  WITH mi.id AS mineral, p.stage AS stage, p.year AS year, p.edition AS edition
  ORDER BY year DESC, edition DESC
  WITH mineral, stage, collect({year: year, edition: edition})[0] AS latest
  MATCH (x)-[p:PRODUCES]->(:Mineral {id: mineral})
  WHERE (x:Country OR x:Aggregate) AND p.stage = stage AND p.year = latest.year AND p.edition = latest.edition
    AND coalesce(p.value_status, 'reported') = 'reported'
  RETURN mineral, stage, latest.year AS year, latest.edition AS edition,
         collect({country: x.id, is_country: x:Country, quantity: p.quantity, share: p.share}) AS rows
}
// @end latest_groups
// @fragment shares (from _fragments/shares.cypher; edit it there)
// Shares of one group, as minerals_kg.analysis.concentration computes them: country output over the
// world total the source prints (the sum of the rows when it prints none); a share-only group
// (e.g. an IEA table) keeps its stated shares. Needs rows (see latest_groups); adds shares: a list of
// {country, share} for the countries of the group (aggregates are not suppliers).
WITH *, any(r IN rows WHERE r.share IS NOT NULL) AS share_based,
     head([r IN rows WHERE r.country = 'world' | r.quantity]) AS world_total,
     reduce(t = 0.0, r IN [x IN rows WHERE x.country <> 'world'] | t + coalesce(r.quantity, 0.0)) AS parts_total
WITH *, CASE WHEN share_based THEN null ELSE toFloat(coalesce(world_total, parts_total)) END AS denominator
WITH *, [r IN rows WHERE r.is_country | {country: r.country,
         share: CASE WHEN denominator IS NULL THEN toFloat(r.share) WHEN denominator = 0 THEN 0.0
                     ELSE r.quantity / denominator END}] AS shares
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
