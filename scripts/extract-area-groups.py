#!/usr/bin/env python3
"""Group a province's wards/communes by the former districts (before 1 July 2025) they came from.

Source: the PyPI package `vietnamadminunits` (version 1.0.4), read as data (it is located, never
imported, so its dependencies are not needed):
  vietnamadminunits/data/converter_2025.json  old ward -> new ward mapping, including old wards
                                              split between several new ones
  vietnamadminunits/data/dataset.db           SQLite: table admin_units_legacy (old province /
                                              district / ward names and GSO codes) and table
                                              admin_units (new units)
The units are read from the areas CSV written by scripts/extract-areas.py and matched to the
package's units by name, so the output uses exactly the codes of that CSV.

    pip install --no-deps vietnamadminunits==1.0.4
    python3 scripts/extract-areas.py
    python3 scripts/extract-area-groups.py              # Hanoi -> surveys/reference/area_groups.csv

Output columns: group_code,group_name_vi,group_name_en,area_code
  one row per (former district, unit) pair; a unit formed from whole or partial old wards of
  several former districts is in each of them. group_code is the former district's 3-digit GSO
  code. Rows sorted by group_code, then area_code. UTF-8, LF, header row, minimal quoting.
"""

import argparse
import csv
import importlib.util
import io
import json
import sqlite3
import sys
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DEFAULT_AREAS = REPO / "surveys" / "reference" / "areas.csv"
DEFAULT_OUT = REPO / "surveys" / "reference" / "area_groups.csv"
PACKAGE = "vietnamadminunits"
PACKAGE_VERSION = "1.0.4"

# Former district-level types -> English.
DISTRICT_TYPES_EN = {"quận": "District", "huyện": "District", "thị xã": "Town", "thành phố": "City"}
PROVINCE_TYPES_EN = {"tỉnh": "Province", "thành phố": "City"}


