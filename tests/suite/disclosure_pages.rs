//! The shares attack of the disclosure suite on what people read rather than download: each
//! ward's page and its PDF summary (read back with poppler's `pdftotext -layout`, as a person
//! copies it), turned into the API's figures so that the same analysis reads all four.

use rocket::http::Cookie;
use rocket::local::asynchronous::Client;
use serde_json::{Value, json};

/// What the ward pages and the ward PDFs print, as API figures (`None` for the PDFs without
/// poppler, outside CI). The questionnaire is known by its Vietnamese `title`, `labels` map
/// the Vietnamese label of each of its variables to its id: all public.
/// The groups of wards (former districts), with their wards as the reference lists them, are
/// read from their PDFs too, and say which wards make them up.
pub async fn figures_of_wards(
    client: &Client,
    session: &str,
    wave: &str,
    (wards, groups): (&[String], &[(String, Vec<String>)]),
    (title, labels): (&str, &[(String, String)]),
    headline: &str,
) -> (Value, Option<Value>) {
    let mut pages = Vec::new();
    let mut pdfs = Some(Vec::new());
    for ward in wards {
        let get = |path: String| {
            client.get(path).private_cookie(Cookie::new("dx_session", session.to_string()))
        };
        let html = get(format!("/areas/{ward}?wave={wave}")).dispatch().await;
        pages.extend(page_figures(ward, &html.into_string().await.unwrap(), title, labels));
        let pdf = get(format!("/areas/{ward}/report.pdf?wave={wave}")).dispatch().await;
        let pdf = pdf.into_bytes().await.unwrap();
        match crate::reports::poppler("pdftotext", &pdf, &["-layout"]) {
            Some(text) => {
                if let Some(found) = pdfs.as_mut() {
                    found.extend(pdf_figures(ward, "area", &text, headline));
                }
            }
            None => pdfs = None,
        }
    }
    for (group, members) in groups {
        let pdf = client
            .get(format!("/areas/{group}/report.pdf?wave={wave}"))
            .private_cookie(Cookie::new("dx_session", session.to_string()))
            .dispatch()
            .await;
        let pdf = pdf.into_bytes().await.unwrap();
        if let (Some(found), Some(text)) =
            (pdfs.as_mut(), crate::reports::poppler("pdftotext", &pdf, &["-layout"]))
        {
            for mut f in pdf_figures(group, "group", &text, headline) {
                f["members"] = json!(members);
                found.push(f);
            }
        }
    }
    (json!({ "figures": pages }), pdfs.map(|p| json!({ "figures": p })))
}

/// A share as printed: `36,3%` or `36,3` (a chart's label) as 0.363.
fn share(text: &str) -> Option<f64> {
    text.trim()
        .trim_end_matches('%')
        .replace('.', "")
        .replace(',', ".")
        .parse::<f64>()
        .ok()
        .map(|p| p / 100.0)
}

fn figure(
    ward: &str,
    breakdown: &str,
    group: &str,
    indicator: &str,
    estimate: Option<f64>,
    n: Option<f64>,
) -> Value {
    json!({ "breakdown": breakdown, "group": format!("{ward}{group}"), "indicator": indicator, "estimate": estimate, "n": n })
}

/// A ward's page: the number submitted to the questionnaire, and a row per variable with its
/// share.
fn page_figures(ward: &str, html: &str, title: &str, labels: &[(String, String)]) -> Vec<Value> {
    let submitted = html
        .split(&format!("<h2>{title}</h2>"))
        .nth(1)
        .and_then(|section| section.split("Phiếu đã nộp: <strong>").nth(1))
        .and_then(|rest| rest.split('<').next())
        .and_then(|n| n.replace('.', "").parse::<f64>().ok());
    let mut found = vec![figure(ward, "area", "", "score_overall", None, submitted)];
    for row in html.split("<tr><th scope=\"row\">").skip(1) {
        let label = unescape(row.split("</th>").next().unwrap_or_default());
        let Some((_, id)) = labels.iter().find(|(l, _)| *l == label) else { continue };
        let value = row.split("<td class=\"num\">").nth(1).and_then(|v| v.split("</td>").next());
        let estimate = value.filter(|v| v.ends_with('%')).and_then(share);
        if value.is_none() || estimate.is_some() {
            found.push(figure(ward, "area", "", id, estimate, submitted));
        }
    }
    found
}

fn unescape(text: &str) -> String {
    text.replace("&amp;", "&")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#x27;", "'")
}

/// A ward's PDF: the number submitted, the headline share, the levels, and the headline by
/// section and by size class with their numbers of responses.
fn pdf_figures(ward: &str, breakdown: &str, text: &str, headline: &str) -> Vec<Value> {
    let cells = |line: &str| {
        line.split("  ")
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .map(String::from)
            .collect::<Vec<_>>()
    };
    let submitted = text
        .lines()
        .find(|l| l.starts_with("Phiếu đã gửi"))
        .and_then(|l| cells(l).get(1).and_then(|n| n.replace('.', "").parse::<f64>().ok()));
    let mut found = vec![figure(ward, breakdown, "", "score_overall", None, submitted)];
    let ward_share =
        text.split("»: ").nth(1).and_then(|rest| rest.split(' ').next()).and_then(share);
    found.push(figure(ward, breakdown, "", headline, ward_share, submitted));
    for line in text.lines() {
        let cells = cells(line);
        // A level: "3 – Hình thành        23,3" (or "x").
        if let [name, value] = &cells[..]
            && let Some((digit, _)) = name.split_once(" – ")
            && let Ok(level) = digit.parse::<usize>()
        {
            found.push(figure(
                ward,
                breakdown,
                "",
                &format!("level_{level}"),
                share(value),
                submitted,
            ));
        }
        // A row of the section or size table: "G – …   20   60,0%   34,6–80,9%".
        if let [group, n, estimate, _] = &cells[..]
            && (n == "x" || n.parse::<f64>().is_ok())
        {
            let n = n.parse::<f64>().ok();
            found.push(figure(
                ward,
                "cross",
                &format!(" {group}"),
                headline,
                share(estimate).filter(|_| estimate.ends_with('%')),
                n,
            ));
        }
    }
    found
}
