//! `microdata.xlsx`: the microdata for spreadsheet users, with a codebook sheet. Codes are shown
//! by their labels in the file's language (Excel has no value labels), identifiers as text (so
//! that "00622" keeps its zeros and a hex id is never read as a number), an empty cell of a
//! numeric or coded variable as the token of its reason.
//!
//! Written by hand, streaming into the zip: rust_xlsxwriter took 14–20 s for a 262,500-row
//! wave (about 0.5 µs and 55 bytes of XML a cell), five times the CSV export. Here a cell is
//! 15–25 bytes (labels and reasons are shared strings, cells carry no reference, as ECMA-376
//! allows), and the XML goes straight into the deflate stream. The test suite reads every cell
//! back with openpyxl.

use std::collections::HashMap;
use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::Path;

use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipWriter};

use super::shape::Shape;
use super::table::{Cell, Missing, RowWriter, Storage, Table, decimal};

/// Rows a worksheet holds, less the header: more rows go on to sheets `data_2`, `data_3`, …
const MAX_ROWS: u32 = 1_048_575;
/// XML a sheet may hold before the next rows go on to a new sheet: a zip entry holds less than
/// 4 GiB unless it is written as zip64, which not every reader accepts.
const MAX_SHEET_BYTES: u64 = 3 << 30;
/// XML gathered before it is handed to the deflate stream.
const CHUNK: usize = 1 << 16;
/// Excel counts days from 1899-12-30, 25,569 days before 1970-01-01.
const EXCEL_EPOCH_OFFSET: i32 = 25_569;

const STYLE_DATE: u8 = 1;
const STYLE_BOLD: u8 = 2;

/// The shared strings of one coded variable, indexed by code.
struct CodeStrings {
    first: i32,
    strings: Vec<Option<u32>>,
}

impl CodeStrings {
    fn get(&self, n: f64) -> Option<u32> {
        let code = n as i32;
        if f64::from(code) != n {
            return None;
        }
        let at = usize::try_from(code.checked_sub(self.first)?).ok()?;
        self.strings.get(at).copied().flatten()
    }
}

/// The workbook's shared strings: the labels of codes and the reasons of empty cells.
#[derive(Default)]
struct SharedStrings {
    texts: Vec<String>,
    index: HashMap<String, u32>,
}

impl SharedStrings {
    fn add(&mut self, text: &str) -> u32 {
        if let Some(i) = self.index.get(text) {
            return *i;
        }
        let i = u32::try_from(self.texts.len()).unwrap_or(u32::MAX);
        self.texts.push(text.to_string());
        self.index.insert(text.to_string(), i);
        i
    }
}

pub struct XlsxWriter {
    zip: ZipWriter<BufWriter<File>>,
    names: Vec<String>,
    /// The sheets' names in the workbook's order; the data sheet being written is the last
    /// `data…` one.
    sheets: Vec<String>,
    rows_in_sheet: u32,
    rows_per_sheet: u32,
    sheet_bytes: u64,
    shared: SharedStrings,
    codes: Vec<Option<CodeStrings>>,
    missing: [u32; Missing::ALL.len()],
    storage: Vec<Storage>,
    xml: Vec<u8>,
    number: ryu::Buffer,
}

fn zip_error(e: zip::result::ZipError) -> io::Error {
    io::Error::other(e.to_string())
}

fn options() -> SimpleFileOptions {
    // Fast deflate: the sheets are mostly repeated XML, which compresses well anyway.
    SimpleFileOptions::default()
        .compression_method(CompressionMethod::Deflated)
        .compression_level(Some(1))
}

impl XlsxWriter {
    /// Starts the workbook: the codebook sheet whole, then the data sheet's header.
    pub fn new(shape: &Shape, path: &Path) -> io::Result<XlsxWriter> {
        let table = &shape.table;
        let mut shared = SharedStrings::default();
        let missing = Missing::ALL.map(|m| shared.add(m.token()));
        let codes = table
            .variables
            .iter()
            .zip(&shape.texts)
            .map(|(v, texts)| {
                let set = texts.as_ref().and(v.value_labels)?;
                Some(code_strings(&table.value_labels[set].labels, &mut shared))
            })
            .collect();
        let mut writer = XlsxWriter {
            zip: ZipWriter::new(BufWriter::new(File::create(path)?)),
            names: table.variables.iter().map(|v| v.name.clone()).collect(),
            sheets: vec!["data".into(), "codebook".into()],
            rows_in_sheet: 0,
            rows_per_sheet: MAX_ROWS,
            sheet_bytes: 0,
            shared,
            codes,
            missing,
            storage: table.variables.iter().map(|v| v.storage).collect(),
            xml: Vec::with_capacity(CHUNK * 2),
            number: ryu::Buffer::new(),
        };
        writer.zip.start_file("xl/worksheets/sheet2.xml", options()).map_err(zip_error)?;
        writer.zip.write_all(&codebook(shape))?;
        writer.start_data_sheet(1)?;
        Ok(writer)
    }

