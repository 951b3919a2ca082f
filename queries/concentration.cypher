// name: concentration
// description: Shares, HHI, CR1 (top share) and CR3 of every (mineral, stage, year, edition) group; one edition per calculation. Twin of minerals_kg concentration().
// param: mineral: string = null -- mineral id, e.g. "rare_earths" (null: every mineral)
// param: stage: string = null -- mining, processing, refining or component_manufacturing (null: every stage)
// param: year: integer = null -- data year (null: every year)
// param: edition: string = null -- source edition, e.g. "MCS2025" (null: every edition)
// returns: mineral, stage, year, edition, top_country, top_share, cr3, hhi, shares
MATCH (a)-[p:PRODUCES]->(m:Mineral)
WHERE (a:Country OR a:Aggregate)
  AND ($mineral IS NULL OR m.id = $mineral) AND ($stage IS NULL OR p.stage = $stage)
  AND ($year IS NULL OR p.year = $year) AND ($edition IS NULL OR p.edition = $edition)
  AND coalesce(p.value_status, 'reported') = 'reported'
WITH m.id AS mineral, p.stage AS stage, p.year AS year, p.edition AS edition,
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
RETURN mineral, stage, year, edition,
       ranked[0].country AS top_country, ranked[0].share AS top_share,
       reduce(s = 0.0, x IN ranked[0..3] | s + x.share) AS cr3,
       reduce(s = 0.0, x IN ranked | s + x.share * x.share) AS hhi,
       ranked AS shares
ORDER BY mineral, stage, year, edition
