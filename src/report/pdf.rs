//! A small drawing layer over printpdf: A4 pages measured in millimetres from the top-left
//! corner, text in an embedded font that covers Vietnamese, and output that depends only on
//! what was drawn and the date given.

use printpdf::{
    Color, FontId, LineDashPattern, LinePoint, Mm, Op, PaintMode, ParsedFont, PdfDocument,
    PdfFontHandle, PdfPage, PdfSaveOptions, Point, Polygon, PolygonRing, Pt, Rgb, TextItem,
    WindingOrder,
};
use sha2::{Digest, Sha256};
use time::OffsetDateTime;
use unicode_normalization::UnicodeNormalization;

pub const PAGE_WIDTH: f32 = 210.0;
pub const PAGE_HEIGHT: f32 = 297.0;
/// Left and right margin.
pub const MARGIN: f32 = 20.0;
/// Where the footer's rule and text sit; page content stays above `FOOTER_RULE`.
pub const FOOTER_RULE: f32 = 282.0;
const FOOTER_BASELINE: f32 = 287.0;

const REGULAR: &[u8] = include_bytes!("../../assets/fonts/NotoSans-Regular.ttf");
const BOLD: &[u8] = include_bytes!("../../assets/fonts/NotoSans-Bold.ttf");

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Weight {
    Regular,
    Bold,
}

/// A colour as 0–255 components.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Colour(pub u8, pub u8, pub u8);

impl Colour {
    pub const BLACK: Colour = Colour(0, 0, 0);
    pub const WHITE: Colour = Colour(255, 255, 255);

    fn pdf(self) -> Color {
        let c = |v: u8| f32::from(v) / 255.0;
        Color::Rgb(Rgb { r: c(self.0), g: c(self.1), b: c(self.2), icc_profile: None })
    }
}

/// How a piece of text looks.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Style {
    /// In points.
    pub size: f32,
    pub weight: Weight,
    pub colour: Colour,
}

impl Style {
    pub const fn new(size: f32, weight: Weight, colour: Colour) -> Style {
        Style { size, weight, colour }
    }
}

struct Font {
    parsed: ParsedFont,
    id: FontId,
}

impl Font {
    fn load(doc: &mut PdfDocument, bytes: &[u8], name: &str) -> Font {
        // The fonts are part of the build: a font that does not parse is a broken build.
        let parsed = ParsedFont::from_bytes(bytes, 0, &mut Vec::new())
            .expect("the bundled Noto Sans font parses");
        // printpdf names a font at random; a fixed name keeps the output reproducible. The name
        // becomes the subset tag, which PDF readers expect as six capital letters.
        let random = doc.add_font(&parsed);
        let id = FontId(name.to_string());
        if let Some(font) = doc.resources.fonts.map.remove(&random) {
            doc.resources.fonts.map.insert(id.clone(), font);
        }
        Font { parsed, id }
    }

    /// Width of `text` at `size` points, in millimetres.
    fn width(&self, text: &str, size: f32) -> f32 {
        let units: u32 = text
            .chars()
            .map(|c| {
                let glyph = self.parsed.lookup_glyph_index(u32::from(c)).unwrap_or(0);
                u32::from(self.parsed.get_horizontal_advance(glyph))
            })
            .sum();
        let em = f32::from(self.parsed.pdf_font_metrics.units_per_em.max(1));
        units as f32 / em * size * 25.4 / 72.0
    }
}

/// A document being drawn, page by page.
pub struct Document {
    pdf: PdfDocument,
    regular: Font,
    bold: Font,
    pages: Vec<Vec<Op>>,
}

impl Document {
    pub fn new(title: &str) -> Document {
        let mut pdf = PdfDocument::new(&nfc(title));
        let regular = Font::load(&mut pdf, REGULAR, "DXSANR");
        let bold = Font::load(&mut pdf, BOLD, "DXSANB");
        Document { pdf, regular, bold, pages: vec![] }
    }

    /// Starts a new A4 page; drawing goes to it from now on.
    pub fn add_page(&mut self) {
        self.pages.push(Vec::new());
    }

    pub fn page_count(&self) -> usize {
        self.pages.len()
    }

