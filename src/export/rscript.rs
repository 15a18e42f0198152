//! `microdata.R`: reads `microdata.csv` into R as a statistician would by hand: identifiers as
//! text, codes as factors with their labels (ordered where the categories are), numbers with
//! the reason of each empty cell kept in `microdata_missing`, variable labels as the `label`
//! attribute (as haven and RStudio show them), and the survey design ready for `survey`.

use std::fmt::Write as _;

use super::shape::Shape;
use super::table::{Measure, Missing, Storage};
use crate::figures::Figures;

/// The script, in the shape's language (labels) with English comments.
pub fn script(shape: &Shape, figures: &Figures) -> String {
    let table = &shape.table;
    let mut out = String::new();
    let tokens: Vec<String> = Missing::ALL.iter().map(|m| r_string(m.token())).collect();
    let _ = writeln!(
        out,
        "# {}\n# Written by dxsurvey. Run it in the folder that holds microdata.csv:\n#   source(\"microdata.R\")\n# It makes `microdata` (a data frame), `microdata_missing` (why each empty cell is empty:\n# {}) and, when the survey package is installed, `design`.\n",
        table.label,
        Missing::ALL
            .iter()
            .map(|m| format!("{} = {}", m.token(), m.label(crate::kernel::Lang::En)))
            .collect::<Vec<_>>()
            .join("; ")
    );
    let _ = writeln!(out, "missing_tokens <- c({})", tokens.join(", "));
    out.push_str("raw <- read.csv(\"microdata.csv\", colClasses = \"character\", na.strings = character(0),\n                check.names = FALSE, encoding = \"UTF-8\")\n");
    out.push_str("reason <- function(x) factor(ifelse(x %in% missing_tokens, x, NA), levels = missing_tokens)\n");
    out.push_str("value <- function(x) ifelse(x %in% missing_tokens | x == \"\", NA, x)\n");
    out.push_str("microdata <- data.frame(row.names = seq_len(nrow(raw)))\nmicrodata_missing <- data.frame(row.names = seq_len(nrow(raw)))\n");
    for (v, texts) in table.variables.iter().zip(&shape.texts) {
        let column = format!("raw[[{}]]", r_string(&v.name));
        let converted = match (v.storage, texts) {
            (Storage::Text { .. }, _) => column.clone(),
            (Storage::Date, _) => format!("as.Date(value({column}))"),
            (_, Some(texts)) => {
                let set = v.value_labels.map(|i| &table.value_labels[i].labels);
                let label_of = |code: &i32| {
                    set.and_then(|s| s.iter().find(|(c, _)| c == code))
                        .map_or(String::new(), |(_, l)| l.clone())
                };
                let levels: Vec<String> = texts.iter().map(|(_, id)| r_string(id)).collect();
                let labels: Vec<String> =
                    texts.iter().map(|(c, _)| r_string(&label_of(c))).collect();
                format!(
                    "factor(value({column}), levels = c({}), labels = c({}), ordered = {})",
                    levels.join(", "),
                    labels.join(", "),
                    if v.measure == Measure::Ordinal { "TRUE" } else { "FALSE" }
                )
            }
            (Storage::Double, None) => format!("as.numeric(value({column}))"),
            (_, None) => format!("as.integer(value({column}))"),
        };
        let name = r_string(&v.name);
        let _ = writeln!(out, "microdata[[{name}]] <- {converted}");
        let _ = writeln!(out, "attr(microdata[[{name}]], \"label\") <- {}", r_string(&v.label));
        if !v.storage.is_text() {
            let _ = writeln!(out, "microdata_missing[[{name}]] <- reason({column})");
        }
    }
    out.push_str("rm(raw, reason, value)\n\n");
    out.push_str(&design_recipe(figures));
    out
}

/// The survey design in R: the same strata, weights and finite population correction as the
/// published estimates (docs/methodology.md §4).
fn design_recipe(figures: &Figures) -> String {
    let mut out = String::from(
        "# The design of the published estimates: strata, weights, finite population correction.\n",
    );
    if !figures.weighted {
        out.push_str(
            "# This wave had no frame: the figures are unweighted shares of the respondents.\n",
        );
    }
    out.push_str(
        "if (requireNamespace(\"survey\", quietly = TRUE)) {\n  options(survey.lonely.psu = \"certainty\")\n  in_design <- !is.na(microdata$weight)\n  design <- survey::svydesign(ids = ~1, strata = ~stratum, weights = ~weight,\n                              fpc = ~stratum_population, data = microdata[in_design, ])\n  # For example: survey::svymean(~ind_innovation_active, design)\n}\n",
    );
    out
}

/// `text` as an R string literal.
fn r_string(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn strings_are_escaped() {
        assert_eq!(super::r_string("a\"b\\c\nd"), "\"a\\\"b\\\\c\\nd\"");
    }
}
