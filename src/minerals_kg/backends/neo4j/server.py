"""The local Neo4j: the real Neo4j 5.26 Community server with Neo4j Browser, APOC core and Graph Data
Science, and Neo4j's cypher-shell, every jar from Maven Central (the package's ``neo4j-launcher``).

``start`` builds the launcher on first use (Maven resolves the jars into a per-user cache folder, so an
installed package never writes into its own installation), writes ``<home>/conf/neo4j.conf`` from the
options, starts the server in the background and waits until Bolt and HTTP answer. Bolt and HTTP
listen on 127.0.0.1 only, auth is on, and the password comes from ``NEO4J_PASSWORD`` through the
environment: it is never on a command line and never in a log.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import platformdirs

from ...errors import InvalidArgument
from ...resources import LAUNCHER_DIR
from .config import DEFAULT_BOLT_PORT, Neo4jError, Neo4jSettings, first_line, port_from_env
from .state import ServerState, clear_state, home_dir, pid_alive, read_state, write_state

__all__ = [
    "DEFAULT_HEAP",
    "DEFAULT_HTTP_PORT",
    "DEFAULT_PAGECACHE",
    "ServerOptions",
    "ServerStatus",
    "build",
    "cypher_shell_command",
    "home_dir",
    "neo4j_conf",
    "start",
    "status",
    "stop",
]

DEFAULT_HTTP_PORT = 7474
DEFAULT_HEAP = "2g"
"""JVM heap: room for GDS projections of graphs far larger than the shipped one (2 cores, 24 GB)."""
DEFAULT_PAGECACHE = "512m"
"""Page cache: the whole store of the shipped data many times over; Neo4j's default takes half the RAM."""
_SIZE = re.compile(r"^(\d+)([kmg])$")
_UNIT = {"k": 1 << 10, "m": 1 << 20, "g": 1 << 30}


def _launcher_sources() -> list[Path]:
    return sorted(
        [LAUNCHER_DIR / "pom.xml", LAUNCHER_DIR / "cypher-shell" / "pom.xml", *LAUNCHER_DIR.glob("src/**/*.java")]
    )


def launcher_dir() -> Path:
    """The build folder of the launcher: a per-user cache folder keyed by the launcher's sources.

    ``MINERALS_KG_LAUNCHER_DIR`` overrides it (CI caches it between runs).
    """
    if os.environ.get("MINERALS_KG_LAUNCHER_DIR"):
        return Path(os.environ["MINERALS_KG_LAUNCHER_DIR"]).resolve()
    digest = hashlib.sha256()
    for src in _launcher_sources():
        digest.update(src.relative_to(LAUNCHER_DIR).as_posix().encode() + b"\0" + src.read_bytes())
    return platformdirs.user_cache_path("minerals-kg") / f"neo4j-launcher-{digest.hexdigest()[:12]}"


def memory_size(value: str, where: str) -> str:
    """A JVM/Neo4j memory size such as ``512m`` or ``2g`` (at least 128m), or one precise error.

    >>> memory_size("2G", "--heap")
    '2g'
    >>> memory_size("lots", "--heap")
    Traceback (most recent call last):
    ...
    minerals_kg.errors.InvalidArgument: --heap: expected a memory size such as 512m or 2g (at least 128m), got 'lots'
    """
    text = str(value).strip().lower()
    m = _SIZE.match(text)
    if not m or int(m[1]) * _UNIT[m[2]] < 128 * _UNIT["m"]:
        raise InvalidArgument(where, "a memory size such as 512m or 2g (at least 128m)", repr(value))
    return text


def _bytes(size: str) -> int:
    m = _SIZE.match(size)
    assert m is not None
    return int(m[1]) * _UNIT[m[2]]