    /// Goes back to page `index` (0-based), e.g. to write "page 2 of 3" once the count is known.
    pub fn on_page(&mut self, index: usize) -> Page<'_> {
        Page { ops: &mut self.pages[index], regular: &self.regular, bold: &self.bold }
    }

    /// The current page (one is started if there is none).
    pub fn page(&mut self) -> Page<'_> {
        if self.pages.is_empty() {
            self.add_page();
        }
        let last = self.pages.len() - 1;
        self.on_page(last)
    }

    /// Writes `left` at the foot of every page, above it a thin rule, and at the right the
    /// page number as `numbering(page, pages)` words it (1-based). Call it once all pages exist.
    pub fn add_footers(&mut self, left: &str, numbering: impl Fn(usize, usize) -> String) {
        let style = Style::new(8.0, Weight::Regular, Colour(90, 90, 90));
        let pages = self.page_count();
        for index in 0..pages {
            let number = numbering(index + 1, pages);
            let room = PAGE_WIDTH - 2.0 * MARGIN - self.text_width(&number, style) - 6.0;
            let left = shortened(left, room, |t| self.text_width(t, style));
            let mut page = self.on_page(index);
            page.line((MARGIN, FOOTER_RULE), (PAGE_WIDTH - MARGIN, FOOTER_RULE), 0.5, style.colour);
            page.text(MARGIN, FOOTER_BASELINE, style, &left);
            page.text_right(PAGE_WIDTH - MARGIN, FOOTER_BASELINE, style, &number);
        }
    }

    /// Width of `text` in millimetres, for laying out before drawing.
    pub fn text_width(&self, text: &str, style: Style) -> f32 {
        let font = if style.weight == Weight::Bold { &self.bold } else { &self.regular };
        font.width(&nfc(text), style.size)
    }

    /// The PDF bytes. `created` is written as the creation date, so the same drawing and date
    /// give the same bytes.
    pub fn finish(mut self, created: OffsetDateTime) -> Vec<u8> {
        let date = pdf_date(created);
        let info = &mut self.pdf.metadata.info;
        info.creation_date = date;
        info.modification_date = date;
        info.metadata_date = date;
        info.producer = "dxsurvey".into();
        info.creator = "dxsurvey".into();
        let pages = self
            .pages
            .into_iter()
            .map(|ops| PdfPage::new(Mm(PAGE_WIDTH), Mm(PAGE_HEIGHT), ops))
            .collect();
        let mut bytes =
            self.pdf.with_pages(pages).save(&PdfSaveOptions::default(), &mut Vec::new());
        stable_identifier(&mut bytes);
        bytes
    }
}

/// Drawing on one page; `x` and `y` are millimetres from the top-left corner.
pub struct Page<'a> {
    ops: &'a mut Vec<Op>,
    regular: &'a Font,
    bold: &'a Font,
}

impl Page<'_> {
    /// Draws `text` with its baseline at `y`, starting at `x`. Text is NFC-normalised first:
    /// printpdf does no shaping, so decomposed accents would land beside their letters.
    pub fn text(&mut self, x: f32, y: f32, style: Style, text: &str) {
        let font = self.font(style);
        self.ops.extend([
            Op::StartTextSection,
            Op::SetFont { font: PdfFontHandle::External(font.id.clone()), size: Pt(style.size) },
            Op::SetFillColor { col: style.colour.pdf() },
            Op::SetTextCursor { pos: at(x, y) },
            Op::ShowText { items: vec![TextItem::Text(nfc(text))] },
            Op::EndTextSection,
        ]);
    }

    /// Draws `text` so that it ends at `right`.
    pub fn text_right(&mut self, right: f32, y: f32, style: Style, text: &str) {
        let width = self.font(style).width(&nfc(text), style.size);
        self.text(right - width, y, style, text);
    }

    /// Width of `text` in millimetres.
    pub fn width(&self, text: &str, style: Style) -> f32 {
        self.font(style).width(&nfc(text), style.size)
    }

    fn font(&self, style: Style) -> &Font {
        if style.weight == Weight::Bold { self.bold } else { self.regular }
    }

    /// A filled rectangle whose top-left corner is (`x`, `y`).
    pub fn rect(&mut self, x: f32, y: f32, width: f32, height: f32, fill: Colour) {
        self.ops.push(Op::SetFillColor { col: fill.pdf() });
        self.ops.push(Op::DrawPolygon {
            polygon: Polygon {
                rings: vec![ring(&[
                    (x, y),
                    (x + width, y),
                    (x + width, y + height),
                    (x, y + height),
                ])],
                mode: PaintMode::Fill,
                winding_order: WindingOrder::NonZero,
            },
        });
    }

    /// Filled rectangles `(x, y, width, height)` as one path (a QR code's modules).
    pub fn rects(&mut self, rects: &[(f32, f32, f32, f32)], fill: Colour) {
        self.ops.push(Op::SetFillColor { col: fill.pdf() });
        let rings = rects
            .iter()
            .map(|&(x, y, w, h)| ring(&[(x, y), (x + w, y), (x + w, y + h), (x, y + h)]))
            .collect();
        self.ops.push(Op::DrawPolygon {
            polygon: Polygon { rings, mode: PaintMode::Fill, winding_order: WindingOrder::NonZero },
        });
    }

    /// A straight line `thickness` points wide.
    pub fn line(&mut self, from: (f32, f32), to: (f32, f32), thickness: f32, colour: Colour) {
        self.ops.push(Op::SetOutlineColor { col: colour.pdf() });
        self.ops.push(Op::SetOutlineThickness { pt: Pt(thickness) });
        self.ops.push(Op::DrawLine {
            line: printpdf::Line { points: ring(&[from, to]).points, is_closed: false },
        });
    }

    /// A dashed line: `dash` alternates the lengths of dashes and gaps, in points.
    pub fn dashed_line(
        &mut self,
        from: (f32, f32),
        to: (f32, f32),
        thickness: f32,
        colour: Colour,
        dash: &[f32],
    ) {
        self.ops.push(Op::SetLineDashPattern { dash: LineDashPattern::new(0.0, dash) });
        self.line(from, to, thickness, colour);
        self.ops.push(Op::SetLineDashPattern { dash: LineDashPattern::solid() });
    }
}

