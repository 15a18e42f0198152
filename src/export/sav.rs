//! SPSS system files (`.sav`), laid out as PSPP's description of the system file format
//! (<https://www.gnu.org/software/pspp/pspp-dev/html_node/System-File-Format.html>) and
//! checked against ReadStat (`src/spss/readstat_sav_write.c`), which R's haven and Python's
//! pyreadstat both read with: "$FL2", little-endian, bytecode-compressed, UTF-8 (declared by
//! the character encoding record). The dictionary goes out first; the rows follow as they
//! come, compressed eight values at a time, and `finish` seeks back to patch the number of
//! cases into the header.

use std::collections::{BTreeMap, HashSet};
use std::io::{self, Seek, SeekFrom, Write};

use super::table::{Cell, Measure, Missing, RowWriter, Storage, Table, Variable, shorten};

/// SPSS's system-missing value: the most negative finite double.
const SYSMIS: f64 = -f64::MAX;
/// Bytecode compression stores a whole number `x` in −99…151 as the one byte `x + BIAS`.
const BIAS: f64 = 100.0;
/// Compression codes: the next 8 raw bytes follow the block; 8 spaces; system-missing.
const RAW: u8 = 253;
const SPACES: u8 = 254;
const SYSMIS_CODE: u8 = 255;
/// Seconds from SPSS's epoch, 1582-10-14 (the eve of the Gregorian calendar), to 1970-01-01:
/// 141,428 days of 86,400 seconds.
const UNIX_EPOCH: f64 = 12_219_379_200.0;
/// Offset of the header's `ncases`, unknown (−1) until `finish`.
const NCASES_AT: u64 = 80;
/// SPSS documents variable labels of up to 255 bytes (PSPP truncates there when it reads),
/// value labels of up to 120 bytes, short strings of up to 255 bytes and names of up to 64.
const VARIABLE_LABEL_BYTES: usize = 255;
const VALUE_LABEL_BYTES: usize = 120;
const STRING_BYTES: usize = 255;
const NAME_BYTES: usize = 64;
/// The file label in the header.
const FILE_LABEL_BYTES: usize = 64;
/// SPSS syntax's reserved words, which cannot name a variable.
const RESERVED: [&str; 13] =
    ["all", "and", "by", "eq", "ge", "gt", "le", "lt", "ne", "not", "or", "to", "with"];
/// The print format of a continuation record (A29, as SPSS and ReadStat write; ignored).
const CONTINUATION_FORMAT: i32 = 0x01_1d_01;
/// UTF-8's code page, for the machine integer info record.
const UTF8_CODE_PAGE: i32 = 65001;

/// How a variable is laid out in the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// A number; `missing` when the codes of [`Missing`] are declared user-missing.
    Number { missing: bool },
    /// Seconds since 1582-10-14. A date declares no user-missing values: every reader would
    /// show a code as a date in 1582, so missing dates are system-missing.
    Date,
    /// A string of `width` bytes, padded with spaces to whole 8-byte slots.
    Text { width: usize },
}

impl Kind {
    fn of(v: &Variable) -> io::Result<Kind> {
        Ok(match v.storage {
            Storage::Date => Kind::Date,
            Storage::Text { width } if (1..=STRING_BYTES).contains(&width) => Kind::Text { width },
            Storage::Text { width } => {
                return Err(invalid(format!(
                    "variable {}: text of width {width}; an SPSS string holds 1 to {STRING_BYTES} bytes",
                    v.name
                )));
            }
            Storage::Byte | Storage::Int | Storage::Long | Storage::Double => {
                Kind::Number { missing: v.missing }
            }
        })
    }

    /// The 8-byte slots of a case it takes, one variable record each.
    fn slots(self) -> usize {
        match self {
            Kind::Text { width } => width.div_ceil(8),
            _ => 1,
        }
    }
}

/// A print format: (type, width, decimals). F8 would show Long's 2,000,000,000 in E notation.
fn format(storage: Storage) -> (i32, i32, i32) {
    const A: i32 = 1;
    const F: i32 = 5;
    const DATE: i32 = 20;
    match storage {
        Storage::Byte | Storage::Int => (F, 8, 0),
        Storage::Long => (F, 11, 0),
        Storage::Double => (F, 12, 4),
        Storage::Date => (DATE, 11, 0),
        // Widths are at most 255 (checked by `Kind::of`).
        Storage::Text { width } => (A, width as i32, 0),
    }
}

fn invalid(message: String) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidInput, message)
}

/// A streaming writer of one `.sav` file.
pub struct SavWriter<W: Write + Seek> {
    out: W,
    /// Where the file starts in `out`, for patching the header.
    start: u64,
    names: Vec<String>,
    kinds: Vec<Kind>,
    block: Block,
    rows: u64,
}

impl<W: Write + Seek> SavWriter<W> {
    /// Writes the file header and the dictionary; rows follow.
    pub fn new(table: &Table, mut out: W) -> io::Result<Self> {
        let kinds = check(table)?;
        let start = out.stream_position()?;
        let shorts = short_names(table);
        let slots = kinds.iter().map(|k| k.slots()).sum();
        header(&mut out, table, slots)?;
        for ((v, kind), short) in table.variables.iter().zip(&kinds).zip(&shorts) {
            variable_record(&mut out, v, *kind, short)?;
        }
        value_labels(&mut out, table, &kinds)?;
        info_records(&mut out, table, &kinds, &shorts)?;
        put_i32s(&mut out, &[999, 0])?; // the end of the dictionary
        let names = table.variables.iter().map(|v| v.name.clone()).collect();
        Ok(SavWriter { out, start, names, kinds, block: Block::default(), rows: 0 })
    }