    /// Starts `xl/worksheets/sheet{number}.xml` with the header row, frozen with the first
    /// column.
    fn start_data_sheet(&mut self, number: usize) -> io::Result<()> {
        let name = format!("xl/worksheets/sheet{number}.xml");
        self.zip.start_file(name, options()).map_err(zip_error)?;
        let selected = if number == 1 { " tabSelected=\"1\"" } else { "" };
        self.xml.extend_from_slice(WORKSHEET.as_bytes());
        self.xml.extend_from_slice(
            format!(
                "<sheetViews><sheetView{selected} workbookViewId=\"0\"><pane xSplit=\"1\" \
                 ySplit=\"1\" topLeftCell=\"B2\" activePane=\"bottomRight\" state=\"frozen\"/>\
                 </sheetView></sheetViews><sheetData>"
            )
            .as_bytes(),
        );
        start_row(&mut self.xml, 1);
        for name in &self.names {
            inline_string(&mut self.xml, name, STYLE_BOLD);
        }
        self.xml.extend_from_slice(b"</row>");
        self.rows_in_sheet = 0;
        self.sheet_bytes = 0;
        self.flush_xml()
    }

    fn end_data_sheet(&mut self) -> io::Result<()> {
        self.xml.extend_from_slice(b"</sheetData></worksheet>");
        self.flush_xml()
    }

    fn flush_xml(&mut self) -> io::Result<()> {
        self.sheet_bytes += self.xml.len() as u64;
        self.zip.write_all(&self.xml)?;
        self.xml.clear();
        Ok(())
    }

    fn cell(&mut self, i: usize, cell: &Cell<'_>) {
        let xml = &mut self.xml;
        match *cell {
            Cell::Number(n) => match self.codes[i].as_ref().and_then(|c| c.get(n)) {
                Some(string) => shared_string(xml, string),
                None => {
                    xml.extend_from_slice(b"<c><v>");
                    if self.storage[i] == Storage::Double {
                        xml.extend_from_slice(self.number.format(n).as_bytes());
                    } else {
                        push_integer(xml, n as i64);
                    }
                    xml.extend_from_slice(b"</v></c>");
                }
            },
            Cell::Date(days) => {
                xml.extend_from_slice(format!("<c s=\"{STYLE_DATE}\"><v>").as_bytes());
                push_integer(xml, i64::from(days) + i64::from(EXCEL_EPOCH_OFFSET));
                xml.extend_from_slice(b"</v></c>");
            }
            Cell::Text("") => xml.extend_from_slice(b"<c/>"),
            Cell::Text(text) => inline_string(xml, text, 0),
            Cell::Missing(m) if !self.storage[i].is_text() => {
                shared_string(xml, self.missing[m as usize]);
            }
            Cell::Missing(_) => xml.extend_from_slice(b"<c/>"),
        }
    }

    /// The parts that list the sheets and strings, written once every row is in.
    fn write_parts(&mut self) -> io::Result<()> {
        let parts = [
            ("xl/sharedStrings.xml", shared_strings_xml(&self.shared.texts)),
            ("xl/styles.xml", STYLES.to_string()),
            ("xl/workbook.xml", workbook_xml(&self.sheets)),
            ("xl/_rels/workbook.xml.rels", workbook_rels(self.sheets.len())),
            ("_rels/.rels", ROOT_RELS.to_string()),
            ("[Content_Types].xml", content_types(self.sheets.len())),
        ];
        for (name, text) in parts {
            self.zip.start_file(name, options()).map_err(zip_error)?;
            self.zip.write_all(text.as_bytes())?;
        }
        Ok(())
    }
}

fn code_strings(labels: &[(i32, String)], shared: &mut SharedStrings) -> CodeStrings {
    let first = labels.iter().map(|(c, _)| *c).min().unwrap_or(0);
    let last = labels.iter().map(|(c, _)| *c).max().unwrap_or(0);
    let span = usize::try_from(i64::from(last) - i64::from(first) + 1).unwrap_or(0);
    let mut strings = vec![None; span];
    for (code, label) in labels {
        if let Ok(at) = usize::try_from(code - first) {
            strings[at] = Some(shared.add(label));
        }
    }
    CodeStrings { first, strings }
}

