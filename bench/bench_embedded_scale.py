"""Benchmark (not a test): the embedded path at scale, step by step, on synthetic production and flow facts.

    .venv/bin/python bench/bench_embedded_scale.py                    # 1,000,000 facts
    .venv/bin/python bench/bench_embedded_scale.py --facts 100000     # a smaller run to see the slope

The shipped sources are copied to a temporary folder and one synthetic source is added beside them:
production groups (every mineral of the shipped data x 4 stages x as many years as needed, each with
quantities for ~200 countries and a World total that is their sum) and import flows (importer,
exporter, mineral, year), four fifths production and one fifth flows, in CSV files of at most 100,000
rows. Each step runs in its own process (``--step``), so that its peak resident memory is its own:
validate (what ``load_dataset`` does without SHACL: parse and check every row, then the cross-file
rules, with the garbage collector paused as there; the two parts are shown), graph (records -> nodes
and relationships -> networkx), tables (the production and imports tables off the embedded graph),
concentration (every group) and coverage (the latest group per mineral and stage, for one alliance,
and chain coverage). Each process reads the previous step's result from a pickle made outside the
timed part.

The same steps run first on ``--small`` facts (default 100,000) as the reference for the slope: a
linear step takes ``facts / small`` times as long. Prints a Markdown table: seconds and peak RSS of
each step's process at both sizes, and the ratio of the times.
"""

from __future__ import annotations

import argparse
import csv
import pickle
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pycountry

STEPS = ("validate", "graph", "tables", "concentration", "coverage")
ROWS_PER_FILE = 100_000
STAGES = ("mining", "processing", "refining", "component_manufacturing")


def make_sources(root: Path, facts: int, seed: int = 7) -> None:
    """The shipped sources plus a synthetic one of ``facts`` production and flow rows."""
    from minerals_kg.checks import load_dataset
    from minerals_kg.resources import DEFAULT_ROOT

    shutil.copytree(DEFAULT_ROOT, root)
    minerals = sorted(load_dataset(shacl=False).minerals)
    countries = sorted(c.alpha_3 for c in pycountry.countries)
    rng = random.Random(seed)
    folder = root / "synthetic_scale"
    folder.mkdir()
    files: list[tuple[str, str]] = []
    production_rows = facts * 4 // 5
    flow_rows = facts - production_rows

    def writer(kind: str, header: list[str]):  # type: ignore[no-untyped-def]
        index = sum(1 for _, k in files if k == kind)
        name = f"{kind}_{index:03d}.csv"
        files.append((name, kind))
        handle = (folder / name).open("w", newline="", encoding="utf-8")
        out = csv.writer(handle)
        out.writerow(header)
        return handle, out

    header = ["mineral", "stage", "country", "year", "edition", "quantity", "unit", "source", "confidence"]
    written, handle, out = 0, None, None
    year = 1900
    while written < production_rows:
        for mineral in minerals:
            for stage in STAGES:
                group = countries[: rng.randint(150, len(countries))]
                quantities = [round(rng.paretovariate(1.2) * 100, 1) for _ in group]
                rows = [*zip(group, quantities), ("World total", round(sum(quantities), 1))]
                if written + len(rows) > production_rows:
                    continue
                if handle is None or written // ROWS_PER_FILE != (written + len(rows)) // ROWS_PER_FILE:
                    if handle is not None:
                        handle.close()
                    handle, out = writer("production", header)
                for country, quantity in rows:
                    out.writerow([mineral, stage, country, year, "SYN", quantity, "t", "synthetic_scale", "estimate"])
                written += len(rows)
        year += 1
        if year > 2100:
            break
    if handle is not None:
        handle.close()
    header = ["importer", "exporter", "mineral", "year_from", "year_to", "quantity", "unit", "source", "confidence"]
    for start in range(0, flow_rows, ROWS_PER_FILE):
        handle, out = writer("imports", header)
        for _ in range(min(ROWS_PER_FILE, flow_rows - start)):
            importer, exporter = rng.sample(countries, 2)
            y = rng.randint(1990, 2025)
            out.writerow(
                [
                    importer,
                    exporter,
                    rng.choice(minerals),
                    y,
                    y,
                    round(rng.paretovariate(1.2), 2),
                    "t",
                    "synthetic_scale",
                    "estimate",
                ]
            )
        handle.close()
    manifest = [
        "id: synthetic_scale",
        "title: Synthetic production and flows (benchmark)",
        "publisher: minerals-kg benchmark",
        "url: https://example.org/synthetic",
        "edition: SYN",
        "published: 2026-01-01",
        "retrieved: 2026-01-01",
        "licence: CC0-1.0",
        "files:",
        *(f"- path: {name}\n  kind: {kind}" for name, kind in files),
    ]
    (folder / "manifest.yaml").write_text("\n".join(manifest) + "\n", encoding="utf-8")


