// name: coverage_matrix
// description: Alliance coverage per (mineral, stage) for the latest year and edition: the members' share of world output, the same share of the market without China, and the largest outsider (against the EU CRMA 65% benchmark). Members as in alliance_members (one level of member organisations). Twin of minerals_kg coverage().
// param: alliance: string = "ministerial_2026" -- organisation or event id
// param: as_of: string = null -- date YYYY-MM-DD (null: the event's date, or today for an organisation)
// param: include_host: boolean = true -- count an event's host
// returns: mineral, stage, year, edition, coverage, coverage_ex_china, max_outsider, max_outsider_share
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
// a member organisation stands for its member countries, or those of the organisation it acts for
OPTIONAL MATCH (unit)-[:PART_OF*0..2]->(:Organisation)<-[r:MEMBER_OF]-(c:Country)
WHERE unit:Organisation AND r.role IN ['member', 'founding_member', 'chair', 'signatory']
  AND (r.since IS NULL OR r.since <= left(asOf, size(r.since)))
  AND (r.until IS NULL OR r.until >= left(asOf, size(r.until)))
WITH collect(DISTINCT CASE WHEN unit:Country THEN unit.id END) + collect(DISTINCT c.id) AS members
// the latest group per mineral and stage
MATCH (x)-[p:PRODUCES]->(mi:Mineral)
WHERE (x:Country OR x:Aggregate) AND coalesce(p.value_status, 'reported') = 'reported'
WITH members, mi.id AS mineral, p.stage AS stage, p.year AS year, p.edition AS edition
ORDER BY year DESC, edition DESC
WITH members, mineral, stage, collect({year: year, edition: edition})[0] AS latest
MATCH (x)-[p:PRODUCES]->(:Mineral {id: mineral})
WHERE (x:Country OR x:Aggregate) AND p.stage = stage AND p.year = latest.year AND p.edition = latest.edition
  AND coalesce(p.value_status, 'reported') = 'reported'
WITH members, mineral, stage, latest.year AS year, latest.edition AS edition,
     collect({country: x.id, is_country: x:Country, quantity: p.quantity, share: p.share}) AS rows
WITH members, mineral, stage, year, edition, rows,
     any(r IN rows WHERE r.share IS NOT NULL) AS share_based,
     head([r IN rows WHERE r.country = 'world' | r.quantity]) AS world_total,
     reduce(t = 0.0, r IN [q IN rows WHERE q.country <> 'world'] | t + coalesce(r.quantity, 0.0)) AS parts_total
WITH members, mineral, stage, year, edition, rows,
     CASE WHEN share_based THEN null ELSE toFloat(coalesce(world_total, parts_total)) END AS denominator
WITH members, mineral, stage, year, edition,
     [r IN rows WHERE r.is_country | {country: r.country,
        share: CASE WHEN denominator IS NULL THEN toFloat(r.share) WHEN denominator = 0 THEN 0.0
                    ELSE r.quantity / denominator END}] AS shares
WITH mineral, stage, year, edition, shares,
     reduce(s = 0.0, x IN [y IN shares WHERE y.country IN members] | s + x.share) AS coverage,
     coalesce(head([y IN shares WHERE y.country = 'CHN' | y.share]), 0.0) AS china,
     reduce(s = 0.0, x IN [y IN shares WHERE y.country IN members AND y.country <> 'CHN'] | s + x.share) AS members_ex_china,
     [y IN shares WHERE NOT y.country IN members] AS outsiders
UNWIND (CASE WHEN size(outsiders) = 0 THEN [{country: null, share: 0.0}] ELSE outsiders END) AS o
WITH mineral, stage, year, edition, coverage, china, members_ex_china, o
ORDER BY o.share DESC, o.country ASC
WITH mineral, stage, year, edition, coverage, china, members_ex_china, collect(o)[0] AS top_outsider
RETURN mineral, stage, year, edition, coverage,
       CASE WHEN china < 1 THEN members_ex_china / (1 - china) ELSE 0.0 END AS coverage_ex_china,
       top_outsider.country AS max_outsider, top_outsider.share AS max_outsider_share
ORDER BY mineral, stage
