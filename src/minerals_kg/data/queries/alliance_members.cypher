// name: alliance_members
// description: Member countries of an organisation or event as of a date: an event's participants (the host only if $include_host), an organisation's active members (roles member, founding_member, chair, signatory; since <= as_of <= until), and the member countries of member organisations and of the organisation a body acts for (PART_OF: the European Commission for the EU), to any depth. Same rule and depth as minerals_kg members().
// param: alliance: alliance = "ministerial_2026" -- organisation or event id
// param: as_of: date = null -- date YYYY-MM-DD (null: the event's date, or today for an organisation)
// param: include_host: boolean = true -- count an event's host
// returns: country, name, via
// @fragment members (from _fragments/members.cypher; edit it there)
// Member resolution, the same rule and depth as minerals_kg.analysis.coverage.resolve_members.
// Needs $alliance, $as_of (a date; null: the event's date, or today), $include_host. Leaves one row with
// asOf (a DATE) and members: a list of {country, via} maps, one per member country.
MATCH (a:Organisation|Event {id: $alliance})
WITH a, coalesce($as_of, CASE WHEN a:Event THEN a.start ELSE date() END) AS asOf
// the units an alliance is made of: an event's participants, or the organisation itself
OPTIONAL MATCH (p)-[pr:PARTICIPATED_IN]->(a)
WHERE $include_host OR pr.role <> 'host'
WITH a, asOf, CASE WHEN a:Event THEN collect({unit: p, via: pr.role}) ELSE [{unit: a, via: a.id}] END AS units
UNWIND units AS u
WITH asOf, u.unit AS unit, u.via AS via
// an organisation stands for the member countries of itself, of the organisations it acts for
// (PART_OF) and of its member organisations, to any depth, through memberships active on asOf
// (roles member, founding_member, chair, signatory; not contested; since <= asOf <= until: since is
// the first day and until the last day of a partial source date's period)
OPTIONAL MATCH (unit:Organisation)
      ((x:Organisation)-[s:PART_OF|MEMBER_OF]-(y:Organisation)
        WHERE (s:PART_OF AND startNode(s) = x)
           OR (s:MEMBER_OF AND endNode(s) = x AND s.role IN ['member', 'founding_member', 'chair', 'signatory']
               AND NOT coalesce(s.contested, false)
               AND (s.since IS NULL OR s.since <= asOf) AND (s.until IS NULL OR asOf <= s.until)))*
      (:Organisation)<-[r:MEMBER_OF]-(c:Country)
WHERE r.role IN ['member', 'founding_member', 'chair', 'signatory'] AND NOT coalesce(r.contested, false)
  AND (r.since IS NULL OR r.since <= asOf) AND (r.until IS NULL OR asOf <= r.until)
WITH asOf, [x IN [CASE WHEN unit:Country THEN {country: unit, via: via} END,
                  CASE WHEN c IS NOT NULL THEN {country: c, via: unit.id} END] WHERE x IS NOT NULL] AS found
UNWIND (CASE WHEN size(found) = 0 THEN [null] ELSE found END) AS f
WITH asOf, f.country AS country, collect(f.via)[0] AS via
WITH asOf, [m IN collect({country: country, via: via}) WHERE m.country IS NOT NULL] AS members
// @end members
UNWIND members AS m
RETURN m.country.id AS country, m.country.name AS name, m.via AS via
ORDER BY country
