//! `microdata.csv`: the microdata as text, for every tool that reads CSV. Codes are written as
//! their ids (`yes`, `from_25_to_50`), an empty cell of a numeric or coded variable as the token
//! of its reason (`skipped`, `na`, `dk`, `coarsened`, `suppressed`), an empty text as nothing.

use std::io::{self, Write};

use super::neutralise;
use super::shape::Shape;
use super::table::{Cell, RowWriter, Storage, decimal, iso_date};

pub struct CsvWriter<W: Write> {
    out: W,
    texts: Vec<Option<Vec<(i32, String)>>>,
    storage: Vec<Storage>,
    line: String,
}

impl<W: Write> CsvWriter<W> {
    /// Writes the header.
    pub fn new(shape: &Shape, out: W) -> io::Result<CsvWriter<W>> {
        let mut writer = CsvWriter {
            out,
            texts: shape.texts.clone(),
            storage: shape.table.variables.iter().map(|v| v.storage).collect(),
            line: String::with_capacity(4096),
        };
        let names: Vec<&str> = shape.table.variables.iter().map(|v| v.name.as_str()).collect();
        writer.out.write_all(names.join(",").as_bytes())?;
        writer.out.write_all(b"\n")?;
        Ok(writer)
    }

    fn cell(&mut self, i: usize, cell: &Cell<'_>, number: &mut ryu::Buffer) {
        match cell {
            Cell::Number(n) => {
                let code = self.texts[i].as_ref().and_then(|t| {
                    let code = *n as i32;
                    t.iter().find(|(c, _)| *c == code).map(|(_, text)| text.as_str())
                });
                match code {
                    Some(text) => self.line.push_str(text),
                    None if self.storage[i] == Storage::Double => {
                        self.line.push_str(number.format(*n));
                    }
                    None => self.line.push_str(decimal(*n as i64, &mut [0; 20])),
                }
            }
            Cell::Date(days) => self.line.push_str(&iso_date(*days)),
            Cell::Text(text) => quote(&neutralise(text), &mut self.line),
            Cell::Missing(m) if !self.storage[i].is_text() => self.line.push_str(m.token()),
            Cell::Missing(_) => {}
        }
    }
}

impl<W: Write> RowWriter for CsvWriter<W> {
    fn row(&mut self, cells: &[Cell<'_>]) -> io::Result<()> {
        self.line.clear();
        let mut number = ryu::Buffer::new();
        for (i, cell) in cells.iter().enumerate() {
            if i > 0 {
                self.line.push(',');
            }
            self.cell(i, cell, &mut number);
        }
        self.line.push('\n');
        self.out.write_all(self.line.as_bytes())
    }

    fn finish(mut self: Box<Self>) -> io::Result<()> {
        self.out.flush()
    }
}

/// `text` as a CSV field: quoted when it holds a comma, a quote or a line break.
fn quote(text: &str, out: &mut String) {
    if text.contains([',', '"', '\n', '\r']) {
        out.push('"');
        out.push_str(&text.replace('"', "\"\""));
        out.push('"');
    } else {
        out.push_str(text);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_and_integers() {
        let mut out = String::new();
        quote("a,\"b\"", &mut out);
        assert_eq!(out, "\"a,\"\"b\"\"\"");
        out.clear();
        for n in [0, 7, 10, 2026, -5, i64::MIN] {
            out.push_str(decimal(n, &mut [0; 20]));
            out.push(' ');
        }
        assert_eq!(out, format!("0 7 10 2026 -5 {} ", i64::MIN));
    }
}
