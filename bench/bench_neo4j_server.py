"""Benchmark (not a test): the local Neo4j server's download size, start time and memory.

    .venv/bin/python bench/bench_neo4j_server.py --repeat 3       # or: make bench-server

- **download**: the launcher and cypher-shell built with an empty Maven repository (a temporary
  ``-Dmaven.repo.local``), so every jar comes from Maven Central: bytes downloaded, build time, and
  the size of what the server and cypher-shell run from (``--skip-download`` leaves it out);
- **cold start**: ``server.start`` on a fresh home (first start: the initial password is set, the
  system and default databases are created) until Bolt and HTTP answer;
- **warm start**: ``server.start`` again on the same home after a clean stop;
- **stop**: ``server.stop`` until the process has exited;
- **resident memory** (VmRSS) right after start, after loading the shipped data, and after running
  every GDS query of the library.

Uses the default options (2 GB max heap, 512 MB page cache) and random free ports.
"""

from __future__ import annotations

import argparse
import os
import platform
import secrets
import shutil
import socket
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

from minerals_kg.backends.neo4j import server
from minerals_kg.backends.neo4j.config import Neo4jSettings
from minerals_kg.backends.neo4j.library import library, run_query
from minerals_kg.backends.neo4j.loader import load
from minerals_kg.resources import LAUNCHER_DIR


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def folder_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def measure_download(work: Path) -> dict:
    repo, build = work / "m2", work / "launcher"
    for src in [
        LAUNCHER_DIR / "pom.xml",
        LAUNCHER_DIR / "cypher-shell" / "pom.xml",
        *LAUNCHER_DIR.glob("src/**/*.java"),
    ]:
        dst = build / src.relative_to(LAUNCHER_DIR)
        dst.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src, dst)
    t0 = time.perf_counter()
    for pom in (build / "pom.xml", build / "cypher-shell" / "pom.xml"):
        subprocess.run(
            ["mvn", "-B", "-q", f"-Dmaven.repo.local={repo}", "-f", str(pom), "package", "-DskipTests"], check=True
        )
    seconds = time.perf_counter() - t0
    return {
        "downloaded_mb": folder_size(repo) / 1e6,
        "build_s": seconds,
        "server_mb": folder_size(build / "target" / "lib") / 1e6,
        "plugins_mb": folder_size(build / "target" / "plugins") / 1e6,
        "shell_mb": folder_size(build / "cypher-shell" / "target" / "lib") / 1e6,
        "jars": len(list((build / "target" / "lib").glob("*.jar"))),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="cold and warm starts to time (each)")
    parser.add_argument("--skip-download", action="store_true", help="do not measure the download from Maven Central")
    args = parser.parse_args()
    os.environ.setdefault("NEO4J_PASSWORD", secrets.token_urlsafe(16))
    print(f"{platform.node()}: {os.cpu_count()} cores, Python {platform.python_version()}")
    with tempfile.TemporaryDirectory(prefix="mkg-bench-server-") as tmp:
        work = Path(tmp)
        if not args.skip_download:
            d = measure_download(work)
            print(
                f"download from an empty Maven repository: {d['downloaded_mb']:.0f} MB in {d['build_s']:.0f} s; "
                f"server classpath {d['server_mb']:.0f} MB ({d['jars']} jars, plugins {d['plugins_mb']:.0f} MB of "
                f"them), cypher-shell {d['shell_mb']:.0f} MB"
            )
        server.build()
        cold, warm, stops, rss = [], [], [], {"started": [], "loaded": [], "after GDS": []}
        for i in range(args.repeat):
            home = work / f"home{i}"
            options = server.ServerOptions(bolt_port=free_port(), http_port=free_port())
            t0 = time.perf_counter()
            status = server.start(options, home=home)
            cold.append(time.perf_counter() - t0)
            assert status.pid is not None and status.uri is not None
            rss["started"].append(rss_mb(status.pid))
            settings = Neo4jSettings(uri=status.uri, password=os.environ["NEO4J_PASSWORD"])
            load(settings, progress=False)
            rss["loaded"].append(rss_mb(status.pid))
            with settings.driver() as driver:
                for name in sorted(q for q in library().queries if q.startswith("gds_")):
                    run_query(driver, name)
            rss["after GDS"].append(rss_mb(status.pid))
            t0 = time.perf_counter()
            server.stop(home)
            stops.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            status = server.start(options, home=home)
            warm.append(time.perf_counter() - t0)
            server.stop(home)

    def row(name: str, values: list[float], unit: str) -> str:
        return f"| {name} | {statistics.median(values):.1f} | {min(values):.1f} | {max(values):.1f} | {unit} |"

    print("| measure | median | min | max | unit |\n|---|---:|---:|---:|---|")
    print(row("cold start (fresh home) until Bolt and HTTP answer", cold, "s"))
    print(row("warm start (existing home)", warm, "s"))
    print(row("stop", stops, "s"))
    for when, values in rss.items():
        print(row(f"resident memory, {when}", values, "MB"))


if __name__ == "__main__":
    main()
