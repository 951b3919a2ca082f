"""The Neo4j backend: settings, the local server, schema, loader, the Cypher library and the reader."""