@dataclass(frozen=True)
class ServerOptions:
    """How the local server is started: ports (127.0.0.1 only), memory and its default database."""

    bolt_port: int = DEFAULT_BOLT_PORT
    http_port: int = DEFAULT_HTTP_PORT
    heap: str = DEFAULT_HEAP
    pagecache: str = DEFAULT_PAGECACHE
    database: str = "neo4j"

    @classmethod
    def from_env(
        cls,
        bolt_port: int | None = None,
        http_port: int | None = None,
        heap: str | None = None,
        pagecache: str | None = None,
    ) -> ServerOptions:
        """Options given here, else ``NEO4J_PORT``, ``NEO4J_HTTP_PORT``, ``MINERALS_KG_NEO4J_HEAP``,
        ``MINERALS_KG_NEO4J_PAGECACHE`` and ``NEO4J_DATABASE``, else the defaults."""
        bolt = bolt_port if bolt_port is not None else port_from_env("NEO4J_PORT", DEFAULT_BOLT_PORT)
        http = http_port if http_port is not None else port_from_env("NEO4J_HTTP_PORT", DEFAULT_HTTP_PORT)
        if bolt == http:
            raise InvalidArgument("--http-port", f"a port other than the Bolt port {bolt}", str(http))
        return cls(
            bolt_port=bolt,
            http_port=http,
            heap=memory_size(heap or os.environ.get("MINERALS_KG_NEO4J_HEAP") or DEFAULT_HEAP, "--heap"),
            pagecache=memory_size(
                pagecache or os.environ.get("MINERALS_KG_NEO4J_PAGECACHE") or DEFAULT_PAGECACHE, "--pagecache"
            ),
            database=os.environ.get("NEO4J_DATABASE") or "neo4j",
        )

    def jvm_flags(self) -> list[str]:
        """The JVM flags Neo4j's own launcher script would pass, with this heap (no password, ever)."""
        initial = self.heap if _bytes(self.heap) <= _bytes("512m") else "512m"
        return [
            f"-Xms{initial}",
            f"-Xmx{self.heap}",
            "-XX:+UseG1GC",
            "-XX:-OmitStackTraceInFastThrow",
            "-XX:+ExitOnOutOfMemoryError",
            "-XX:+DisableExplicitGC",
            "-Djdk.nio.maxCachedBufferSize=1024",
            "-Dio.netty.tryReflectionSetAccessible=true",
            "-Dlog4j2.disable.jmx=true",
            "-Dfile.encoding=UTF-8",
            "--add-opens=java.base/java.nio=ALL-UNNAMED",
            "--add-opens=java.base/java.io=ALL-UNNAMED",
            "--add-opens=java.base/java.lang=ALL-UNNAMED",
            "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
        ]


def neo4j_conf(options: ServerOptions, home: Path, plugins: Path) -> str:
    """The ``neo4j.conf`` of the local server (rewritten on every start from the options)."""
    settings = {
        # loopback only, plain text; the advertised addresses are what Browser and routing hand out
        "server.default_listen_address": "127.0.0.1",
        "server.default_advertised_address": "127.0.0.1",
        "server.bolt.enabled": "true",
        "server.bolt.listen_address": f"127.0.0.1:{options.bolt_port}",
        "server.bolt.advertised_address": f"127.0.0.1:{options.bolt_port}",
        "server.bolt.tls_level": "DISABLED",
        "server.http.enabled": "true",
        "server.http.listen_address": f"127.0.0.1:{options.http_port}",
        "server.http.advertised_address": f"127.0.0.1:{options.http_port}",
        "server.https.enabled": "false",
        "dbms.routing.enabled": "false",
        "initial.dbms.default_database": options.database,
        # users and passwords, as in any deployment
        "dbms.security.auth_enabled": "true",
        # APOC and GDS: procedure jars from their own folder; LOAD CSV only from the import folder
        "server.directories.plugins": str(plugins),
        "server.directories.import": str(home / "import"),
        "dbms.security.allow_csv_import_from_file_urls": "true",
        "dbms.security.procedures.unrestricted": "gds.*,apoc.*",
        # memory for a 2-core, 24 GB machine (heap: JVM flags)
        "server.memory.pagecache.size": options.pagecache,
        "dbms.memory.transaction.total.max": "1g",
        "db.transaction.timeout": "10m",
        "db.tx_log.rotation.retention_policy": "100M size",
        # no phoning home
        "dbms.usage_report.enabled": "false",
        "client.allow_telemetry": "false",  # Browser's product analytics
        # Bolt's two Netty event loops wait a 5 s quiet period each on shutdown without this
        "internal.dbms.bolt.netty_server_shutdown_quiet_period": "0",
    }
    header = "# Written by `minerals-kg neo4j start` on every start: change its options, not this file.\n"
    return header + "".join(f"{k}={v}\n" for k, v in settings.items())


APOC_CONF = """# Written by `minerals-kg neo4j start`. APOC reads and writes no files: exports are streamed to the
# client ({stream: true}), and imports stay with LOAD CSV in the server's import folder.
apoc.export.file.enabled=false
apoc.import.file.enabled=false
apoc.import.file.use_neo4j_config=true
"""


