// name: dominant_producers
// description: Who holds more than a share of world output at any stage, in the latest group of each mineral and stage: one MATCH on the shares every PRODUCES fact carries.
// param: min_share: fraction = 0.8 -- share of world output (0-1)
// returns: country, mineral, stage, year, edition, share, quantity, world_total, unit
MATCH (c:Country)-[p:PRODUCES {latest: true}]->(m:Mineral)
WHERE p.share > $min_share
RETURN c.id AS country, m.id AS mineral, p.stage AS stage, p.year AS year, p.edition AS edition,
       p.share AS share, p.quantity AS quantity, p.world_total AS world_total, p.unit AS unit
ORDER BY share DESC, mineral, stage
