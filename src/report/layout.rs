//! Text flowing down A4 pages: headings that stay with what follows, wrapped paragraphs,
//! tables whose header is repeated on every page they reach, and fixed-height blocks (charts)
//! that move to the next page rather than being cut.

use super::pdf::{Colour, Document, FOOTER_RULE, MARGIN, PAGE_WIDTH, Page, Style, Weight};

/// The width text and tables may use.
pub const WIDTH: f32 = PAGE_WIDTH - 2.0 * MARGIN;
const TOP: f32 = 22.0;
/// Content ends a little above the footer's rule.
const BOTTOM: f32 = FOOTER_RULE - 5.0;
/// Line height as a multiple of the font size (points to millimetres included).
const LEADING: f32 = 1.4 * 25.4 / 72.0;

pub const INK: Colour = Colour(33, 37, 41);
pub const MUTED: Colour = Colour(85, 85, 85);
pub const RULE: Colour = Colour(170, 170, 170);
pub const ACCENT: Colour = Colour(22, 62, 110);
const BAND: Colour = Colour(234, 239, 245);

pub const BODY: Style = Style::new(9.5, Weight::Regular, INK);
pub const SMALL: Style = Style::new(8.0, Weight::Regular, MUTED);
pub const STRONG: Style = Style::new(9.5, Weight::Bold, INK);
const TITLE: Style = Style::new(17.0, Weight::Bold, ACCENT);
const SUBTITLE: Style = Style::new(11.0, Weight::Regular, INK);
const HEADING: Style = Style::new(12.0, Weight::Bold, ACCENT);
const CELL: Style = Style::new(8.5, Weight::Regular, INK);
const HEADER: Style = Style::new(8.5, Weight::Bold, INK);

/// The height of one line of `style`.
pub fn line_height(style: Style) -> f32 {
    style.size * LEADING
}

/// How a column's cells are aligned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    Left,
    Right,
}

/// A column of a table: its header, width in millimetres and alignment.
#[derive(Debug, Clone)]
pub struct Column {
    pub title: String,
    pub width: f32,
    pub align: Align,
}

impl Column {
    pub fn left(title: &str, width: f32) -> Column {
        Column { title: title.to_string(), width, align: Align::Left }
    }

    pub fn right(title: &str, width: f32) -> Column {
        Column { title: title.to_string(), width, align: Align::Right }
    }
}

/// A document being written from top to bottom.
pub struct Flow {
    doc: Document,
    y: f32,
}

impl Flow {
    pub fn new(doc: Document) -> Flow {
        let mut doc = doc;
        doc.add_page();
        Flow { doc, y: TOP }
    }

    /// The document, to measure text with.
    pub fn document(&self) -> &Document {
        &self.doc
    }

    /// The document, for the footers and the bytes.
    pub fn into_document(self) -> Document {
        self.doc
    }

    /// Starts a new page unless `height` millimetres still fit on this one.
    pub fn ensure(&mut self, height: f32) {
        if self.y + height > BOTTOM && self.y > TOP {
            self.doc.add_page();
            self.y = TOP;
        }
    }

    pub fn space(&mut self, height: f32) {
        self.y += height;
    }

    pub fn title(&mut self, title: &str, subtitle: &str) {
        self.lines(title, TITLE, WIDTH);
        self.space(1.0);
        self.lines(subtitle, SUBTITLE, WIDTH);
        self.space(1.5);
        let y = self.y;
        self.doc.page().line((MARGIN, y), (MARGIN + WIDTH, y), 1.2, ACCENT);
        self.space(6.0);
    }

    /// A section heading, kept on the same page as at least `keep_with` millimetres of what
    /// follows it.
    pub fn heading(&mut self, text: &str, keep_with: f32) {
        self.space(3.0);
        self.ensure(line_height(HEADING) + keep_with);
        self.lines(text, HEADING, WIDTH);
        self.space(1.5);
    }

