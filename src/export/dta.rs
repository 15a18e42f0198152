//! Stata `.dta` format 118 (Stata 14 and later: UTF-8, 128-byte names, 80-character labels),
//! written little-endian ("LSF") and streamed: the header goes out first with N = 0, the rows
//! follow as they come, and `finish` seeks back to patch N and the `<map>` of section offsets.
//! The layout and the missing-value constants follow Stata's `dta_118` description, checked
//! against ReadStat (`src/stata/readstat_dta.h`, `readstat_dta_write.c`), which R's haven and
//! Python's pyreadstat both read with.

use std::io::{self, Seek, SeekFrom, Write};

use super::table::{Cell, Missing, RowWriter, Storage, Table, ValueLabels, Variable, shorten};

/// A name field (variable or value-label set): 128 bytes of UTF-8 and a NUL.
const NAME_LEN: usize = 129;
/// A display format field.
const FORMAT_LEN: usize = 57;
/// A variable label field: 80 characters of up to 4 bytes, and a NUL.
const LABEL_LEN: usize = 321;
/// The widest fixed-width string, `str2045`.
const MAX_STR: usize = 2045;
/// The longest value label Stata 118 keeps.
const MAX_VALUE_LABEL: usize = 32_000;
/// Stata 118 counts variables in a u16 and allows at most this many.
const MAX_VARIABLES: usize = 32_767;
/// Stata's dates (`%td`) count days from 1960-01-01; ours from 1970-01-01.
const DAYS_1960_TO_1970: i64 = 3653;
/// Stata's system missing `.` for a double; `.a` … `.z` follow in steps of 2^40.
const DOUBLE_DOT: u64 = 0x7FE0_0000_0000_0000;
const DOUBLE_STEP: u64 = 0x0000_0100_0000_0000;
/// The largest double Stata stores as a number; above it lie the missing values.
const DOUBLE_MAX: u64 = 0x7FDF_FFFF_FFFF_FFFF;
/// The largest long; `.` is the next value, `.a` the one after.
const LONG_MAX: i64 = 2_147_483_620;
/// The set shared by numeric variables with missing codes and no labels of their own.
const MISSING_SET: &str = "missing_codes";

/// What follows the rows: no long strings (strL) are written.
const DATA_TAIL: &[u8] = b"</data><strls></strls>";
const FILE_END: &[u8] = b"</stata_dta>";

/// How a variable is stored. Dates are longs with the `%td` format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Byte,
    Int,
    Long,
    Double,
    Date,
    Str(usize),
}

impl Kind {
    fn of(v: &Variable) -> io::Result<Kind> {
        Ok(match v.storage {
            Storage::Byte => Kind::Byte,
            Storage::Int => Kind::Int,
            Storage::Long => Kind::Long,
            Storage::Double => Kind::Double,
            Storage::Date => Kind::Date,
            Storage::Text { width } if width <= MAX_STR => Kind::Str(width.max(1)),
            Storage::Text { width } => {
                return Err(invalid(format!(
                    "variable {}: text of {width} bytes is wider than Stata's str{MAX_STR}",
                    v.name
                )));
            }
        })
    }

    /// The entry of `<variable_types>`: for `str#`, # itself.
    fn code(self) -> u16 {
        match self {
            Kind::Byte => 65530,
            Kind::Int => 65529,
            Kind::Long | Kind::Date => 65528,
            Kind::Double => 65526,
            Kind::Str(width) => width as u16, // at most MAX_STR
        }
    }

    fn width(self) -> usize {
        match self {
            Kind::Byte => 1,
            Kind::Int => 2,
            Kind::Long | Kind::Date => 4,
            Kind::Double => 8,
            Kind::Str(width) => width,
        }
    }

    fn format(self) -> String {
        match self {
            Kind::Byte | Kind::Int | Kind::Long => "%8.0g".to_string(),
            Kind::Double => "%10.0g".to_string(),
            Kind::Date => "%td".to_string(),
            Kind::Str(width) => format!("%-{width}s"),
        }
    }

    /// The numbers an integer type holds. The value above the largest is `.`, then `.a` … `.z`
    /// (ReadStat's `DTA_113_MAX_INT*` and `DTA_113_MISSING_INT*`).
    fn int_range(self) -> Option<(i64, i64)> {
        match self {
            Kind::Byte => Some((-127, 100)),
            Kind::Int => Some((-32_767, 32_740)),
            Kind::Long | Kind::Date => Some((-2_147_483_647, LONG_MAX)),
            Kind::Double | Kind::Str(_) => None,
        }
    }