    /// Every cell fits its variable; checked before any is written, so that a bad row
    /// leaves the file as it was.
    fn check_row(&self, cells: &[Cell<'_>]) -> io::Result<()> {
        if cells.len() != self.kinds.len() {
            let (got, want) = (cells.len(), self.kinds.len());
            return Err(invalid(format!("a row of {got} cells for {want} variables")));
        }
        for ((kind, cell), name) in self.kinds.iter().zip(cells).zip(&self.names) {
            match (kind, cell) {
                (Kind::Text { width }, Cell::Text(s)) if s.len() > *width => {
                    return Err(invalid(format!(
                        "variable {name}: a text of {} bytes is wider than its {width}",
                        s.len()
                    )));
                }
                (Kind::Text { .. }, Cell::Text(_))
                | (Kind::Number { .. }, Cell::Number(_))
                | (Kind::Date, Cell::Date(_))
                | (_, Cell::Missing(_)) => {}
                _ => return Err(invalid(format!("variable {name} cannot hold {cell:?}"))),
            }
        }
        Ok(())
    }

    /// Writes the last block and the number of cases; returns the output.
    fn end(mut self) -> io::Result<W> {
        self.block.flush(&mut self.out)?;
        // Past i32::MAX cases the header keeps −1, "unknown": readers then read to the end.
        let ncases = i32::try_from(self.rows).unwrap_or(-1);
        self.out.seek(SeekFrom::Start(self.start + NCASES_AT))?;
        self.out.write_all(&ncases.to_le_bytes())?;
        self.out.seek(SeekFrom::End(0))?;
        self.out.flush()?;
        Ok(self.out)
    }
}

impl<W: Write + Seek> RowWriter for SavWriter<W> {
    fn row(&mut self, cells: &[Cell<'_>]) -> io::Result<()> {
        self.check_row(cells)?;
        for (kind, cell) in self.kinds.iter().zip(cells) {
            self.block.cell(&mut self.out, *kind, *cell)?;
        }
        self.rows += 1;
        Ok(())
    }

    fn finish(self: Box<Self>) -> io::Result<()> {
        self.end().map(drop)
    }
}

/// One block of bytecode compression: 8 codes, then the raw 8-byte values some of them
/// announce. Blocks run on across cases.
#[derive(Default)]
struct Block {
    codes: [u8; 8],
    len: usize,
    raw: Vec<u8>,
}

impl Block {
    fn cell(&mut self, out: &mut impl Write, kind: Kind, cell: Cell<'_>) -> io::Result<()> {
        match (kind, cell) {
            (Kind::Text { width }, Cell::Text(s)) => self.text(out, s, width),
            (Kind::Text { width }, _) => self.text(out, "", width),
            (Kind::Date, Cell::Date(days)) => {
                self.number(out, f64::from(days).mul_add(86_400.0, UNIX_EPOCH))
            }
            (Kind::Number { missing: true }, Cell::Missing(m)) => {
                self.number(out, f64::from(m.code()))
            }
            (_, Cell::Number(x)) => self.number(out, x),
            // Missing where no codes are declared stays missing: system-missing, not a
            // code that would read as a valid −1.
            _ => self.number(out, SYSMIS),
        }
    }

    fn number(&mut self, out: &mut impl Write, x: f64) -> io::Result<()> {
        // −0.0 is not compressed, so that it reads back as itself.
        let small =
            x.fract() == 0.0 && (-99.0..=151.0).contains(&x) && x.to_bits() != (-0.0_f64).to_bits();
        if !x.is_finite() || x == SYSMIS {
            self.push(out, SYSMIS_CODE, None)
        } else if small {
            self.push(out, (x + BIAS) as u8, None)
        } else {
            self.push(out, RAW, Some(x.to_le_bytes()))
        }
    }

    fn text(&mut self, out: &mut impl Write, s: &str, width: usize) -> io::Result<()> {
        let bytes = s.as_bytes();
        for slot in 0..width.div_ceil(8) {
            let mut chunk = [b' '; 8];
            let part = bytes.get(slot * 8..).unwrap_or_default();
            let n = part.len().min(8);
            chunk[..n].copy_from_slice(&part[..n]);
            if chunk == [b' '; 8] {
                self.push(out, SPACES, None)?;
            } else {
                self.push(out, RAW, Some(chunk))?;
            }
        }
        Ok(())
    }

    fn push(&mut self, out: &mut impl Write, code: u8, raw: Option<[u8; 8]>) -> io::Result<()> {
        self.codes[self.len] = code;
        self.len += 1;
        if let Some(raw) = raw {
            self.raw.extend_from_slice(&raw);
        }
        if self.len == 8 { self.flush(out) } else { Ok(()) }
    }