@dataclass(frozen=True)
class ServerStatus:
    running: bool
    pid: int | None
    uri: str | None
    home: Path
    http_url: str | None = None
    browser_url: str | None = None
    database: str | None = None
    version: str | None = None


def build(quiet: bool = True) -> Path:
    """Build the launcher and cypher-shell with Maven unless the build folder already holds this version."""
    launcher = launcher_dir()
    stamp = launcher / "target" / "classes" / ".built"
    copies = [(src, launcher / src.relative_to(LAUNCHER_DIR)) for src in _launcher_sources()]
    built = [launcher / "target" / "lib", launcher / "target" / "plugins", launcher / "cypher-shell" / "target" / "lib"]
    if (
        stamp.exists()
        and all(p.is_dir() for p in built)
        and all(dst.is_file() and dst.read_bytes() == src.read_bytes() for src, dst in copies)
    ):
        return launcher
    for src, dst in copies:
        dst.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src, dst)
    mvn = shutil.which("mvn")
    java = shutil.which("java")
    if not mvn or not java:
        raise Neo4jError(
            "the local Neo4j server needs Java 17 and Maven (mvn) on PATH; or set NEO4J_URI to an existing server"
        )
    for pom in (launcher / "pom.xml", launcher / "cypher-shell" / "pom.xml"):
        cmd = [mvn, "-B", "-f", str(pom), "package", "-DskipTests"] + (["-q"] if quiet else [])
        result = subprocess.run(cmd, capture_output=quiet, text=True)
        if result.returncode != 0:
            tail = (result.stdout or "")[-2000:] + (result.stderr or "")[-2000:]
            raise Neo4jError(f"building {pom.relative_to(launcher)} failed (mvn exit {result.returncode}):\n{tail}")
    stamp.parent.mkdir(parents=True, exist_ok=True)
    stamp.touch()
    return launcher


def status(home: Path | str | None = None) -> ServerStatus:
    """Whether the local server of ``home`` runs, with its pid, addresses and default database."""
    home = home_dir(home)
    state = read_state(home)
    if state is None:
        pid = _pid(home)
        return ServerStatus(pid is not None, pid, None, home)
    return ServerStatus(
        True, state.pid, state.bolt_uri, home, state.http_url, state.browser_url, state.database, state.version
    )


def _pid(home: Path) -> int | None:
    """The launcher's pid while it starts (before the state file exists)."""
    try:
        pid = int((home / "run" / "launcher.pid").read_text().strip())
    except (FileNotFoundError, ValueError):
        return None
    return pid if pid_alive(pid) else None


def _port_free(port: int) -> bool:
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def wait_for_bolt(settings: Neo4jSettings, timeout: float = 120.0, alive=lambda: True) -> str:
    """Poll until a Bolt connection with these credentials succeeds; return the server's version."""
    import neo4j.exceptions as nx

    deadline = time.monotonic() + timeout
    last: Exception | None = None
    while time.monotonic() < deadline and alive():
        try:
            with settings.driver() as driver:
                driver.verify_connectivity()
                records, _, _ = driver.execute_query(
                    "CALL dbms.components() YIELD versions RETURN versions[0] AS v", database_=settings.database
                )
                return str(records[0]["v"])
        except nx.AuthError as exc:
            raise Neo4jError(
                f"Neo4j at {settings.safe_uri} refused the credentials of user {settings.user!r}: check NEO4J_PASSWORD "
                "(a home keeps the password of its first start; delete the home folder to start over)"
            ) from exc
        except (nx.ServiceUnavailable, nx.SessionExpired, nx.DatabaseUnavailable, OSError) as exc:
            last = exc
            time.sleep(0.5)
    raise Neo4jError(
        f"Neo4j at {settings.safe_uri} did not answer within {timeout:.0f}s ({first_line(last) if last else 'no answer'})"
    )


def _http_ready(url: str) -> bool:
    try:
        with urllib.request.urlopen(url + "/", timeout=5) as response:
            return "bolt_direct" in json.loads(response.read().decode("utf-8"))
    except (OSError, ValueError):
        return False


def _tail(home: Path) -> str:
    parts = []
    for log in (home / "logs" / "launcher.out", home / "logs" / "neo4j.log"):
        if log.exists():
            lines = log.read_text(errors="replace").splitlines()
            parts.append(f"{log}:\n" + "\n".join(lines[-15:]))
    return "\n".join(parts)