    /// Writes an integer already checked against `int_range`.
    fn put_int(self, value: i64, buf: &mut Vec<u8>) {
        match self.width() {
            1 => buf.extend((value as i8).to_le_bytes()),
            2 => buf.extend((value as i16).to_le_bytes()),
            _ => buf.extend((value as i32).to_le_bytes()),
        }
    }

    /// `.a` for skipped … `.e` for suppressed; a text is left empty.
    fn put_missing(self, m: Missing, buf: &mut Vec<u8>) {
        match (self, self.int_range()) {
            (Kind::Str(width), _) => pad(buf, "", width),
            (_, Some((_, max))) => self.put_int(max + 1 + past_dot(m), buf),
            _ => buf.extend((DOUBLE_DOT + past_dot(m) as u64 * DOUBLE_STEP).to_le_bytes()),
        }
    }
}

/// How many steps past `.` the missing value of `m` lies: 1 for `.a`.
fn past_dot(m: Missing) -> i64 {
    i64::from(m.stata_letter() as u8 - b'a') + 1
}

/// A variable as the rows need it.
struct Column {
    name: String,
    kind: Kind,
}

impl Column {
    fn error(&self, why: impl std::fmt::Display) -> io::Error {
        invalid(format!("variable {}: {why}", self.name))
    }

    fn put(&self, cell: Cell<'_>, buf: &mut Vec<u8>) -> io::Result<()> {
        match (self.kind, cell) {
            (Kind::Str(width), Cell::Text(text)) if text.len() <= width => pad(buf, text, width),
            (Kind::Str(width), Cell::Text(text)) => {
                return Err(
                    self.error(format!("text of {} bytes is wider than {width}", text.len()))
                );
            }
            (kind, Cell::Missing(m)) => kind.put_missing(m, buf),
            (Kind::Date, Cell::Date(days)) => {
                self.put_integer(i64::from(days) + DAYS_1960_TO_1970, buf)?;
            }
            (Kind::Double, Cell::Number(x)) => self.put_double(x, buf)?,
            (Kind::Byte | Kind::Int | Kind::Long, Cell::Number(x)) if x.is_finite() => {
                self.put_integer(x.round() as i64, buf)?;
            }
            (kind, cell) => return Err(self.error(format!("{cell:?} in a {kind:?} variable"))),
        }
        Ok(())
    }

    fn put_integer(&self, value: i64, buf: &mut Vec<u8>) -> io::Result<()> {
        match self.kind.int_range() {
            Some((min, max)) if (min..=max).contains(&value) => {
                self.kind.put_int(value, buf);
                Ok(())
            }
            _ => Err(self.error(format!("{value} is out of the range of a {:?}", self.kind))),
        }
    }

    fn put_double(&self, x: f64, buf: &mut Vec<u8>) -> io::Result<()> {
        if !x.is_finite() || x > f64::from_bits(DOUBLE_MAX) {
            return Err(self.error(format!("{x} is not a number Stata stores")));
        }
        buf.extend(x.to_le_bytes());
        Ok(())
    }
}

/// Writes a `.dta` file row by row; see the module's documentation.
pub struct DtaWriter<W: Write + Seek> {
    out: W,
    columns: Vec<Column>,
    /// One row's bytes, built whole so that a bad cell leaves no half row in the file.
    record: Vec<u8>,
    rows: u64,
    /// Where the file began in `out`, and where N and the map sit in it.
    base: u64,
    n_at: u64,
    map_at: u64,
    /// The offsets of `<map>`: of the sections up to `<data>` from the start; `finish` adds
    /// those of `<strls>`, `<value_labels>`, `</stata_dta>` and the end of the file.
    map: [u64; 14],
    /// The `<value_labels>` section, written after the data.
    value_labels: Vec<u8>,
}

impl<W: Write + Seek> DtaWriter<W> {
    /// Writes the header, map placeholder, variable types, names, sort list, formats,
    /// value-label names, variable labels and characteristics; rows follow.
    pub fn new(table: &Table, mut out: W) -> io::Result<Self> {
        let columns = table
            .variables
            .iter()
            .map(|v| {
                check_name(&v.name)?;
                Ok(Column { name: v.name.clone(), kind: Kind::of(v)? })
            })
            .collect::<io::Result<Vec<_>>>()?;
        let (label_names, sets) = label_sets(table)?;
        let value_labels = value_labels(&sets)?;
        let head = Head::new(table, &columns, &label_names)?;
        let base = out.stream_position()?;
        out.write_all(&head.bytes)?;
        let record_len = columns.iter().map(|c| c.kind.width()).sum();
        Ok(DtaWriter {
            out,
            columns,
            record: Vec::with_capacity(record_len),
            rows: 0,
            base,
            n_at: head.n_at,
            map_at: head.map_at,
            map: head.map,
            value_labels,
        })
    }
}