    /// Writes the block, its unused codes 0 (padding, which readers skip).
    fn flush(&mut self, out: &mut impl Write) -> io::Result<()> {
        if self.len == 0 {
            return Ok(());
        }
        self.codes[self.len..].fill(0);
        out.write_all(&self.codes)?;
        out.write_all(&self.raw)?;
        self.len = 0;
        self.raw.clear();
        Ok(())
    }
}

/// The layout of every variable, after checking what SPSS cannot hold.
fn check(table: &Table) -> io::Result<Vec<Kind>> {
    if table.variables.is_empty() {
        return Err(invalid("an SPSS file needs at least one variable".to_string()));
    }
    let mut seen = HashSet::new();
    let kinds = table.variables.iter().map(|v| {
        check_name(&v.name)?;
        if !seen.insert(v.name.to_ascii_lowercase()) {
            return Err(invalid(format!("variable {}: the name is used twice", v.name)));
        }
        let kind = Kind::of(v)?;
        match v.value_labels {
            Some(_) if matches!(kind, Kind::Text { .. }) => Err(invalid(format!(
                "variable {}: value labels on a text variable are not written",
                v.name
            ))),
            Some(set) if set >= table.value_labels.len() => {
                Err(invalid(format!("variable {}: no value labels set {set}", v.name)))
            }
            _ => Ok(kind),
        }
    });
    kinds.collect()
}

fn check_name(name: &str) -> io::Result<()> {
    let valid = name.len() <= NAME_BYTES
        && name.starts_with(|c: char| c.is_ascii_alphabetic())
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
        && !RESERVED.contains(&name.to_ascii_lowercase().as_str());
    if valid {
        Ok(())
    } else {
        Err(invalid(format!(
            "variable {name:?}: not an SPSS name (a letter, then letters, digits and _, \
             at most {NAME_BYTES} bytes, no reserved word)"
        )))
    }
}

/// The 8-byte names of the variable records, unique, upper-case: the first 8 characters of
/// the name, or when those are taken, fewer of them and a number (SECURIT1). The long
/// variable names record maps them back to the full names.
fn short_names(table: &Table) -> Vec<String> {
    let mut used = HashSet::new();
    let mut short = |name: &str| {
        let upper = name.to_ascii_uppercase();
        let prefix = |n: usize| &upper[..upper.len().min(n)];
        let numbered = (1_usize..).map(|k| format!("{}{k}", prefix(8 - k.to_string().len())));
        let name = std::iter::once(prefix(8).to_string())
            .chain(numbered)
            .find(|candidate| !used.contains(candidate))
            .expect("the numbered candidates never run out");
        used.insert(name.clone());
        name
    };
    table.variables.iter().map(|v| short(&v.name)).collect()
}

fn le_i32s(values: &[i32]) -> Vec<u8> {
    values.iter().flat_map(|v| v.to_le_bytes()).collect()
}

fn put_i32s(out: &mut impl Write, values: &[i32]) -> io::Result<()> {
    out.write_all(&le_i32s(values))
}

fn put_f64s(out: &mut impl Write, values: &[f64]) -> io::Result<()> {
    values.iter().try_for_each(|v| out.write_all(&v.to_le_bytes()))
}

/// `text` padded with spaces to `len` bytes (callers shorten it first).
fn padded(text: &str, len: usize) -> Vec<u8> {
    let mut bytes = text.as_bytes().to_vec();
    bytes.resize(len, b' ');
    bytes
}

/// The header record: 176 bytes.
fn header(out: &mut impl Write, table: &Table, slots: usize) -> io::Result<()> {
    let case_size = i32::try_from(slots).map_err(|_| invalid("too many variables".into()))?;
    out.write_all(b"$FL2")?;
    // Readers recognise a system file by this product name prefix.
    out.write_all(&padded("@(#) SPSS DATA FILE - dxsurvey", 60))?;
    // Layout code 2, the case size in slots, compression 1 (bytecode), no weight variable,
    // the number of cases unknown until `finish`.
    put_i32s(out, &[2, case_size, 1, 0, -1])?;
    put_f64s(out, &[BIAS])?;
    let (date, time) = created();
    out.write_all(date.as_bytes())?;
    out.write_all(time.as_bytes())?;
    let label = shorten(&table.label, FILE_LABEL_BYTES, FILE_LABEL_BYTES);
    out.write_all(&padded(&label, FILE_LABEL_BYTES))?;
    out.write_all(&[0; 3])
}

/// The creation date and time, UTC: "dd Mon yy" and "hh:mm:ss".
fn created() -> (String, String) {
    const MONTHS: [&str; 12] =
        ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
    let now = time::OffsetDateTime::now_utc();
    let month = MONTHS[usize::from(u8::from(now.month())) - 1];
    let date = format!("{:02} {month} {:02}", now.day(), now.year().rem_euclid(100));
    let time = format!("{:02}:{:02}:{:02}", now.hour(), now.minute(), now.second());
    (date, time)
}

/// The user-missing range: the codes of [`Missing`], −5 … −1.
fn missing_range() -> [f64; 2] {
    let codes = Missing::ALL.map(|m| f64::from(m.code()));
    [codes.iter().copied().fold(f64::MAX, f64::min), codes.iter().copied().fold(f64::MIN, f64::max)]
}

/// The variable record (type 2), then one continuation record for every further 8 bytes of
/// a string.
fn variable_record(out: &mut impl Write, v: &Variable, kind: Kind, short: &str) -> io::Result<()> {
    let label = shorten(&v.label, VARIABLE_LABEL_BYTES, VARIABLE_LABEL_BYTES);
    let width = match kind {
        Kind::Text { width } => width as i32,
        _ => 0,
    };
    // −2: one range, LO…HI.
    let n_missing = if kind == (Kind::Number { missing: true }) { -2 } else { 0 };
    let (kind_code, w, d) = format(v.storage);
    let format = kind_code << 16 | w << 8 | d;
    put_i32s(out, &[2, width, i32::from(!label.is_empty()), n_missing, format, format])?;
    out.write_all(&padded(short, 8))?;
    if !label.is_empty() {
        put_i32s(out, &[label.len() as i32])?;
        out.write_all(&padded(&label, label.len().div_ceil(4) * 4))?;
    }
    if n_missing != 0 {
        put_f64s(out, &missing_range())?;
    }
    for _ in 1..kind.slots() {
        put_i32s(out, &[2, -1, 0, 0, CONTINUATION_FORMAT, CONTINUATION_FORMAT])?;
        out.write_all(&[b' '; 8])?;
    }
    Ok(())
}

/// Value labels: a record 3 (the labels) and a record 4 (the variables' dictionary indexes)
/// for each set and whether the variables declare the missing codes, whose labels join the
/// set's.
fn value_labels(out: &mut impl Write, table: &Table, kinds: &[Kind]) -> io::Result<()> {
    let mut groups: BTreeMap<(Option<usize>, bool), Vec<i32>> = BTreeMap::new();
    let mut index = 1; // dictionary indexes count slots from 1
    for (v, kind) in table.variables.iter().zip(kinds) {
        let missing = match kind {
            Kind::Number { missing } => Some(*missing),
            Kind::Date => Some(false),
            Kind::Text { .. } => None,
        };
        if let Some(missing) = missing {
            groups.entry((v.value_labels, missing)).or_default().push(index);
        }
        index += kind.slots() as i32;
    }
    for ((set, missing), variables) in groups {
        let labels = labels_of(table, set, missing);
        if labels.is_empty() {
            continue;
        }
        put_i32s(out, &[3, labels.len() as i32])?;
        for (code, label) in labels {
            let label = shorten(label, VALUE_LABEL_BYTES, VALUE_LABEL_BYTES);
            put_f64s(out, &[f64::from(code)])?;
            out.write_all(&[label.len() as u8])?;
            // The length byte and the label fill whole 8-byte units.
            out.write_all(&padded(&label, (label.len() + 1).div_ceil(8) * 8 - 1))?;
        }
        put_i32s(out, &[4, variables.len() as i32])?;
        put_i32s(out, &variables)?;
    }
    Ok(())
}

/// The labels of a set, with those of the missing codes, ascending by code.
fn labels_of(table: &Table, set: Option<usize>, missing: bool) -> BTreeMap<i32, &str> {
    let mut labels = BTreeMap::new();
    if missing {
        labels.extend(Missing::ALL.map(|m| (m.code(), m.label(table.lang))));
    }
    if let Some(set) = set {
        labels.extend(table.value_labels[set].labels.iter().map(|(c, l)| (*c, l.as_str())));
    }
    labels
}

/// An extension record (type 7): `data` in units of `size` bytes.
fn extension(out: &mut impl Write, subtype: i32, size: usize, data: &[u8]) -> io::Result<()> {
    put_i32s(out, &[7, subtype, size as i32, (data.len() / size) as i32])?;
    out.write_all(data)
}

/// Machine integer and floating-point info, display parameters, long names and encoding.
fn info_records(
    out: &mut impl Write,
    table: &Table,
    kinds: &[Kind],
    shorts: &[String],
) -> io::Result<()> {
    // Version 20.0.0 as ReadStat writes; machine −1; IEEE 754; compression 1; little-endian.
    let machine = le_i32s(&[20, 0, 0, -1, 1, 1, 2, UTF8_CODE_PAGE]);
    extension(out, 3, 4, &machine)?;
    let lowest = f64::from_bits(SYSMIS.to_bits() - 1); // the next double above SYSMIS
    let floats: Vec<u8> = [SYSMIS, f64::MAX, lowest].iter().flat_map(|f| f.to_le_bytes()).collect();
    extension(out, 4, 8, &floats)?;
    extension(out, 11, 4, &le_i32s(&display(table, kinds)))?;
    let long_names: Vec<String> =
        table.variables.iter().zip(shorts).map(|(v, s)| format!("{s}={}", v.name)).collect();
    extension(out, 13, 1, long_names.join("\t").as_bytes())?;
    extension(out, 20, 1, b"UTF-8")
}

/// The variable display parameters: measure, width and alignment of every variable.
fn display(table: &Table, kinds: &[Kind]) -> Vec<i32> {
    const LEFT: i32 = 0;
    const RIGHT: i32 = 1;
    let measure = |v: &Variable, kind: &Kind| match (v.measure, kind) {
        (Measure::Nominal, _) => 1,
        (Measure::Ordinal, _) => 2,
        // SPSS allows no scale strings.
        (Measure::Scale, Kind::Text { .. }) => 1,
        (Measure::Scale, _) => 3,
    };
    let params = table.variables.iter().zip(kinds).map(|(v, kind)| {
        let align = if matches!(kind, Kind::Text { .. }) { LEFT } else { RIGHT };
        [measure(v, kind), format(v.storage).1, align]
    });
    params.flatten().collect()
}

#[cfg(test)]
mod tests {
    use std::collections::{BTreeMap, BTreeSet};
    use std::fs::File;
    use std::io::{BufWriter, Cursor};
    use std::path::Path;

