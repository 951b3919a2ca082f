"""Connection settings from the environment. The password is never logged or put in argv."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from ...errors import InvalidArgument, MineralsKGError
from .state import home_dir, read_state

DEFAULT_BOLT_PORT = 7687
DEFAULT_URI = f"bolt://127.0.0.1:{DEFAULT_BOLT_PORT}"
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


def native(value: Any) -> Any:
    """Driver values as Python's: Neo4j temporal values (``neo4j.time.Date``, ...) as ``datetime`` ones.

    >>> import neo4j.time
    >>> native({"d": [neo4j.time.Date(2026, 2, 4)], "n": 1})
    {'d': [datetime.date(2026, 2, 4)], 'n': 1}
    """
    if isinstance(value, dict):
        return {k: native(v) for k, v in value.items()}
    if isinstance(value, list):
        return [native(v) for v in value]
    to_native = getattr(value, "to_native", None)
    return to_native() if callable(to_native) else value


DRIVER_OPTIONS: dict[str, float] = {
    "connection_timeout": 3.0,  # a closed port or a host that does not answer: fail in seconds, not 30 s
    "connection_acquisition_timeout": 10.0,
    "max_transaction_retry_time": 4.0,  # managed transactions retry transient errors for this long, no longer
}
"""Timeouts of every driver this package opens: a query, API call or load against a server that is down
fails within a few seconds with one line (the driver's defaults take 30 s or more and log each retry)."""


class Neo4jError(MineralsKGError):
    """A Neo4j problem shown to users as one clear line."""


def port_from_env(name: str, default: int) -> int:
    """A port number from an environment variable (``NEO4J_PORT``, ``NEO4J_HTTP_PORT``), checked.

    >>> port_from_env("MINERALS_KG_UNSET_PORT", 7474)
    7474
    """
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    if not raw.isdigit() or not 0 < int(raw) < 65536:
        raise InvalidArgument(name, "a port number in 1-65535", repr(raw))
    return int(raw)


@dataclass(frozen=True)
class Neo4jSettings:
    """Where a client connects and as whom; ``origin`` says why this server (shown to users)."""

    uri: str = DEFAULT_URI
    user: str = "neo4j"
    password: str = field(default="", repr=False)
    database: str = "neo4j"
    origin: str = ""

    @classmethod
    def from_env(cls, uri: str | None = None) -> Neo4jSettings:
        """The server to talk to, and the credentials, from the environment.

        In order: an explicit ``uri`` (``--uri``); ``NEO4J_URI``; the local server that
        ``minerals-kg neo4j start`` started (its Bolt port and default database); else
        ``bolt://127.0.0.1:<NEO4J_PORT or 7687>``. ``NEO4J_USER`` (default ``neo4j``),
        ``NEO4J_PASSWORD`` (required) and ``NEO4J_DATABASE`` apply to all of them.
        """
        database = os.environ.get("NEO4J_DATABASE")
        if uri:
            checked, origin = check_uri(uri, "--uri"), "given with --uri"
        elif os.environ.get("NEO4J_URI"):
            checked, origin = check_uri(os.environ["NEO4J_URI"], "NEO4J_URI"), "from NEO4J_URI"
        else:
            state = read_state()
            if state is not None:
                checked, origin = state.bolt_uri, f"the local server of `minerals-kg neo4j start`, data in {state.home}"
                database = database or state.database
            else:
                port = port_from_env("NEO4J_PORT", DEFAULT_BOLT_PORT)
                checked = f"bolt://127.0.0.1:{port}"
                origin = f"the default: no NEO4J_URI, and no local server runs from {home_dir()}"
        password = os.environ.get("NEO4J_PASSWORD", "")
        if not password:
            raise Neo4jError(
                "NEO4J_PASSWORD is not set: export the password of the Neo4j user (never pass it on the command line)"
            )
        return cls(
            uri=checked,
            user=os.environ.get("NEO4J_USER", "neo4j"),
            password=password,
            database=database or "neo4j",
            origin=origin,
        )

    @property
    def safe_uri(self) -> str:
        """The URI as it may be shown in messages (never with credentials)."""
        return redact(self.uri)

    def describe(self) -> str:
        """Which server, which database and why, in one line (never the password).

        >>> Neo4jSettings(origin="from NEO4J_URI").describe()
        'Neo4j at bolt://127.0.0.1:7687, database neo4j (from NEO4J_URI)'
        """
        why = f" ({self.origin})" if self.origin else ""
        return f"Neo4j at {self.safe_uri}, database {self.database}{why}"

    def driver(self):
        """A driver that fails fast when no server answers (see :data:`DRIVER_OPTIONS`) and logs nothing."""
        import logging

        import neo4j

        logger = logging.getLogger("neo4j")
        if not any(isinstance(h, logging.NullHandler) for h in logger.handlers):
            # without a handler, Python's last-resort handler would print the driver's retry warnings
            logger.addHandler(logging.NullHandler())
        return neo4j.GraphDatabase.driver(
            self.uri,
            auth=(self.user, self.password),
            connection_timeout=DRIVER_OPTIONS["connection_timeout"],
            connection_acquisition_timeout=DRIVER_OPTIONS["connection_acquisition_timeout"],
            max_transaction_retry_time=DRIVER_OPTIONS["max_transaction_retry_time"],
        )
