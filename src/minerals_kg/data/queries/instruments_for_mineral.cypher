// name: instruments_for_mineral
// description: Policy instruments covering a mineral, with who imposes them, whom they target, their dates and status.
// param: mineral: mineral = "gallium" -- mineral id
// param: kind: instrument_kind = null -- instrument kind, e.g. "export_control" (null: every kind)
// returns: instrument, name, kind, imposer, targets, target_scope, beneficiaries, stages, announced, effective, ended, status, status_as_of, suspended_from, suspended_until, amount_usd, source, confidence
MATCH (i:PolicyInstrument)-[:COVERS]->(:Mineral {id: $mineral})
WHERE $kind IS NULL OR i.kind = $kind
OPTIONAL MATCH (imp)-[:IMPOSES]->(i)
OPTIONAL MATCH (i)-[:TARGETS]->(t)
OPTIONAL MATCH (i)-[:BENEFITS]->(b)
RETURN i.id AS instrument, i.name AS name, i.kind AS kind, imp.id AS imposer,
       collect(DISTINCT t.id) AS targets, i.target_scope AS target_scope, collect(DISTINCT b.id) AS beneficiaries,
       i.stages AS stages, i.announced AS announced, i.effective AS effective, i.ended AS ended,
       i.status AS status, i.status_as_of AS status_as_of, i.suspended_from AS suspended_from,
       i.suspended_until AS suspended_until, i.amount_usd AS amount_usd, i.source AS source, i.confidence AS confidence
ORDER BY coalesce(i.effective, i.announced), instrument