    use super::*;
    use crate::export::readers;
    use crate::export::table::ValueLabels;
    use crate::kernel::Lang;

    const YES_NO: usize = 0;
    const LEVEL: usize = 1;
    const TRAINING: usize = 2;
    const ROWS: usize = 20;
    const IDS: [&str; 4] = ["00622", "00070", "10234", "00001"];
    const HEXES: [&str; 3] = ["7560071068e61754", "00000000000000ff", "a1b2c3d4e5f60789"];
    const COMMENTS: [&str; 4] = ["", "Tốt", "Rất hài lòng, cảm ơn!", "Cần hỗ trợ chuyển đổi số!"];
    /// The edges of compression (−99 and 151 fit a byte; −100 and 152 do not), a fraction
    /// that must come back exactly, a huge number and −0.
    const SCORES: [f64; 8] = [45.31673881673882, 3.0, -99.0, 1e300, 151.0, 152.0, -100.0, -0.0];

    fn long_label() -> String {
        let sentence = "Doanh nghiệp có sử dụng dịch vụ điện toán đám mây trong hoạt động sản \
                        xuất kinh doanh không?";
        [sentence; 3].join(" ")
    }

    fn variable(name: &str, label: &str, storage: Storage, measure: Measure) -> Variable {
        let (value_labels, missing) = (None, false);
        Variable { name: name.into(), label: label.into(), storage, measure, value_labels, missing }
    }

