// name: firms_for_mineral
// description: Firms producing a mineral (stage, host country, facility, quantity where sourced) and who holds stakes in them.
// param: mineral: mineral = "cobalt" -- mineral id
// param: stage: stage = null -- stage (null: every stage)
// returns: firm, name, hq, stage, country, facility, year, quantity, unit, owners, source, confidence
MATCH (f:Firm)-[p:PRODUCES]->(:Mineral {id: $mineral})
WHERE $stage IS NULL OR p.stage = $stage
OPTIONAL MATCH (f)-[:HEADQUARTERED_IN]->(hq:Country)
OPTIONAL MATCH (o)-[s:OWNS]->(f)
WITH f, p, hq, collect(CASE WHEN o IS NULL THEN null ELSE {owner: o.id, share: s.share, since: s.since} END) AS owners
RETURN f.id AS firm, f.name AS name, hq.id AS hq, p.stage AS stage, p.country AS country, p.facility AS facility,
       p.year AS year, p.quantity AS quantity, p.unit AS unit, owners, p.source AS source, p.confidence AS confidence
ORDER BY stage, firm, country