impl RowWriter for XlsxWriter {
    fn row(&mut self, cells: &[Cell<'_>]) -> io::Result<()> {
        if self.rows_in_sheet >= self.rows_per_sheet || self.sheet_bytes >= MAX_SHEET_BYTES {
            self.end_data_sheet()?;
            self.sheets.push(format!("data_{}", self.sheets.len()));
            self.start_data_sheet(self.sheets.len())?;
        }
        self.rows_in_sheet += 1;
        start_row(&mut self.xml, self.rows_in_sheet + 1);
        for (i, cell) in cells.iter().enumerate() {
            self.cell(i, cell);
        }
        self.xml.extend_from_slice(b"</row>");
        if self.xml.len() >= CHUNK { self.flush_xml() } else { Ok(()) }
    }

    fn finish(mut self: Box<Self>) -> io::Result<()> {
        self.end_data_sheet()?;
        self.write_parts()?;
        let mut out = self.zip.finish().map_err(zip_error)?;
        out.flush()
    }
}

const WORKSHEET: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n\
<worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\">";

/// Fonts regular and bold; cell formats: default, date (`yyyy-mm-dd`), bold.
const STYLES: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n\
<styleSheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\">\
<numFmts count=\"1\"><numFmt numFmtId=\"164\" formatCode=\"yyyy\\-mm\\-dd\"/></numFmts>\
<fonts count=\"2\"><font><sz val=\"11\"/><name val=\"Calibri\"/><family val=\"2\"/></font>\
<font><b/><sz val=\"11\"/><name val=\"Calibri\"/><family val=\"2\"/></font></fonts>\
<fills count=\"2\"><fill><patternFill patternType=\"none\"/></fill>\
<fill><patternFill patternType=\"gray125\"/></fill></fills>\
<borders count=\"1\"><border><left/><right/><top/><bottom/><diagonal/></border></borders>\
<cellStyleXfs count=\"1\"><xf numFmtId=\"0\" fontId=\"0\" fillId=\"0\" borderId=\"0\"/></cellStyleXfs>\
<cellXfs count=\"3\"><xf numFmtId=\"0\" fontId=\"0\" fillId=\"0\" borderId=\"0\" xfId=\"0\"/>\
<xf numFmtId=\"164\" fontId=\"0\" fillId=\"0\" borderId=\"0\" xfId=\"0\" applyNumberFormat=\"1\"/>\
<xf numFmtId=\"0\" fontId=\"1\" fillId=\"0\" borderId=\"0\" xfId=\"0\" applyFont=\"1\"/></cellXfs>\
<cellStyles count=\"1\"><cellStyle name=\"Normal\" xfId=\"0\" builtinId=\"0\"/></cellStyles>\
</styleSheet>";

const ROOT_RELS: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n\
<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">\
<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument\" Target=\"xl/workbook.xml\"/>\
</Relationships>";

fn workbook_xml(sheets: &[String]) -> String {
    let mut xml = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n\
         <workbook xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" \
         xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\">\
         <bookViews><workbookView/></bookViews><sheets>",
    );
    for (i, name) in sheets.iter().enumerate() {
        let n = i + 1;
        xml.push_str(&format!("<sheet name=\"{name}\" sheetId=\"{n}\" r:id=\"rId{n}\"/>"));
    }
    xml.push_str("</sheets></workbook>");
    xml
}

fn workbook_rels(sheets: usize) -> String {
    const KIND: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
    let mut xml = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n\
         <Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">",
    );
    for n in 1..=sheets {
        xml.push_str(&format!(
            "<Relationship Id=\"rId{n}\" Type=\"{KIND}/worksheet\" Target=\"worksheets/sheet{n}.xml\"/>"
        ));
    }
    let (styles, strings) = (sheets + 1, sheets + 2);
    xml.push_str(&format!(
        "<Relationship Id=\"rId{styles}\" Type=\"{KIND}/styles\" Target=\"styles.xml\"/>\
         <Relationship Id=\"rId{strings}\" Type=\"{KIND}/sharedStrings\" Target=\"sharedStrings.xml\"/>\
         </Relationships>"
    ));
    xml
}

