"""CEPII BACI files (``BACI_HS{rev}_Y{year}_V{version}.csv``) -> import flows of the concordance's products.

Layout (CEPII): header ``t,i,j,k,v,q``; ``t`` year, ``i`` exporter and ``j`` importer as CEPII's
numeric country codes (the release's ``country_codes_V{version}.csv`` maps them to ISO-3:
``country_code,country_name,country_iso2,country_iso3``; India is 699, the United States 842),
``k`` the HS6 product (leading zeros may be lost), ``v`` value in thousands of current US$ (FOB),
``q`` quantity in metric tonnes (empty or ``NA`` when unknown, sometimes padded with spaces).
BACI reconciles each exporter's and importer's declarations into one flow, so there are no mirror
flows to choose between.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path
from typing import Any

from ..errors import Issue, shorten
from .concordance import Concordance, iso3_or_none
from .tabular import Scan, connect, header_of, line_numbers, reject_issues, sql_text

__all__ = ["BACI_COLUMNS", "COUNTRY_CODE_COLUMNS", "read_baci", "read_country_codes"]

BACI_COLUMNS = ("t", "i", "j", "k", "v", "q")
COUNTRY_CODE_COLUMNS = ("country_code", "country_name", "country_iso2", "country_iso3")
TYPES = {"t": "BIGINT", "i": "BIGINT", "j": "BIGINT", "k": "VARCHAR", "v": "DOUBLE", "q": "VARCHAR"}
EXPECTED = {
    "t": "a year (integer)",
    "i": "an exporter code (integer)",
    "j": "an importer code (integer)",
    "k": "an HS6 product code",
    "v": "a value in thousands of US$ (a number)",
    "q": "a quantity in tonnes (a number, NA or empty)",
}


def read_country_codes(path: Path, file: str, scan: Scan) -> dict[int, tuple[str | None, str]]:
    """CEPII's country table: code -> (ISO-3 when pycountry knows it, else None; the name)."""
    out: dict[int, tuple[str | None, str]] = {}
    try:
        text = path.read_bytes().decode("utf-8", errors="replace").removeprefix("\ufeff")
    except OSError as exc:
        scan.issues.append(Issue(file, 0, "country_codes", "a readable country codes file", type(exc).__name__))
        return out
    rows = list(csv.reader(text.splitlines()))
    header = [h.strip() for h in rows[0]] if rows else []
    missing = [c for c in COUNTRY_CODE_COLUMNS if c not in header]
    if missing:
        scan.issues.append(
            Issue(file, 1, "header", f"the columns {', '.join(COUNTRY_CODE_COLUMNS)}", f"no column {missing[0]!r}")
        )
        return out
    at = {c: header.index(c) for c in COUNTRY_CODE_COLUMNS}
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            scan.issues.append(Issue(file, number, "row", f"{len(header)} fields", f"{len(row)} fields"))
            continue
        try:
            code = int(row[at["country_code"]].strip())
        except ValueError:
            scan.issues.append(Issue(file, number, "country_code", "an integer code", shorten(row[at["country_code"]])))
            continue
        out[code] = (iso3_or_none(row[at["country_iso3"]]), row[at["country_name"]].strip())
    return out


