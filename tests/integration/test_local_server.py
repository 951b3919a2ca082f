"""`minerals-kg neo4j start|status|stop` as a user runs them, on a server of its own: the real Neo4j
with Bolt and Browser on loopback, APOC and GDS loaded; load, query, shell and minerals_kg.open reach
it without NEO4J_URI and say so; the password is never on a command line or in a log."""

from __future__ import annotations

import os
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from minerals_kg.resources import QUERY_DIR

from .conftest import _free_port

pytestmark = pytest.mark.integration

PASSWORD = "cli-started-server-pw"


def cli(*args: str, env: dict[str, str], timeout: float = 600) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "minerals_kg.cli", *args], capture_output=True, text=True, env=env, timeout=timeout
    )


@pytest.fixture(scope="module")
def started(tmp_path_factory, local_server):  # type: ignore[no-untyped-def]
    if local_server is None:
        pytest.skip("the tests use NEO4J_URI: no local server of their own")
    home = tmp_path_factory.mktemp("cli-home")
    bolt, http = _free_port(), _free_port()
    while http == bolt:
        http = _free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("NEO4J_URI", "NEO4J_PORT", "NEO4J_DATABASE")}
    env |= {"NEO4J_PASSWORD": PASSWORD, "MINERALS_KG_NEO4J_HOME": str(home), "NEO4J_HTTP_PORT": str(http)}
    result = cli("neo4j", "start", "--bolt-port", str(bolt), "--heap", "1g", env=env)
    try:
        assert result.returncode == 0, result.stderr
        yield {"env": env, "home": Path(home), "bolt": bolt, "http": http, "start": result}
    finally:
        cli("neo4j", "stop", env=env, timeout=120)


def test_start_prints_the_bolt_and_browser_urls(started):
    out = started["start"].stdout
    assert f"bolt:    bolt://127.0.0.1:{started['bolt']}" in out
    assert f"browser: http://127.0.0.1:{started['http']}/browser/" in out


def test_status_shows_the_urls(started):
    result = cli("neo4j", "status", env=started["env"])
    assert result.returncode == 0 and "running pid=" in result.stdout
    assert f"http://127.0.0.1:{started['http']}/browser/" in result.stdout


def test_browser_and_discovery_are_served_over_http_on_loopback(started):
    with urllib.request.urlopen(f"http://127.0.0.1:{started['http']}/browser/", timeout=30) as page:
        assert page.status == 200 and "Neo4j Browser" in page.read().decode("utf-8", "replace")
    with urllib.request.urlopen(f"http://127.0.0.1:{started['http']}/", timeout=30) as page:
        assert f"bolt://127.0.0.1:{started['bolt']}" in page.read().decode()
    listening = subprocess.run(["ss", "-ltn"], capture_output=True, text=True).stdout
    for port in (started["bolt"], started["http"]):
        lines = [line for line in listening.splitlines() if f":{port} " in line]
        assert lines and all("127.0.0.1" in line for line in lines), lines


def test_load_query_and_open_reach_the_started_server_without_neo4j_uri(started, monkeypatch):
    env = started["env"]
    loaded = cli("load", env=env)
    assert loaded.returncode == 0, loaded.stderr
    assert f"bolt://127.0.0.1:{started['bolt']}" in loaded.stdout
    assert "local server of `minerals-kg neo4j start`" in loaded.stderr
    queried = cli("query", "dominant_producers", "--format", "csv", env=env)
    assert queried.returncode == 0 and "CHN,gallium,refining" in queried.stdout
    assert f"used Neo4j at bolt://127.0.0.1:{started['bolt']}, database neo4j" in queried.stderr
    import minerals_kg

    for key in ("NEO4J_URI", "NEO4J_PORT"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("NEO4J_PASSWORD", PASSWORD)
    monkeypatch.setenv("MINERALS_KG_NEO4J_HOME", str(started["home"]))
    with minerals_kg.open("neo4j") as kg:
        assert f"bolt://127.0.0.1:{started['bolt']}" in kg.server and kg.backend == "neo4j"
        assert len(kg.table("minerals")) > 30


def test_apoc_and_gds_are_loaded(started):
    script = started["home"] / "versions.cypher"
    script.write_text("RETURN apoc.version() AS apoc, gds.version() AS gds;\n")
    result = cli("shell", "-f", str(script), "--format", "plain", env=started["env"])
    assert result.returncode == 0, result.stderr
    assert '"5.26.19", "2.13.9"' in result.stdout


def test_the_password_is_never_on_a_command_line_or_in_a_log(started):
    args = subprocess.run(["ps", "-eo", "args"], capture_output=True, text=True).stdout
    full = subprocess.run(["ps", "-ww", "-eo", "args"], capture_output=True, text=True).stdout  # untruncated
    assert "org.mineralskg.Launcher" in full and PASSWORD not in args and PASSWORD not in full
    for path in started["home"].rglob("*"):
        if path.is_file() and path.suffix in (".log", ".out", ".conf", ".json", ".pid", ".txt"):
            assert PASSWORD not in path.read_text(errors="replace"), path


def test_a_wrong_password_is_one_clear_error(started):
    env = {**started["env"], "NEO4J_PASSWORD": "not-the-password"}
    result = cli("shell", "-f", str(QUERY_DIR / "search.cypher"), env=env)
    assert result.returncode == 1
    assert result.stderr.strip().splitlines()[-1].startswith("error: Neo4j at bolt://127.0.0.1")
    assert "refused the credentials" in result.stderr and "not-the-password" not in result.stderr


def test_stop_stops_cleanly_and_status_says_so(started):
    env = started["env"]
    assert cli("neo4j", "stop", env=env, timeout=120).stdout.strip() == "stopped"
    status = cli("neo4j", "status", env=env)
    assert status.returncode == 3 and status.stdout.startswith("stopped")
    assert "Stopped." in (started["home"] / "logs" / "neo4j.log").read_text()
    assert cli("neo4j", "stop", env=env).stdout.strip() == "not running"
