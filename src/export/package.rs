//! The whole release in one file: every file of an export folder, with a README that says what
//! each is, how empty cells are coded and how to set up the design, zipped as the data package
//! lays them out (so that `frictionless validate datapackage.json` passes on the unzipped folder).

use std::io::{self, Write};
use std::path::Path;

use serde_json::Value;

use super::table::Missing;
use crate::kernel::Lang;

/// `README.md` of an export folder.
pub fn readme(package: &Value) -> String {
    let text = |v: &Value| v.as_str().unwrap_or_default().to_string();
    let mut out = format!("# {}\n\n{}\n\n", text(&package["title"]), text(&package["description"]));
    out.push_str(
        "| file | what it holds |\n|---|---|\n\
         | `datapackage.json` | the codebook: every column, its labels in Vietnamese and English, its allowed values; the estimator, the disclosure control and its risk figures (Frictionless Data Package v2) |\n\
         | `aggregates.csv` | every published estimate with its standard error, 95% interval, CV and counts; suppressed cells empty |\n\
         | `microdata.csv` | one de-identified row per response (UTF-8; identifiers are text: read `respondent`, `organisation` and `area_code` as text) |\n\
         | `microdata.dta` | the same rows for Stata 14 or newer, with variable and value labels |\n\
         | `microdata.sav` | the same rows for SPSS, with variable and value labels, measures and user-missing values |\n\
         | `microdata.xlsx` | the same rows for Excel, codes shown by their labels, with a codebook sheet |\n\
         | `microdata.R` | `source(\"microdata.R\")` reads `microdata.csv` into R with labels, factors and the design |\n\
         | `response_groups.csv` | each sample wave's response-homogeneity groups and response rates |\n\n",
    );
    out.push_str("## Empty cells\n\n| CSV | Stata | SPSS | meaning |\n|---|---|---|---|\n");
    for m in Missing::ALL {
        out.push_str(&format!(
            "| `{}` | `.{}` | {} | {} / {} |\n",
            m.token(),
            m.stata_letter(),
            m.code(),
            m.label(Lang::En),
            m.label(Lang::Vi)
        ));
    }
    out.push_str("\nA text column (identifiers and design codes) is empty where its label says why (design codes: coarsened).\n\n## The design\n\n");
    let recipes = &package["design_recipes"];
    for (title, key, lang) in [("R", "r", "r"), ("Stata", "stata", "stata"), ("SPSS", "spss", "")] {
        out.push_str(&format!("{title}:\n\n```{lang}\n{}\n```\n\n", text(&recipes[key])));
    }
    out.push_str(&format!("{}\n\nCheck the files against the codebook with `frictionless validate datapackage.json`.\n", text(&recipes["note"])));
    out
}

/// Zips every file of `dir` into `out`.
pub fn zip_folder(dir: &Path, out: impl Write + io::Seek) -> io::Result<()> {
    let mut names: Vec<_> = std::fs::read_dir(dir)?
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
        .map(|e| e.file_name())
        .collect();
    names.sort();
    let mut zip = zip::ZipWriter::new(out);
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .compression_level(Some(1))
        .large_file(true);
    for name in names {
        let name = name.to_string_lossy().into_owned();
        zip.start_file(name.as_str(), options).map_err(io::Error::other)?;
        io::copy(&mut std::fs::File::open(dir.join(&name))?, &mut zip)?;
    }
    zip.finish().map_err(io::Error::other)?;
    Ok(())
}
