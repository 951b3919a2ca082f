"""Benchmark: load a synthetic BACI year of N rows (default 10,000,000) through the HS concordance.

Writes ``BACI_HS22_Y2023_V000000.csv`` (``t,i,j,k,v,q``; 10 % of quantities ``NA``; codes of the
concordance among 5,000 HS6 products) and a country table into a temporary folder, then reads it
with :func:`minerals_kg.formats.load_file` exactly as a manifest entry of kind ``baci`` does, and
reports seconds and the process's peak memory. One run; the file is deleted afterwards.

    .venv/bin/python bench/bench_trade.py              # 10,000,000 rows (about 330 MB)
    .venv/bin/python bench/bench_trade.py --rows 1000000
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pycountry

from minerals_kg.checks import load_dataset
from minerals_kg.countries import CountryResolver
from minerals_kg.formats import LoadOptions, load_file


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--load", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.load:
        load(args.load)
        return
    concordance = load_dataset(shacl=False).hs_concordance
    rng = np.random.default_rng(0)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        isos = sorted(c.alpha_3 for c in pycountry.countries)
        codes = list(range(4, 4 * len(isos) + 4, 4))
        pd.DataFrame({"country_code": codes, "country_name": isos, "country_iso2": "", "country_iso3": isos}).to_csv(
            folder / "country_codes_V000000.csv", index=False
        )
        products = rng.integers(10_000, 970_000, size=5_000)
        products[:40] = [int(h.hs_code) for h in concordance[:40]]
        t = time.perf_counter()
        n = args.rows
        path = folder / "BACI_HS22_Y2023_V000000.csv"
        chunk = 1_000_000
        for start in range(0, n, chunk):  # written in chunks, so the writer's memory stays small
            m = min(chunk, n - start)
            frame = pd.DataFrame(
                {
                    "t": 2023,
                    "i": rng.choice(codes, m),
                    "j": rng.choice(codes, m),
                    "k": rng.choice(products, m),
                    "v": np.round(rng.exponential(100, m), 3),
                    "q": np.round(rng.exponential(50, m), 3).astype(str),
                }
            )
            frame.loc[rng.random(m) < 0.1, "q"] = "NA"
            frame.to_csv(path, index=False, header=start == 0, mode="w" if start == 0 else "a")
        del frame
        print(f"wrote {n:,} rows ({path.stat().st_size / 1e6:.0f} MB) in {time.perf_counter() - t:.1f} s", flush=True)
        # the load runs in a fresh process, so its peak memory is its own
        out = subprocess.run(
            [sys.executable, __file__, "--load", str(folder)], check=True, capture_output=True, text=True
        ).stdout
        seconds, peak, selected, flows = out.split()
        print("| rows | rows of concordance products | flows | seconds | peak RSS MB |")
        print("|---:|---:|---:|---:|---:|")
        print(f"| {n:,} | {int(selected):,} | {int(flows):,} | {float(seconds):.1f} | {float(peak):.0f} |")


def load(folder: Path) -> None:
    concordance = load_dataset(shacl=False).hs_concordance
    path = folder / "BACI_HS22_Y2023_V000000.csv"
    t = time.perf_counter()
    result = load_file(
        "baci",
        path,
        file=path.name,
        options=LoadOptions(
            source="bench",
            confidence="estimate",
            country_codes=folder / "country_codes_V000000.csv",
            country_codes_file="country_codes_V000000.csv",
        ),
        concordance=concordance,
        minerals=[],
        resolver=CountryResolver(),
    )
    seconds = time.perf_counter() - t
    assert not result.issues, result.issues[:3]
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(seconds, peak, result.counts["rows"], len(result.records))


if __name__ == "__main__":
    main()
