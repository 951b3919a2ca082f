"""What the local server left on disk: its home folder and the state file ``neo4j start`` writes.

Both the server manager (:mod:`.server`) and the connection settings (:mod:`.config`) read it, so
``load``, ``query``, ``shell`` and ``minerals_kg.open("neo4j")`` find the server ``neo4j start``
started, on the ports and database it was started with.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path

import platformdirs

__all__ = ["DEFAULT_HOME", "ServerState", "home_dir", "pid_alive", "read_state", "write_state"]

DEFAULT_HOME = platformdirs.user_data_path("minerals-kg") / "neo4j"
"""Where the local server keeps its data unless ``MINERALS_KG_NEO4J_HOME`` says otherwise."""
STATE_FILE = Path("run") / "minerals-kg-server.json"


def home_dir(home: Path | str | None = None) -> Path:
    """The local server's home: ``home``, else ``MINERALS_KG_NEO4J_HOME``, else :data:`DEFAULT_HOME`."""
    return Path(home or os.environ.get("MINERALS_KG_NEO4J_HOME") or DEFAULT_HOME).resolve()


@dataclass(frozen=True)
class ServerState:
    """A running local server: its process, its addresses and its default database."""

    pid: int
    bolt_uri: str
    http_url: str
    database: str
    version: str
    home: str

    @property
    def browser_url(self) -> str:
        """Neo4j Browser, served by the server's HTTP connector."""
        return f"{self.http_url}/browser/"


def pid_alive(pid: int) -> bool:
    """Whether a process runs (a child of ours that has exited is reaped, not counted)."""
    try:
        if os.waitpid(pid, os.WNOHANG)[0] == pid:
            return False
    except ChildProcessError:
        pass
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def read_state(home: Path | str | None = None) -> ServerState | None:
    """The state of the server running from ``home``, or None when none runs there."""
    path = home_dir(home) / STATE_FILE
    try:
        state = ServerState(**json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError):
        return None
    return state if pid_alive(state.pid) else None


def write_state(state: ServerState) -> None:
    path = Path(state.home) / STATE_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(asdict(state), indent=2), encoding="utf-8")
    tmp.replace(path)


def clear_state(home: Path | str | None = None) -> None:
    (home_dir(home) / STATE_FILE).unlink(missing_ok=True)
