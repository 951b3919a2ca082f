// name: chokepoints
// description: Minerals and stages where one country dominates (top share >= $cr1 or HHI >= $hhi), using for each (mineral, stage) the latest year, then the latest edition; ranked by top share. Twin of minerals_kg chokepoints().
// param: cr1: float = 0.5 -- flag when the top country's share is at least this
// param: hhi: float = 0.25 -- flag when the HHI (0-1) is at least this
// returns: mineral, stage, year, edition, top_country, top_share, cr3, hhi
MATCH (a)-[p:PRODUCES]->(m:Mineral)
WHERE (a:Country OR a:Aggregate) AND coalesce(p.value_status, 'reported') = 'reported'
WITH m.id AS mineral, p.stage AS stage, p.year AS year, p.edition AS edition
ORDER BY year DESC, edition DESC
WITH mineral, stage, collect({year: year, edition: edition})[0] AS latest
MATCH (a)-[p:PRODUCES]->(m:Mineral {id: mineral})
WHERE (a:Country OR a:Aggregate) AND p.stage = stage AND p.year = latest.year AND p.edition = latest.edition
  AND coalesce(p.value_status, 'reported') = 'reported'
WITH mineral, stage, latest.year AS year, latest.edition AS edition,
     collect({country: a.id, is_country: a:Country, quantity: p.quantity, share: p.share}) AS rows
WITH mineral, stage, year, edition, rows,
     any(r IN rows WHERE r.share IS NOT NULL) AS share_based,
     head([r IN rows WHERE r.country = 'world' | r.quantity]) AS world_total,
     reduce(t = 0.0, r IN [x IN rows WHERE x.country <> 'world'] | t + coalesce(r.quantity, 0.0)) AS parts_total
WITH mineral, stage, year, edition, rows,
     CASE WHEN share_based THEN null ELSE toFloat(coalesce(world_total, parts_total)) END AS denominator
UNWIND [r IN rows WHERE r.is_country] AS r
WITH mineral, stage, year, edition, r.country AS country,
     CASE WHEN denominator IS NULL THEN toFloat(r.share)
          WHEN denominator = 0 THEN 0.0 ELSE r.quantity / denominator END AS share
ORDER BY share DESC, country ASC
WITH mineral, stage, year, edition, collect({country: country, share: share}) AS ranked
WITH mineral, stage, year, edition, ranked[0].country AS top_country, ranked[0].share AS top_share,
     reduce(s = 0.0, x IN ranked[0..3] | s + x.share) AS cr3,
     reduce(s = 0.0, x IN ranked | s + x.share * x.share) AS hhi
WHERE top_share >= $cr1 OR hhi >= $hhi
RETURN mineral, stage, year, edition, top_country, top_share, cr3, hhi
ORDER BY top_share DESC, hhi DESC, mineral, stage
