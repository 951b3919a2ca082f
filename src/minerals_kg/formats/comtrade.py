"""UN Comtrade bulk and API CSV exports (the 47-column layout) -> import flows of the concordance's products.

Columns used (the others are read and ignored): ``freqCode`` (A: annual), ``refYear``, ``flowCode``
(M import, X export; re-exports and re-imports are left out), ``reporterCode``/``reporterISO``,
``partnerCode``/``partnerISO`` (0/``W00`` is the world total, left out), ``partner2Code``,
``customsCode``, ``motCode`` (breakdowns by second partner, customs procedure and transport mode;
``0``/``C00``/``0`` are the totals), ``cmdCode`` (HS code), ``primaryValue`` (US$: CIF for imports,
FOB for exports), ``netWgt`` (kg), ``qty``/``qtyUnitAbbr`` (the statistical quantity, used as weight
only when its unit is ``kg`` and there is no net weight).

Countries are the ISO-3 columns; where one is empty, the numeric code (ISO 3166-1 numeric, except
842 USA and 699 India). A partner that is no country (areas "nes", "Other Asia, nes") exports as
``other_countries``.

Mirror flows: every flow can be declared twice, by the importer (M) and by the exporter (X).
``reporting="importer"`` keeps the importers' declarations, ``"exporter"`` the exporters', and
``"importer_then_mirror"`` (the default, the usual practice: customs record imports more carefully
than exports) the importers' declarations, completed with the exporters' (mirror) declarations for
importers that report none for that product and year.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from ..countries import OTHER_COUNTRIES
from ..errors import Issue, shorten
from .concordance import Concordance, iso3_of_numeric, iso3_or_none
from .tabular import Scan, connect, header_of, line_numbers, reject_issues, sql_text

__all__ = ["COMTRADE_COLUMNS", "REPORTING", "read_comtrade"]

COMTRADE_COLUMNS = [
    *[
        "typeCode",
        "freqCode",
        "refPeriodId",
        "refYear",
        "refMonth",
        "period",
        "reporterCode",
        "reporterISO",
        "reporterDesc",
        "flowCode",
    ],
    *[
        "flowDesc",
        "partnerCode",
        "partnerISO",
        "partnerDesc",
        "partner2Code",
        "partner2ISO",
        "partner2Desc",
        "classificationCode",
    ],
    *[
        "classificationSearchCode",
        "isOriginalClassification",
        "cmdCode",
        "cmdDesc",
        "aggrLevel",
        "isLeaf",
        "customsCode",
    ],
    *[
        "customsDesc",
        "mosCode",
        "motCode",
        "motDesc",
        "qtyUnitCode",
        "qtyUnitAbbr",
        "qty",
        "isQtyEstimated",
        "altQtyUnitCode",
    ],
    *[
        "altQtyUnitAbbr",
        "altQty",
        "isAltQtyEstimated",
        "netWgt",
        "isNetWgtEstimated",
        "grossWgt",
        "isGrossWgtEstimated",
    ],
    *["cifvalue", "fobvalue", "primaryValue", "legacyEstimationFlag", "isReported", "isAggregate"],
]
"""The 47 columns of the Comtrade Plus bulk/API CSV, in order."""
REQUIRED = ("refYear", "flowCode", "reporterCode", "partnerCode", "cmdCode", "primaryValue", "netWgt")
TYPES = {
    "refYear": "BIGINT",
    "reporterCode": "BIGINT",
    "partnerCode": "BIGINT",
    "partner2Code": "BIGINT",
    "motCode": "BIGINT",
    "netWgt": "DOUBLE",
    "qty": "DOUBLE",
    "primaryValue": "DOUBLE",
}
REPORTING = ("importer", "exporter", "importer_then_mirror")
Reporting = Literal["importer", "exporter", "importer_then_mirror"]
BASIS = {
    "M": "importer-reported (flowCode M): value primaryValue in US$ (CIF); quantity net weight",
    "X": "exporter-reported (flowCode X, the mirror of an import): value primaryValue in US$ (FOB); quantity net weight",
}


def _expected(column: str) -> str:
    return {
        "BIGINT": "an integer",
        "DOUBLE": "a number",
    }.get(TYPES.get(column, ""), "text")


def read_comtrade(
    path: Path,
    *,
    file: str,
    concordance: Concordance,
    reporting: Reporting = "importer_then_mirror",
    encoding: str = "utf-8",
) -> tuple[list[dict[str, Any]], list[Issue], dict[str, int]]:
    """Flows of the concordance's products in a Comtrade CSV, summed per year, importer, exporter and form.

    Returns ``(flows, issues, counts)`` like :func:`minerals_kg.formats.baci.read_baci`; each flow also
    carries ``flow_code`` (``M`` or ``X``: who declared it).
    """
    scan = Scan(file)
    header = header_of(path, encoding)
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        scan.add(
            1,
            missing[0],
            "a column of the Comtrade CSV layout (47 columns from typeCode to isAggregate)",
            "no such column",
        )
    repeated = sorted({h for h in header if header.count(h) > 1})
    for h in repeated:
        scan.add(1, h, "each column once", f"column {h!r} {header.count(h)} times")
    if scan.issues:
        return [], scan.close(), {}
    has = set(header)
    con = connect()
    try:
        con.execute("CREATE TEMP TABLE products (hs_code VARCHAR, mineral VARCHAR, stage VARCHAR, form VARCHAR)")
        if concordance.rows():
            con.executemany("INSERT INTO products VALUES (?, ?, ?, ?)", concordance.rows())
        columns = "{" + ", ".join(f"{sql_text(h)}: {sql_text(TYPES.get(h, 'VARCHAR'))}" for h in header) + "}"

        def col(name: str, default: str) -> str:
            return f"r.{name}" if name in has else default

        con.execute(
            f"""
            CREATE TEMP TABLE picked AS
            SELECT r.ordinality AS o, r.refYear AS year, upper(trim(r.flowCode)) AS flow,
                   r.reporterCode AS reporter_code, {col("reporterISO", "NULL")} AS reporter_iso,
                   r.partnerCode AS partner_code, {col("partnerISO", "NULL")} AS partner_iso,
                   coalesce({col("partner2Code", "0")}, 0) AS partner2,
                   coalesce(nullif(trim({col("customsCode", "'C00'")}), ''), 'C00') AS customs,
                   coalesce({col("motCode", "0")}, 0) AS mot,
                   trim(coalesce({col("freqCode", "'A'")}, 'A')) AS freq,
                   p.hs_code AS k, r.primaryValue AS value, r.netWgt AS net,
                   {col("qty", "NULL")} AS qty, trim({col("qtyUnitAbbr", "NULL")}) AS qty_unit,
                   p.mineral, p.stage, p.form
            FROM read_csv({sql_text(str(path))}, header = true, auto_detect = false, delim = ',', quote = '"',
                          encoding = {sql_text(encoding)}, store_rejects = true, columns = {columns})
                 WITH ORDINALITY AS r
            JOIN products p ON p.hs_code = lpad(trim(r.cmdCode), 6, '0')
            WHERE upper(trim(r.flowCode)) IN ('M', 'X')
            """
        )
        rejected = reject_issues(con, scan, {h: _expected(h) for h in header})
        bad = con.execute(
            """
            SELECT o, 'freqCode', freq FROM picked WHERE freq <> 'A'
            UNION ALL SELECT o, 'refYear', coalesce(year::VARCHAR, 'empty') FROM picked
                WHERE year IS NULL OR year NOT BETWEEN 1900 AND 2100
            UNION ALL SELECT o, 'primaryValue', coalesce(value::VARCHAR, 'empty') FROM picked WHERE value IS NULL OR value < 0
            UNION ALL SELECT o, 'netWgt', net::VARCHAR FROM picked WHERE net < 0
            UNION ALL SELECT o, 'reporterCode', coalesce(reporter_code::VARCHAR, 'empty') FROM picked
                WHERE reporter_code IS NULL
            UNION ALL SELECT o, 'partnerCode', 'empty' FROM picked WHERE partner_code IS NULL
            ORDER BY 1, 2
            """
        ).fetchall()
        # countries: ISO-3 column first, else the numeric code
        pairs = con.execute(
            """
            SELECT DISTINCT reporter_code, reporter_iso FROM picked
            UNION SELECT DISTINCT partner_code, partner_iso FROM picked
            """
        ).fetchall()
        resolved = [(code, iso, iso3_or_none(iso) or iso3_of_numeric(code)) for code, iso in pairs]
        resolver = {(code, iso): country for code, iso, country in resolved}
        reporters = set(con.execute("SELECT DISTINCT reporter_code, reporter_iso FROM picked").fetchall())
        unknown = sorted({code for code, iso in reporters if code is not None and resolver.get((code, iso)) is None})
        if unknown:
            marks = ", ".join("?" for _ in unknown)
            for o, code, iso in con.execute(
                f"SELECT o, reporter_code, reporter_iso FROM picked WHERE reporter_code IN ({marks})", unknown
            ).fetchall():
                if resolver.get((code, iso)) is None:
                    bad.append((o, "reporterCode", f"{code} ({iso or 'no ISO-3'})"))
        if bad:
            lines = line_numbers(path, (o for o, _, _ in bad), rejected)
            why = {
                "freqCode": "A (annual data; aggregate monthly files to years first)",
                "refYear": "a year between 1900 and 2100",
                "primaryValue": "a value of at least 0 US$",
                "netWgt": "a net weight of at least 0 kg, or empty",
                "reporterCode": "a reporting country: an ISO-3 code in reporterISO or a Comtrade country code",
                "partnerCode": "a partner code (0 for the world)",
            }
            for o, column, value in sorted(bad):
                scan.add(lines[o], column, why[column], shorten(value))
        if scan.issues:
            return [], scan.close(), {}
        con.execute("CREATE TEMP TABLE countries (code BIGINT, iso VARCHAR, country VARCHAR)")
        if resolved:
            con.executemany("INSERT INTO countries VALUES (?, ?, ?)", resolved)
        counts = {"rows": int(con.execute("SELECT count(*) FROM picked").fetchone()[0])}
        counts["world_partner_rows"] = int(
            con.execute("SELECT count(*) FROM picked WHERE partner_code = 0").fetchone()[0]
        )
        rows = con.execute(
            f"""
            WITH joined AS (
                SELECT p.*, rc.country AS reporter, pc.country AS partner,
                       (partner2 = 0 AND customs = 'C00' AND mot = 0) AS is_total,
                       CASE WHEN net IS NOT NULL AND net > 0 THEN net
                            WHEN qty_unit = 'kg' AND qty IS NOT NULL THEN qty
                            WHEN net = 0 THEN 0 END AS kg
                FROM picked p
                JOIN countries rc ON rc.code = p.reporter_code AND rc.iso IS NOT DISTINCT FROM p.reporter_iso
                JOIN countries pc ON pc.code = p.partner_code AND pc.iso IS NOT DISTINCT FROM p.partner_iso
                WHERE p.partner_code <> 0
            ),
            kept AS (
                SELECT *, bool_or(is_total) OVER (PARTITION BY flow, reporter_code, partner_code, k, year) AS has_total
                FROM joined
            ),
            sides AS (
                SELECT flow, year, mineral, stage, form, k, value, kg,
                       CASE WHEN flow = 'M' THEN reporter ELSE partner END AS importer,
                       CASE WHEN flow = 'M' THEN coalesce(partner, {sql_text(OTHER_COUNTRIES)}) ELSE reporter END AS exporter
                FROM kept WHERE is_total OR NOT has_total
            )
            SELECT flow, year, importer, exporter, mineral, stage, form, sum(value) AS value_usd,
                   CASE WHEN bool_and(kg IS NOT NULL) THEN sum(kg) / 1000 END AS quantity,
                   string_agg(DISTINCT k, '+' ORDER BY k) AS hs_codes
            FROM sides WHERE importer IS NOT NULL AND importer <> exporter
            GROUP BY ALL ORDER BY ALL
            """
        ).fetchall()
        counts["flows_to_non_countries"] = int(
            con.execute(
                """SELECT count(*) FROM picked p JOIN countries pc ON pc.code = p.partner_code
                   AND pc.iso IS NOT DISTINCT FROM p.partner_iso WHERE p.flow = 'X' AND p.partner_code <> 0
                   AND pc.country IS NULL"""
            ).fetchone()[0]
        )
    finally:
        con.close()
    declared = {(r[1], r[2], r[4], r[5], r[6]) for r in rows if r[0] == "M"}
    flows = []
    for flow, year, importer, exporter, mineral, stage, form, value, quantity, hs in rows:
        if reporting == "importer" and flow != "M":
            continue
        if reporting == "exporter" and flow != "X":
            continue
        if reporting == "importer_then_mirror" and flow == "X" and (year, importer, mineral, stage, form) in declared:
            continue
        flows.append(
            {
                "importer": importer,
                "exporter": exporter,
                "mineral": mineral,
                "stage": stage,
                "form": form,
                "year": int(year),
                "value_usd": float(value),
                "quantity": None if quantity is None else float(quantity),
                "hs_codes": hs,
                "flow_code": flow,
            }
        )
    counts["flows"] = len(flows)
    counts["mirror_flows"] = sum(1 for f in flows if f["flow_code"] == "X")
    return flows, scan.close(), counts
