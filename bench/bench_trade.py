"""Benchmark: load a synthetic trade year of N rows (default 10,000,000) through the HS concordance,
in the BACI layout and in the Comtrade layout.

BACI: writes ``BACI_HS22_Y2023_V000000.csv`` (``t,i,j,k,v,q``; 10 % of quantities ``NA``; codes of
the concordance among 5,000 HS6 products) and a country table. Comtrade: writes a Comtrade Plus
bulk CSV with all 47 columns (``typeCode`` … ``isAggregate``; reporters and partners among the ISO
countries with their M49 codes and ISO-3, 5 % of rows to the World partner, half imports and half
exports, the same 5,000 products; DuckDB writes it). Each file is read in a fresh process with
:func:`minerals_kg.formats.load_file` exactly as a manifest entry of kind ``baci`` or ``comtrade``
does (filtered to the concordance's codes, aggregated, validated), which reports its seconds and its
peak resident memory. One run per size; the files are deleted afterwards. The target is 60 s at
10,000,000 rows with memory that does not grow with the file: compare the peaks at the two sizes.

    .venv/bin/python bench/bench_trade.py                       # both layouts, 1M and 10M rows
    .venv/bin/python bench/bench_trade.py --layout comtrade --rows 1000000
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

TARGET_SECONDS = 60.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", default="1000000,10000000", help="comma-separated sizes (rows per file)")
    parser.add_argument("--layout", choices=["baci", "comtrade", "both"], default="both")
    parser.add_argument("--load", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--kind", default="baci", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.load:
        (load if args.kind == "baci" else load_comtrade)(args.load)
        return
    layouts = ["baci", "comtrade"] if args.layout == "both" else [args.layout]
    results = []
    for layout in layouts:
        for n in (int(x) for x in args.rows.split(",")):
            results.append((layout, n, *(write_and_load_baci(n) if layout == "baci" else write_and_load_comtrade(n))))
    print(f"\nTrade files through the HS concordance (2 cores; target: {TARGET_SECONDS:.0f} s at 10,000,000 rows)\n")
    print("| layout | rows | file MB | rows of concordance products | flows | seconds | target s | peak RSS MB |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for layout, n, size, selected, flows, seconds, peak in results:
        target = f"{TARGET_SECONDS * n / 10_000_000:.0f}" if n >= 10_000_000 else "-"
        print(f"| {layout} | {n:,} | {size:.0f} | {selected:,} | {flows:,} | {seconds:.1f} | {target} | {peak:.0f} |")


def _load_in_fresh_process(kind: str, folder: Path) -> tuple[int, int, float, float]:
    """The load runs in a fresh process, so its peak memory is its own."""
    out = subprocess.run(
        [sys.executable, __file__, "--kind", kind, "--load", str(folder)], check=True, capture_output=True, text=True
    ).stdout
    seconds, peak, selected, flows = out.split()
    return int(selected), int(flows), float(seconds), float(peak)


def write_and_load_baci(n: int) -> tuple[float, int, int, float, float]:
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
        size = path.stat().st_size / 1e6
        print(f"baci: wrote {n:,} rows ({size:.0f} MB) in {time.perf_counter() - t:.1f} s", file=sys.stderr, flush=True)
        return (size, *_load_in_fresh_process("baci", folder))


COMTRADE_FILE = "comtrade_2023.csv"


def write_and_load_comtrade(n: int) -> tuple[float, int, int, float, float]:
    """A Comtrade Plus bulk CSV of ``n`` rows, written by DuckDB (a few seconds per million rows)."""
    import duckdb

    from minerals_kg.formats.comtrade import COMTRADE_COLUMNS

    concordance = load_dataset(shacl=False).hs_concordance
    rng = np.random.default_rng(0)
    countries = [c for c in pycountry.countries if c.numeric not in ("842", "699")]
    products = [f"{int(x):06d}" for x in rng.integers(10_000, 970_000, size=5_000)]
    products[:40] = [h.hs_code for h in concordance[:40]]
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        path = folder / COMTRADE_FILE
        t = time.perf_counter()
        con = duckdb.connect()
        con.execute("CREATE TABLE c (idx INTEGER, code INTEGER, iso VARCHAR, name VARCHAR)")
        con.executemany(
            "INSERT INTO c VALUES (?, ?, ?, ?)",
            [(i, int(c.numeric), c.alpha_3, c.name.replace(",", " ")) for i, c in enumerate(countries)],
        )
        con.execute("CREATE TABLE p (idx INTEGER, code VARCHAR)")
        con.executemany("INSERT INTO p VALUES (?, ?)", list(enumerate(products)))
        nc = len(countries)
        columns = {
            "typeCode": "'C'",
            "freqCode": "'A'",
            "refPeriodId": "20230101",
            "refYear": "2023",
            "refMonth": "52",
            "period": "'2023'",
            "reporterCode": "rc.code",
            "reporterISO": "rc.iso",
            "reporterDesc": "rc.name",
            "flowCode": "g.flow",
            "flowDesc": "CASE WHEN g.flow = 'M' THEN 'Import' ELSE 'Export' END",
            "partnerCode": "CASE WHEN g.world THEN 0 ELSE pc.code END",
            "partnerISO": "CASE WHEN g.world THEN 'W00' ELSE pc.iso END",
            "partnerDesc": "CASE WHEN g.world THEN 'World' ELSE pc.name END",
            "partner2Code": "0",
            "partner2ISO": "'W00'",
            "partner2Desc": "'World'",
            "classificationCode": "'H6'",
            "classificationSearchCode": "'HS'",
            "isOriginalClassification": "'True'",
            "cmdCode": "pr.code",
            "cmdDesc": "'Product ' || pr.code || ': description as Comtrade words it'",
            "aggrLevel": "6",
            "isLeaf": "'True'",
            "customsCode": "'C00'",
            "customsDesc": "'TOTAL CPC'",
            "mosCode": "'0'",
            "motCode": "0",
            "motDesc": "'TOTAL MOT'",
            "qtyUnitCode": "8",
            "qtyUnitAbbr": "'kg'",
            "qty": "g.kg",
            "isQtyEstimated": "'False'",
            "altQtyUnitCode": "-1",
            "altQtyUnitAbbr": "'N/A'",
            "altQty": "NULL",
            "isAltQtyEstimated": "'False'",
            "netWgt": "g.kg",
            "isNetWgtEstimated": "'False'",
            "grossWgt": "NULL",
            "isGrossWgtEstimated": "'False'",
            "cifvalue": "CASE WHEN g.flow = 'M' THEN g.usd END",
            "fobvalue": "CASE WHEN g.flow = 'X' THEN g.usd END",
            "primaryValue": "g.usd",
            "legacyEstimationFlag": "0",
            "isReported": "'True'",
            "isAggregate": "'False'",
        }
        assert list(columns) == COMTRADE_COLUMNS
        select = ", ".join(f'{v} AS "{k}"' for k, v in columns.items())
        con.execute(
            f"""
            COPY (
                WITH g AS (
                    SELECT i, hash(i, 1) % {nc} AS r, hash(i, 2) % {nc} AS pa, hash(i, 3) % {len(products)} AS k,
                           CASE WHEN hash(i, 4) % 2 = 0 THEN 'M' ELSE 'X' END AS flow,
                           hash(i, 5) % 20 = 0 AS world,
                           round(100000 * (hash(i, 6) % 100000) / 100000.0, 2) AS usd,
                           round(50000 * (hash(i, 7) % 100000) / 100000.0, 1) AS kg
                    FROM range({n}) t(i)
                )
                SELECT {select}
                FROM g JOIN c rc ON rc.idx = g.r JOIN c pc ON pc.idx = g.pa JOIN p pr ON pr.idx = g.k
                ORDER BY g.i
            ) TO '{path}' (HEADER, DELIMITER ',')
            """
        )
        con.close()
        size = path.stat().st_size / 1e6
        print(
            f"comtrade: wrote {n:,} rows ({size:.0f} MB) in {time.perf_counter() - t:.1f} s",
            file=sys.stderr,
            flush=True,
        )
        return (size, *_load_in_fresh_process("comtrade", folder))


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


def load_comtrade(folder: Path) -> None:
    concordance = load_dataset(shacl=False).hs_concordance
    path = folder / COMTRADE_FILE
    t = time.perf_counter()
    result = load_file(
        "comtrade",
        path,
        file=path.name,
        options=LoadOptions(source="bench", confidence="official"),
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