/// `text`, shortened with an ellipsis if `measure` finds it wider than `width` millimetres.
pub fn shortened(text: &str, width: f32, measure: impl Fn(&str) -> f32) -> String {
    if measure(text) <= width {
        return text.to_string();
    }
    let mut shown = text.to_string();
    while !shown.is_empty() && measure(&format!("{shown}…")) > width {
        shown.pop();
    }
    format!("{}…", shown.trim_end())
}

fn at(x: f32, y: f32) -> Point {
    Point::new(Mm(x), Mm(PAGE_HEIGHT - y))
}

fn ring(points: &[(f32, f32)]) -> PolygonRing {
    PolygonRing {
        points: points.iter().map(|&(x, y)| LinePoint { p: at(x, y), bezier: false }).collect(),
    }
}

/// printpdf fills the trailer's `/ID` with a counter-driven pseudo-random string, which differs
/// from call to call. The PDF specification suggests a digest of the content instead: the two
/// strings are overwritten in place with one, so no byte offset moves.
fn stable_identifier(bytes: &mut [u8]) {
    const MARK: &[u8] = b"/ID[(";
    let Some(at) = bytes.windows(MARK.len()).rposition(|w| w == MARK) else { return };
    let digest = Sha256::digest(&bytes[..at]);
    let letters: Vec<u8> = digest.iter().flat_map(|b| [b'A' + (b >> 4), b'A' + (b & 15)]).collect();
    let first = at + MARK.len();
    for start in [first, first + 32 + 2] {
        let end = start + 32;
        // Only overwrite what has the expected shape: `(32 characters)(32 characters)`.
        if end <= bytes.len() && bytes[start..end].iter().all(u8::is_ascii_alphanumeric) {
            bytes[start..end].copy_from_slice(&letters[..32]);
        }
    }
}

fn pdf_date(date: OffsetDateTime) -> printpdf::DateTime {
    use printpdf::DateTime;
    // Dates before 1970 or after 9999 cannot be written; the epoch stands in for them.
    DateTime::from_unix_timestamp(date.unix_timestamp())
        .or_else(|_| DateTime::from_unix_timestamp(0))
        .unwrap_or_else(|_| DateTime::now_utc())
}

fn nfc(text: &str) -> String {
    text.nfc().collect()
}

#[cfg(test)]
mod tests {
    use std::process::Command;

    use super::*;

    const VIETNAMESE: &str = "Báo cáo chuyển đổi số: phường Hoàn Kiếm, Đống Đa; mức độ sẵn sàng";

    fn sample(created: OffsetDateTime) -> Vec<u8> {
        let mut doc = Document::new("Thử nghiệm");
        doc.add_page();
        // Decomposed on purpose: drawing must compose it.
        let decomposed: String = VIETNAMESE.nfd().collect();
        doc.page().text(20.0, 30.0, Style::new(14.0, Weight::Bold, Colour::BLACK), &decomposed);
        doc.page().rect(20.0, 40.0, 50.0, 8.0, Colour(31, 119, 180));
        doc.page().line((20.0, 60.0), (190.0, 60.0), 1.0, Colour(200, 0, 0));
        doc.add_page();
        doc.page().text_right(
            190.0,
            30.0,
            Style::new(10.0, Weight::Regular, Colour::BLACK),
            "Trang 2 / 2",
        );
        doc.finish(created)
    }

