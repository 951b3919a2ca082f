// name: end_use_exposure
// description: End uses exposed to a country's export controls: the export controls it imposes, the minerals they cover and the end uses that need those minerals, with the instrument status.
// param: country: country = "CHN" -- ISO-3 code of the imposing country
// param: active_only: boolean = false -- only instruments in force or partially suspended
// returns: end_use, mineral, component, instruments, statuses
MATCH (:Country {id: $country})-[:IMPOSES]->(i:ExportControl)-[:COVERS]->(m:Mineral)-[u:USED_IN]->(e:EndUse)
WHERE NOT $active_only OR i.status IN ['in_force', 'partially_suspended']
RETURN e.id AS end_use, m.id AS mineral, collect(DISTINCT u.component) AS component,
       collect(DISTINCT i.id) AS instruments, collect(DISTINCT i.status) AS statuses
ORDER BY end_use, mineral
