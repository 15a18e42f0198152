//! The labelled files of a release, opened by the tools statisticians use: every cell of the
//! Stata and SPSS files read back by pyreadstat equals the CSV's, R's haven sees text
//! identifiers, labels, ordered levels and the reason of each empty cell, the R script's design
//! reproduces the published estimate, Excel's workbook holds the same rows, and the zipped data
//! package validates with `frictionless` and fails on one wrong code.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use dxsurvey::export::readers;
use tempfile::TempDir;

use crate::helpers::{run, text};

const WAVE: &str = "2027";

/// A sample wave (weighted), exported in every format, zipped; the export folder and the zip.
fn release(dir: &TempDir, lang: &str) -> (PathBuf, PathBuf) {
    let args = ["demo", "--register", "6000", "--sample", "1500", "--wave", WAVE, "--seed", "7"];
    let output = run(dir, &args, &[]);
    assert!(output.status.success(), "{}", text(&output).1);
    let out = dir.path().join("release");
    let zip = dir.path().join("release.zip");
    let args = [
        "export",
        "--wave",
        WAVE,
        "--out",
        out.to_str().unwrap(),
        "--zip",
        zip.to_str().unwrap(),
        "--lang",
        lang,
    ];
    let output = run(dir, &args, &[]);
    assert!(output.status.success(), "{}", text(&output).1);
    (out, zip)
}

fn csv_rows(path: &Path) -> (Vec<String>, Vec<Vec<String>>) {
    let mut reader = csv::Reader::from_path(path).unwrap();
    let header = reader.headers().unwrap().iter().map(str::to_string).collect();
    let rows = reader.records().map(|r| r.unwrap().iter().map(str::to_string).collect()).collect();
    (header, rows)
}

/// pyreadstat reads both files; every cell, turned back into the CSV's text through the file's
/// own value labels and the package's categories, equals the CSV's.
const ROUND_TRIP: &str = r#"
import csv, json, sys, math, pyreadstat
out, lang = sys.argv[1], sys.argv[2]
fields = json.load(open(out + "/datapackage.json"))["resources"][1]["schema"]["fields"]
rows = list(csv.DictReader(open(out + "/microdata.csv", encoding="utf-8")))
tokens = {-1: "skipped", -2: "na", -3: "dk", -4: "coarsened", -5: "suppressed"}
letters = dict(zip("abcde", tokens.values()))
label_key = "label_vi" if lang == "vi" else "label"
def as_csv(value, field, labels):
    text = field["type"] == "string" and "categories" not in field
    if isinstance(value, str) and not text:
        return letters[value]  # Stata's .a to .e
    if text:
        return value
    if field["type"] == "date":
        return value.isoformat()
    if isinstance(value, float) and math.isnan(value):
        return "NaN"
    if value < 0 and value == int(value) and int(value) in tokens:
        return tokens[int(value)]  # SPSS's user-missing values
    if "categories" in field:
        # SPSS keeps 120 bytes of a value label, cut with "…".
        label = labels[value].removesuffix("…").rstrip()
        return str(next(c["value"] for c in field["categories"] if c[label_key].startswith(label)))
    return value
for name, read in (("microdata.dta", pyreadstat.read_dta), ("microdata.sav", pyreadstat.read_sav)):
    df, meta = read(out + "/" + name, user_missing=True)
    assert list(df.columns) == [f["name"] for f in fields], name
    assert len(df) == len(rows), (name, len(df), len(rows))
    cells = 0
    for f in fields:
        column, labels = df[f["name"]].tolist(), meta.variable_value_labels.get(f["name"], {})
        for value, row in zip(column, rows):
            got, expected = as_csv(value, f, labels), row[f["name"]]
            if f["type"] == "number" and expected not in tokens.values():
                assert math.isclose(float(got), float(expected), rel_tol=1e-15), (name, f["name"], got, expected)
            elif f["type"] == "integer" and "categories" not in f and expected not in tokens.values():
                assert int(got) == int(expected), (name, f["name"], got, expected)
            else:
                assert str(got) == expected, (name, f["name"], got, expected)
            cells += 1
    label = meta.column_names_to_labels["website"]
    print(name, len(df), cells, meta.variable_measure.get("level") if name.endswith("sav") else "-", label, sep="\t")
"#;

