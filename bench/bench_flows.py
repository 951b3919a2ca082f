"""Benchmark: exposure and network cuts on a synthetic flow graph of every country x 60 minerals x
3 stages with dense bilateral flows.

Each importer has ``--suppliers`` named suppliers per mineral and stage (shares drawn at random,
5 % left to "other countries"); 40 % of countries produce each mineral, 30 % of producers have a net
import reliance. Every step runs the package's pure functions (the same ones ``kg.exposure`` and
``kg.network_chokepoints`` call); timings are wall-clock on this machine, one run.

    .venv/bin/python bench/bench_flows.py                 # 249 countries x 60 minerals x 3 stages
    .venv/bin/python bench/bench_flows.py --suppliers 10  # lighter
"""

from __future__ import annotations

import argparse
import random
import resource
import time

import pandas as pd
import pycountry

from minerals_kg.analysis.exposure import exposure
from minerals_kg.analysis.flows import import_groups
from minerals_kg.analysis.network_chokepoints import flow_chokepoints

STAGES = ("mining", "processing", "refining")


def synthetic(countries: list[str], minerals: int, suppliers: int, seed: int = 0):
    rng = random.Random(seed)
    rows = []
    for mineral in range(minerals):
        m = f"m{mineral:02d}"
        for stage in STAGES:
            for importer in countries:
                chosen = rng.sample([c for c in countries if c != importer], suppliers)
                weights = [rng.random() for _ in chosen]
                total = sum(weights)
                for exporter, w in zip(chosen, weights):
                    rows.append((importer, exporter, m, stage, 0.95 * w / total))
                rows.append((importer, "other_countries", m, stage, 0.05))
    imports = pd.DataFrame(rows, columns=["importer", "exporter", "mineral", "stage", "share"]).assign(
        form=None,
        year_from=2024,
        year_to=2024,
        edition="SYN",
        source="synthetic",
        share_basis="imports",
        confidence="official",
    )
    producers = []
    reliance = []
    for mineral in range(minerals):
        m = f"m{mineral:02d}"
        for c in countries:
            if rng.random() < 0.4:
                producers.append(
                    {
                        "mineral": m,
                        "country": c,
                        "country_label": "Country",
                        "quantity": 1.0,
                        "share": None,
                        "value_status": "reported",
                    }
                )
                if rng.random() < 0.3:
                    reliance.append(
                        {
                            "importer": c,
                            "mineral": m,
                            "year": 2024,
                            "bound": "exact",
                            "reliance": rng.random(),
                            "edition": "SYN",
                        }
                    )
    return imports, pd.DataFrame(producers), pd.DataFrame(reliance)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minerals", type=int, default=60)
    parser.add_argument("--suppliers", type=int, default=30, help="named suppliers per importer, mineral and stage")
    parser.add_argument("--pairs", type=int, default=20, help="(importer, mineral) pairs for exposure")
    parser.add_argument("--cuts", type=int, default=5, help="(importer, mineral) pairs for network cuts")
    args = parser.parse_args()
    countries = sorted(c.alpha_3 for c in pycountry.countries)
    rows = []

    def step(name: str, seconds: float) -> None:
        rows.append((name, seconds))
        print(f"{name}: {seconds:.2f} s", flush=True)

    t = time.perf_counter()
    imports, production, reliance = synthetic(countries, args.minerals, args.suppliers)
    step(f"generate {len(imports):,} flows", time.perf_counter() - t)
    t = time.perf_counter()
    groups = import_groups(imports)
    step(f"import groups ({len(groups):,})", time.perf_counter() - t)
    rng = random.Random(1)
    pairs = [(rng.choice(countries), f"m{rng.randrange(args.minerals):02d}") for _ in range(args.pairs)]
    times, sizes, chains = [], [], []
    for importer, mineral in pairs:
        t = time.perf_counter()
        e = exposure(imports, reliance, production, importer=importer, mineral=mineral, groups=groups)
        times.append(time.perf_counter() - t)
        sizes.append(len(e.chain.transitions))
        chains.append(e.chain)
        assert abs(e.origins["share"].sum() - 1) < 1e-9
    step(
        f"exposure, mean of {len(pairs)} (countries followed: median {sorted(sizes)[len(sizes) // 2]})",
        sum(times) / len(times),
    )
    cut_times = []
    for chain in chains[: args.cuts]:
        t = time.perf_counter()
        flow_chokepoints(chain, demand=chain.root, top=3)
        cut_times.append(time.perf_counter() - t)
    step(
        f"network cuts (dominators, min cuts, N-1/N-k over suppliers and routes), mean of {len(cut_times)}",
        sum(cut_times) / len(cut_times),
    )
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print()
    print(
        f"{len(countries)} countries x {args.minerals} minerals x {len(STAGES)} stages, {args.suppliers} suppliers each; peak RSS {peak:.0f} MB"
    )
    print("| step | seconds |\n|---|---:|")
    for name, seconds in rows:
        print(f"| {name} | {seconds:.2f} |")


if __name__ == "__main__":
    main()
