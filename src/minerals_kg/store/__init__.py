"""The Neo4j store: connection settings, local server, schema, loader, query library, projection."""