impl<W: Write + Seek> RowWriter for DtaWriter<W> {
    fn row(&mut self, cells: &[Cell<'_>]) -> io::Result<()> {
        if cells.len() != self.columns.len() {
            let (got, want) = (cells.len(), self.columns.len());
            return Err(invalid(format!("a row of {got} cells for {want} variables")));
        }
        self.record.clear();
        for (column, cell) in self.columns.iter().zip(cells) {
            column.put(*cell, &mut self.record)?;
        }
        self.out.write_all(&self.record)?;
        self.rows += 1;
        Ok(())
    }

    fn finish(self: Box<Self>) -> io::Result<()> {
        let mut me = *self;
        let record_len: u64 = me.columns.iter().map(|c| c.kind.width() as u64).sum();
        let data_end = me.map[9] + b"<data>".len() as u64 + me.rows * record_len;
        me.map[10] = data_end + b"</data>".len() as u64;
        me.map[11] = data_end + DATA_TAIL.len() as u64;
        me.map[12] = me.map[11] + me.value_labels.len() as u64;
        me.map[13] = me.map[12] + FILE_END.len() as u64;
        // A row that failed halfway through writing would shift every later section.
        if me.out.stream_position()? != me.base + data_end {
            return Err(io::Error::other("the data section is not the length of its rows"));
        }
        me.out.write_all(DATA_TAIL)?;
        me.out.write_all(&me.value_labels)?;
        me.out.write_all(FILE_END)?;
        me.out.seek(SeekFrom::Start(me.base + me.n_at))?;
        me.out.write_all(&me.rows.to_le_bytes())?;
        me.out.seek(SeekFrom::Start(me.base + me.map_at))?;
        me.out.write_all(&me.map.iter().flat_map(|at| at.to_le_bytes()).collect::<Vec<_>>())?;
        me.out.seek(SeekFrom::Start(me.base + me.map[13]))?;
        me.out.flush()
    }
}

/// Everything before the first row, and where in it the fields patched by `finish` sit.
struct Head {
    bytes: Vec<u8>,
    n_at: u64,
    map_at: u64,
    map: [u64; 14],
}

impl Head {
    fn new(table: &Table, columns: &[Column], label_names: &[String]) -> io::Result<Head> {
        if columns.len() > MAX_VARIABLES {
            return Err(invalid(format!(
                "{} variables: Stata allows {MAX_VARIABLES}",
                columns.len()
            )));
        }
        let mut b =
            b"<stata_dta><header><release>118</release><byteorder>LSF</byteorder><K>".to_vec();
        b.extend((columns.len() as u16).to_le_bytes());
        b.extend(b"</K><N>");
        let n_at = b.len() as u64;
        b.extend(0u64.to_le_bytes());
        b.extend(b"</N><label>");
        let label = shorten(&table.label, 80, 320);
        b.extend((label.len() as u16).to_le_bytes());
        b.extend(label.as_bytes());
        // An empty timestamp keeps the file the same for the same data.
        b.extend(b"</label><timestamp>\0</timestamp></header>");
        let mut map = [0; 14];
        map[1] = b.len() as u64;
        b.extend(b"<map>");
        let map_at = b.len() as u64;
        b.extend([0; 14 * 8]);
        b.extend(b"</map>");
        map[2] = section(&mut b, "variable_types", |b| {
            columns.iter().for_each(|c| b.extend(c.kind.code().to_le_bytes()));
        });
        map[3] = section(&mut b, "varnames", |b| {
            columns.iter().for_each(|c| pad(b, &c.name, NAME_LEN));
        });
        // No sort order: K + 1 zero entries.
        map[4] = section(&mut b, "sortlist", |b| b.resize(b.len() + 2 * (columns.len() + 1), 0));
        map[5] = section(&mut b, "formats", |b| {
            columns.iter().for_each(|c| pad(b, &c.kind.format(), FORMAT_LEN));
        });
        map[6] = section(&mut b, "value_label_names", |b| {
            label_names.iter().for_each(|name| pad(b, name, NAME_LEN));
        });
        map[7] = section(&mut b, "variable_labels", |b| {
            for v in &table.variables {
                pad(b, &shorten(&v.label, 80, 320), LABEL_LEN);
            }
        });
        // The full texts live in the codebook.
        map[8] = section(&mut b, "characteristics", |_| {});
        map[9] = b.len() as u64;
        b.extend(b"<data>");
        Ok(Head { bytes: b, n_at, map_at, map })
    }
}

/// Appends `<name>`, what `fill` writes and `</name>`; returns where the section starts.
fn section(b: &mut Vec<u8>, name: &str, fill: impl FnOnce(&mut Vec<u8>)) -> u64 {
    let start = b.len() as u64;
    b.extend(format!("<{name}>").as_bytes());
    fill(b);
    b.extend(format!("</{name}>").as_bytes());
    start
}

/// `text` then NULs up to `len` bytes; callers check that it fits.
fn pad(b: &mut Vec<u8>, text: &str, len: usize) {
    b.extend(text.as_bytes());
    b.resize(b.len() + len - text.len(), 0);
}

fn check_name(name: &str) -> io::Result<()> {
    if name.len() < NAME_LEN && !name.contains('\0') {
        Ok(())
    } else {
        Err(invalid(format!("name {name:?} is longer than Stata's 128 bytes")))
    }
}

fn invalid(why: String) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidInput, why)
}