#[test]
fn every_cell_of_the_stata_and_spss_files_reads_back_as_the_csv_in_python() {
    let dir = TempDir::new().unwrap();
    let (out, _) = release(&dir, "vi");
    let (header, rows) = csv_rows(&out.join("microdata.csv"));
    let args = [out.to_str().unwrap(), "vi"];
    let Some(said) = readers::python(ROUND_TRIP, &args, "pyreadstat") else { return };
    let lines: Vec<Vec<&str>> = said.lines().map(|l| l.split('\t').collect()).collect();
    assert_eq!(lines.len(), 2, "{said}");
    for (line, name) in lines.iter().zip(["microdata.dta", "microdata.sav"]) {
        assert_eq!(line[0], name);
        assert_eq!(line[1], rows.len().to_string());
        assert_eq!(line[2], (rows.len() * header.len()).to_string(), "every cell compared");
        assert_eq!(line[4], "Doanh nghiệp có trang web riêng đang hoạt động không?");
    }
    assert_eq!(lines[1][3], "ordinal", "SPSS knows the levels are ordered");
    assert!(rows.len() > 300, "{} rows", rows.len());
    // The CSV itself: text identifiers, one 0/1 column per choice, the reasons of empty cells.
    let column = |name: &str| header.iter().position(|h| h == name).unwrap();
    assert!(rows.iter().all(|r| r[column("respondent")].len() == 16));
    assert!(header.iter().any(|h| h.starts_with("security_measures_")));
    assert!(!header.iter().any(|h| h == "security_measures"));
    let tokens = ["skipped", "suppressed"];
    for token in tokens {
        assert!(rows.iter().any(|r| r.iter().any(|c| c == token)), "no '{token}' cell");
    }
}

/// R's haven: identifiers as text, labels, tagged missing values, ordered levels, dates.
const HAVEN: &str = r#"
library(haven)
args <- commandArgs(trailingOnly = TRUE)
for (name in c("microdata.dta", "microdata.sav")) {
  d <- if (endsWith(name, "dta")) read_dta(file.path(args[1], name)) else read_sav(file.path(args[1], name), user_na = TRUE)
  reasons <- function(x) {
    if (endsWith(name, "dta")) na_tag(x) else ifelse(x %in% -5:-1, c("e", "d", "c", "b", "a")[x + 6], NA)
  }
  levels <- attr(d$level, "labels")
  levels <- levels[!is.na(levels) & levels > 0]
  cat(name, nrow(d), class(d$respondent), class(d$area_code), class(d$submitted),
      paste(names(sort(levels))[1:2], collapse = "|"),
      sum(reasons(d$persons_employed) == "e", na.rm = TRUE),
      sum(reasons(d$innovation_sales_share) == "a", na.rm = TRUE),
      nchar(attr(d$persons_employed, "label")) <= 80,
      sep = "\t")
  cat("\n")
}
"#;