    /// A paragraph wrapped to the text width.
    pub fn paragraph(&mut self, text: &str, style: Style) {
        self.lines(text, style, WIDTH);
        self.space(2.0);
    }

    /// Label–value pairs, one per line, values aligned.
    pub fn pairs(&mut self, pairs: &[(String, String)]) {
        let label_width = pairs
            .iter()
            .map(|(label, _)| self.doc.text_width(label, STRONG))
            .fold(0.0, f32::max)
            .min(WIDTH * 0.4)
            + 4.0;
        for (label, value) in pairs {
            let value_lines = wrap(&self.doc, value, BODY, WIDTH - label_width);
            let height = line_height(BODY) * value_lines.len().max(1) as f32;
            self.ensure(height);
            let baseline = self.y + BODY.size * 0.3528;
            let mut page = self.doc.page();
            page.text(MARGIN, baseline, STRONG, label);
            for (i, line) in value_lines.iter().enumerate() {
                page.text(
                    MARGIN + label_width,
                    baseline + i as f32 * line_height(BODY),
                    BODY,
                    line,
                );
            }
            self.y += height;
        }
        self.space(2.0);
    }

    /// A block of fixed `height` drawn by `draw(page, top)`, moved whole to the next page if it
    /// does not fit.
    pub fn block(&mut self, height: f32, draw: impl FnOnce(&mut Page<'_>, f32)) {
        self.ensure(height);
        let top = self.y;
        draw(&mut self.doc.page(), top);
        self.y += height;
    }

    /// A table; cells wrap within their column, rows never split, and the header is drawn again
    /// at the top of every page the table continues on. Rows listed in `bold` are emphasised.
    pub fn table(&mut self, columns: &[Column], rows: &[Vec<String>], bold: &[usize]) {
        let header_lines: Vec<Vec<String>> =
            columns.iter().map(|c| wrap(&self.doc, &c.title, HEADER, c.width - 2.0)).collect();
        let header_height = row_height(&header_lines, HEADER);
        let first_row = rows.first().map_or(0.0, |r| self.row_height(columns, r, CELL));
        self.ensure(header_height + first_row);
        self.header(columns, &header_lines, header_height);
        for (i, row) in rows.iter().enumerate() {
            let style =
                if bold.contains(&i) { Style { weight: Weight::Bold, ..CELL } } else { CELL };
            let lines: Vec<Vec<String>> = columns
                .iter()
                .zip(row)
                .map(|(c, cell)| wrap(&self.doc, cell, style, c.width - 2.0))
                .collect();
            let height = row_height(&lines, style);
            if self.y + height > BOTTOM {
                self.doc.add_page();
                self.y = TOP;
                self.header(columns, &header_lines, header_height);
            }
            let top = self.y;
            let mut page = self.doc.page();
            if i % 2 == 1 {
                page.rect(MARGIN, top, WIDTH, height, BAND);
            }
            draw_cells(&mut page, columns, &lines, top, style);
            self.y += height;
        }
        let y = self.y;
        self.doc.page().line((MARGIN, y), (MARGIN + WIDTH, y), 0.6, RULE);
        self.space(2.0);
    }

    fn row_height(&self, columns: &[Column], row: &[String], style: Style) -> f32 {
        let lines: Vec<Vec<String>> = columns
            .iter()
            .zip(row)
            .map(|(c, cell)| wrap(&self.doc, cell, style, c.width - 2.0))
            .collect();
        row_height(&lines, style)
    }

    fn header(&mut self, columns: &[Column], lines: &[Vec<String>], height: f32) {
        let top = self.y;
        let mut page = self.doc.page();
        page.line((MARGIN, top), (MARGIN + WIDTH, top), 0.8, INK);
        draw_cells(&mut page, columns, lines, top, HEADER);
        page.line((MARGIN, top + height), (MARGIN + WIDTH, top + height), 0.6, INK);
        self.y += height;
    }

    /// Wrapped lines of `style`, starting at the current position.
    fn lines(&mut self, text: &str, style: Style, width: f32) {
        for line in wrap(&self.doc, text, style, width) {
            self.ensure(line_height(style));
            let baseline = self.y + style.size * 0.3528;
            self.doc.page().text(MARGIN, baseline, style, &line);
            self.y += line_height(style);
        }
    }
}

fn row_height(lines: &[Vec<String>], style: Style) -> f32 {
    let most = lines.iter().map(Vec::len).max().unwrap_or(1).max(1);
    most as f32 * line_height(style) + 1.6
}

fn draw_cells(
    page: &mut Page<'_>,
    columns: &[Column],
    lines: &[Vec<String>],
    top: f32,
    style: Style,
) {
    let mut x = MARGIN;
    for (column, cell) in columns.iter().zip(lines) {
        for (i, line) in cell.iter().enumerate() {
            let baseline = top + 0.8 + style.size * 0.3528 + i as f32 * line_height(style);
            match column.align {
                Align::Left => page.text(x + 1.0, baseline, style, line),
                Align::Right => page.text_right(x + column.width - 1.0, baseline, style, line),
            }
        }
        x += column.width;
    }
}

/// `text` broken into lines no wider than `width` millimetres: at spaces where it can, inside a
/// word only when the word alone is too wide.
pub fn wrap(doc: &Document, text: &str, style: Style, width: f32) -> Vec<String> {
    let mut lines = Vec::new();
    for paragraph in text.split('\n') {
        let mut line = String::new();
        for word in paragraph.split_whitespace() {
            let candidate =
                if line.is_empty() { word.to_string() } else { format!("{line} {word}") };
            if doc.text_width(&candidate, style) <= width {
                line = candidate;
                continue;
            }
            if !line.is_empty() {
                lines.push(std::mem::take(&mut line));
            }
            for c in word.chars() {
                line.push(c);
                if doc.text_width(&line, style) > width && line.chars().count() > 1 {
                    line.pop();
                    lines.push(std::mem::replace(&mut line, c.to_string()));
                }
            }
        }
        lines.push(line);
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc() -> Document {
        Document::new("t")
    }

    #[test]
    fn wrapped_lines_fit_and_keep_every_word() {
        let doc = doc();
        let text = "Doanh nghiệp tự trả lời bảng hỏi trực tuyến. Mỗi phiếu được gán trọng số bằng số doanh nghiệp trong khung mẫu của lớp.";
        let lines = wrap(&doc, text, BODY, 60.0);
        assert!(lines.len() > 2, "{lines:?}");
        assert!(lines.iter().all(|l| doc.text_width(l, BODY) <= 60.0), "{lines:?}");
        assert_eq!(lines.join(" "), text);
    }

    #[test]
    fn a_word_wider_than_the_column_is_cut_inside() {
        let doc = doc();
        let lines = wrap(&doc, &"x".repeat(200), BODY, 30.0);
        assert!(lines.len() > 1 && lines.iter().all(|l| doc.text_width(l, BODY) <= 30.0));
        assert_eq!(lines.concat().len(), 200);
    }

    #[test]
    fn a_long_table_continues_on_new_pages() {
        let mut flow = Flow::new(doc());
        let columns = [Column::left("Nhóm", 100.0), Column::right("Số phiếu", 70.0)];
        let rows: Vec<Vec<String>> =
            (0..150).map(|i| vec![format!("Phường {i}"), i.to_string()]).collect();
        flow.table(&columns, &rows, &[]);
        let pages = flow.into_document().page_count();
        assert!((3..=5).contains(&pages), "150 rows of about 5.6 mm take 3–4 pages: {pages}");
    }

    #[test]
    fn a_block_that_does_not_fit_moves_to_the_next_page() {
        let mut flow = Flow::new(doc());
        flow.space(200.0);
        let mut drawn_at = 0.0;
        flow.block(80.0, |_, top| drawn_at = top);
        assert_eq!(flow.into_document().page_count(), 2);
        assert!((drawn_at - TOP).abs() < 1e-6);
    }
}
