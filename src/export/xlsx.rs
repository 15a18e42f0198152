//! `microdata.xlsx`: the microdata for spreadsheet users, with a codebook sheet. Codes are shown
//! by their labels in the file's language (Excel has no value labels), identifiers as text (so
//! that "00622" keeps its zeros and a hex id is never read as a number), an empty cell of a
//! numeric or coded variable as the token of its reason. Written with constant memory: each
//! row goes to disk as it comes.

use std::io;
use std::path::{Path, PathBuf};

use rust_xlsxwriter::{Format, Workbook, XlsxError};

use super::shape::Shape;
use super::table::{Cell, Missing, RowWriter, Storage, Table};

/// Rows a worksheet holds, less the header.
const MAX_ROWS: u32 = 1_048_575;

pub struct XlsxWriter {
    workbook: Workbook,
    path: PathBuf,
    /// The label of each code of each coded variable.
    labels: Vec<Option<Vec<(i32, String)>>>,
    storage: Vec<Storage>,
    date: Format,
    row: u32,
}

fn error(e: XlsxError) -> io::Error {
    io::Error::other(e.to_string())
}

impl XlsxWriter {
    /// Starts the workbook: the data sheet's header, and the codebook sheet whole.
    pub fn new(shape: &Shape, path: &Path) -> io::Result<XlsxWriter> {
        let table = &shape.table;
        let mut workbook = Workbook::new();
        let bold = Format::new().set_bold();
        let data = workbook
            .add_worksheet_with_constant_memory()
            .map_err(error)?
            .set_name("data")
            .map_err(error)?;
        for (column, v) in (0u16..).zip(&table.variables) {
            data.write_string_with_format(0, column, &v.name, &bold).map_err(error)?;
        }
        data.set_freeze_panes(1, 1).map_err(error)?;
        let sheet = workbook
            .add_worksheet_with_constant_memory()
            .map_err(error)?
            .set_name("codebook")
            .map_err(error)?;
        codebook(sheet, shape, &bold).map_err(error)?;
        let labels = shape
            .table
            .variables
            .iter()
            .zip(&shape.texts)
            .map(|(v, texts)| {
                texts.as_ref().and(v.value_labels).map(|i| table.value_labels[i].labels.clone())
            })
            .collect();
        Ok(XlsxWriter {
            workbook,
            path: path.to_path_buf(),
            labels,
            storage: table.variables.iter().map(|v| v.storage).collect(),
            date: Format::new().set_num_format("yyyy-mm-dd"),
            row: 0,
        })
    }
}

impl RowWriter for XlsxWriter {
    fn row(&mut self, cells: &[Cell<'_>]) -> io::Result<()> {
        if self.row >= MAX_ROWS {
            return Err(io::Error::other(format!(
                "{}: Excel holds at most {MAX_ROWS} rows; use microdata.csv, .dta or .sav",
                self.path.display()
            )));
        }
        self.row += 1;
        let row = self.row;
        let sheet = self.workbook.worksheet_from_index(0).map_err(error)?;
        for (column, cell) in (0u16..).zip(cells) {
            let i = usize::from(column);
            match cell {
                Cell::Number(n) => {
                    let label = self.labels[i]
                        .as_ref()
                        .and_then(|l| l.iter().find(|(c, _)| f64::from(*c) == *n));
                    match label {
                        Some((_, text)) => sheet.write_string(row, column, text),
                        None => sheet.write_number(row, column, *n),
                    }
                }
                // Excel counts days from 1899-12-30.
                Cell::Date(days) => sheet.write_number_with_format(
                    row,
                    column,
                    f64::from(*days) + 25_569.0,
                    &self.date,
                ),
                Cell::Text(text) => sheet.write_string(row, column, *text),
                Cell::Missing(m) if !self.storage[i].is_text() => {
                    sheet.write_string(row, column, m.token())
                }
                Cell::Missing(_) => continue,
            }
            .map_err(error)?;
        }
        Ok(())
    }

    fn finish(mut self: Box<Self>) -> io::Result<()> {
        self.workbook.save(&self.path).map_err(error)
    }
}

/// One line per variable: name, label, type, values; then the missing codes.
fn codebook(
    sheet: &mut rust_xlsxwriter::Worksheet,
    shape: &Shape,
    bold: &Format,
) -> Result<(), XlsxError> {
    let table: &Table = &shape.table;
    let vi = table.lang == crate::kernel::Lang::Vi;
    let header = if vi {
        ["Biến", "Nhãn", "Kiểu", "Câu hỏi", "Giá trị (mã = nhãn)"]
    } else {
        ["Variable", "Label", "Type", "Question", "Values (code = label)"]
    };
    for (column, text) in (0u16..).zip(header) {
        sheet.write_string_with_format(0, column, text, bold)?;
    }
    let mut row = 0;
    for ((v, texts), question) in table.variables.iter().zip(&shape.texts).zip(&shape.questions) {
        row += 1;
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
        sheet.write_string(row, 0, &v.name)?;
        sheet.write_string(row, 1, &v.label)?;
        sheet.write_string(row, 2, kind(v.storage, texts.is_some()))?;
        sheet.write_string(row, 3, question.as_deref().unwrap_or_default())?;
        sheet.write_string(row, 4, values.unwrap_or_default())?;
    }
    row += 2;
    let title = if vi { "Ô trống và lý do" } else { "Empty cells and why" };
    sheet.write_string_with_format(row, 0, title, bold)?;
    for m in Missing::ALL {
        row += 1;
        sheet.write_string(row, 0, m.token())?;
        sheet.write_string(row, 1, m.label(table.lang))?;
    }
    sheet.set_column_width(1, 60)?;
    sheet.set_column_width(4, 60)?;
    Ok(())
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
