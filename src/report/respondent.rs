//! A respondent's self-assessment as a PDF: what the result page shows (`crate::assessment`),
//! drawn.

use time::OffsetDateTime;

use super::area::{capitalised, finish};
use super::chart::{Bars, PRIMARY, SECONDARY, Series};
use super::chart_number;
use super::layout::{BODY, Flow, SMALL, STRONG};
use super::pdf::{Colour, Document};
use super::texts::{ReportTexts, fill};
use crate::assessment::{Assessment, PeerView};
use crate::kernel::format::{count, date};
use crate::survey::Lang;

/// The self-assessment as a PDF of one to three pages.
pub fn respondent_report(
    texts: &ReportTexts,
    a: &Assessment,
    lang: Lang,
    created: OffsetDateTime,
) -> Vec<u8> {
    let t = texts;
    let title = t.respondent_title.get(lang);
    let mut flow = Flow::new(Document::new(&format!("{title} – {}", a.organisation)));
    flow.title(title, &a.organisation);

    flow.heading(t.respondent_profile.get(lang), 25.0);
    let mut pairs = vec![(t.respondent_organisation.get(lang).to_string(), a.organisation.clone())];
    if !a.area.name.is_empty() {
        pairs.push((t.respondent_area.get(lang).into(), a.area.name.clone()));
    }
    if !a.sector.name.is_empty() {
        pairs.push((t.respondent_sector.get(lang).into(), a.sector.name.clone()));
    }
    if let Some(size) = &a.size {
        pairs.push((t.respondent_size.get(lang).into(), capitalised(size)));
    }
    pairs.push((t.respondent_questionnaire.get(lang).into(), a.survey_title.clone()));
    let submitted = time::Date::parse(
        &a.submitted_at,
        time::macros::format_description!("[year]-[month]-[day]"),
    )
    .map_or_else(|_| a.submitted_at.clone(), |d| date(d, lang));
    pairs.push((t.respondent_submitted.get(lang).into(), submitted));
    flow.pairs(&pairs);

    let level = fill(
        &t.respondent_level,
        lang,
        &[("score", &a.overall), ("rank", &a.level.rank.to_string()), ("level", &a.level.name)],
    );
    flow.heading(&level, 12.0);
    if let Some(description) = &a.level.description {
        flow.paragraph(description, BODY);
    }

    let mut series = vec![Series { name: t.respondent_you.get(lang).into(), colour: PRIMARY }];
    let peers: Vec<(&PeerView, Option<&str>)> = [
        (&a.sector, t.respondent_sector_mean.get(lang)),
        (&a.area, t.respondent_area_mean.get(lang)),
    ]
    .into_iter()
    .map(|(p, name)| (p, p.shown.then_some(name)))
    .collect();
    // Lighter, then darker gray: whichever peers are shown, the first is always the lightest.
    let mut grays = [SECONDARY, Colour(120, 120, 120)].into_iter();
    for name in peers.iter().filter_map(|(_, name)| *name) {
        if let Some(colour) = grays.next() {
            series.push(Series { name: name.to_string(), colour });
        }
    }
    let rows = a
        .dimensions
        .iter()
        .map(|d| {
            let mut values = vec![Some(d.score)];
            if a.sector.shown {
                values.push(d.sector_mean);
            }
            if a.area.shown {
                values.push(d.area_mean);
            }
            (d.title.clone(), values)
        })
        .collect();
    let chart = Bars {
        rows,
        series,
        max: 100.0,
        axis: t.axis_own_score.get(lang).into(),
        mark: "–".into(),
        target: None,
        format: chart_number(lang),
    };
    let height = chart.height(flow.document());
    flow.heading(t.respondent_dimensions.get(lang), height);
    flow.block(height + 2.0, |page, top| chart.draw(page, top));
    flow.paragraph(t.respondent_dimensions_note.get(lang), SMALL);
    // An agency has no sector: nothing to say about its peers there.
    for (peer, _) in peers.iter().filter(|(p, _)| !p.name.is_empty()) {
        let template =
            if peer.shown { &t.respondent_peers_shown } else { &t.respondent_peers_hidden };
        flow.paragraph(
            &fill(
                template,
                lang,
                &[
                    ("count", &count(peer.count, lang)),
                    ("group", &peer.name),
                    ("date", peer.as_of.as_deref().unwrap_or_default()),
                    ("min", &a.min_peers.to_string()),
                ],
            ),
            SMALL,
        );
    }

    flow.heading(t.respondent_indicators.get(lang), 20.0);
    let yes = t.yes.get(lang);
    let no = t.no.get(lang);
    let pairs: Vec<(String, String)> = a
        .indicators
        .iter()
        .map(|i| ((if i.value { yes } else { no }).to_string(), i.label.clone()))
        .collect();
    flow.pairs(&pairs);

    if !a.recommendations.is_empty() {
        flow.heading(t.respondent_recommendations.get(lang), 30.0);
        for r in &a.recommendations {
            flow.ensure(20.0);
            flow.paragraph(
                &fill(
                    &t.respondent_recommendation_for,
                    lang,
                    &[("dimension", &r.dimension), ("level", &r.level)],
                ),
                STRONG,
            );
            flow.paragraph(&r.text, BODY);
        }
    }
    flow.space(2.0);
    flow.paragraph(t.respondent_about.get(lang), SMALL);
    finish(flow, texts, lang, &a.organisation, created)
}