fn content_types(sheets: usize) -> String {
    const ML: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml";
    let mut xml = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n\
         <Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">\
         <Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>\
         <Default Extension=\"xml\" ContentType=\"application/xml\"/>\
         <Override PartName=\"/xl/workbook.xml\" ContentType=\"{ML}.sheet.main+xml\"/>\
         <Override PartName=\"/xl/styles.xml\" ContentType=\"{ML}.styles+xml\"/>\
         <Override PartName=\"/xl/sharedStrings.xml\" ContentType=\"{ML}.sharedStrings+xml\"/>"
    );
    for n in 1..=sheets {
        xml.push_str(&format!(
            "<Override PartName=\"/xl/worksheets/sheet{n}.xml\" ContentType=\"{ML}.worksheet+xml\"/>"
        ));
    }
    xml.push_str("</Types>");
    xml
}

fn shared_strings_xml(texts: &[String]) -> String {
    let mut xml = Vec::new();
    xml.extend_from_slice(
        format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n\
             <sst xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" \
             count=\"{n}\" uniqueCount=\"{n}\">",
            n = texts.len()
        )
        .as_bytes(),
    );
    for text in texts {
        xml.extend_from_slice(b"<si>");
        text_element(&mut xml, text);
        xml.extend_from_slice(b"</si>");
    }
    xml.extend_from_slice(b"</sst>");
    String::from_utf8(xml).unwrap_or_default()
}

fn start_row(xml: &mut Vec<u8>, number: u32) {
    xml.extend_from_slice(b"<row r=\"");
    push_integer(xml, i64::from(number));
    xml.extend_from_slice(b"\">");
}

fn shared_string(xml: &mut Vec<u8>, string: u32) {
    xml.extend_from_slice(b"<c t=\"s\"><v>");
    push_integer(xml, i64::from(string));
    xml.extend_from_slice(b"</v></c>");
}

fn inline_string(xml: &mut Vec<u8>, text: &str, style: u8) {
    xml.extend_from_slice(b"<c");
    if style != 0 {
        xml.extend_from_slice(format!(" s=\"{style}\"").as_bytes());
    }
    xml.extend_from_slice(b" t=\"inlineStr\"><is>");
    text_element(xml, text);
    xml.extend_from_slice(b"</is></c>");
}

/// `<t>text</t>`, escaped for XML, with spaces kept at either end.
fn text_element(xml: &mut Vec<u8>, text: &str) {
    let padded = text.starts_with(char::is_whitespace) || text.ends_with(char::is_whitespace);
    xml.extend_from_slice(if padded { b"<t xml:space=\"preserve\">" } else { b"<t>" });
    escape(xml, text);
    xml.extend_from_slice(b"</t>");
}

/// XML escapes, and Excel's `_xHHHH_` for the control characters XML cannot hold (and for a
/// literal `_x` that would read as one).
fn escape(xml: &mut Vec<u8>, text: &str) {
    let bytes = text.as_bytes();
    let mut plain = 0;
    for (i, &b) in bytes.iter().enumerate() {
        let escaped: &[u8] = match b {
            b'&' => b"&amp;",
            b'<' => b"&lt;",
            b'>' => b"&gt;",
            b'_' if reads_as_excel_escape(&bytes[i..]) => b"_x005F_",
            b'\t' | b'\n' | b'\r' => continue,
            0..0x20 => &format!("_x{b:04X}_").into_bytes(),
            _ => continue,
        };
        xml.extend_from_slice(&bytes[plain..i]);
        xml.extend_from_slice(escaped);
        plain = i + 1;
    }
    xml.extend_from_slice(&bytes[plain..]);
}

fn reads_as_excel_escape(rest: &[u8]) -> bool {
    rest.len() >= 7
        && rest[1] == b'x'
        && rest[2..6].iter().all(u8::is_ascii_hexdigit)
        && rest[6] == b'_'
}

/// Appends `n` in decimal.
fn push_integer(out: &mut Vec<u8>, n: i64) {
    out.extend_from_slice(decimal(n, &mut [0; 20]).as_bytes());
}

