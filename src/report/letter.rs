//! Invitation letters for postal delivery: one A4 page per enterprise, Vietnamese then English,
//! with the personal link as a QR code and as text, the access code, the deadline and the
//! ward's contact. The wording is data (`reports/texts.toml`, keys `letter_*`).

use qrcode::{Color, EcLevel, QrCode};
use time::{Date, OffsetDateTime};

use super::layout::{ACCENT, BODY, INK, MUTED, RULE, STRONG, WIDTH, line_height, wrap};
use super::pdf::{Colour, Document, MARGIN, PAGE_WIDTH, Page, Style, Weight};
use super::texts::{ReportTexts, fill};
use crate::kernel::format::date;
use crate::kernel::{Lang, Text};

const TITLE: Style = Style::new(13.0, Weight::Bold, ACCENT);
const CODE: Style = Style::new(16.0, Weight::Bold, INK);
const SMALL: Style = Style::new(8.0, Weight::Regular, MUTED);
const BOX: Colour = Colour(234, 239, 245);
/// The QR code's side, quiet zone included, in millimetres.
const QR_SIDE: f32 = 38.0;

/// What every letter of a batch shares.
pub struct Batch<'a> {
    pub wave_title: &'a Text,
    pub deadline: Date,
    /// The site respondents can type the code on, e.g. `khaosat.hanoi.gov.vn`.
    pub site: &'a str,
}

/// One enterprise's or agency's letter.
pub struct Letter<'a> {
    pub name: &'a str,
    /// An agency's letter says why agencies are asked (all of them are), not why a sample is.
    pub agency: bool,
    /// The tax code, or the agency's code.
    pub unit_code: &'a str,
    pub address: Option<&'a str>,
    pub ward: &'a Text,
    /// The access code, grouped for reading.
    pub code: &'a str,
    pub link: &'a str,
    /// Whom to contact, in each language (office, telephone, e-mail).
    pub contact: Text,
}

