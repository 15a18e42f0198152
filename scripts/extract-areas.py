#!/usr/bin/env python3
"""Write the commune-level units (phường, xã, đặc khu) of one province as CSV.

Source: the PyPI package `vietnam-provinces` (version 2025.10.1), file
`vietnam_provinces/data/nested-divisions.json` (34 provinces after the 1 July 2025
reorganisation, no district level). Standard library only: the package is located, never
imported, and its JSON is read as data.

    pip install vietnam-provinces==2025.10.1
    python3 scripts/extract-areas.py                    # Hanoi -> surveys/reference/areas.csv
    python3 scripts/extract-areas.py --province 79 --out /tmp/areas-79.csv
    python3 scripts/extract-areas.py --list-provinces   # the 34 province codes

Output columns: code,name_vi,name_en,type
  code     5-digit commune-level code, zero-padded as the package's own WardCode enum writes it
  name_vi  full Vietnamese name as in the data, NFC (e.g. "Phường Hoàn Kiếm")
  name_en  ASCII English rendering (e.g. "Hoan Kiem Ward", "Dong Anh Commune")
  type     phuong | xa | dac_khu
Rows are sorted by code; UTF-8, LF line endings, header row, minimal CSV quoting.

--codes official replaces the package's codes by those of the PyPI package
`vietnamadminunits` (1.0.4), matched by name; see surveys/reference/README.md for why.
"""

import argparse
import csv
import importlib.metadata
import importlib.util
import io
import json
import re
import sqlite3
import sys
import unicodedata
from pathlib import Path

PACKAGE = "vietnam-provinces"
PACKAGE_VERSION = "2025.10.1"
OFFICIAL_PACKAGE = "vietnamadminunits"
OFFICIAL_PACKAGE_VERSION = "1.0.4"
REPO = Path(__file__).resolve().parent.parent
DEFAULT_OUT = REPO / "surveys" / "reference" / "areas.csv"

# division_type in the data -> (type column, Vietnamese name prefix, English suffix)
KINDS = {
    "phường": ("phuong", "Phường ", "Ward"),
    "xã": ("xa", "Xã ", "Commune"),
    "đặc khu": ("dac_khu", "Đặc khu ", "Special Zone"),
}

# Resolution 1656/NQ-UBTVQH15 (16 June 2025): Hanoi has 126 units, 51 wards and 75 communes.
EXPECTED = {1: {"phuong": 51, "xa": 75}}


def fail(message):
    sys.exit(f"extract-areas: {message}")


def package_dir(distribution, module):
    """Directory of an installed package, found without importing it."""
    spec = importlib.util.find_spec(module)
    if spec is None or not spec.submodule_search_locations:
        fail(f"package {distribution} is not installed (pip install {distribution})")
    return Path(list(spec.submodule_search_locations)[0])


def check_version(distribution, expected):
    try:
        found = importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        fail(f"package {distribution} is not installed (pip install {distribution}=={expected})")
    if found != expected:
        fail(
            f"{distribution} {found} is installed; this script's output is defined on {expected} "
            f"(pip install {distribution}=={expected}, or pass --any-version knowingly)"
        )
    return found


def nfc(text):
    return unicodedata.normalize("NFC", text)


def ascii_fold(text):
    """Vietnamese -> ASCII: strip tone and vowel marks, đ/Đ -> d/D, typographic marks -> ASCII."""
    text = nfc(text).replace("Đ", "D").replace("đ", "d")
    text = text.replace("\u2019", "'").replace("\u2018", "'").replace("\u2013", "-").replace("\u2014", "-")
    text = "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))
    text = unicodedata.normalize("NFC", text)
    if not text.isascii():
        fail(f"cannot fold {text!r} to ASCII")
    return text


def codename(text):
    """The package's short_codename convention: lower-case ASCII words joined by '_'."""
    return re.sub(r"[^a-z0-9]+", "_", ascii_fold(text).lower().replace("'", "")).strip("_")


TONE_MARKS = "\u0300\u0301\u0303\u0309\u0323"  # huyền, sắc, ngã, hỏi, nặng


def match_key(text):
    """Name key that keeps every letter and mark but not where a syllable's tone mark sits,
    so that old and new spelling agree (Hoà = Hòa, Thuỵ = Thụy) while Giang != Giàng."""
    text = nfc(text).lower().replace("\u2019", "'").replace("\u2013", "-")
    text = re.sub(r"\s*-\s*", "-", text)
    words = []
    for word in unicodedata.normalize("NFD", text).split():
        tones = "".join(c for c in word if c in TONE_MARKS)
        words.append("".join(c for c in word if c not in TONE_MARKS) + tones)
    return " ".join(words)


def load_provinces(path):
    with open(path, encoding="utf-8") as f:
        provinces = json.load(f)
    if not isinstance(provinces, list) or not provinces:
        fail(f"{path}: not a list of provinces")
    return provinces