/// The codebook sheet: one line per variable (name, label, type, question, values), then the
/// reasons of empty cells.
fn codebook(shape: &Shape) -> Vec<u8> {
    let table: &Table = &shape.table;
    let vi = table.lang == crate::kernel::Lang::Vi;
    let header = if vi {
        ["Biến", "Nhãn", "Kiểu", "Câu hỏi", "Giá trị (mã = nhãn)"]
    } else {
        ["Variable", "Label", "Type", "Question", "Values (code = label)"]
    };
    let mut xml = WORKSHEET.as_bytes().to_vec();
    xml.extend_from_slice(
        b"<cols><col min=\"2\" max=\"2\" width=\"60\" customWidth=\"1\"/>\
          <col min=\"5\" max=\"5\" width=\"60\" customWidth=\"1\"/></cols><sheetData>",
    );
    let mut rows = 0;
    let mut line = |xml: &mut Vec<u8>, cells: &[&str], style: u8| {
        rows += 1;
        start_row(xml, rows);
        for cell in cells {
            inline_string(xml, cell, style);
        }
        xml.extend_from_slice(b"</row>");
    };
    line(&mut xml, &header, STYLE_BOLD);
    for ((v, texts), question) in table.variables.iter().zip(&shape.texts).zip(&shape.questions) {
        let values = v.value_labels.map(|i| {
            let set = &table.value_labels[i];
            set.labels
                .iter()
                .map(|(code, label)| {
                    let text = texts.as_ref().and_then(|t| t.iter().find(|(c, _)| c == code));
                    match text {
                        Some((_, id)) => format!("{id} = {label}"),
                        None => format!("{code} = {label}"),
                    }
                })
                .collect::<Vec<_>>()
                .join("; ")
        });
        let kind = kind(v.storage, texts.is_some());
        let question = question.as_deref().unwrap_or_default();
        line(&mut xml, &[&v.name, &v.label, kind, question, &values.unwrap_or_default()], 0);
    }
    line(&mut xml, &[], 0);
    line(&mut xml, &[if vi { "Ô trống và lý do" } else { "Empty cells and why" }], STYLE_BOLD);
    for m in Missing::ALL {
        line(&mut xml, &[m.token(), m.label(table.lang)], 0);
    }
    xml.extend_from_slice(b"</sheetData></worksheet>");
    xml
}

fn kind(storage: Storage, coded: bool) -> &'static str {
    match storage {
        _ if coded => "code",
        Storage::Text { .. } => "text",
        Storage::Date => "date",
        Storage::Double => "number",
        Storage::Byte | Storage::Int | Storage::Long => "integer",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::export::readers;
    use crate::export::table::{Measure, Variable};

    #[test]
    fn text_is_escaped_for_xml_and_for_excel() {
        let mut xml = Vec::new();
        escape(&mut xml, "a<b & c>d\u{1}e_x0041_f_x");
        assert_eq!(String::from_utf8(xml).unwrap(), "a&lt;b &amp; c&gt;d_x0001_e_x005F_x0041_f_x");
    }

    #[test]
    fn rows_past_a_sheets_limit_go_on_to_the_next_data_sheet() {
        let variable = |name: &str, storage| Variable {
            name: name.into(),
            label: format!("Nhãn của {name}"),
            storage,
            measure: Measure::Scale,
            value_labels: None,
            missing: !matches!(storage, Storage::Text { .. }),
        };
        let table = Table {
            label: "t".into(),
            lang: crate::kernel::Lang::Vi,
            variables: vec![
                variable("id", Storage::Text { width: 5 }),
                variable("x", Storage::Double),
                variable("note", Storage::Text { width: 20 }),
            ],
            value_labels: Vec::new(),
        };
        let shape = Shape::of_table(table);
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.xlsx");
        let mut writer = Box::new(XlsxWriter::new(&shape, &path).unwrap());
        writer.rows_per_sheet = 2;
        for i in 0..5u8 {
            let id = format!("0000{i}");
            let x = if i == 3 {
                Cell::Missing(Missing::Suppressed)
            } else {
                Cell::Number(f64::from(i))
            };
            let note = [" a <b> & c ", "", "x"][usize::from(i % 3)];
            writer.row(&[Cell::Text(&id), x, Cell::Text(note)]).unwrap();
        }
        writer.finish().unwrap();
        let script = "import sys, openpyxl\nbook = openpyxl.load_workbook(sys.argv[1], read_only=True)\nfor s in book.sheetnames:\n    print(s, [list(r) for r in book[s].iter_rows(values_only=True)][:3] if s != 'codebook' else '')";
        let Some(said) = readers::python(script, &[path.to_str().unwrap()], "openpyxl") else {
            return;
        };
        let lines: Vec<&str> = said.lines().collect();
        assert_eq!(
            lines[0],
            "data [['id', 'x', 'note'], ['00000', 0.0, ' a <b> & c '], ['00001', 1.0, None]]"
        );
        assert_eq!(lines[1], "codebook ");
        assert_eq!(
            lines[2],
            "data_2 [['id', 'x', 'note'], ['00002', 2.0, 'x'], ['00003', 'suppressed', ' a <b> & c ']]"
        );
        assert_eq!(lines[3], "data_3 [['id', 'x', 'note'], ['00004', 4.0, None]]");
    }
}