    fn labelled(mut v: Variable, set: Option<usize>, missing: bool) -> Variable {
        v.value_labels = set;
        v.missing = missing;
        v
    }

    fn set(name: &str, labels: &[(i32, &str)]) -> ValueLabels {
        let labels = labels.iter().map(|(code, label)| (*code, label.to_string())).collect();
        ValueLabels { name: name.into(), labels }
    }

    /// Every storage; names longer than 8 bytes, two sharing their first 8; Vietnamese
    /// labels, one variable label and one value label past their limits.
    fn survey() -> Table {
        use Measure::{Nominal, Ordinal, Scale};
        let number = |name, label, storage, measure| variable(name, label, storage, measure);
        let variables = vec![
            variable("id", "Mã doanh nghiệp", Storage::Text { width: 5 }, Nominal),
            variable("hex_id", "Mã giả danh", Storage::Text { width: 16 }, Nominal),
            labelled(
                number("website", "Doanh nghiệp có website không?", Storage::Byte, Nominal),
                Some(YES_NO),
                true,
            ),
            labelled(
                number("level", "Mức độ trưởng thành số", Storage::Byte, Ordinal),
                Some(LEVEL),
                true,
            ),
            labelled(number("employees", &long_label(), Storage::Int, Scale), None, true),
            number("revenue", "Doanh thu (triệu đồng)", Storage::Long, Scale),
            labelled(
                number("security_measures_firewall", "An ninh: tường lửa", Storage::Byte, Nominal),
                Some(YES_NO),
                true,
            ),
            labelled(
                number("security_measures_backup", "An ninh: sao lưu", Storage::Byte, Nominal),
                Some(YES_NO),
                false,
            ),
            labelled(
                number("training", "Đào tạo kỹ năng số", Storage::Byte, Nominal),
                Some(TRAINING),
                true,
            ),
            number("score", "Điểm tổng hợp", Storage::Double, Scale),
            number("submitted", "Ngày nộp", Storage::Date, Scale),
            variable("comment", "Góp ý", Storage::Text { width: 40 }, Scale),
        ];
        let long_value_label = "Có, ".to_string() + &long_label();
        let value_labels = vec![
            set("yes_no", &[(0, "Không"), (1, "Có")]),
            set(
                "level",
                &[(1, "Khởi đầu"), (2, "Đang hình thành"), (3, "Phát triển"), (4, "Dẫn đầu")],
            ),
            set("training", &[(0, "Không"), (1, "Có"), (2, &long_value_label)]),
        ];
        let label = "Khảo sát chuyển đổi số doanh nghiệp Hà Nội 2025: dữ liệu vi mô công bố";
        Table { label: label.into(), lang: Lang::Vi, variables, value_labels }
    }

    /// Row `i` of 20: every missing kind in `level`, a missing cell where none is declared
    /// (`revenue`), dates before 1970 and at SPSS's epoch.
    fn cells(i: usize) -> Vec<Cell<'static>> {
        let n = |x: usize| Cell::Number(x as f64);
        vec![
            Cell::Text(IDS[i % 4]),
            Cell::Text(HEXES[i % 3]),
            if i % 5 == 4 { Cell::Missing(Missing::DontKnow) } else { n(i % 2) },
            if i % 4 == 3 { Cell::Missing(Missing::ALL[i / 4]) } else { n(i / 2 % 4 + 1) },
            if i % 3 == 2 { Cell::Missing(Missing::ALL[i % 5]) } else { n(i * 37) },
            if i == 7 { Cell::Missing(Missing::Skipped) } else { n(1_500_000_000 + i) },
            if i == 0 { Cell::Missing(Missing::Suppressed) } else { n(i % 2) },
            n((i + 1) % 2),
            n(i % 3),
            Cell::Number(SCORES.get(i).copied().unwrap_or(i as f64 / 7.0)),
            match i {
                1 | 6 | 11 => Cell::Missing(Missing::Skipped),
                2 => Cell::Date(-3653),
                3 => Cell::Date(-141_428),
                _ => Cell::Date(19_000 + 17 * i as i32),
            },
            if i == 5 {
                Cell::Missing(Missing::NotApplicable)
            } else {
                Cell::Text(COMMENTS[i % 4])
            },
        ]
    }