def area_rows(province):
    rows = []
    for ward in province["wards"]:
        name_vi = nfc(ward["name"]).strip()
        kind = ward["division_type"]
        if kind not in KINDS:
            fail(f"unit {ward['code']} {name_vi!r} has unknown division_type {kind!r}")
        type_, prefix, suffix = KINDS[kind]
        if not name_vi.startswith(prefix):
            fail(f"unit {ward['code']} {name_vi!r} does not start with {prefix!r}")
        proper = name_vi[len(prefix):].strip()
        # Cross-check the folding against the data's own ASCII name. (Its short_codename is not
        # used: it drops a leading "phuong_" from names such as "Xã Phượng Dực" -> "duc".)
        if codename(name_vi) != ward["codename"]:
            fail(
                f"unit {ward['code']} {name_vi!r}: ASCII form {codename(name_vi)!r} disagrees with "
                f"the data's codename {ward['codename']!r}"
            )
        code = ward["code"]
        if not isinstance(code, int) or not 0 < code < 100000:
            fail(f"unit {name_vi!r} has code {code!r}, not a number of at most 5 digits")
        rows.append({
            "code": f"{code:05d}",
            "name_vi": name_vi,
            "name_en": f"{ascii_fold(proper)} {suffix}",
            "type": type_,
        })
    return rows


def official_codes(rows, province_code):
    """Replace codes by vietnamadminunits' codes, matching units by name within the province."""
    check_version(OFFICIAL_PACKAGE, OFFICIAL_PACKAGE_VERSION)
    db = package_dir(OFFICIAL_PACKAGE, "vietnamadminunits") / "data" / "dataset.db"
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    found = con.execute(
        "SELECT ward, wardCode FROM admin_units WHERE provinceCode = ?", (f"{province_code:02d}",)
    ).fetchall()
    con.close()
    by_name, by_key = {}, {}
    for name, code in found:
        by_name.setdefault(nfc(name), []).append(code)
        by_key.setdefault(match_key(name), []).append(code)
    if len(found) != len(rows):
        fail(f"{OFFICIAL_PACKAGE} lists {len(found)} units for province {province_code}, not {len(rows)}")
    changed = []
    for row in rows:
        codes = by_name.get(row["name_vi"]) or by_key.get(match_key(row["name_vi"]), [])
        if len(codes) != 1:
            fail(f"{row['name_vi']!r}: {len(codes)} units of that name in {OFFICIAL_PACKAGE}")
        if codes[0] != row["code"]:
            changed.append((row["name_vi"], row["code"], codes[0]))
            row["code"] = codes[0]
    for name, old, new in changed:
        print(f"  code of {name}: {old} -> {new}", file=sys.stderr)
    print(f"{len(changed)} codes replaced by {OFFICIAL_PACKAGE} {OFFICIAL_PACKAGE_VERSION}", file=sys.stderr)
    return rows


def to_csv(rows):
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=["code", "name_vi", "name_en", "type"], lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def list_provinces(provinces):
    print("| code | province | units |")
    print("|---:|---|---:|")
    for p in sorted(provinces, key=lambda p: p["code"]):
        print(f"| {p['code']} | {nfc(p['name'])} | {len(p['wards'])} |")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--province", type=int, default=1, help="province code in the data (default 1 = Hanoi)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help=f"output CSV (default {DEFAULT_OUT.relative_to(REPO)})")
    parser.add_argument("--data", type=Path, help="nested-divisions.json to read instead of the installed package's")
    parser.add_argument("--any-version", action="store_true", help=f"accept a {PACKAGE} version other than {PACKAGE_VERSION}")
    parser.add_argument("--codes", choices=["package", "official"], default="official",
                        help="'package' (default): codes as in vietnam-provinces; "
                             f"'official': codes from {OFFICIAL_PACKAGE} {OFFICIAL_PACKAGE_VERSION}, matched by name")
    parser.add_argument("--list-provinces", action="store_true", help="print the province codes as a Markdown table and exit")
    args = parser.parse_args()

    if args.data:
        path = args.data
        source = f"{path}"
    else:
        version = PACKAGE_VERSION
        if args.any_version:
            version = importlib.metadata.version(PACKAGE)
        else:
            check_version(PACKAGE, PACKAGE_VERSION)
        path = package_dir(PACKAGE, "vietnam_provinces") / "data" / "nested-divisions.json"
        source = f"{PACKAGE} {version}: vietnam_provinces/data/nested-divisions.json"
    provinces = load_provinces(path)

    if args.list_provinces:
        list_provinces(provinces)
        return

    chosen = [p for p in provinces if p["code"] == args.province]
    if not chosen:
        codes = ", ".join(str(p["code"]) for p in sorted(provinces, key=lambda p: p["code"]))
        fail(f"no province {args.province} in the data; known codes: {codes}")
    province = chosen[0]

    rows = area_rows(province)
    if args.codes == "official":
        rows = official_codes(rows, args.province)
    rows.sort(key=lambda r: r["code"])
    seen = set()
    for row in rows:
        if row["code"] in seen:
            fail(f"code {row['code']} appears twice")
        seen.add(row["code"])

    counts = {kind: sum(1 for r in rows if r["type"] == kind) for kind, _, _ in KINDS.values()}
    expected = EXPECTED.get(args.province)
    if expected is not None:
        for kind, _, _ in KINDS.values():
            if counts[kind] != expected.get(kind, 0):
                fail(f"{nfc(province['name'])}: {counts[kind]} units of type {kind}, expected {expected.get(kind, 0)}")

    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_bytes(to_csv(rows))
    summary = ", ".join(f"{n} {kind}" for kind, n in counts.items() if n)
    print(f"{nfc(province['name'])} (province {args.province}) from {source}")
    print(f"wrote {args.out}: {len(rows)} units ({summary}), codes: {args.codes}")


if __name__ == "__main__":
    main()
