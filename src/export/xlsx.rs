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

/// Rows a worksheet holds, less the header: more rows go on to sheets `data_2`, `data_3`, …
const MAX_ROWS: u32 = 1_048_575;

pub struct XlsxWriter {
    workbook: Workbook,
    path: PathBuf,
    names: Vec<String>,
    /// The worksheet rows go to now.
    sheet: usize,
    rows_per_sheet: u32,
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
        // Fast deflate: the sheets are mostly repeated XML, which compresses well anyway.
        workbook.set_zip_compression_level(1);
        let bold = Format::new().set_bold();
        let names: Vec<String> = table.variables.iter().map(|v| v.name.clone()).collect();
        data_sheet(&mut workbook, "data", &names).map_err(error)?;
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
            names,
            sheet: 0,
            rows_per_sheet: MAX_ROWS,
            labels,
            storage: table.variables.iter().map(|v| v.storage).collect(),
            date: Format::new().set_num_format("yyyy-mm-dd"),
            row: 0,
        })
    }
}

impl RowWriter for XlsxWriter {
    fn row(&mut self, cells: &[Cell<'_>]) -> io::Result<()> {
        if self.row >= self.rows_per_sheet {
            // The codebook is the second sheet: the next data sheets come after it.
            self.sheet = if self.sheet == 0 { 2 } else { self.sheet + 1 };
            let name = format!("data_{}", self.sheet);
            data_sheet(&mut self.workbook, &name, &self.names).map_err(error)?;
            self.row = 0;
        }
        self.row += 1;
        let row = self.row;
        let sheet = self.workbook.worksheet_from_index(self.sheet).map_err(error)?;
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

/// A data sheet with its header row.
fn data_sheet(workbook: &mut Workbook, name: &str, names: &[String]) -> Result<(), XlsxError> {
    let bold = Format::new().set_bold();
    let sheet = workbook.add_worksheet_with_constant_memory()?.set_name(name)?;
    for (column, name) in (0u16..).zip(names) {
        sheet.write_string_with_format(0, column, name, &bold)?;
    }
    sheet.set_freeze_panes(1, 1)?;
    Ok(())
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::export::readers;
    use crate::export::table::{Measure, Variable};

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
            ],
            value_labels: Vec::new(),
        };
        let shape = Shape::of_table(table);
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.xlsx");
        let mut writer = Box::new(XlsxWriter::new(&shape, &path).unwrap());
        writer.rows_per_sheet = 2;
        for i in 0..5 {
            let id = format!("0000{i}");
            let x = if i == 3 {
                Cell::Missing(Missing::Suppressed)
            } else {
                Cell::Number(f64::from(i))
            };
            writer.row(&[Cell::Text(&id), x]).unwrap();
        }
        writer.finish().unwrap();
        let script = "import sys, openpyxl\nbook = openpyxl.load_workbook(sys.argv[1], read_only=True)\nfor s in book.sheetnames:\n    print(s, [list(r) for r in book[s].iter_rows(values_only=True)][:3] if s != 'codebook' else '')";
        let Some(said) = readers::python(script, &[path.to_str().unwrap()], "openpyxl") else {
            return;
        };
        let lines: Vec<&str> = said.lines().collect();
        assert_eq!(lines[0], "data [['id', 'x'], ['00000', 0.0], ['00001', 1.0]]");
        assert_eq!(lines[1], "codebook ");
        assert_eq!(lines[2], "data_2 [['id', 'x'], ['00002', 2.0], ['00003', 'suppressed']]");
        assert_eq!(lines[3], "data_3 [['id', 'x'], ['00004', 4.0]]");
    }
}
