// name: scenario_supply_loss
// description: Supply an alliance loses when an imposer's instruments in force on a date are applied: for each mineral and stage an instrument covers (its stages, or every stage with data), the imposer's share of world output in the latest group. Instruments that control technology only are skipped; instruments apply when they target every destination or a member. Twin of minerals_kg scenario() (by_stage, for an imposer).
// param: imposer: string = "CHN" -- ISO-3 code of the imposing country
// param: kinds: list = ["export_control"] -- instrument kinds to apply
// param: alliance: string = "ministerial_2026" -- organisation or event id whose supply is assessed
// param: as_of: string = null -- date YYYY-MM-DD for instruments in force and membership (null: the event's date, or today)
// param: include_host: boolean = true -- count an event's host as a member
// returns: mineral, stage, year, edition, supply_lost_share, instruments
MATCH (a:Organisation|Event {id: $alliance})
WITH a, coalesce($as_of, CASE WHEN a:Event THEN a.start ELSE toString(date()) END) AS asOf
OPTIONAL MATCH (p)-[pr:PARTICIPATED_IN]->(a)
WHERE $include_host OR pr.role <> 'host'
OPTIONAL MATCH (m)-[mr:MEMBER_OF]->(a)
WHERE mr.role IN ['member', 'founding_member', 'chair', 'signatory']
  AND (mr.since IS NULL OR mr.since <= left(asOf, size(mr.since)))
  AND (mr.until IS NULL OR mr.until >= left(asOf, size(mr.until)))
WITH a, asOf, collect(DISTINCT p) + collect(DISTINCT m) + CASE WHEN a:Organisation THEN [a] ELSE [] END AS units
UNWIND units AS unit
OPTIONAL MATCH (unit)-[:PART_OF*0..2]->(:Organisation)<-[r:MEMBER_OF]-(c:Country)
WHERE unit:Organisation AND r.role IN ['member', 'founding_member', 'chair', 'signatory']
  AND (r.since IS NULL OR r.since <= left(asOf, size(r.since)))
  AND (r.until IS NULL OR r.until >= left(asOf, size(r.until)))
WITH asOf, collect(DISTINCT CASE WHEN unit:Country THEN unit.id END) + collect(DISTINCT c.id) AS members
// instruments of the imposer in force on asOf that reach a member
MATCH (:Country {id: $imposer})-[:IMPOSES]->(i:PolicyInstrument)-[:COVERS]->(mi:Mineral)
WITH asOf, members, i, mi, coalesce(i.effective, i.announced) AS start
WHERE i.kind IN $kinds AND coalesce(i.item_scope, 'materials') <> 'technology'
  AND NOT i.status IN ['proposed', 'announced', 'withdrawn']
  AND CASE WHEN start IS NULL THEN i.status IN ['in_force', 'partially_suspended', 'signed']
      ELSE start <= left(asOf, size(start))
        AND (i.ended IS NULL OR i.ended > left(asOf, size(i.ended)))
        AND NOT (i.suspended_from IS NOT NULL AND i.suspended_from <= left(asOf, size(i.suspended_from))
                 AND (i.suspended_until IS NULL OR i.suspended_until >= left(asOf, size(i.suspended_until))))
        AND NOT (i.status IN ['expired', 'superseded', 'suspended'] AND i.ended IS NULL AND i.suspended_from IS NULL
                 AND i.status_as_of <= left(asOf, size(i.status_as_of)))
      END
  AND (i.target_scope = 'all' OR EXISTS { MATCH (i)-[:TARGETS]->(t:Country) WHERE t.id IN members })
// the stages it covers that have data, each at its latest (year, edition)
MATCH (x)-[q:PRODUCES]->(mi)
WHERE (x:Country OR x:Aggregate) AND coalesce(q.value_status, 'reported') = 'reported'
  AND (size(coalesce(i.stages, [])) = 0 OR q.stage IN i.stages)
WITH mi.id AS mineral, q.stage AS stage, collect(DISTINCT i.id) AS instruments
MATCH (x)-[q:PRODUCES]->(:Mineral {id: mineral})
WHERE (x:Country OR x:Aggregate) AND q.stage = stage AND coalesce(q.value_status, 'reported') = 'reported'
WITH mineral, stage, instruments, q.year AS year, q.edition AS edition
ORDER BY year DESC, edition DESC
WITH mineral, stage, instruments, collect({year: year, edition: edition})[0] AS latest
MATCH (x)-[q:PRODUCES]->(:Mineral {id: mineral})
WHERE (x:Country OR x:Aggregate) AND q.stage = stage AND q.year = latest.year AND q.edition = latest.edition
  AND coalesce(q.value_status, 'reported') = 'reported'
WITH mineral, stage, instruments, latest,
     collect({country: x.id, quantity: q.quantity, share: q.share}) AS rows
WITH mineral, stage, instruments, latest, rows,
     any(r IN rows WHERE r.share IS NOT NULL) AS share_based,
     head([r IN rows WHERE r.country = 'world' | r.quantity]) AS world_total,
     reduce(t = 0.0, r IN [y IN rows WHERE y.country <> 'world'] | t + coalesce(r.quantity, 0.0)) AS parts_total
WITH mineral, stage, instruments, latest, head([r IN rows WHERE r.country = $imposer]) AS imposer_row,
     CASE WHEN share_based THEN null ELSE toFloat(coalesce(world_total, parts_total)) END AS denominator
RETURN mineral, stage, latest.year AS year, latest.edition AS edition,
       CASE WHEN imposer_row IS NULL THEN 0.0
            WHEN denominator IS NULL THEN toFloat(imposer_row.share)
            WHEN denominator = 0 THEN 0.0 ELSE imposer_row.quantity / denominator END AS supply_lost_share,
       instruments
ORDER BY mineral, stage