def load_helpers():
    """The name helpers of scripts/extract-areas.py (same folder; its name has a hyphen)."""
    sys.dont_write_bytecode = True  # leave no __pycache__ in scripts/
    path = Path(__file__).resolve().parent / "extract-areas.py"
    spec = importlib.util.spec_from_file_location("extract_areas", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


areas_lib = load_helpers()
nfc, ascii_fold, match_key = areas_lib.nfc, areas_lib.ascii_fold, areas_lib.match_key


def fail(message):
    sys.exit(f"extract-area-groups: {message}")


def read_areas(path):
    try:
        with open(path, encoding="utf-8", newline="") as f:
            rows = list(csv.DictReader(f))
    except FileNotFoundError:
        fail(f"{path} does not exist: run scripts/extract-areas.py first")
    if not rows or set(rows[0]) != {"code", "name_vi", "name_en", "type"}:
        fail(f"{path}: expected the columns code,name_vi,name_en,type")
    return rows


def split_type(name, type_):
    """'Thị Xã Mường Lay', 'Thị xã' -> ('thị xã', 'Mường Lay')."""
    name = nfc(name).strip()
    type_ = nfc(type_).strip().lower()
    if not name.lower().startswith(type_ + " "):
        fail(f"former district {name!r} does not start with its type {type_!r}")
    return type_, name[len(type_) + 1:].strip()


def split_province(name):
    """'Tỉnh Bình Dương' -> ('Tỉnh', 'Bình Dương'); 'Thành phố Hồ Chí Minh' -> ('Thành phố', ...)."""
    name = nfc(name).strip()
    for type_ in PROVINCE_TYPES_EN:
        if name.lower().startswith(type_ + " "):
            return name[: len(type_)], name[len(type_) + 1:].strip()
    fail(f"old province {name!r} does not start with tỉnh or thành phố")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--province", type=int, default=1, help="province code (default 1 = Hanoi)")
    parser.add_argument("--areas", type=Path, default=DEFAULT_AREAS, help=f"areas CSV (default {DEFAULT_AREAS.relative_to(REPO)})")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help=f"output CSV (default {DEFAULT_OUT.relative_to(REPO)})")
    parser.add_argument("--any-version", action="store_true", help=f"accept a {PACKAGE} version other than {PACKAGE_VERSION}")
    args = parser.parse_args()

    if not args.any_version:
        areas_lib.check_version(PACKAGE, PACKAGE_VERSION)
    data = areas_lib.package_dir(PACKAGE, "vietnamadminunits") / "data"
    con = sqlite3.connect(f"file:{data / 'dataset.db'}?mode=ro", uri=True)
    with open(data / "converter_2025.json", encoding="utf-8") as f:
        converter = json.load(f)

    # New units of the province in the package, matched to the areas CSV by name.
    found = con.execute(
        "SELECT ward, wardKey, wardCode, provinceKey FROM admin_units WHERE provinceCode = ?",
        (f"{args.province:02d}",),
    ).fetchall()
    if not found:
        fail(f"{PACKAGE} has no province {args.province:02d}")
    province_keys = {row[3] for row in found}
    if len(province_keys) != 1:
        fail(f"province {args.province:02d} has several keys in {PACKAGE}: {sorted(province_keys)}")
    province_key = province_keys.pop()
    by_name, by_key = defaultdict(list), defaultdict(list)
    for name, ward_key, code, _ in found:
        by_name[nfc(name)].append((ward_key, code))
        by_key[match_key(name)].append((ward_key, code))

    areas = read_areas(args.areas)
    if len(areas) != len(found):
        fail(f"{args.areas} lists {len(areas)} units, {PACKAGE} {len(found)} for province {args.province:02d}")
    area_of_key = {}
    other_codes = 0
    for area in areas:
        hits = by_name.get(area["name_vi"]) or by_key.get(match_key(area["name_vi"]), [])
        if len(hits) != 1:
            fail(f"{area['name_vi']!r} ({area['code']}): {len(hits)} units of that name in {PACKAGE}")
        ward_key, code = hits[0]
        if ward_key in area_of_key:
            fail(f"{area['name_vi']!r} matches the same {PACKAGE} unit as another row")
        area_of_key[ward_key] = area["code"]
        other_codes += code != area["code"]

    # Old units of the old provinces that make up the new one.
    old_provinces = converter["DICT_PROVINCE"][province_key]
    legacy = {}
    for pk, dk, wk, d_code, d_name, d_type, p_name in con.execute(
        "SELECT provinceKey, districtKey, wardKey, districtCode, district, districtType, province "
        "FROM admin_units_legacy"
    ):
        if pk in old_provinces:
            legacy[f"{pk}_{dk}_{wk or ''}"] = (d_code, d_name, d_type, p_name)
    con.close()

    # Predecessors of each new unit: old wards moved whole, and old wards split between new ones.
    predecessors = defaultdict(set)
    for new_key, old_keys in converter["DICT_PROVINCE_WARD_NO_DIVIDED"].get(province_key, {}).items():
        predecessors[new_key].update(old_keys)
    for old_key, targets in converter["DICT_PROVINCE_WARD_DIVIDED"].get(province_key, {}).items():
        for target in targets:
            predecessors[target["newWardKey"]].add(old_key)

    unknown_new = set(predecessors) - set(area_of_key)
    if unknown_new:
        fail(f"the mapping names new units not in the province: {sorted(unknown_new)}")
    mapped_old = set().union(*predecessors.values()) if predecessors else set()
    unknown_old = mapped_old - set(legacy)
    if unknown_old:
        fail(f"the mapping names old units not in the old provinces: {sorted(unknown_old)}")
    unmapped_old = set(legacy) - mapped_old
    if unmapped_old:
        fail(f"{len(unmapped_old)} old units are not mapped to any new unit, e.g. {sorted(unmapped_old)[:5]}")

    several_provinces = len(old_provinces) > 1
    groups = {}
    pairs = set()
    for ward_key, area_code in area_of_key.items():
        if not predecessors.get(ward_key):
            fail(f"unit {area_code} has no predecessor in the mapping")
        for old_key in predecessors[ward_key]:
            d_code, d_name, d_type, p_name = legacy[old_key]
            if not (len(d_code) == 3 and d_code.isdigit()):
                fail(f"former district {d_name!r} has code {d_code!r}, not 3 digits")
            type_, proper = split_type(d_name, d_type)
            if type_ not in DISTRICT_TYPES_EN:
                fail(f"former district {d_name!r} has unknown type {d_type!r}")
            name_vi = f"{type_[0].upper()}{type_[1:]} {proper}"
            name_en = f"Former {ascii_fold(proper)} {DISTRICT_TYPES_EN[type_]}"
            if several_provinces:
                # The new province merges several old ones: name the old province too.
                p_type, p_proper = split_province(p_name)
                name_vi = f"{name_vi}, {p_type} {p_proper}"
                name_en = f"{name_en}, {ascii_fold(p_proper)} {PROVINCE_TYPES_EN[p_type.lower()]}"
            name_vi += " (cũ)"
            if groups.setdefault(d_code, (name_vi, name_en)) != (name_vi, name_en):
                fail(f"former district code {d_code} has two names")
            pairs.add((d_code, area_code))

    rows = sorted(pairs)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["group_code", "group_name_vi", "group_name_en", "area_code"])
    for d_code, area_code in rows:
        writer.writerow([d_code, *groups[d_code], area_code])
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_bytes(buffer.getvalue().encode("utf-8"))

    per_area = defaultdict(int)
    for _, area_code in rows:
        per_area[area_code] += 1
    multi = sum(1 for n in per_area.values() if n > 1)
    print(f"province {args.province:02d}: {len(area_of_key)} units from {len(legacy)} old units "
          f"of {len(groups)} former districts ({PACKAGE} {PACKAGE_VERSION})")
    print(f"wrote {args.out}: {len(rows)} rows; {multi} units in more than one former district "
          f"(at most {max(per_area.values())})")
    if other_codes:
        print(f"note: {other_codes} units of {args.areas.name} carry a different code in {PACKAGE} "
              f"(see surveys/reference/README.md)")


if __name__ == "__main__":
    main()
