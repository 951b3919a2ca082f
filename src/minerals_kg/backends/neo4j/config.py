"""Connection settings from the environment. The password is never logged or put in argv."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from ...errors import InvalidArgument, MineralsKGError

DEFAULT_URI = "bolt://127.0.0.1:7687"
SCHEMES = ("bolt", "bolt+s", "bolt+ssc", "neo4j", "neo4j+s", "neo4j+ssc")


def redact(uri: str) -> str:
    """A URI as it may be shown: any user or password in it replaced by ``***``.

    >>> redact("bolt://neo4j:secret@db.example:7687")
    'bolt://***@db.example:7687'
    """
    parts = urlsplit(uri)
    if "@" not in parts.netloc:
        return uri
    return parts._replace(netloc="***@" + parts.netloc.rsplit("@", 1)[1]).geturl()


def first_line(exc: BaseException, limit: int = 200) -> str:
    """An exception as one short line (drivers put multi-line diagnostics in their messages)."""
    text = (str(getattr(exc, "message", None) or exc).strip().splitlines() or [type(exc).__name__])[0]
    return text if len(text) <= limit else text[: limit - 1] + "…"


def check_uri(uri: str, where: str = "NEO4J_URI") -> str:
    """A Neo4j URI, or one precise error: a known scheme, a host, no credentials in it.

    >>> check_uri("neo4j://127.0.0.1:7687")
    'neo4j://127.0.0.1:7687'
    >>> check_uri("http://x")
    Traceback (most recent call last):
    ...
    minerals_kg.errors.InvalidArgument: NEO4J_URI: expected a URI with scheme bolt, bolt+s, bolt+ssc, neo4j, neo4j+s or neo4j+ssc, got 'http://x'
    """
    try:
        parts = urlsplit(uri)
        port = parts.port
    except ValueError:
        raise InvalidArgument(where, "a URI with a host and a port in 1-65535", repr(redact(uri))) from None
    if parts.scheme not in SCHEMES:
        raise InvalidArgument(where, f"a URI with scheme {', '.join(SCHEMES[:-1])} or {SCHEMES[-1]}", repr(redact(uri)))
    if "@" in parts.netloc:
        raise InvalidArgument(where, "a URI without credentials (set NEO4J_USER and NEO4J_PASSWORD)", repr(redact(uri)))
    if not parts.hostname or (port is not None and not 0 < port < 65536):
        raise InvalidArgument(where, "a URI with a host and a port in 1-65535", repr(uri))
    return uri


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
        where = "--uri" if uri else "NEO4J_URI"
        checked = check_uri(uri or os.environ.get("NEO4J_URI") or DEFAULT_URI, where)
        password = os.environ.get("NEO4J_PASSWORD", "")
        if not password:
            raise Neo4jError(
                "NEO4J_PASSWORD is not set: export the password of the Neo4j user (never pass it on the command line)"
            )
        return cls(
            uri=checked,
            user=os.environ.get("NEO4J_USER", "neo4j"),
            password=password,
            database=os.environ.get("NEO4J_DATABASE", "neo4j"),
        )

    @property
    def safe_uri(self) -> str:
        """The URI as it may be shown in messages (never with credentials)."""
        return redact(self.uri)

    def driver(self):
        import neo4j

        return neo4j.GraphDatabase.driver(self.uri, auth=(self.user, self.password))