def run_step(step: str, work: Path) -> float:
    """One step, timed; its input and output are pickles in ``work``."""
    import pandas as pd

    from minerals_kg.analysis.concentration import concentration, current_groups
    from minerals_kg.analysis.coverage import chain_coverage, coverage
    from minerals_kg.backends.embedded import EmbeddedReader, build_graph
    from minerals_kg.bulk import collector_paused
    from minerals_kg.rules import validate_raw
    from minerals_kg.sources import read_sources

    def load(name: str):  # type: ignore[no-untyped-def]
        with (work / f"{name}.pickle").open("rb") as f:
            return pickle.load(f)

    def save(name: str, value: object) -> None:
        with (work / f"{name}.pickle").open("wb") as f:
            pickle.dump(value, f, protocol=pickle.HIGHEST_PROTOCOL)

    sys.setrecursionlimit(100_000)
    if step == "validate":  # what load_dataset(shacl=False) does: read every file, then the cross-file rules
        t0 = time.perf_counter()
        with collector_paused():
            raw = read_sources(work / "loaders")
            t1 = time.perf_counter()
            dataset = validate_raw(raw)
        seconds = time.perf_counter() - t0
        print(f"read {t1 - t0:.2f} s, rules {seconds - (t1 - t0):.2f} s")
        save("dataset", dataset)
    elif step == "graph":
        dataset = load("dataset")
        t0 = time.perf_counter()
        graph = build_graph(dataset)
        seconds = time.perf_counter() - t0
        save("graph", graph)
    elif step == "tables":
        graph = load("graph")
        t0 = time.perf_counter()
        reader = EmbeddedReader(graph)
        production, imports = reader.table("production"), reader.table("imports")
        seconds = time.perf_counter() - t0
        save("production", production)
        del imports
    elif step == "concentration":
        production = load("production")
        t0 = time.perf_counter()
        conc = concentration(production)
        seconds = time.perf_counter() - t0
        save("concentration", conc)
    elif step == "coverage":
        conc: pd.DataFrame = load("concentration")
        members = frozenset(sorted(c.alpha_3 for c in pycountry.countries)[::3])
        t0 = time.perf_counter()
        chain_coverage(coverage(current_groups(conc), members))
        seconds = time.perf_counter() - t0
    else:
        raise SystemExit(f"unknown step {step}")
    return seconds


def measure(facts: int) -> tuple[float, list[tuple[str, float, float]]]:
    """Seconds to make the sources, and (step, seconds, peak RSS MB) for each step."""
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        t0 = time.perf_counter()
        make_sources(work / "loaders", facts)
        made = time.perf_counter() - t0
        results = []
        for step in STEPS:
            cmd = [sys.executable, __file__, "--step", step, "--work", str(work)]
            done = subprocess.run(cmd, capture_output=True, text=True)
            if done.returncode:
                raise SystemExit(f"step {step} failed:\n{done.stderr[-3000:]}")
            *notes, last = done.stdout.strip().splitlines()
            seconds, rss = map(float, last.split())
            results.append((step + (f" ({'; '.join(notes)})" if notes else ""), seconds, rss))
    return made, results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--facts", type=int, default=1_000_000)
    parser.add_argument("--small", type=int, default=100_000, help="a run ten times smaller, for the slope")
    parser.add_argument("--step", choices=STEPS, help=argparse.SUPPRESS)
    parser.add_argument("--work", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.step:
        seconds = run_step(args.step, args.work)
        print(f"{seconds} {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}")
        return
    _, small = measure(args.small)
    made, large = measure(args.facts)
    ratio = args.facts / args.small
    print(
        f"{args.facts:,} synthetic facts (4/5 production, 1/5 flows) beside the shipped data (made in {made:.0f} s), "
        f"against {args.small:,}: a linear step takes {ratio:.0f}x as long\n"
    )
    print(
        f"| step | {args.facts:,} facts s | peak RSS MB | {args.small:,} facts s | peak RSS MB | time ratio |\n"
        "|---|---:|---:|---:|---:|---:|"
    )
    for (step, seconds, rss), (_, small_s, small_rss) in zip(large, small):
        print(f"| {step} | {seconds:.2f} | {rss:,.0f} | {small_s:.2f} | {small_rss:,.0f} | {seconds / small_s:.1f} |")


if __name__ == "__main__":
    main()
