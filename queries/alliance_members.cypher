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
// a member organisation stands for its member countries, or those of the organisation it acts for
OPTIONAL MATCH (unit)-[:PART_OF*0..2]->(:Organisation)<-[r:MEMBER_OF]-(c:Country)
WHERE unit:Organisation AND r.role IN ['member', 'founding_member', 'chair', 'signatory']
  AND (r.since IS NULL OR r.since <= left(asOf, size(r.since)))
  AND (r.until IS NULL OR r.until >= left(asOf, size(r.until)))
WITH [x IN [CASE WHEN unit:Country THEN {country: unit, via: via} END,
            CASE WHEN c IS NOT NULL THEN {country: c, via: unit.id} END] WHERE x IS NOT NULL] AS found
UNWIND found AS f
WITH f.country AS country, collect(f.via)[0] AS via
RETURN country.id AS country, country.name AS name, via
ORDER BY country
