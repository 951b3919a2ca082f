// name: gds_country_pagerank
// description: PageRank of countries on the control network, computed in the database with Graph Data Science (gds.pageRank, weighted): every facility passes its rank to its operator, every firm or facility to its owners in proportion to their stakes (a stake of unknown size counts as 1) and every firm to its headquarters country, so countries at the end of more and larger chains of ownership rank higher. The network is projected with gds.graph.project and dropped at the end.
// param: top: integer = 20 -- how many countries
// returns: country, name, pagerank, firms_headquartered, stakes_held
WITH 'mkg-control-' + randomUUID() AS graphName
CALL (graphName) {
  CALL () {
    MATCH (owner)-[o:OWNS]->(owned)
    RETURN owned AS source, owner AS target, toFloat(coalesce(o.share, 1.0)) AS weight
    UNION ALL
    MATCH (f:Firm)-[:HEADQUARTERED_IN]->(c:Country)
    RETURN f AS source, c AS target, 1.0 AS weight
    UNION ALL
    MATCH (f:Firm)-[:OPERATES]->(x:Facility)
    RETURN x AS source, f AS target, 1.0 AS weight
  }
  RETURN gds.graph.project(graphName, source, target, {relationshipProperties: {weight: weight}}) AS projected
}
CALL (projected) {
  CALL gds.pageRank.stream(projected.graphName, {relationshipWeightProperty: 'weight'}) YIELD nodeId, score
  WITH gds.util.asNode(nodeId) AS node, score
  WHERE node:Country
  RETURN collect({country: node, score: score}) AS ranked
}
CALL (graphName, ranked) {
  WITH graphName WHERE ranked IS NOT NULL  // after the algorithm: drop the projection
  CALL gds.graph.drop(graphName, false) YIELD graphName AS dropped
  RETURN count(dropped) AS dropped
}
UNWIND ranked AS r
WITH r.country AS c, r.score AS pagerank
ORDER BY pagerank DESC, c.id
LIMIT $top
RETURN c.id AS country, c.name AS name, pagerank,
       COUNT { (:Firm)-[:HEADQUARTERED_IN]->(c) } AS firms_headquartered,
       COUNT { (c)-[:OWNS]->() } AS stakes_held
ORDER BY pagerank DESC, country
