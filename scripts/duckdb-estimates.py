#!/usr/bin/env python3
"""The estimator of dxsurvey's figures (docs/methodology.md §3-§4: weighted shares, linearised
stratified variance with finite population correction) run in DuckDB on an exported
microdata.csv, as a statistician would without dxsurvey: every indicator for the city and the
five breakdowns. The reference for scripts/bench-sample (BENCHMARKS.md).

Usage: duckdb-estimates.py microdata.csv [aggregates.csv]
Prints the time taken and, given aggregates.csv, the largest difference from the published city
and ward estimates and SEs (the breakdowns by section and size need the codes the microdata
blank where a stratum pools them, as docs/recipes/microdata-estimates.R explains; with
calibrated weights the SEs differ, as DuckDB has no calibration residuals).
"""
import csv
import sys
import time

import duckdb

BREAKDOWNS = {
    "city": "'all'",
    "area": "area_code",
    "vsic_section": "vsic_section",
    "size_class": "size_class",
    "area_size_class": "area_code || ':' || size_class",
    "area_vsic_section": "area_code || ':' || vsic_section",
}


def estimate(con):
    out = {}
    for breakdown, domain in BREAKDOWNS.items():
        rows = con.execute(f"""
            WITH cells AS (
                SELECT variable, {domain} AS domain, stratum,
                       sum(weight) AS sw, sum(weight * y) AS swy, sum(weight * weight) AS sw2,
                       sum(weight * weight * y) AS sw2y, sum(weight * weight * y * y) AS sw2y2
                FROM long WHERE {domain} IS NOT NULL AND {domain} <> '' GROUP BY ALL),
            domains AS (
                SELECT variable, domain, sum(swy) / sum(sw) AS p, sum(sw) AS nhat
                FROM cells GROUP BY ALL)
            SELECT c.variable, c.domain, any_value(d.p),
                   sqrt(greatest(sum(s.f * (
                       (c.sw2y2 - 2 * d.p * c.sw2y + d.p * d.p * c.sw2) / (d.nhat * d.nhat)
                       - power((c.swy - d.p * c.sw) / d.nhat, 2) / s.n)), 0))
            FROM cells c JOIN domains d USING (variable, domain) JOIN strata s USING (stratum)
            GROUP BY c.variable, c.domain""").fetchall()
        for variable, group, p, se in rows:
            out[(breakdown, group, variable)] = (p, se)
    return out


def main():
    started = time.perf_counter()
    con = duckdb.connect()
    con.execute(f"""
        CREATE TABLE m AS SELECT * FROM read_csv('{sys.argv[1]}', header = true, all_varchar = true)""")
    indicators = [r[0] for r in con.execute("SELECT name FROM pragma_table_info('m')").fetchall()
                  if r[0].startswith("ind_")]
    columns = ", ".join(indicators)
    con.execute(f"""
        CREATE TABLE long AS
        SELECT stratum, CAST(weight AS DOUBLE) AS weight, area_code, vsic_section, size_class,
               variable, CAST(y AS DOUBLE) AS y
        FROM (UNPIVOT (SELECT stratum, weight, area_code, vsic_section, size_class, {columns} FROM m)
              ON {columns} INTO NAME variable VALUE y)
        WHERE y <> ''""")
    con.execute("""
        CREATE TABLE strata AS
        SELECT stratum, count(*) AS n,
               CASE WHEN count(*) < 2 THEN 0
                    ELSE (1 - count(*) / any_value(CAST(stratum_population AS DOUBLE))) * count(*) / (count(*) - 1)
               END AS f
        FROM m GROUP BY stratum""")
    results = estimate(con)
    elapsed = time.perf_counter() - started
    print(f"duckdb {duckdb.__version__}: {len(results)} estimates of {len(indicators)} indicators "
          f"in {elapsed:.2f} s")
    if len(sys.argv) > 2:
        worst_estimate = worst_se = 0.0
        compared = 0
        with open(sys.argv[2], newline="") as f:
            for row in csv.DictReader(f):
                key = (row["breakdown"], row["group"], row["indicator"])
                if key in results and row["estimate"] and row["breakdown"] in ("city", "area"):
                    p, se = results[key]
                    worst_estimate = max(worst_estimate, abs(p - float(row["estimate"])))
                    worst_se = max(worst_se, abs(se - float(row["se"])))
                    compared += 1
        print(f"against aggregates.csv: {compared} published city and ward figures compared, largest "
              f"difference {worst_estimate:.2e} in estimates, {worst_se:.2e} in SEs")


main()
