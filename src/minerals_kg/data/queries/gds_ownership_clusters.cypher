// name: gds_ownership_clusters
// description: Clusters of the ownership network computed in the database with Graph Data Science (gds.wcc, weakly connected components): countries, organisations, firms and facilities tied together by stakes (OWNS) or operation (OPERATES), largest first. The network is projected with gds.graph.project and dropped at the end.
// param: min_size: integer = 2 -- only clusters of at least this many nodes
// returns: cluster, size, countries, firms, facilities, organisations
WITH 'mkg-ownership-' + randomUUID() AS graphName
CALL (graphName) {
  MATCH (a)-[:OWNS|OPERATES]->(b)
  RETURN gds.graph.project(graphName, a, b, {}, {undirectedRelationshipTypes: ['*']}) AS projected
}
CALL (projected) {
  CALL gds.wcc.stream(projected.graphName) YIELD nodeId, componentId
  WITH componentId, collect(gds.util.asNode(nodeId)) AS members
  RETURN collect({members: members}) AS clusters
}
CALL (graphName, clusters) {
  WITH graphName WHERE clusters IS NOT NULL  // after the algorithm: drop the projection
  CALL gds.graph.drop(graphName, false) YIELD graphName AS dropped
  RETURN count(dropped) AS dropped
}
UNWIND clusters AS c
WITH c.members AS members
WHERE size(members) >= $min_size
WITH members, [m IN members | m.id] AS ids
ORDER BY size(members) DESC, ids[0]
WITH collect(members) AS ordered
UNWIND range(1, size(ordered)) AS cluster
WITH cluster, ordered[cluster - 1] AS members
RETURN cluster, size(members) AS size,
       apoc.coll.sort([m IN members WHERE m:Country | m.id]) AS countries,
       apoc.coll.sort([m IN members WHERE m:Firm | m.id]) AS firms,
       apoc.coll.sort([m IN members WHERE m:Facility | m.id]) AS facilities,
       apoc.coll.sort([m IN members WHERE m:Organisation | m.id]) AS organisations
ORDER BY cluster