    fn rows() -> Vec<Vec<Cell<'static>>> {
        (0..ROWS).map(cells).collect()
    }

    fn write_survey(path: &Path) {
        let file = BufWriter::new(File::create(path).expect("temporary file"));
        let mut writer: Box<dyn RowWriter> =
            Box::new(SavWriter::new(&survey(), file).expect("dictionary"));
        for row in rows() {
            writer.row(&row).expect("row");
        }
        writer.finish().expect("finish");
    }

    fn i32_at(bytes: &[u8], at: usize) -> i32 {
        i32::from_le_bytes(bytes[at..at + 4].try_into().expect("4 bytes"))
    }

    #[test]
    fn the_header_says_what_follows() {
        let dir = tempfile::tempdir().expect("temporary directory");
        let path = dir.path().join("survey.sav");
        write_survey(&path);
        let bytes = std::fs::read(&path).expect("written");
        assert_eq!(&bytes[..4], b"$FL2");
        assert!(bytes[4..64].starts_with(b"@(#) SPSS DATA FILE"));
        assert_eq!(i32_at(&bytes, 64), 2, "layout code");
        // 1 + 2 + 9 numbers + 5 slots of `comment`: 17 slots, so blocks straddle rows and
        // 20 rows leave the last block half full.
        assert_eq!(i32_at(&bytes, 68), 17, "slots of a case");
        assert_eq!(i32_at(&bytes, 72), 1, "bytecode compression");
        assert_eq!(i32_at(&bytes, 80), ROWS as i32, "ncases, patched");
        assert_eq!(f64::from_le_bytes(bytes[84..92].try_into().expect("8 bytes")), 100.0);
        let created = std::str::from_utf8(&bytes[92..109]).expect("ASCII");
        assert!(created.as_bytes()[2] == b' ' && created[11..].contains(':'), "{created}");
        let label = shorten(&survey().label, 64, 64);
        assert!(label.ends_with('…') && survey().label.len() > 64, "{label}");
        assert_eq!(&bytes[109..173], &padded(&label, 64)[..]);
    }

    #[test]
    fn spss_dates_count_seconds_from_1582_10_14() {
        use time::{Date, Month};
        let epoch = Date::from_calendar_date(1582, Month::October, 14).expect("a date");
        let unix = Date::from_calendar_date(1970, Month::January, 1).expect("a date");
        assert_eq!((unix - epoch).whole_seconds() as f64, UNIX_EPOCH);
    }

    #[test]
    fn rows_are_compressed_in_blocks_of_eight_codes() {
        let table = Table {
            label: String::new(),
            lang: Lang::En,
            variables: vec![
                labelled(variable("n", "", Storage::Byte, Measure::Scale), None, true),
                variable("t", "", Storage::Text { width: 10 }, Measure::Nominal),
            ],
            value_labels: vec![],
        };
        let mut writer = SavWriter::new(&table, Cursor::new(Vec::new())).expect("dictionary");
        let dictionary = writer.out.get_ref().len();
        writer.row(&[Cell::Number(1.0), Cell::Text("abc")]).expect("row");
        writer
            .row(&[Cell::Missing(Missing::DontKnow), Cell::Missing(Missing::Skipped)])
            .expect("row");
        // A bad row is refused whole: nothing of it reaches the file.
        let wide = writer.row(&[Cell::Number(2.0), Cell::Text("01234567890")]);
        assert!(wide.expect_err("too wide").to_string().contains("variable t"));
        let short = writer.row(&[Cell::Number(2.0)]);
        assert!(short.expect_err("one cell").to_string().contains("1 cells for 2 variables"));
        writer.row(&[Cell::Number(1000.5), Cell::Text("0123456789")]).expect("row");
        let bytes = writer.end().expect("finish").into_inner();
        assert_eq!(&bytes[dictionary - 8..dictionary], &le_i32s(&[999, 0])[..]);
        let mut expected = vec![101, RAW, SPACES, 97, SPACES, SPACES, RAW, RAW];
        expected.extend_from_slice(b"abc     ");
        expected.extend_from_slice(&1000.5_f64.to_le_bytes());
        expected.extend_from_slice(b"01234567");
        expected.extend_from_slice(&[RAW, 0, 0, 0, 0, 0, 0, 0]);
        expected.extend_from_slice(b"89      ");
        assert_eq!(&bytes[dictionary..], &expected[..]);
        assert_eq!(i32_at(&bytes, 80), 3, "ncases");
    }

