"""Connection settings from the environment. The password is never logged or put in argv."""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from ..errors import MineralsKGError

DEFAULT_URI = "bolt://127.0.0.1:7687"


class Neo4jError(MineralsKGError):
    """A Neo4j problem shown to users as one clear line."""


@dataclass(frozen=True)
class Neo4jSettings:
    uri: str = DEFAULT_URI
    user: str = "neo4j"
    password: str = field(default="", repr=False)
    database: str = "neo4j"

    @classmethod
    def from_env(cls, uri: str | None = None) -> Neo4jSettings:
        """``NEO4J_URI``, ``NEO4J_USER``, ``NEO4J_PASSWORD``, ``NEO4J_DATABASE`` (an explicit uri wins)."""
        password = os.environ.get("NEO4J_PASSWORD", "")
        if not password:
            raise Neo4jError("NEO4J_PASSWORD is not set: export the password of the Neo4j user (never pass it on the command line)")
        return cls(
            uri=uri or os.environ.get("NEO4J_URI", DEFAULT_URI),
            user=os.environ.get("NEO4J_USER", "neo4j"),
            password=password,
            database=os.environ.get("NEO4J_DATABASE", "neo4j"),
        )

    def driver(self):  # type: ignore[no-untyped-def]
        import neo4j

        return neo4j.GraphDatabase.driver(self.uri, auth=(self.user, self.password))
