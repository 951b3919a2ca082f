// name: concentration
// description: Shares, HHI, CR1 (top share) and CR3 of every (mineral, stage, year, edition) group; one edition per calculation. Twin of minerals_kg concentration().
// param: mineral: mineral = null -- mineral id, e.g. "rare_earths" (null: every mineral)
// param: stage: stage = null -- mining, processing, refining, ... (null: every stage)
// param: year: integer = null -- data year (null: every year)
// param: edition: string = null -- source edition, e.g. "MCS2025" (null: every edition)
// returns: mineral, stage, year, edition, top_country, top_share, cr3, hhi, shares
MATCH (a)-[p:PRODUCES]->(m:Mineral)
WHERE (a:Country OR a:Aggregate)
  AND ($mineral IS NULL OR m.id = $mineral) AND ($stage IS NULL OR p.stage = $stage)
  AND ($year IS NULL OR p.year = $year) AND ($edition IS NULL OR p.edition = $edition)
  AND p.value_status = 'reported'
WITH m.id AS mineral, p.stage AS stage, p.year AS year, p.edition AS edition,
     collect({country: a.id, is_country: a:Country, quantity: p.quantity, share: p.share}) AS rows
WHERE any(r IN rows WHERE r.is_country)
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
RETURN mineral, stage, year, edition,
       ranked[0].country AS top_country, ranked[0].share AS top_share,
       reduce(s = 0.0, x IN ranked[0..3] | s + x.share) AS cr3,
       reduce(s = 0.0, x IN ranked | s + x.share * x.share) AS hhi,
       ranked AS shares
ORDER BY mineral, stage, year, edition