#[test]
fn r_reads_the_labelled_files_and_the_script_reproduces_the_published_estimate() {
    let dir = TempDir::new().unwrap();
    let (out, _) = release(&dir, "en");
    let (header, rows) = csv_rows(&out.join("microdata.csv"));
    let count_in = |name: &str, token: &str| {
        let column = header.iter().position(|h| h == name).unwrap();
        rows.iter().filter(|r| r[column] == token).count().to_string()
    };
    let count = |token: &str| count_in("persons_employed", token);
    let Some(said) = readers::r(HAVEN, &[out.to_str().unwrap()], "haven") else { return };
    for (line, name) in said.lines().zip(["microdata.dta", "microdata.sav"]) {
        let cells: Vec<&str> = line.split('\t').collect();
        let levels = "Not yet started|Starting";
        let expected = [name, &rows.len().to_string(), "character", "character", "Date", levels];
        assert_eq!(cells[..6], expected, "{said}");
        assert_eq!(cells[6], count("suppressed"), "{name}: suppressed cells, {said}");
        let skipped = count_in("innovation_sales_share", "skipped");
        assert!(skipped != "0", "routing skips some");
        assert_eq!(cells[7], skipped, "{name}: skipped cells");
        assert_eq!(cells[8], "TRUE", "{name}: a label within Stata's 80 characters");
    }
    assert_eq!(said.lines().count(), 2, "{said}");

    // The script, sourced as a statistician would, gives the city's published estimate.
    let script = r#"
setwd(commandArgs(trailingOnly = TRUE)[1])
source("microdata.R")
stopifnot(is.factor(microdata$level), is.ordered(microdata$level), is.character(microdata$area_code))
stopifnot(attr(microdata$website, "label") == "Does the enterprise have its own website that is currently online?")
m <- survey::svymean(~ind_innovation_active, design)
cat(sprintf("%.17g", c(coef(m), survey::SE(m))), sum(microdata_missing$persons_employed == "suppressed", na.rm = TRUE), sep = "\t")
"#;
    let Some(said) = readers::r(script, &[out.to_str().unwrap()], "survey") else { return };
    let cells: Vec<f64> = said.split('\t').map(|c| c.trim().parse().unwrap()).collect();
    let (_, aggregates) = csv_rows(&out.join("aggregates.csv"));
    let city = aggregates
        .iter()
        .find(|r| r[1] == "city" && r[3] == "ind_innovation_active")
        .expect("the city's figure");
    let (estimate, se): (f64, f64) = (city[4].parse().unwrap(), city[5].parse().unwrap());
    assert!((cells[0] - estimate).abs() < 1e-9, "R {} vs published {estimate}", cells[0]);
    assert!((cells[1] - se).abs() < 1e-9, "R SE {} vs published {se}", cells[1]);
    assert_eq!(cells[2].to_string(), count("suppressed"));
}

/// GNU PSPP reads the SPSS file, as a statistician without SPSS would: every cell, read as a
/// value and as its value label, equals the CSV's (a code through the package's categories, an
/// empty cell's reason through its user-missing value).
#[test]
fn pspp_reads_every_cell_of_the_spss_file_as_the_csv() {
    let dir = TempDir::new().unwrap();
    let (out, _) = release(&dir, "vi");
    let Some(values) = readers::pspp(&out.join("microdata.sav"), false) else { return };
    let labels = readers::pspp(&out.join("microdata.sav"), true).unwrap();
    let read = |text: &str| {
        let mut reader = csv::Reader::from_reader(text.as_bytes());
        let header: Vec<String> = reader.headers().unwrap().iter().map(str::to_string).collect();
        let rows: Vec<Vec<String>> =
            reader.records().map(|r| r.unwrap().iter().map(str::to_string).collect()).collect();
        (header, rows)
    };
    let ((header, values), (_, labels)) = (read(&values), read(&labels));
    let (csv_header, rows) = csv_rows(&out.join("microdata.csv"));
    assert_eq!(header, csv_header, "PSPP sees every variable under its name");
    assert_eq!((values.len(), labels.len()), (rows.len(), rows.len()));
    let package: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("datapackage.json")).unwrap())
            .unwrap();
    let fields = package["resources"][1]["schema"]["fields"].as_array().unwrap().clone();
    let tokens = ["skipped", "na", "dk", "coarsened", "suppressed"];
    let mut cells = 0;
    for (n, ((row, value), label)) in rows.iter().zip(&values).zip(&labels).enumerate() {
        for (i, field) in fields.iter().enumerate() {
            let (text, value, label) = (&row[i], &value[i], &label[i]);
            let categories = field["categories"].as_array();
            let same = if let Some(t) = tokens.iter().position(|t| t == text) {
                value.parse::<f64>() == Ok(-1.0 - t as f64)
            } else if let Some(category) = categories
                .and_then(|c| c.iter().find(|c| c["value"].to_string().trim_matches('"') == text))
            {
                // SPSS keeps 120 bytes of a value label, cut with "…".
                let full = category["label_vi"].as_str().unwrap();
                label == full
                    || label.strip_suffix('…').is_some_and(|l| full.starts_with(l.trim_end()))
            } else if field["type"] == "date" {
                let (y, m, d) = (&text[..4], &text[5..7], &text[8..]);
                *value == format!("{m}/{d}/{y}")
            } else if field["type"] == "string" {
                value == text
            } else {
                value.parse::<f64>().ok() == text.parse::<f64>().ok()
            };
            let name = &header[i];
            assert!(same, "row {n}: {name} is {text:?} in the CSV, {value:?} ({label:?}) in PSPP");
            cells += 1;
        }
    }
    assert!(cells > 10_000, "{cells} cells compared");
}