    #[test]
    fn what_spss_cannot_hold_is_refused_by_name() {
        let refused = |v: Variable| {
            let table = Table { variables: vec![v], ..survey() };
            SavWriter::new(&table, Cursor::new(Vec::new())).err().expect("refused").to_string()
        };
        let wide = variable("long_text", "", Storage::Text { width: 256 }, Measure::Nominal);
        assert!(refused(wide).contains("long_text"));
        let reserved = variable("with", "", Storage::Byte, Measure::Nominal);
        assert!(refused(reserved).contains("\"with\""));
        let text = variable("labelled_text", "", Storage::Text { width: 4 }, Measure::Nominal);
        assert!(refused(labelled(text, Some(0), false)).contains("labelled_text"));
    }

    #[test]
    fn short_names_are_unique_prefixes() {
        let shorts = short_names(&survey());
        assert_eq!(
            shorts,
            [
                "ID", "HEX_ID", "WEBSITE", "LEVEL", "EMPLOYEE", "REVENUE", "SECURITY", "SECURIT1",
                "TRAINING", "SCORE", "SUBMITTE", "COMMENT"
            ]
        );
        let names = ["security_a", "security_b", "securit1"];
        let variables =
            names.iter().map(|n| variable(n, "", Storage::Byte, Measure::Nominal)).collect();
        let shorts = short_names(&Table { variables, ..survey() });
        assert_eq!(shorts, ["SECURITY", "SECURIT1", "SECURIT2"]);
    }

    /// What every reader must give for a cell: numbers as Rust writes them, dates ISO,
    /// NA for system-missing, blanks for missing text.
    fn expected_value(kind: Kind, cell: Cell<'_>) -> String {
        match (kind, cell) {
            (_, Cell::Text(s)) => s.to_string(),
            (Kind::Text { .. }, _) => String::new(),
            (_, Cell::Number(x)) => x.to_string(),
            (Kind::Number { missing: true }, Cell::Missing(m)) => m.code().to_string(),
            (_, Cell::Date(days)) => {
                time::Date::from_julian_day(2_440_588 + days).expect("a date").to_string()
            }
            (_, Cell::Missing(_)) => "NA".into(),
        }
    }

    /// What both readers print, in the form of `read`: `key=value|value…` lines.
    fn expected(table: &Table) -> BTreeMap<String, String> {
        let kinds = check(table).expect("valid");
        let rows = rows();
        let names: Vec<&str> = table.variables.iter().map(|v| v.name.as_str()).collect();
        let mut map = BTreeMap::from([
            ("nrow".to_string(), ROWS.to_string()),
            ("names".to_string(), names.join("|")),
        ]);
        for (j, (v, kind)) in table.variables.iter().zip(&kinds).enumerate() {
            let values: Vec<String> = rows.iter().map(|r| expected_value(*kind, r[j])).collect();
            map.insert(format!("values:{}", v.name), values.join("|"));
            map.insert(format!("label:{}", v.name), shorten(&v.label, 255, 255));
            let mut labels = v.value_labels.map(|s| table.value_labels[s].labels.clone());
            if v.missing {
                let codes = Missing::ALL.map(|m| (m.code(), m.label(table.lang).to_string()));
                labels.get_or_insert_default().extend(codes);
                map.insert(format!("na_range:{}", v.name), "-5|-1".into());
            }
            if let Some(mut labels) = labels {
                labels.sort();
                let shown = labels.iter().map(|(c, l)| format!("{c}:{}", shorten(l, 120, 120)));
                map.insert(format!("labels:{}", v.name), shown.collect::<Vec<_>>().join("|"));
            }
        }
        map
    }

    /// Parses a reader's `key=value` lines, writing numbers as Rust does so that both sides
    /// compare exactly.
    fn read(output: &str, table: &Table) -> BTreeMap<String, String> {
        let numeric = |key: &str| {
            key.starts_with("na_range:")
                || table.variables.iter().any(|v| {
                    key == format!("values:{}", v.name)
                        && matches!(Kind::of(v), Ok(Kind::Number { .. }))
                })
        };
        let canonical = |item: &str| match item {
            "NA" => item.to_string(),
            _ => item.parse::<f64>().expect("a number").to_string(),
        };
        let lines = output.lines().filter_map(|line| line.split_once('='));
        lines
            .map(|(key, value)| {
                let value = if numeric(key) {
                    value.split('|').map(canonical).collect::<Vec<_>>().join("|")
                } else {
                    value.to_string()
                };
                (key.to_string(), value)
            })
            .collect()
    }

    /// Lists every key whose value differs, rather than two long maps.
    fn assert_same(read: &BTreeMap<String, String>, expected: &BTreeMap<String, String>) {
        let keys: BTreeSet<&String> = read.keys().chain(expected.keys()).collect();
        let differences: Vec<String> = keys
            .into_iter()
            .filter(|key| read.get(*key) != expected.get(*key))
            .map(|key| {
                let (got, want) = (read.get(key), expected.get(key));
                format!("{key}:\n  read     {got:?}\n  expected {want:?}")
            })
            .collect();
        assert!(differences.is_empty(), "{}", differences.join("\n"));
    }

