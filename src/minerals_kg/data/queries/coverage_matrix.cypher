// name: coverage_matrix
// description: Alliance coverage per (mineral, stage) for the latest year and edition: the members' share of world output, the same share of the market without China, and the largest outsider (against the EU CRMA 65% benchmark). Members as in alliance_members. Twin of minerals_kg coverage().
// param: alliance: alliance = "ministerial_2026" -- organisation or event id
// param: as_of: date = null -- date YYYY-MM-DD (null: the event's date, or today for an organisation)
// param: include_host: boolean = true -- count an event's host
// returns: mineral, stage, year, edition, coverage, coverage_ex_china, max_outsider, max_outsider_share
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
WITH [m IN members | m.country.id] AS members
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
// @fragment shares (from _fragments/shares.cypher; edit it there)
// Shares of one group, as minerals_kg.analysis.concentration computes them: every fact carries its share
// of the world total its source prints (stated by the source, or quantity / world_total), computed once
// when the graph was built. Needs rows (see latest_groups); adds shares: a list of {country, share} for
// the countries of the group (aggregates are not suppliers).
WITH *, [r IN rows WHERE r.is_country | {country: r.country, share: toFloat(r.share)}] AS shares
// @end shares
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
