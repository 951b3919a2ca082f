"""The two backends behind :class:`minerals_kg.contract.GraphReader`: embedded (networkx) and Neo4j."""