def read_baci(
    path: Path,
    *,
    file: str,
    country_codes: Path,
    country_codes_file: str,
    concordance: Concordance,
) -> tuple[list[dict[str, Any]], list[Issue], dict[str, int]]:
    """Flows of the concordance's products in a BACI file, summed per year, importer, exporter and form.

    Returns ``(flows, issues, counts)``: each flow is a dict with the :class:`~minerals_kg.model.ImportFlow`
    fields the file gives (``importer``, ``exporter``, ``mineral``, ``stage``, ``form``, ``year``,
    ``value_usd``, ``quantity`` in t or None when a row of it has none, ``hs_codes``); issues name the
    file, line and column of every bad row (the file is then not loaded at all).
    """
    scan = Scan(file)
    codes = read_country_codes(country_codes, country_codes_file, scan)
    header = header_of(path)
    if sorted(header) != sorted(BACI_COLUMNS) or len(header) != len(BACI_COLUMNS):
        scan.add(1, "header", f"the BACI columns {','.join(BACI_COLUMNS)}", shorten(",".join(header)))
    if scan.issues:
        return [], scan.close(), {}
    con = connect()
    try:
        con.execute("CREATE TEMP TABLE products (hs_code VARCHAR, mineral VARCHAR, stage VARCHAR, form VARCHAR)")
        if concordance.rows():
            con.executemany("INSERT INTO products VALUES (?, ?, ?, ?)", concordance.rows())
        con.execute("CREATE TEMP TABLE codes (code BIGINT, iso3 VARCHAR)")
        if codes:
            con.executemany("INSERT INTO codes VALUES (?, ?)", [(c, iso) for c, (iso, _) in codes.items()])
        columns = "{" + ", ".join(f"{sql_text(h)}: {sql_text(TYPES[h])}" for h in header) + "}"
        con.execute(
            f"""
            CREATE TEMP TABLE picked AS
            SELECT r.ordinality AS o, r.t, r.i, r.j, p.hs_code AS k, r.v, trim(coalesce(r.q, '')) AS q,
                   p.mineral, p.stage, p.form
            FROM read_csv({sql_text(str(path))}, header = true, auto_detect = false, delim = ',', quote = '"',
                          store_rejects = true, columns = {columns}) WITH ORDINALITY AS r
            JOIN products p ON p.hs_code = lpad(trim(r.k), 6, '0')
            """
        )
        rejected = reject_issues(con, scan, EXPECTED)
        bad = con.execute(
            """
            SELECT o, 'i', i::VARCHAR FROM picked WHERE i NOT IN (SELECT code FROM codes)
            UNION ALL SELECT o, 'j', j::VARCHAR FROM picked WHERE j NOT IN (SELECT code FROM codes)
            UNION ALL SELECT o, 't', t::VARCHAR FROM picked WHERE t NOT BETWEEN 1900 AND 2100
            UNION ALL SELECT o, 'v', coalesce(v::VARCHAR, 'empty') FROM picked WHERE v IS NULL OR v < 0
            UNION ALL SELECT o, 'q', q FROM picked
                WHERE q NOT IN ('', 'NA') AND coalesce(TRY_CAST(q AS DOUBLE) < 0, true)
            ORDER BY 1, 2
            """
        ).fetchall()
        if bad:
            lines = line_numbers(path, (o for o, _, _ in bad), rejected)
            why = {
                "i": f"an exporter code listed in {country_codes_file}",
                "j": f"an importer code listed in {country_codes_file}",
                "t": "a year between 1900 and 2100",
                "v": "a value of at least 0 (thousands of US$)",
                "q": "a quantity of at least 0 tonnes, NA or empty",
            }
            for o, column, value in bad:
                scan.add(lines[o], column, why[column], shorten(value))
        if scan.issues:
            return [], scan.close(), {}
        counts = {
            "rows": int(con.execute("SELECT count(*) FROM picked").fetchone()[0]),
        }
        rows = con.execute(
            """
            SELECT t, coalesce(ci.iso3, 'other_countries') AS exporter, cj.iso3 AS importer, mineral, stage, form,
                   sum(v) * 1000 AS value_usd,
                   CASE WHEN bool_and(q NOT IN ('', 'NA')) THEN sum(TRY_CAST(q AS DOUBLE)) END AS quantity,
                   string_agg(DISTINCT k, '+' ORDER BY k) AS hs_codes, count(*) AS n
            FROM picked JOIN codes ci ON ci.code = picked.i JOIN codes cj ON cj.code = picked.j
            GROUP BY ALL ORDER BY ALL
            """
        ).fetchall()
    finally:
        con.close()
    flows = []
    skipped = 0
    for t, exporter, importer, mineral, stage, form, value, quantity, hs, _ in rows:
        if importer is None:
            skipped += 1
            continue
        flows.append(
            {
                "importer": importer,
                "exporter": exporter,
                "mineral": mineral,
                "stage": stage,
                "form": form,
                "year": int(t),
                "value_usd": float(value),
                "quantity": None if quantity is None else float(quantity),
                "hs_codes": hs,
            }
        )
    counts["flows"] = len(flows)
    counts["flows_to_non_countries"] = skipped
    return flows, scan.close(), counts


def baci_version(path: Path) -> str | None:
    """``V202501`` from ``BACI_HS22_Y2023_V202501.csv``."""
    m = re.search(r"_(V\d{6}[a-z]?)", path.name)
    return m.group(1) if m else None