/// The letters of `letters`, one page each, as one PDF.
pub fn letters(
    texts: &ReportTexts,
    batch: &Batch<'_>,
    letters: &[Letter<'_>],
    created: OffsetDateTime,
) -> Vec<u8> {
    let mut doc = Document::new(texts.letter_title.get(Lang::Vi));
    for letter in letters {
        doc.add_page();
        draw(&mut doc, texts, batch, letter);
    }
    doc.finish(created)
}

fn draw(doc: &mut Document, texts: &ReportTexts, batch: &Batch<'_>, letter: &Letter<'_>) {
    let wrapped =
        |doc: &Document, text: &str, style: Style, width: f32| wrap(doc, text, style, width);
    let publisher =
        format!("{} · {}", texts.publisher.get(Lang::Vi), texts.publisher.get(Lang::En));
    let mut recipient = vec![(letter.name.to_string(), STRONG)];
    let code_label = if letter.agency { &texts.letter_agency_code } else { &texts.letter_tax_code };
    recipient.push((format!("{}: {}", code_label.get(Lang::Vi), letter.unit_code), BODY));
    if let Some(address) = letter.address.filter(|a| !a.trim().is_empty()) {
        recipient.extend(wrapped(doc, address, BODY, 110.0).into_iter().map(|l| (l, BODY)));
    }
    recipient.push((letter.ward.vi.clone(), BODY));
    let sections: Vec<Vec<(String, Style)>> =
        [Lang::Vi, Lang::En].iter().map(|&lang| section(doc, texts, batch, letter, lang)).collect();

    let mut page = doc.page();
    page.text(MARGIN, 16.0, SMALL, &publisher);
    qr(&mut page, letter.link, PAGE_WIDTH - MARGIN - QR_SIDE, 22.0);
    let mut y = 30.0;
    for (line, style) in &recipient {
        page.text(MARGIN, y, *style, line);
        y += line_height(*style);
    }
    y = y.max(22.0 + QR_SIDE + 4.0);
    code_box(&mut page, texts, letter, y);
    y += 20.0;
    for (i, lines) in sections.iter().enumerate() {
        if i > 0 {
            page.line((MARGIN, y), (MARGIN + WIDTH, y), 0.5, RULE);
            y += 6.0;
        }
        for (line, style) in lines {
            if line.is_empty() {
                y += 2.0;
                continue;
            }
            page.text(MARGIN, y, *style, line);
            y += line_height(*style);
        }
        y += 3.0;
    }
}

/// The code and the link, for both languages, in a shaded box.
fn code_box(page: &mut Page<'_>, texts: &ReportTexts, letter: &Letter<'_>, top: f32) {
    page.rect(MARGIN, top - 6.0, WIDTH, 17.0, BOX);
    let label =
        format!("{} / {}:", texts.letter_code.get(Lang::Vi), texts.letter_code.get(Lang::En));
    page.text(MARGIN + 4.0, top, STRONG, &label);
    let right = MARGIN + 4.0 + page.width(&label, STRONG) + 4.0;
    page.text(right, top + 0.8, CODE, letter.code);
    let link = format!(
        "{} / {}: {}",
        texts.letter_link.get(Lang::Vi),
        texts.letter_link.get(Lang::En),
        letter.link
    );
    page.text(MARGIN + 4.0, top + 7.0, BODY, &link);
}

/// The letter's text in one language, wrapped: title, greeting, body, how to answer, the
/// deadline, the contact and the reminder to keep the code; an empty line is a small gap.
fn section(
    doc: &Document,
    texts: &ReportTexts,
    batch: &Batch<'_>,
    letter: &Letter<'_>,
    lang: Lang,
) -> Vec<(String, Style)> {
    let mut lines = Vec::new();
    let mut add = |text: &str, style: Style| {
        lines.extend(wrap(doc, text, style, WIDTH).into_iter().map(|l| (l, style)));
        lines.push((String::new(), style));
    };
    add(texts.letter_title.get(lang), TITLE);
    add(&fill(&texts.letter_greeting, lang, &[("name", letter.name)]), STRONG);
    let (body, keep) = if letter.agency {
        (&texts.letter_agency_body, &texts.letter_agency_keep)
    } else {
        (&texts.letter_body, &texts.letter_keep)
    };
    add(&fill(body, lang, &[("wave", batch.wave_title.get(lang))]), BODY);
    add(&fill(&texts.letter_how, lang, &[("site", batch.site)]), BODY);
    let deadline = date(batch.deadline, lang);
    add(&format!("{}: {deadline}", texts.letter_deadline.get(lang)), STRONG);
    add(&format!("{}: {}", texts.letter_contact.get(lang), letter.contact.get(lang)), BODY);
    add(keep.get(lang), SMALL);
    lines
}

/// The QR code of `text` with its quiet zone, `QR_SIDE` wide, top-left at (`x`, `y`): each
/// row's runs of dark modules as rectangles, all in one path.
fn qr(page: &mut Page<'_>, text: &str, x: f32, y: f32) {
    // A link of a few dozen characters always fits a QR code: failing is a broken build.
    let code = QrCode::with_error_correction_level(text.as_bytes(), EcLevel::M)
        .expect("a link fits a QR code");
    let width = code.width();
    let colors = code.to_colors();
    let quiet = 4;
    let module = QR_SIDE / (width + 2 * quiet) as f32;
    let mut rects = Vec::new();
    for row in 0..width {
        let mut column = 0;
        while column < width {
            if colors[row * width + column] == Color::Dark {
                let start = column;
                while column < width && colors[row * width + column] == Color::Dark {
                    column += 1;
                }
                let left = x + (quiet + start) as f32 * module;
                let top = y + (quiet + row) as f32 * module;
                rects.push((left, top, (column - start) as f32 * module, module));
            } else {
                column += 1;
            }
        }
    }
    page.rect(x, y, QR_SIDE, QR_SIDE, Colour::WHITE);
    page.rects(&rects, Colour::BLACK);
}