/// openpyxl reads the workbook: every cell, a label turned back into its code through the
/// package's categories, equals the CSV's; identifiers are text and dates are dates.
const WORKBOOK: &str = r#"
import csv, datetime, json, sys, openpyxl
out, lang = sys.argv[1], sys.argv[2]
fields = json.load(open(out + "/datapackage.json"))["resources"][1]["schema"]["fields"]
key = "label_vi" if lang == "vi" else "label"
rows = list(csv.reader(open(out + "/microdata.csv", encoding="utf-8")))
book = openpyxl.load_workbook(out + "/microdata.xlsx", read_only=True)
data = book["data"].iter_rows(values_only=True)
assert list(next(data)) == rows[0]
def same(value, text, field):
    if value is None:
        return text == ""
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() == text
    if isinstance(value, (int, float)):
        return float(text) == value
    categories = field.get("categories", [])
    return text in (value, "'" + value) or any(
        str(c["value"]) == text and c[key] == value for c in categories)
count, first = 0, None
for got, want in zip(data, rows[1:], strict=True):
    count += 1
    first = first or got
    for value, text, field in zip(got, want, fields, strict=True):
        assert same(value, text, field), (count, field["name"], value, text)
codebook = {r[0]: r for r in book["codebook"].iter_rows(values_only=True) if r and r[0]}
print(book.sheetnames)
print("\t".join(type(v).__name__ for v in first[:6]))
print(count, first[rows[0].index("level")], codebook["level"][4], sep="\t")
"#;

#[test]
fn the_workbook_holds_every_cell_with_labels_and_a_codebook() {
    let dir = TempDir::new().unwrap();
    let (out, _) = release(&dir, "en");
    let (header, rows) = csv_rows(&out.join("microdata.csv"));
    let args = [out.to_str().unwrap(), "en"];
    let Some(said) = readers::python(WORKBOOK, &args, "openpyxl") else { return };
    let lines: Vec<&str> = said.lines().collect();
    assert_eq!(lines[0], "['data', 'codebook']");
    assert_eq!(lines[1], "str\tstr\tstr\tint\tdatetime\tstr", "ids as text, a date");
    let cells: Vec<&str> = lines[2].split('\t').collect();
    assert_eq!(cells[0], rows.len().to_string());
    let level = &rows[0][header.iter().position(|h| h == "level").unwrap()];
    let levels: HashMap<&str, &str> =
        cells[2].split("; ").filter_map(|pair| pair.split_once(" = ")).collect();
    assert_eq!(levels.get(level.as_str()), Some(&cells[1]), "the level's label: {said}");
}

/// `frictionless validate` on a folder; whether it passed, and what it said.
fn validate(folder: &Path) -> Option<(bool, String)> {
    match Command::new("frictionless")
        .arg("validate")
        .arg("datapackage.json")
        .current_dir(folder)
        .output()
    {
        Ok(output) => {
            Some((output.status.success(), String::from_utf8_lossy(&output.stdout).into_owned()))
        }
        Err(e) => {
            assert!(std::env::var_os("CI").is_none(), "CI must install frictionless: {e}");
            eprintln!("frictionless is not installed: the package was not validated");
            None
        }
    }
}

