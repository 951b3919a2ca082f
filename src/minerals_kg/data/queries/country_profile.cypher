// name: country_profile
// description: One country: its memberships, its production by mineral and stage (latest year per edition), the instruments it imposes and the instruments that target it (named targets, or instruments of other countries that apply to all destinations).
// param: country: country = "AUS" -- ISO-3 code
// returns: section, item, detail, year, value, source
MATCH (c:Country {id: $country})
CALL (c) {
  MATCH (c)-[r:MEMBER_OF]->(o:Organisation)
  RETURN 'membership' AS section, o.id AS item, r.role AS detail, r.since.year AS year,
         toString(r.until) AS value, r.source AS source
  UNION
  MATCH (c)-[r:PARTICIPATED_IN]->(e:Event)
  RETURN 'participation' AS section, e.id AS item, r.role AS detail, e.start.year AS year,
         null AS value, r.source AS source
  UNION
  MATCH (c)-[p:PRODUCES]->(m:Mineral)
  WHERE p.value_status = 'reported'
  RETURN 'production' AS section, m.id AS item, p.stage + ' ' + p.edition AS detail, p.year AS year,
         coalesce(toString(p.quantity) + ' ' + p.unit, toString(p.share * 100) + '%') AS value, p.source AS source
  UNION
  MATCH (c)-[:IMPOSES]->(i:PolicyInstrument)
  RETURN 'imposes' AS section, i.id AS item, i.kind + ' ' + i.status AS detail,
         coalesce(i.effective, i.announced).year AS year, i.name AS value, i.source AS source
  UNION
  MATCH (i:PolicyInstrument)
  WHERE (i)-[:TARGETS]->(c) OR (i.target_scope = 'all' AND NOT (c)-[:IMPOSES]->(i))
  RETURN 'targeted_by' AS section, i.id AS item, i.kind + ' ' + i.status AS detail,
         coalesce(i.effective, i.announced).year AS year, i.name AS value, i.source AS source
}
RETURN section, item, detail, year, value, source
ORDER BY section, item, year