/// The value-label sets to write, and each variable's set name ("" for none). The sets of
/// variables with missing codes get the codes' labels on `.a`–`.e`; numeric variables with
/// missing codes and no set share `missing_codes`.
fn label_sets(table: &Table) -> io::Result<(Vec<String>, Vec<ValueLabels>)> {
    let mut sets = table.value_labels.clone();
    if sets.iter().any(|set| set.name == MISSING_SET) {
        return Err(invalid(format!("value-label set {MISSING_SET:?} is reserved")));
    }
    let mut with_missing = vec![false; sets.len()];
    let mut shared = false;
    let mut names = Vec::with_capacity(table.variables.len());
    for v in &table.variables {
        let missing = v.missing && !v.storage.is_text();
        names.push(match v.value_labels {
            Some(_) if v.storage.is_text() => {
                return Err(invalid(format!("variable {}: Stata labels no text", v.name)));
            }
            Some(i) => {
                let set = sets
                    .get(i)
                    .ok_or_else(|| invalid(format!("variable {}: no set {i}", v.name)))?;
                with_missing[i] |= missing;
                set.name.clone()
            }
            None if missing => {
                shared = true;
                MISSING_SET.to_string()
            }
            None => String::new(),
        });
    }
    if shared {
        sets.push(ValueLabels { name: MISSING_SET.to_string(), labels: Vec::new() });
        with_missing.push(true);
    }
    for (set, add) in sets.iter_mut().zip(with_missing) {
        check_name(&set.name)?;
        if let Some(code) = set.labels.iter().map(|(code, _)| *code).find(|c| !is_long(*c)) {
            return Err(invalid(format!(
                "value-label set {}: code {code} is not a Stata long",
                set.name
            )));
        }
        if add {
            set.labels.extend(missing_labels(table.lang));
        }
    }
    Ok((names, sets))
}

fn is_long(code: i32) -> bool {
    Kind::Long.int_range().is_some_and(|(min, max)| (min..=max).contains(&i64::from(code)))
}

/// The labels of `.a`–`.e`, keyed as Stata stores them in a value-label table: the long that
/// holds the missing value (ReadStat's `DTA_113_MISSING_INT32_A + tag - 'a'`).
fn missing_labels(lang: crate::kernel::Lang) -> impl Iterator<Item = (i32, String)> {
    Missing::ALL
        .into_iter()
        .map(move |m| ((LONG_MAX + 1 + past_dot(m)) as i32, m.label(lang).to_string()))
}

/// The `<value_labels>` section: one `<lbl>` table per set.
fn value_labels(sets: &[ValueLabels]) -> io::Result<Vec<u8>> {
    let mut b = b"<value_labels>".to_vec();
    for set in sets {
        lbl(&mut b, set)?;
    }
    b.extend(b"</value_labels>");
    Ok(b)
}