#[test]
fn the_zipped_package_validates_and_one_wrong_code_fails_it() {
    let dir = TempDir::new().unwrap();
    let (_, zip) = release(&dir, "vi");
    let folder = dir.path().join("unzipped");
    let mut archive = zip::ZipArchive::new(std::fs::File::open(&zip).unwrap()).unwrap();
    archive.extract(&folder).unwrap();
    let names: Vec<String> = archive.file_names().map(|n| n.unwrap().into_owned()).collect();
    for name in [
        "datapackage.json",
        "aggregates.csv",
        "microdata.csv",
        "microdata.dta",
        "microdata.sav",
        "microdata.xlsx",
        "microdata.R",
        "README.md",
        "response_groups.csv",
    ] {
        assert!(names.iter().any(|n| n == name), "{name} missing from {names:?}");
    }
    let readme = std::fs::read_to_string(folder.join("README.md")).unwrap();
    assert!(readme.contains("svyset") && readme.contains("svydesign") && readme.contains("CSPLAN"));
    let package: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(folder.join("datapackage.json")).unwrap())
            .unwrap();
    assert_eq!(package["$schema"], "https://datapackage.org/profiles/2.0/datapackage.json");
    assert!(package["licenses"][0]["name"].is_string() && package["version"].is_string());
    assert!(
        package["disclosure"]["k"].is_u64()
            && package["disclosure"]["max_individual_risk"].is_number()
    );
    let fields = package["resources"][1]["schema"]["fields"].as_array().unwrap();
    let level = fields.iter().find(|f| f["name"] == "level").unwrap();
    assert!(level["constraints"]["enum"].as_array().unwrap().len() >= 4);
    assert_eq!(level["categoriesOrdered"], true);
    assert!(fields.iter().all(|f| f["description"].as_str().is_some_and(|d| !d.is_empty())));

    let Some((valid, said)) = validate(&folder) else { return };
    assert!(valid, "{said}");
    // One wrong code in one cell: the level "bogus".
    let path = folder.join("microdata.csv");
    let (header, mut rows) = csv_rows(&path);
    let column = header.iter().position(|h| h == "level").unwrap();
    rows[3][column] = "bogus".into();
    let mut writer = csv::Writer::from_path(&path).unwrap();
    writer.write_record(&header).unwrap();
    for row in &rows {
        writer.write_record(row).unwrap();
    }
    writer.flush().unwrap();
    let (valid, said) = validate(&folder).unwrap();
    assert!(!valid, "a wrong code passed: {said}");
    assert!(said.contains("constraint-error") && said.contains("bogus"), "{said}");
}

/// Two sample waves of the same register: most sampled enterprises answer both.
fn two_sample_waves(dir: &TempDir) {
    for (wave, seed) in [("2026", "5"), ("2027", "6")] {
        let args =
            ["demo", "--register", "6000", "--sample", "1500", "--wave", wave, "--seed", seed];
        let output = run(dir, &args, &[]);
        assert!(output.status.success(), "{}", text(&output).1);
    }
}

/// An intruder holds each wave's release, exported on its own, and joins the rows on the
/// organisation pseudonym (stable across waves, for panel analysis). What they then know of an
/// organisation is its history: the key variables its rows show in both waves. Each history
/// must be shared by at least k linked organisations, or a value blanked by local suppression
/// in one wave, read off the other wave's row, would single the organisation out.
#[test]
fn linking_two_waves_by_organisation_singles_out_no_one() {
    let dir = TempDir::new().unwrap();
    two_sample_waves(&dir);
    let release_of = |wave: &str| {
        let out = dir.path().join(wave);
        let args = ["export", "--wave", wave, "--out", out.to_str().unwrap(), "--formats", "none"];
        let output = run(&dir, &args, &[]);
        assert!(output.status.success(), "{}", text(&output).1);
        let package: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(out.join("datapackage.json")).unwrap())
                .unwrap();
        (csv_rows(&out.join("microdata.csv")), package["disclosure"].clone())
    };
    let ((header, first), disclosure) = release_of("2026");
    let ((_, latest), _) = release_of("2027");
    let k = disclosure["k"].as_u64().unwrap() as usize;
    let column = |name: &str| header.iter().position(|h| h == name).unwrap();
    let keys: Vec<usize> = disclosure["key_variables"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| column(v["name"].as_str().unwrap()))
        .collect();
    assert!(keys.len() >= 5, "design codes and quasi-identifiers: {disclosure}");
    let organisation = column("organisation");
    let by_organisation = |rows: &[Vec<String>]| -> HashMap<String, Vec<String>> {
        let named = rows.iter().filter(|r| !r[organisation].is_empty());
        named.map(|r| (r[organisation].clone(), r.clone())).collect()
    };
    let (earlier, later) = (by_organisation(&first), by_organisation(&latest));
    let shown = |row: &Vec<String>| keys.iter().map(|c| row[*c].clone()).collect::<Vec<_>>();
    let mut histories: HashMap<(Vec<String>, Vec<String>), Vec<&str>> = HashMap::new();
    for (pseudonym, row) in &earlier {
        if let Some(twin) = later.get(pseudonym) {
            histories.entry((shown(row), shown(twin))).or_default().push(pseudonym);
        }
    }
    let linked: usize = histories.values().map(Vec::len).sum();
    let read_off = |(a, b): &(Vec<String>, Vec<String>)| {
        a.iter().zip(b).filter(|(x, y)| (*x == "suppressed") != (*y == "suppressed")).count()
    };
    let (singled_out, recovered): (Vec<_>, usize) = (
        histories.iter().filter(|(_, o)| o.len() < k).map(|(h, o)| (o.len(), h)).collect(),
        histories.iter().filter(|(_, o)| o.len() >= k).map(|(h, o)| read_off(h) * o.len()).sum(),
    );
    let suppressed = first.iter().chain(&latest).flatten().filter(|c| *c == "suppressed").count();
    assert!(suppressed > 0, "the waves have values blanked by local suppression");
    // Few: most of the demo's firms answer in only one wave, in wards of few firms.
    assert!(linked >= k, "the join links organisations of both waves: {linked}");
    assert!(
        singled_out.is_empty(),
        "{} linked histories shared by fewer than {k} organisations, e.g. {:?}",
        singled_out.len(),
        &singled_out[..singled_out.len().min(3)]
    );
    assert_eq!(
        disclosure["organisations_unlinked"].as_u64().unwrap() as usize,
        first.iter().filter(|r| r[organisation].is_empty()).count(),
        "the package counts the organisations left unlinked"
    );
    eprintln!("{linked} organisations linked; {recovered} blanked values read off, each among k");
}