    /// Runs a poppler tool on `pdf`. Without `poppler-utils` the test says so and passes, as the
    /// browser test does, except under CI, which installs it.
    fn poppler(tool: &str, pdf: &[u8], extra: &[&str]) -> Option<String> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sample.pdf");
        std::fs::write(&path, pdf).unwrap();
        let output = match Command::new(tool)
            .args(extra)
            .arg(&path)
            .args(if tool == "pdftotext" { &["-"][..] } else { &[][..] })
            .output()
        {
            Ok(output) => output,
            Err(e) => {
                assert!(std::env::var_os("CI").is_none(), "CI must install poppler-utils: {e}");
                eprintln!("skipped: {tool} (Debian poppler-utils) is not installed: {e}");
                return None;
            }
        };
        assert!(output.status.success(), "{tool}: {}", String::from_utf8_lossy(&output.stderr));
        Some(String::from_utf8(output.stdout).unwrap())
    }

    #[test]
    fn vietnamese_text_reads_back_exactly_from_an_a4_pdf_with_the_font_embedded() {
        let pdf = sample(OffsetDateTime::UNIX_EPOCH);
        let Some(text) = poppler("pdftotext", &pdf, &["-layout"]) else { return };
        assert!(text.contains(VIETNAMESE), "{text}");
        assert!(text.contains("Trang 2 / 2"), "{text}");
        let info = poppler("pdfinfo", &pdf, &[]).unwrap();
        assert!(info.contains("Pages:           2"), "{info}");
        assert!(info.contains("595.276 x 841.89 pts (A4)"), "{info}");
        let fonts = poppler("pdffonts", &pdf, &[]).unwrap();
        let noto: Vec<&str> = fonts.lines().filter(|l| l.contains("NotoSans")).collect();
        assert_eq!(noto.len(), 2, "both weights used: {fonts}");
        assert!(noto.iter().all(|l| l.contains(" yes yes ")), "embedded and subset: {fonts}");
        assert!(pdf.len() < 60_000, "subset fonts keep a page small: {} bytes", pdf.len());
    }

    #[test]
    fn every_page_gets_the_footer_and_its_own_number() {
        let mut doc = Document::new("t");
        for _ in 0..3 {
            doc.add_page();
        }
        doc.add_footers("Sở Khoa học và Công nghệ Hà Nội", |page, pages| {
            format!("Trang {page}/{pages}")
        });
        let pdf = doc.finish(OffsetDateTime::UNIX_EPOCH);
        for page in 1..=3 {
            let only = page.to_string();
            let Some(text) = poppler("pdftotext", &pdf, &["-f", &only, "-l", &only]) else {
                return;
            };
            assert!(text.contains("Sở Khoa học và Công nghệ Hà Nội"), "page {page}: {text}");
            assert!(text.contains(&format!("Trang {page}/3")), "page {page}: {text}");
        }
    }

    #[test]
    fn a_footer_too_long_for_the_page_is_shortened_before_the_page_number() {
        let doc = Document::new("t");
        let style = Style::new(8.0, Weight::Regular, Colour::BLACK);
        let long = "Công ty Cổ phần Đầu tư Phát triển Công nghệ và Thương mại Dịch vụ ".repeat(4);
        let short = shortened(&long, 100.0, |t| doc.text_width(t, style));
        assert!(short.ends_with('…') && doc.text_width(&short, style) <= 100.0, "{short}");
        assert!(long.starts_with(short.trim_end_matches('…')));
        assert_eq!(shortened("Hà Nội", 100.0, |t| doc.text_width(t, style)), "Hà Nội");
    }

    #[test]
    fn the_same_drawing_and_date_give_the_same_bytes() {
        let date = OffsetDateTime::from_unix_timestamp(1_790_000_000).unwrap();
        // Compared as booleans: a failing byte comparison would print megabytes.
        assert!(sample(date) == sample(date), "same drawing, same date, same bytes");
        assert!(sample(date) != sample(OffsetDateTime::UNIX_EPOCH), "the date is in the file");
    }

    #[test]
    fn text_widths_grow_with_the_text_and_the_size_and_ignore_normalisation() {
        let doc = Document::new("t");
        let regular = |size| Style::new(size, Weight::Regular, Colour::BLACK);
        let short = doc.text_width("Hà Nội", regular(10.0));
        let long = doc.text_width("Hà Nội 2030", regular(10.0));
        assert!(short > 5.0 && long > short);
        assert!((doc.text_width("Hà Nội", regular(20.0)) - 2.0 * short).abs() < 1e-3);
        let decomposed: String = "Hà Nội".nfd().collect();
        assert!((doc.text_width(&decomposed, regular(10.0)) - short).abs() < 1e-6);
        assert!(doc.text_width("Hà Nội", Style::new(10.0, Weight::Bold, Colour::BLACK)) > short);
    }
}