/// One table: its length, name, then n, the text's length, the offsets, the values (ascending)
/// and the NUL-terminated texts.
fn lbl(b: &mut Vec<u8>, set: &ValueLabels) -> io::Result<()> {
    let mut labels: Vec<&(i32, String)> = set.labels.iter().collect();
    labels.sort_by_key(|(code, _)| *code);
    let (mut offsets, mut text) = (Vec::new(), Vec::new());
    for (code, label) in &labels {
        if label.len() > MAX_VALUE_LABEL || label.contains('\0') {
            let name = &set.name;
            return Err(invalid(format!(
                "value-label set {name}: label of {code} is too long or holds a NUL"
            )));
        }
        offsets.extend((text.len() as u32).to_le_bytes());
        text.extend(label.as_bytes());
        text.push(0);
    }
    let n = labels.len();
    let len = u32::try_from(8 + 8 * n + text.len())
        .map_err(|_| invalid(format!("value-label set {} is too large", set.name)))?;
    b.extend(b"<lbl>");
    b.extend(len.to_le_bytes());
    pad(b, &set.name, NAME_LEN + 3); // the name, then 3 bytes of padding
    b.extend((n as u32).to_le_bytes());
    b.extend((text.len() as u32).to_le_bytes());
    b.extend(offsets);
    labels.iter().for_each(|(code, _)| b.extend(code.to_le_bytes()));
    b.extend(text);
    b.extend(b"</lbl>");
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::fs::File;
    use std::io::BufWriter;
    use std::path::{Path, PathBuf};

    use super::*;
    use crate::export::readers;
    use crate::export::table::Measure;
    use crate::kernel::Lang;

    /// 120 characters: Stata keeps 80.
    const LONG_LABEL: &str = "Mức độ trưởng thành số của doanh nghiệp theo đánh giá tổng hợp \
        các trụ cột: chiến lược, công nghệ, dữ liệu và con người.";

    fn variable(name: &str, label: &str, storage: Storage, labels: Option<usize>) -> Variable {
        let numeric = !storage.is_text() && storage != Storage::Date;
        let measure = if numeric { Measure::Scale } else { Measure::Nominal };
        Variable {
            name: name.to_string(),
            label: label.to_string(),
            storage,
            measure,
            value_labels: labels,
            missing: numeric,
        }
    }

    fn set(name: &str, labels: &[(i32, &str)]) -> ValueLabels {
        let labels = labels.iter().map(|(code, label)| (*code, label.to_string())).collect();
        ValueLabels { name: name.to_string(), labels }
    }

    fn table() -> Table {
        let mut level = variable("level", LONG_LABEL, Storage::Byte, Some(0));
        level.measure = Measure::Ordinal;
        Table {
            label: "Khảo sát chuyển đổi số Hà Nội 2025".to_string(),
            lang: Lang::Vi,
            variables: vec![
                variable("id", "Mã doanh nghiệp", Storage::Text { width: 5 }, None),
                variable("hex", "Mã định danh", Storage::Text { width: 16 }, None),
                variable("website", "Doanh nghiệp có website không?", Storage::Byte, Some(1)),
                level,
                variable("staff", "Số lao động", Storage::Int, None),
                variable("revenue", "Doanh thu (triệu đồng)", Storage::Long, None),
                variable("share", "Tỷ lệ chi cho số hoá", Storage::Double, None),
                variable("surveyed", "Ngày khảo sát", Storage::Date, None),
            ],
            value_labels: vec![
                set(
                    "level",
                    &[(1, "Khởi đầu"), (2, "Đang hình thành"), (3, "Phát triển"), (4, "Dẫn đầu")],
                ),
                set("yesno", &[(0, "Không"), (1, "Có")]),
            ],
        }
    }

    /// Two rows of values, then five in which the numeric columns run through every missing
    /// code, each column starting at a different one.
    fn rows() -> Vec<Vec<Cell<'static>>> {
        use Cell::{Date, Number, Text};
        let mut rows = vec![
            vec![
                Text("00622"),
                Text("7560071068e61754"),
                Number(1.0),
                Number(1.0),
                Number(12.0),
                Number(1_500_000_000.0),
                Number(0.25),
                Date(19_000),
            ],
            vec![
                Text("00070"),
                Cell::Missing(Missing::Skipped),
                Number(0.0),
                Number(4.0),
                Number(32_000.0),
                Number(-5.0),
                Number(-1.5),
                Date(-3653),
            ],
        ];
        for k in 0..5 {
            let code = |column: usize| Cell::Missing(Missing::ALL[(k + column) % 5]);
            let ids = ["00001", "00002", "00003", "00004", "00005"];
            rows.push(vec![
                Text(ids[k]),
                Text(""),
                code(0),
                code(1),
                code(2),
                code(3),
                code(4),
                code(0),
            ]);
        }
        rows
    }

    fn write(table: &Table, rows: &[Vec<Cell<'_>>], path: &Path) -> io::Result<()> {
        let out = BufWriter::new(File::create(path)?);
        let mut writer: Box<dyn RowWriter> = Box::new(DtaWriter::new(table, out)?);
        for row in rows {
            writer.row(row)?;
        }
        writer.finish()
    }

    fn sample() -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::TempDir::new().unwrap();
        let path = dir.path().join("sample.dta");
        write(&table(), &rows(), &path).unwrap();
        (dir, path)
    }

    /// The labels of the missing codes in Vietnamese, as both readers list them.
    const MISSING_LABELS: &str = "a=Bỏ qua (không được hỏi);b=Không áp dụng;c=Không biết;\
        d=Gộp (tầng gộp nhiều nhóm);e=Ẩn (bảo mật)";
    /// `LONG_LABEL` cut to 80 characters at a word.
    const SHORT_LABEL: &str =
        "Mức độ trưởng thành số của doanh nghiệp theo đánh giá tổng hợp các trụ cột:…";

    fn u64_at(bytes: &[u8], at: usize) -> u64 {
        u64::from_le_bytes(bytes[at..at + 8].try_into().unwrap())
    }

    #[test]
    fn the_header_is_patched_and_the_map_points_at_its_sections() {
        let (_dir, path) = sample();
        let bytes = std::fs::read(path).unwrap();
        let start = b"<stata_dta><header><release>118</release><byteorder>LSF</byteorder><K>";
        assert!(bytes.starts_with(start));
        assert_eq!(bytes[start.len()..start.len() + 2], 8u16.to_le_bytes());
        assert_eq!(&bytes[start.len() + 2..start.len() + 9], b"</K><N>");
        assert_eq!(u64_at(&bytes, start.len() + 9), 7, "N is the number of rows");
        let map_at = bytes.windows(5).position(|w| w == b"<map>").unwrap() + 5;
        let map: Vec<u64> = (0..14).map(|i| u64_at(&bytes, map_at + 8 * i)).collect();
        let tags = [
            "<stata_dta>",
            "<map>",
            "<variable_types>",
            "<varnames>",
            "<sortlist>",
            "<formats>",
            "<value_label_names>",
            "<variable_labels>",
            "<characteristics>",
            "<data>",
            "<strls>",
            "<value_labels>",
            "</stata_dta>",
        ];
        for (at, tag) in map.iter().zip(tags) {
            assert!(bytes[*at as usize..].starts_with(tag.as_bytes()), "{tag} at {at}");
        }
        assert_eq!(map[13], bytes.len() as u64, "the last entry is the end of the file");
        // 5 + 16 bytes of text, 1 + 1 + 2 + 4 + 8 of numbers, 4 for the date.
        let data = map[9] as usize + "<data>".len();
        assert_eq!(map[10] as usize, data + 7 * 41 + "</data>".len());
        assert_eq!(&bytes[data..data + 8], b"00622756");
        // Row 3 starts with .a in the byte `website`, after 21 bytes of text.
        assert_eq!(bytes[data + 2 * 41 + 21], 102);
    }

    /// The bytes of `m` in a variable of `kind`.
    fn missing(kind: Kind, m: Missing) -> Vec<u8> {
        let mut buf = Vec::new();
        kind.put_missing(m, &mut buf);
        buf
    }

    #[test]
    fn extended_missing_values_are_readstats() {
        // src/stata/readstat_dta.h: DTA_113_MISSING_* + 1 is .a; doubles step by 2^40.
        let (a, e) = (Missing::Skipped, Missing::Suppressed);
        assert_eq!(missing(Kind::Byte, a), [102]);
        assert_eq!(missing(Kind::Byte, e), [106]);
        assert_eq!(missing(Kind::Int, a), 32_742i16.to_le_bytes());
        assert_eq!(missing(Kind::Int, e), 32_746i16.to_le_bytes());
        assert_eq!(missing(Kind::Long, a), 2_147_483_622i32.to_le_bytes());
        assert_eq!(missing(Kind::Date, e), 2_147_483_626i32.to_le_bytes());
        assert_eq!(missing(Kind::Double, a), 0x7FE0_0100_0000_0000u64.to_le_bytes());
        assert_eq!(missing(Kind::Double, e), 0x7FE0_0500_0000_0000u64.to_le_bytes());
        assert_eq!(missing(Kind::Str(3), e), [0, 0, 0]);
        let codes: Vec<i32> = missing_labels(Lang::En).map(|(code, _)| code).collect();
        assert_eq!(
            codes,
            [2_147_483_622, 2_147_483_623, 2_147_483_624, 2_147_483_625, 2_147_483_626]
        );
    }

    /// The error of writing `cells` as the only row of `table`.
    fn error(table: &Table, cells: &[Cell<'_>]) -> String {
        let dir = tempfile::TempDir::new().unwrap();
        let error = write(table, &[cells.to_vec()], &dir.path().join("bad.dta")).unwrap_err();
        assert_eq!(error.kind(), io::ErrorKind::InvalidInput);
        error.to_string()
    }

    #[test]
    fn what_stata_cannot_hold_is_an_error_naming_the_variable() {
        let one =
            |storage| Table { variables: vec![variable("q1", "Q1", storage, None)], ..table() };
        let byte = one(Storage::Byte);
        assert!(error(&byte, &[Cell::Number(101.0)]).contains("q1"));
        assert!(error(&byte, &[Cell::Number(-128.0)]).contains("q1"));
        assert!(error(&one(Storage::Int), &[Cell::Number(32_741.0)]).contains("q1"));
        assert!(error(&one(Storage::Long), &[Cell::Number(3e9)]).contains("q1"));
        assert!(error(&one(Storage::Double), &[Cell::Number(f64::NAN)]).contains("q1"));
        assert!(error(&byte, &[Cell::Text("1")]).contains("q1"));
        assert!(error(&one(Storage::Text { width: 4 }), &[Cell::Text("Hà Nội")]).contains("q1"));
        assert!(error(&one(Storage::Text { width: 2046 }), &[]).contains("q1"));
        assert!(error(&byte, &[]).contains("0 cells"));
        let mut long = table();
        long.value_labels[1].labels[0].1 = "x".repeat(MAX_VALUE_LABEL + 1);
        assert!(error(&long, &[]).contains("yesno"));
        let mut taken = table();
        taken.value_labels.push(set(MISSING_SET, &[]));
        assert!(error(&taken, &[]).contains(MISSING_SET));
        // In range after rounding, and the shared set is left out when nobody uses it.
        let dir = tempfile::TempDir::new().unwrap();
        let path = dir.path().join("ok.dta");
        let mut plain = one(Storage::Byte);
        plain.variables[0].missing = false;
        write(&plain, &[vec![Cell::Number(100.4)]], &path).unwrap();
        let bytes = std::fs::read(path).unwrap();
        assert!(!bytes.windows(MISSING_SET.len()).any(|w| w == MISSING_SET.as_bytes()));
    }

    #[test]
    fn value_labels_are_kept_whole_up_to_stata_limit() {
        let label = "Có ".repeat(MAX_VALUE_LABEL / 4);
        let bytes = value_labels(&[set("yesno", &[(0, "Không"), (1, &label)])]).unwrap();
        let text = label.len() + "Không".len() + 2;
        assert_eq!(bytes.len(), "<value_labels><lbl>".len() + 4 + 132 + 8 + 16 + text + 21);
        assert!(bytes.windows(label.len()).any(|w| w == label.as_bytes()));
    }

    const HAVEN: &str = r#"
        library(haven)
        d <- read_dta(commandArgs(trailingOnly = TRUE)[1])
        show <- function(x) {
            shown <- if (inherits(x, "Date")) as.character(x) else
                vapply(as.numeric(x), format, "", scientific = FALSE, digits = 15)
            ifelse(is.na(x), paste0("NA(", na_tag(x), ")"), shown)
        }
        line <- function(...) cat(..., "\n", sep = "|")
        line("file", attr(d, "label"))
        for (n in names(d)) {
            x <- d[[n]]
            line(n, class(x)[1], attr(x, "label"),
                 paste(if (is.character(x)) x else show(x), collapse = ","))
            labels <- attr(x, "labels")
            if (!is.null(labels)) line(n, paste0(show(labels), "=", names(labels), collapse = ";"))
        }
        # The codes' levels in code order; haven orders the missing codes' own way.
        levels <- levels(as_factor(d$level))
        line("levels", paste(levels[1:4], collapse = ";"),
             paste(sort(levels[-(1:4)], method = "radix"), collapse = ";"))
        line("factor", paste(as_factor(d$level)[1:2], collapse = ","))
    "#;

    #[test]
    fn haven_reads_values_labels_and_tagged_missing_values() {
        let (_dir, path) = sample();
        let Some(out) = readers::r(HAVEN, &[path.to_str().unwrap()], "haven") else { return };
        let labels = MISSING_LABELS.replace('=', ")=").replace(';', ";NA(");
        let labels = format!("NA({labels}");
        let expected = format!(
            "file|Khảo sát chuyển đổi số Hà Nội 2025|\n\
             id|character|Mã doanh nghiệp|00622,00070,00001,00002,00003,00004,00005|\n\
             hex|character|Mã định danh|7560071068e61754,,,,,,|\n\
             website|haven_labelled|Doanh nghiệp có website không?|1,0,NA(a),NA(b),NA(c),NA(d),NA(e)|\n\
             website|0=Không;1=Có;{labels}|\n\
             level|haven_labelled|{SHORT_LABEL}|1,4,NA(b),NA(c),NA(d),NA(e),NA(a)|\n\
             level|1=Khởi đầu;2=Đang hình thành;3=Phát triển;4=Dẫn đầu;{labels}|\n\
             staff|haven_labelled|Số lao động|12,32000,NA(c),NA(d),NA(e),NA(a),NA(b)|\n\
             staff|{labels}|\n\
             revenue|haven_labelled|Doanh thu (triệu đồng)|1500000000,-5,NA(d),NA(e),NA(a),NA(b),NA(c)|\n\
             revenue|{labels}|\n\
             share|haven_labelled|Tỷ lệ chi cho số hoá|0.25,-1.5,NA(e),NA(a),NA(b),NA(c),NA(d)|\n\
             share|{labels}|\n\
             surveyed|Date|Ngày khảo sát|2022-01-08,1960-01-01,NA(a),NA(b),NA(c),NA(d),NA(e)|\n\
             levels|Khởi đầu;Đang hình thành;Phát triển;Dẫn đầu|\
             Bỏ qua (không được hỏi);Gộp (tầng gộp nhiều nhóm);Không biết;Không áp dụng;Ẩn (bảo mật)|\n\
             factor|Khởi đầu,Dẫn đầu|\n"
        );
        assert_eq!(out, expected);
    }

    const PYREADSTAT: &str = r#"
import sys, pyreadstat
df, meta = pyreadstat.read_dta(sys.argv[1], user_missing=True)
print("file", meta.file_label, sep="|")
print("labels", *meta.column_labels, sep="|")
for name in df.columns:
    print(name, ",".join(f"{type(v).__name__}:{v}" for v in df[name]), sep="|")
for name, labels in meta.variable_value_labels.items():
    print(name, ";".join(f"{code}={label}" for code, label in labels.items()), sep="|")
for name, tags in meta.missing_user_values.items():
    print("missing", name, ",".join(tags), sep="|")
"#;

    #[test]
    fn pyreadstat_reads_values_labels_and_user_missing_values() {
        let (_dir, path) = sample();
        let Some(out) = readers::python(PYREADSTAT, &[path.to_str().unwrap()], "pyreadstat") else {
            return;
        };
        let expected = format!(
            "file|Khảo sát chuyển đổi số Hà Nội 2025\n\
             labels|Mã doanh nghiệp|Mã định danh|Doanh nghiệp có website không?|{SHORT_LABEL}|\
             Số lao động|Doanh thu (triệu đồng)|Tỷ lệ chi cho số hoá|Ngày khảo sát\n\
             id|str:00622,str:00070,str:00001,str:00002,str:00003,str:00004,str:00005\n\
             hex|str:7560071068e61754,str:,str:,str:,str:,str:,str:\n\
             website|int:1,int:0,str:a,str:b,str:c,str:d,str:e\n\
             level|int:1,int:4,str:b,str:c,str:d,str:e,str:a\n\
             staff|int:12,int:32000,str:c,str:d,str:e,str:a,str:b\n\
             revenue|int:1500000000,int:-5,str:d,str:e,str:a,str:b,str:c\n\
             share|float:0.25,float:-1.5,str:e,str:a,str:b,str:c,str:d\n\
             surveyed|date:2022-01-08,date:1960-01-01,str:a,str:b,str:c,str:d,str:e\n\
             website|0=Không;1=Có;{MISSING_LABELS}\n\
             level|1=Khởi đầu;2=Đang hình thành;3=Phát triển;4=Dẫn đầu;{MISSING_LABELS}\n\
             staff|{MISSING_LABELS}\n\
             revenue|{MISSING_LABELS}\n\
             share|{MISSING_LABELS}\n\
             missing|website|a,b,c,d,e\n\
             missing|level|a,b,c,d,e\n\
             missing|staff|a,b,c,d,e\n\
             missing|revenue|a,b,c,d,e\n\
             missing|share|a,b,c,d,e\n\
             missing|surveyed|a,b,c,d,e\n"
        );
        assert_eq!(out, expected);
    }

    /// pandas parses `.dta` on its own (not through ReadStat), following the map.
    const PANDAS: &str = r#"
import sys, pandas
df = pandas.read_stata(sys.argv[1], convert_missing=True, convert_dates=False,
                       convert_categoricals=False)
for name in df.columns:
    print(name, ",".join(str(v) for v in df[name]), sep="|")
with pandas.io.stata.StataReader(sys.argv[1]) as reader:
    for name, labels in reader.value_labels().items():
        print(name, ",".join(str(code) for code in labels), sep="|")
"#;

    #[test]
    fn pandas_reads_the_raw_values() {
        let (_dir, path) = sample();
        let Some(out) = readers::python(PANDAS, &[path.to_str().unwrap()], "pandas") else {
            return;
        };
        let missing = "2147483622,2147483623,2147483624,2147483625,2147483626";
        let expected = format!(
            "id|00622,00070,00001,00002,00003,00004,00005\n\
             hex|7560071068e61754,,,,,,\n\
             website|1,0,.a,.b,.c,.d,.e\n\
             level|1,4,.b,.c,.d,.e,.a\n\
             staff|12,32000,.c,.d,.e,.a,.b\n\
             revenue|1500000000,-5,.d,.e,.a,.b,.c\n\
             share|0.25,-1.5,.e,.a,.b,.c,.d\n\
             surveyed|22653,0,.a,.b,.c,.d,.e\n\
             level|1,2,3,4,{missing}\n\
             yesno|0,1,{missing}\n\
             missing_codes|{missing}\n"
        );
        assert_eq!(out, expected);
    }
}
