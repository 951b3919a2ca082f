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