def start(
    options: ServerOptions | None = None,
    home: Path | str | None = None,
    timeout: float = 240.0,
) -> ServerStatus:
    """Start the local server in the background (or find it running); return its status with its URLs."""
    options = options or ServerOptions.from_env()
    home = home_dir(home)
    current = status(home)
    if current.running and current.uri:
        return current
    if current.running:
        raise Neo4jError(f"a Neo4j launcher (pid {current.pid}) is still starting from {home}; wait or stop it")
    password = os.environ.get("NEO4J_PASSWORD", "")
    if len(password) < 8:
        raise Neo4jError(
            "set NEO4J_PASSWORD (at least 8 characters) before starting the local server; "
            "it becomes the neo4j user's password on first start"
        )
    for port, option in ((options.bolt_port, "--bolt-port"), (options.http_port, "--http-port")):
        if not _port_free(port):
            raise Neo4jError(f"port {port} on 127.0.0.1 is in use (another server?); choose another with {option}")
    launcher = build()
    for folder in ("conf", "logs", "run", "import"):
        (home / folder).mkdir(parents=True, exist_ok=True)
    (home / "conf" / "neo4j.conf").write_text(neo4j_conf(options, home, launcher / "target" / "plugins"))
    (home / "conf" / "apoc.conf").write_text(APOC_CONF)
    cp = os.pathsep.join(
        [str(launcher / "target" / "classes"), str(launcher / "target" / "lib" / "*")]
    )  # the jars' own folder: Browser, APOC and GDS on the classpath and (procedures) in plugins
    with (home / "logs" / "launcher.out").open("w") as out:
        proc = subprocess.Popen(
            [
                shutil.which("java") or "java",
                *options.jvm_flags(),
                "-cp",
                cp,
                "org.mineralskg.Launcher",
                f"--home-dir={home}",
                f"--config-dir={home / 'conf'}",
            ],
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env=dict(os.environ),  # NEO4J_PASSWORD reaches the launcher here, never through argv
            start_new_session=True,
        )
    (home / "run" / "launcher.pid").write_text(str(proc.pid))
    bolt = f"bolt://127.0.0.1:{options.bolt_port}"
    http = f"http://127.0.0.1:{options.http_port}"
    settings = Neo4jSettings(uri=bolt, password=password, database=options.database)
    try:
        try:
            version = wait_for_bolt(settings, timeout=timeout, alive=lambda: proc.poll() is None)
        except Neo4jError:
            if proc.poll() is not None:
                raise Neo4jError(f"the Neo4j server exited with code {proc.returncode}:\n{_tail(home)}") from None
            raise
        deadline = time.monotonic() + 60
        while not _http_ready(http) and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.3)
        if proc.poll() is not None:
            raise Neo4jError(f"the Neo4j server exited with code {proc.returncode}:\n{_tail(home)}")
        if not _http_ready(http):
            raise Neo4jError(f"Neo4j's HTTP connector at {http} did not answer:\n{_tail(home)}")
    except Neo4jError:
        stop(home)
        raise
    write_state(ServerState(proc.pid, bolt, http, options.database, version, str(home)))
    return status(home)


def stop(home: Path | str | None = None, timeout: float = 60.0) -> bool:
    """Stop the local server (SIGTERM: Neo4j shuts down cleanly); False if it was not running."""
    home = home_dir(home)
    state = read_state(home)
    pid = state.pid if state else _pid(home)
    if pid is None:
        clear_state(home)
        return False
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and pid_alive(pid):
        time.sleep(0.2)
    if pid_alive(pid):
        os.kill(pid, signal.SIGKILL)
    clear_state(home)
    (home / "run" / "launcher.pid").unlink(missing_ok=True)
    return True


def cypher_shell_command(settings: Neo4jSettings, *args: str) -> list[str]:
    """The command line of Neo4j's cypher-shell against ``settings`` (the password goes by environment)."""
    launcher = build()
    return [
        shutil.which("java") or "java",
        "-Xmx512m",
        "-cp",
        str(launcher / "cypher-shell" / "target" / "lib" / "*"),
        "org.neo4j.shell.Main",
        "-a",
        settings.uri,
        "-u",
        settings.user,
        "-d",
        settings.database,
        *args,
    ]
