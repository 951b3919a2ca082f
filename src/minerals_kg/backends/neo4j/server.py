"""A local Neo4j 5.26 Community server from Maven Central artifacts (the package's ``neo4j-launcher``).

``start`` builds the launcher on first use (Maven resolves Neo4j into a per-user cache folder, so an
installed package never writes into its own installation), starts it in the background with data in
a per-user folder (or ``MINERALS_KG_NEO4J_HOME``), waits until Bolt answers and returns the URI. The
password comes from ``NEO4J_PASSWORD`` through the environment, never argv.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import platformdirs

from ...resources import LAUNCHER_DIR
from .config import Neo4jError, Neo4jSettings, first_line

DEFAULT_HOME = platformdirs.user_data_path("minerals-kg") / "neo4j"
"""Where the local server keeps its data unless ``MINERALS_KG_NEO4J_HOME`` says otherwise."""


def _launcher_sources() -> list[Path]:
    return sorted([LAUNCHER_DIR / "pom.xml", *LAUNCHER_DIR.glob("src/**/*.java")])


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


JVM_FLAGS = [
    "-Xms512m",
    "-Xmx1g",
    "-XX:+UseG1GC",
    "-XX:+ExitOnOutOfMemoryError",
    "--add-opens=java.base/java.nio=ALL-UNNAMED",
    "--add-opens=java.base/java.io=ALL-UNNAMED",
    "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
    "-Dio.netty.tryReflectionSetAccessible=true",
    "-Dlog4j2.disable.jmx=true",
]


@dataclass(frozen=True)
class ServerStatus:
    running: bool
    pid: int | None
    uri: str | None
    home: Path


def home_dir(home: Path | str | None = None) -> Path:
    return Path(home or os.environ.get("MINERALS_KG_NEO4J_HOME") or DEFAULT_HOME).resolve()


def build(quiet: bool = True) -> Path:
    """Build the launcher with Maven unless its build folder already holds this version's build."""
    launcher = launcher_dir()
    classes, lib = launcher / "target" / "classes", launcher / "target" / "lib"
    stamp = classes / ".built"
    copies = [(src, launcher / src.relative_to(LAUNCHER_DIR)) for src in _launcher_sources()]
    if (
        stamp.exists()
        and lib.is_dir()
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
    cmd = [mvn, "-B", "-f", str(launcher / "pom.xml"), "package", "-DskipTests"] + (["-q"] if quiet else [])
    result = subprocess.run(cmd, capture_output=quiet, text=True)
    if result.returncode != 0:
        tail = (result.stdout or "")[-2000:] + (result.stderr or "")[-2000:]
        raise Neo4jError(f"building the Neo4j launcher failed (mvn exit {result.returncode}):\n{tail}")
    stamp.touch()
    return launcher


def _pid(home: Path) -> int | None:
    try:
        pid = int((home / "launcher.pid").read_text().strip())
    except (FileNotFoundError, ValueError):
        return None
    try:  # reap it if it is our own child that has exited (a zombie still answers kill 0)
        if os.waitpid(pid, os.WNOHANG)[0] == pid:
            return None
    except ChildProcessError:
        pass
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return None
    except PermissionError:
        return pid
    return pid


def _ready_uri(home: Path) -> str | None:
    log = home / "launcher.out"
    if not log.exists():
        return None
    for line in log.read_text(errors="replace").splitlines():
        if line.startswith("NEO4J_READY "):
            return line.split()[1]
    return None


def status(home: Path | str | None = None) -> ServerStatus:
    home = home_dir(home)
    pid = _pid(home)
    return ServerStatus(pid is not None, pid, _ready_uri(home) if pid else None, home)


def wait_for_bolt(settings: Neo4jSettings, timeout: float = 120.0) -> None:
    """Poll until a Bolt connection with these credentials succeeds."""
    import neo4j.exceptions as nx

    deadline = time.monotonic() + timeout
    last: Exception | None = None
    while time.monotonic() < deadline:
        try:
            with settings.driver() as driver:
                driver.verify_connectivity()
                return
        except nx.AuthError as exc:
            raise Neo4jError(
                f"Neo4j at {settings.safe_uri} refused the credentials of user {settings.user!r}: check NEO4J_PASSWORD"
            ) from exc
        except (nx.ServiceUnavailable, nx.SessionExpired, OSError) as exc:
            last = exc
            time.sleep(0.5)
    raise Neo4jError(
        f"Neo4j at {settings.safe_uri} did not answer within {timeout:.0f}s ({first_line(last) if last else 'no answer'})"
    )


def start(port: int | None = None, home: Path | str | None = None, timeout: float = 180.0) -> str:
    """Start the local server in the background (or find it running); return its Bolt URI."""
    home = home_dir(home)
    current = status(home)
    if current.running and current.uri:
        return current.uri
    password = os.environ.get("NEO4J_PASSWORD", "")
    if len(password) < 8:
        raise Neo4jError(
            "set NEO4J_PASSWORD (at least 8 characters) before starting the local server; it becomes the neo4j user's password on first start"
        )
    port = port if port is not None else int(os.environ.get("NEO4J_PORT", "7687"))
    launcher = build()
    home.mkdir(parents=True, exist_ok=True)
    out = (home / "launcher.out").open("w")
    cp = f"{launcher / 'target' / 'classes'}{os.pathsep}{launcher / 'target' / 'lib' / '*'}"
    env = dict(os.environ.items())
    proc = subprocess.Popen(
        [shutil.which("java") or "java", *JVM_FLAGS, "-cp", cp, "org.mineralskg.Launcher", str(home), str(port)],
        stdout=out,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        env=env,
        start_new_session=True,
    )
    (home / "launcher.pid").write_text(str(proc.pid))
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        uri = _ready_uri(home)
        if uri:
            wait_for_bolt(Neo4jSettings(uri=uri, password=password), timeout=max(5.0, deadline - time.monotonic()))
            return uri
        if proc.poll() is not None:
            tail = (home / "launcher.out").read_text(errors="replace")[-3000:]
            raise Neo4jError(f"the Neo4j launcher exited with code {proc.returncode}:\n{tail}")
        time.sleep(0.3)
    stop(home)
    raise Neo4jError(f"the local Neo4j server was not ready within {timeout:.0f}s (see {home / 'launcher.out'})")


def stop(home: Path | str | None = None, timeout: float = 60.0) -> bool:
    """Stop the local server (SIGTERM, clean shutdown); False if it was not running."""
    home = home_dir(home)
    pid = _pid(home)
    if pid is None:
        return False
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and _pid(home) is not None:
        time.sleep(0.2)
    if _pid(home) is not None:
        os.kill(pid, signal.SIGKILL)
    (home / "launcher.pid").unlink(missing_ok=True)
    return True
