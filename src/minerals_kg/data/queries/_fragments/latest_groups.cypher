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
