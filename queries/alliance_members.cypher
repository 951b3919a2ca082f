// name: alliance_members
// description: Member countries of an organisation or event as of a date: an event's participants (the host only if $include_host), an organisation's active members (roles member, founding_member, chair, signatory; since <= as_of <= until), and the member countries of a member or participating organisation or of the organisation it acts for (PART_OF: the European Commission for the EU), one level deep.
// param: alliance: string = "ministerial_2026" -- organisation or event id
// param: as_of: string = null -- date YYYY-MM-DD (null: the event's date, or today for an organisation)
// param: include_host: boolean = true -- count an event's host
// returns: country, name, via
MATCH (a:Organisation|Event {id: $alliance})
WITH a, coalesce($as_of, CASE WHEN a:Event THEN a.start ELSE toString(date()) END) AS asOf
OPTIONAL MATCH (p)-[pr:PARTICIPATED_IN]->(a)
WHERE $include_host OR pr.role <> 'host'
OPTIONAL MATCH (m)-[mr:MEMBER_OF]->(a)
WHERE mr.role IN ['member', 'founding_member', 'chair', 'signatory']
  AND (mr.since IS NULL OR mr.since <= left(asOf, size(mr.since)))
  AND (mr.until IS NULL OR mr.until >= left(asOf, size(mr.until)))
WITH a, asOf, collect(DISTINCT {unit: p, via: pr.role}) + collect(DISTINCT {unit: m, via: a.id})
     + CASE WHEN a:Organisation THEN [{unit: a, via: a.id}] ELSE [] END AS units
UNWIND [u IN units WHERE u.unit IS NOT NULL] AS u
WITH asOf, u.unit AS unit, u.via AS via
CALL {
  WITH unit, via
  WITH unit, via WHERE unit:Country
  RETURN unit AS country, via AS path
  UNION
  WITH unit, asOf
  WITH unit, asOf WHERE unit:Organisation
  MATCH (unit)-[:PART_OF*0..2]->(rep:Organisation)<-[r:MEMBER_OF]-(c:Country)
  WHERE r.role IN ['member', 'founding_member', 'chair', 'signatory']
    AND (r.since IS NULL OR r.since <= left(asOf, size(r.since)))
    AND (r.until IS NULL OR r.until >= left(asOf, size(r.until)))
  RETURN c AS country, unit.id AS path
}
WITH country, collect(path)[0] AS via
RETURN country.id AS country, country.name AS name, via
ORDER BY country
