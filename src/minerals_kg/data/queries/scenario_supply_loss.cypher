// name: scenario_supply_loss
// description: Supply an alliance loses when an imposer's instruments certainly in force on a date are applied (status unknown after its status_as_of: left out): for each mineral and stage an instrument covers (its stages, or every stage with data), the imposer's share of world output in the latest group. Instruments that control technology only are skipped; instruments apply when they target every destination or a member. Twin of minerals_kg scenario() (by_stage, for an imposer).
// param: imposer: country = "CHN" -- ISO-3 code of the imposing country
// param: kinds: list<instrument_kind> = ["export_control"] -- instrument kinds to apply
// param: alliance: alliance = "ministerial_2026" -- organisation or event id whose supply is assessed
// param: as_of: date = null -- date YYYY-MM-DD for instruments in force and membership (null: the event's date, or today)
// param: include_host: boolean = true -- count an event's host as a member
// returns: mineral, stage, year, edition, supply_lost_share, instruments
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
WITH asOf, [m IN members | m.country.id] AS members
// instruments of the imposer in force on asOf that reach a member
MATCH (:Country {id: $imposer})-[:IMPOSES]->(i:PolicyInstrument)-[:COVERS]->(mi:Mineral)
WITH asOf, members, i, mi, coalesce(i.effective, i.announced) AS start
WHERE i.kind IN $kinds AND coalesce(i.item_scope, 'materials') <> 'technology'
  AND NOT i.status IN ['proposed', 'announced', 'withdrawn']
  AND CASE WHEN start IS NULL THEN i.status IN ['in_force', 'partially_suspended', 'signed']
      ELSE start <= asOf
        AND (i.ended IS NULL OR asOf < i.ended)
        AND NOT (i.suspended_from IS NOT NULL AND i.suspended_from <= asOf
                 AND (i.suspended_until IS NULL OR asOf <= i.suspended_until))
        AND NOT (i.status IN ['expired', 'superseded', 'suspended'] AND i.ended IS NULL AND i.suspended_from IS NULL
                 AND i.status_as_of <= asOf)
        // no source says what happened after status_as_of: never applied (Python lists it apart)
        AND NOT (i.status = 'unknown' AND i.status_as_of <= asOf)
      END
  AND (i.target_scope = 'all' OR EXISTS { MATCH (i)-[:TARGETS]->(t:Country) WHERE t.id IN members })
WITH collect({mineral: mi.id, stages: coalesce(i.stages, []), instrument: i.id}) AS covers
// @fragment latest_groups (from _fragments/latest_groups.cypher; edit it there)
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
// @end latest_groups
UNWIND covers AS c
WITH mineral, stage, year, edition, rows, c
WHERE c.mineral = mineral AND (size(c.stages) = 0 OR stage IN c.stages)
WITH mineral, stage, year, edition, rows, collect(DISTINCT c.instrument) AS instruments
// @fragment shares (from _fragments/shares.cypher; edit it there)
// Shares of one group, as minerals_kg.analysis.concentration computes them: every fact carries its share
// of the world total its source prints (stated by the source, or quantity / world_total), computed once
// when the graph was built. Needs rows (see latest_groups); adds shares: a list of {country, share} for
// the countries of the group (aggregates are not suppliers).
WITH *, [r IN rows WHERE r.is_country | {country: r.country, share: toFloat(r.share)}] AS shares
// @end shares
WITH mineral, stage, year, edition, instruments, head([s IN shares WHERE s.country = $imposer]) AS imposer_row
RETURN mineral, stage, year, edition, coalesce(imposer_row.share, 0.0) AS supply_lost_share, instruments
ORDER BY mineral, stage