#[test]
fn two_waves_go_into_one_file_and_an_organisation_keeps_its_pseudonym() {
    let dir = TempDir::new().unwrap();
    two_sample_waves(&dir);
    let export = |waves: &[&str], name: &str| {
        let out = dir.path().join(name);
        let mut args = vec!["export", "--out", out.to_str().unwrap(), "--formats", "dta"];
        for wave in waves {
            args.extend(["--wave", wave]);
        }
        let output = run(&dir, &args, &[]);
        (output.status.success(), format!("{}{}", text(&output).0, text(&output).1), out)
    };
    let (ok, said, both) = export(&["2026", "2027"], "both");
    assert!(ok, "{said}");
    let (_, first) = csv_rows(&export(&["2026"], "first").2.join("microdata.csv"));
    let (_, latest) = csv_rows(&export(&["2027"], "latest").2.join("microdata.csv"));
    let (header, rows) = csv_rows(&both.join("microdata.csv"));
    assert_eq!(rows.len(), first.len() + latest.len(), "every row of both waves");
    let column = |name: &str| header.iter().position(|h| h == name).unwrap();
    let (wave, organisation) = (column("wave"), column("organisation"));
    let named = || rows.iter().filter(|r| !r[organisation].is_empty());
    let in_wave = |w: &str| -> std::collections::HashSet<&str> {
        named().filter(|r| r[wave] == w).map(|r| r[organisation].as_str()).collect()
    };
    let (earlier, later) = (in_wave("2026"), in_wave("2027"));
    assert_eq!(earlier.len() + later.len(), named().count(), "one row per organisation and wave");
    let panel = earlier.intersection(&later).count();
    assert!(panel >= 5, "organisations followed across waves: {panel}");
    // The rows of a wave are those of its own export, pseudonyms and all.
    assert_eq!(rows[..first.len()], first[..]);
    let package: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(both.join("datapackage.json")).unwrap())
            .unwrap();
    assert_eq!(package["waves"].as_array().unwrap().len(), 2);
    let (_, aggregates) = csv_rows(&both.join("aggregates.csv"));
    assert!(aggregates.iter().any(|r| r[0] == "2026") && aggregates.iter().any(|r| r[0] == "2027"));
    // Each sample wave's response groups, those of the first as its own export gives them.
    let (header, groups) = csv_rows(&both.join("response_groups.csv"));
    let (_, first_groups) = csv_rows(&dir.path().join("first").join("response_groups.csv"));
    assert_eq!(header[0], "wave");
    assert!(!first_groups.is_empty() && first_groups.iter().all(|r| r[0] == "2026"));
    assert_eq!(groups[..first_groups.len()], first_groups[..]);
    assert!(groups[first_groups.len()..].iter().all(|r| r[0] == "2027"));
    assert!(groups.len() > first_groups.len(), "the second wave's groups follow");

    let (ok, said, _) = export(&["2026", "2031"], "unknown");
    assert!(!ok && said.contains("no wave '2031'"), "{said}");
}