    const R_SCRIPT: &str = r#"
library(haven)
d <- read_sav(commandArgs(TRUE)[1], user_na = TRUE)
out <- function(key, value) cat(key, "=", paste(value, collapse = "|"), "\n", sep = "")
out("nrow", nrow(d))
out("names", names(d))
for (n in names(d)) {
  x <- d[[n]]
  raw <- unclass(x)
  out(paste0("values:", n), if (is.numeric(x)) sprintf("%.17g", raw) else as.character(x))
  out(paste0("label:", n), attr(x, "label", exact = TRUE))
  l <- attr(x, "labels", exact = TRUE)
  if (!is.null(l)) out(paste0("labels:", n), paste0(unclass(l), ":", names(l))[order(l)])
  r <- attr(x, "na_range", exact = TRUE)
  if (!is.null(r)) out(paste0("na_range:", n), sprintf("%.17g", r))
  out(paste0("class:", n), class(x)[1])
  if (is.numeric(x)) out(paste0("is_na:", n), as.integer(is.na(x)))
}
out("levels:level", levels(as_factor(d$level)))
out("zapped:level", as.integer(is.na(zap_missing(d$level))))
"#;

    const PYTHON_SCRIPT: &str = r#"
import sys
import pandas as pd
import pyreadstat
sys.stdout.reconfigure(encoding="utf-8")
df, meta = pyreadstat.read_sav(sys.argv[1], user_missing=True)
def show(x):
    if x is None or (not isinstance(x, str) and pd.isna(x)):
        return "NA"
    return repr(float(x)) if isinstance(x, (int, float)) else str(x)
labels = dict(zip(meta.column_names, meta.column_labels))
lines = [f"nrow={meta.number_rows}", "names=" + "|".join(meta.column_names),
         f"file_label={meta.file_label}"]
for n in meta.column_names:
    lines.append(f"values:{n}=" + "|".join(show(x) for x in df[n]))
    lines.append(f"label:{n}={labels[n] or ''}")
    if n in meta.variable_value_labels:
        pairs = sorted(meta.variable_value_labels[n].items())
        lines.append(f"labels:{n}=" + "|".join(f"{int(k)}:{v}" for k, v in pairs))
    for r in meta.missing_ranges.get(n, []):
        lines.append(f"na_range:{n}={show(r['lo'])}|{show(r['hi'])}")
    lines.append(f"measure:{n}={meta.variable_measure[n]}")
print("\n".join(lines))
"#;

    fn survey_file() -> (tempfile::TempDir, String) {
        let dir = tempfile::tempdir().expect("temporary directory");
        let path = dir.path().join("survey.sav");
        write_survey(&path);
        let path = path.to_str().expect("a UTF-8 path").to_string();
        (dir, path)
    }

    #[test]
    fn haven_reads_values_labels_and_missing_codes() {
        let (_dir, path) = survey_file();
        let Some(output) = readers::r(R_SCRIPT, &[&path], "haven") else { return };
        let table = survey();
        let mut expected = expected(&table);
        let (kinds, rows) = (check(&table).expect("valid"), rows());
        for (j, (v, kind)) in table.variables.iter().zip(kinds).enumerate() {
            let class = match kind {
                Kind::Text { .. } => "character",
                Kind::Date => "Date",
                Kind::Number { missing: true } => "haven_labelled_spss",
                Kind::Number { .. } if v.value_labels.is_some() => "haven_labelled",
                Kind::Number { .. } => "numeric",
            };
            expected.insert(format!("class:{}", v.name), class.into());
            if let Kind::Number { .. } = kind {
                let na = rows.iter().map(|r| u8::from(matches!(r[j], Cell::Missing(_))));
                let na: Vec<String> = na.map(|b| b.to_string()).collect();
                expected.insert(format!("is_na:{}", v.name), na.join("|"));
            }
        }
        let levels = "Ẩn (bảo mật)|Gộp (tầng gộp nhiều nhóm)|Không biết|Không áp dụng|\
                      Bỏ qua (không được hỏi)|Khởi đầu|Đang hình thành|Phát triển|Dẫn đầu";
        expected.insert("levels:level".into(), levels.into());
        let zapped = expected["is_na:level"].clone();
        expected.insert("zapped:level".into(), zapped);
        assert_same(&read(&output, &table), &expected);
    }

    #[test]
    fn pyreadstat_reads_values_labels_missing_ranges_and_measures() {
        let (_dir, path) = survey_file();
        let Some(output) = readers::python(PYTHON_SCRIPT, &[&path], "pyreadstat") else {
            return;
        };
        let table = survey();
        let mut expected = expected(&table);
        expected.insert("file_label".into(), shorten(&table.label, 64, 64));
        for v in &table.variables {
            let measure = match (v.measure, v.storage) {
                (Measure::Ordinal, _) => "ordinal",
                (Measure::Scale, Storage::Text { .. }) | (Measure::Nominal, _) => "nominal",
                (Measure::Scale, _) => "scale",
            };
            expected.insert(format!("measure:{}", v.name), measure.into());
        }
        assert_same(&read(&output, &table), &expected);
    }

    #[test]
    fn the_limits_cut_labels_at_a_character() {
        let table = survey();
        let label = &expected(&table)["label:employees"];
        assert!(long_label().len() > 255 && label.len() <= 255 && label.ends_with('…'));
        let levels = &expected(&table)["labels:level"];
        assert!(levels.ends_with("1:Khởi đầu|2:Đang hình thành|3:Phát triển|4:Dẫn đầu"));
        let training = &expected(&table)["labels:training"];
        let long = training.rsplit('|').next().expect("a label");
        assert!(long.starts_with("2:Có, Doanh") && long.len() <= 122, "{long}");
    }
}
