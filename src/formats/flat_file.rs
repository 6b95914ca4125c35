//! NAACCR fixed-width flat files, v14 to v18 (v18 is the last version with a column layout).
//!
//! A version's layout is its base dictionary's `startColumn`s plus its default user dictionary
//! (reserved and state fields), which together tile the record (v18: I 4048, C 6154, A/M 24194
//! columns; v14–v16: I 3339, C 5564, A/M 22824). The version is read from columns 17–19 of the
//! first line. Lines become the same `(naaccrId, value)` items as NAACCR XML, grouped into patients
//! by consecutive `patientIdNumber`.

use std::collections::HashMap;
use std::io::{BufRead, Read};
use std::sync::OnceLock;

use super::naaccr_read::{ProblemKind, ReadPatient, ReadProblem};
use super::naaccr_xml::PatientItems;
use crate::domain::naaccr::value::{ValueError, format_value, validate_value};
use crate::domain::naaccr::{Dictionary, DictionaryError, ItemDef, Level, Padding, RecordType};

/// The version flat files are written in (the last with a column layout).
pub const FLAT_VERSION: &str = "180";

/// The versions with a flat layout, oldest first.
pub const FLAT_VERSIONS: [&str; 4] = ["140", "150", "160", "180"];

/// Errors that stop reading (or writing) a flat file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FlatError {
    #[error("cannot read the input: {0}")]
    Io(String),
    #[error("flat layout unavailable: {0}")]
    Dictionary(#[from] DictionaryError),
    #[error("line {line} has no end within the longest record length")]
    LineTooLong { line: u64 },
    #[error("line {line}: record type `{found}` is not A, M, C or I")]
    UnsupportedRecordType { line: u64, found: String },
    #[error("line {line}: record type differs from the first line's")]
    MixedRecordTypes { line: u64 },
    #[error("line {line}: NAACCR version `{found}` (columns 17-19) is not 140, 150, 160 or 180")]
    UnsupportedVersion { line: u64, found: String },
    #[error("line {line}: NAACCR version `{found}` differs from the first line's")]
    MixedVersions { line: u64, found: String },
    #[error("line {line}: more than {max} tumors for one patient")]
    TooManyTumors { line: u64, max: usize },
    #[error("item `{0}` has no column in the layout for this record type")]
    UnknownItem(String),
    #[error(transparent)]
    Value(#[from] ValueError),
}

/// The column layout of one version.
#[derive(Debug)]
pub struct FlatLayout {
    /// The version's dictionary as files are read (base and default user dictionary).
    pub dictionary: &'static Dictionary,
    /// Items sorted by start column.
    fields: Vec<&'static ItemDef>,
    by_id: HashMap<&'static str, usize>,
}

static LAYOUTS: [OnceLock<Result<FlatLayout, DictionaryError>>; 4] =
    [OnceLock::new(), OnceLock::new(), OnceLock::new(), OnceLock::new()];

impl FlatLayout {
    /// The layout of a version of [`FLAT_VERSIONS`], built on first use; `None` for another.
    pub fn for_version(version: &str) -> Option<Result<&'static FlatLayout, FlatError>> {
        let slot = FLAT_VERSIONS.iter().position(|v| *v == version)?;
        let layout = LAYOUTS[slot].get_or_init(|| {
            let dictionary = Dictionary::for_reading(&Dictionary::base_uri(version))?;
            let mut fields: Vec<&'static ItemDef> =
                dictionary.items.iter().filter(|d| d.start_column.is_some()).collect();
            fields.sort_by_key(|d| d.start_column);
            let by_id = fields.iter().enumerate().map(|(i, d)| (d.naaccr_id.as_str(), i)).collect();
            Ok(FlatLayout { dictionary, fields, by_id })
        });
        Some(layout.as_ref().map_err(|e| FlatError::Dictionary(e.clone())))
    }

    /// The v18 layout, the one files are written in.
    pub fn v18() -> Result<&'static FlatLayout, FlatError> {
        Self::for_version(FLAT_VERSION).unwrap_or_else(|| {
            Err(FlatError::Dictionary(DictionaryError::Unknown(FLAT_VERSION.into())))
        })
    }

    /// Fields in column order.
    pub fn fields(&self) -> &[&'static ItemDef] {
        &self.fields
    }

    /// A field by naaccrId.
    pub fn get(&self, naaccr_id: &str) -> Option<&'static ItemDef> {
        self.by_id.get(naaccr_id).and_then(|&i| self.fields.get(i)).copied()
    }

    /// Record length of a record type: the last column of its last field.
    pub fn line_length(&self, rt: RecordType) -> usize {
        self.fields
            .iter()
            .filter(|d| d.record_types.contains(rt))
            .map(|d| d.start_column.unwrap_or(1).saturating_sub(1) + d.length)
            .max()
            .unwrap_or(0)
    }
}

struct Line {
    root: Vec<(String, String)>,
    patient: Vec<(String, String)>,
    tumor: Vec<(String, String)>,
    problems: Vec<ReadProblem>,
    patient_id: String,
}

/// The longest line of any version: A/M records of v18.
const LONGEST_LINE: usize = 24194;

/// Reads a flat file (v14–v18) patient by patient. After an `Err` the iterator ends.
pub struct FlatFileReader<R: BufRead> {
    input: R,
    /// The layout of the version the first line names.
    layout: Option<&'static FlatLayout>,
    record_type: Option<RecordType>,
    root_items: Vec<(String, String)>,
    pending: Option<Line>,
    line_no: u64,
    offset: u64,
    buf: Vec<u8>,
    done: bool,
}

impl<R: BufRead> FlatFileReader<R> {
    /// A reader over `input`; the layout is chosen by the first line's version.
    pub fn new(input: R) -> Result<Self, FlatError> {
        Ok(Self {
            input,
            layout: None,
            record_type: None,
            root_items: Vec::new(),
            pending: None,
            line_no: 0,
            offset: 0,
            buf: Vec::new(),
            done: false,
        })
    }

    /// The record type of the file, once the first line was read.
    pub fn record_type(&self) -> Option<RecordType> {
        self.record_type
    }

    /// The dictionary of the file's version, once the first line was read.
    pub fn dictionary(&self) -> Option<&'static Dictionary> {
        self.layout.map(|l| l.dictionary)
    }

    /// `NaaccrData`-level items (record type, registry, version) of the first line.
    pub fn root_items(&self) -> &[(String, String)] {
        &self.root_items
    }

    fn read_line(&mut self) -> Result<Option<Line>, FlatError> {
        loop {
            self.buf.clear();
            // Four bytes per column covers any UTF-8; anything longer is not a record.
            let max = 4 * LONGEST_LINE as u64 + 2;
            let n = (&mut self.input)
                .take(max)
                .read_until(b'\n', &mut self.buf)
                .map_err(|e| FlatError::Io(e.to_string()))?;
            if n == 0 {
                return Ok(None);
            }
            self.line_no += 1;
            let offset = self.offset;
            self.offset += n as u64;
            if n as u64 == max && self.buf.last() != Some(&b'\n') {
                return Err(FlatError::LineTooLong { line: self.line_no });
            }
            while matches!(self.buf.last(), Some(b'\n' | b'\r')) {
                self.buf.pop();
            }
            if self.buf.is_empty() {
                continue;
            }
            // Latin-1 and friends keep their column positions: one replacement char per byte.
            let text = String::from_utf8_lossy(&self.buf).into_owned();
            return self.parse_line(&text, offset).map(Some);
        }
    }

    fn parse_line(&mut self, text: &str, offset: u64) -> Result<Line, FlatError> {
        let line = self.line_no;
        let chars: Vec<char> = text.chars().collect();
        let col =
            |from: usize, len: usize| -> String { chars.iter().skip(from).take(len).collect() };
        let code = col(0, 1);
        let rt = RecordType::from_code(&code)
            .ok_or(FlatError::UnsupportedRecordType { line, found: code })?;
        match self.record_type {
            None => self.record_type = Some(rt),
            Some(first) if first != rt => return Err(FlatError::MixedRecordTypes { line }),
            Some(_) => {}
        }
        let version = col(16, 3);
        let layout = match self.layout {
            None => {
                let layout = FlatLayout::for_version(&version)
                    .ok_or(FlatError::UnsupportedVersion { line, found: version })??;
                self.layout = Some(layout);
                layout
            }
            Some(l) if l.dictionary.version == version => l,
            Some(_) => return Err(FlatError::MixedVersions { line, found: version }),
        };
        let mut out = Line {
            root: Vec::new(),
            patient: Vec::new(),
            tumor: Vec::new(),
            problems: Vec::new(),
            patient_id: String::new(),
        };
        let expected = layout.line_length(rt);
        let problem = |kind, id: Option<&str>| ReadProblem {
            kind,
            naaccr_id: id.map(str::to_owned),
            level: Level::Tumor,
            tumor: None,
            offset,
        };
        if chars.len() != expected {
            let kind = ProblemKind::BadLineLength { expected, got: chars.len() };
            out.problems.push(problem(kind, None));
        }
        for def in layout.fields.iter().filter(|d| d.record_types.contains(rt)) {
            let raw = col(def.start_column.unwrap_or(1).saturating_sub(1), def.length);
            if raw.trim().is_empty() {
                continue;
            }
            let value = if def.trim { raw.trim().to_owned() } else { raw };
            if def.trim {
                for p in validate_value(def, &value) {
                    let mut pr = problem(ProblemKind::Value(p), Some(&def.naaccr_id));
                    pr.level = def.level;
                    out.problems.push(pr);
                }
            }
            let target = match def.level {
                Level::NaaccrData => &mut out.root,
                Level::Patient => &mut out.patient,
                Level::Tumor => &mut out.tumor,
            };
            if def.naaccr_id == "patientIdNumber" {
                out.patient_id.clone_from(&value);
            }
            target.push((def.naaccr_id.clone(), value));
        }
        Ok(out)
    }

    fn next_patient(&mut self) -> Result<Option<ReadPatient>, FlatError> {
        let first = match self.pending.take() {
            Some(l) => l,
            None => match self.read_line()? {
                Some(l) => l,
                None => return Ok(None),
            },
        };
        if self.root_items.is_empty() {
            self.root_items = first.root;
        }
        let mut p = ReadPatient {
            items: first.patient,
            tumors: vec![first.tumor],
            problems: first.problems,
        };
        let id = first.patient_id;
        while let Some(line) = self.read_line()? {
            if id.is_empty() || line.patient_id != id {
                self.pending = Some(line);
                break;
            }
            let index = p.tumors.len();
            // The XML reader's bound: consecutive lines of one patient are held in memory.
            let max = crate::formats::naaccr_read::Limits::default().max_tumors_per_patient;
            if index >= max {
                return Err(FlatError::TooManyTumors { line: self.line_no, max });
            }
            for mut pr in line.problems {
                pr.tumor = (pr.level == Level::Tumor).then_some(index);
                p.problems.push(pr);
            }
            // Patient items come from the first line; later lines should agree.
            for (k, v) in &line.patient {
                if p.items.iter().find(|(pk, _)| pk == k).is_none_or(|(_, pv)| pv != v) {
                    p.problems.push(ReadProblem {
                        kind: ProblemKind::PatientValueMismatch,
                        naaccr_id: Some(k.clone()),
                        level: Level::Patient,
                        tumor: Some(index),
                        offset: self.offset,
                    });
                }
            }
            p.tumors.push(line.tumor);
        }
        for pr in p.problems.iter_mut().filter(|pr| pr.level == Level::Tumor && pr.tumor.is_none())
        {
            pr.tumor = Some(0);
        }
        Ok(Some(p))
    }
}

impl<R: BufRead> Iterator for FlatFileReader<R> {
    type Item = Result<ReadPatient, FlatError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        let r = self.next_patient().transpose();
        if !matches!(r, Some(Ok(_))) {
            self.done = true;
        }
        r
    }
}

/// Builds the flat lines of one patient, one per tumor (test fixtures; a patient without tumors
/// gets one line). `recordType` and `naaccrRecordVersion` are filled in.
pub fn write_flat_lines(
    record_type: RecordType,
    root_items: &[(String, String)],
    patient: &PatientItems,
) -> Result<Vec<String>, FlatError> {
    let layout = FlatLayout::v18()?;
    let len = layout.line_length(record_type);
    let no_tumor = [Vec::new()];
    let tumors = if patient.tumors.is_empty() { &no_tumor[..] } else { &patient.tumors[..] };
    let mut lines = Vec::with_capacity(tumors.len());
    for tumor in tumors {
        let mut line = vec![' '; len];
        let fixed = [
            ("recordType".to_owned(), record_type.as_str().to_owned()),
            ("naaccrRecordVersion".to_owned(), FLAT_VERSION.to_owned()),
        ];
        for (id, raw) in fixed.iter().chain(root_items).chain(&patient.items).chain(tumor) {
            let def = layout
                .get(id)
                .filter(|d| d.record_types.contains(record_type))
                .ok_or_else(|| FlatError::UnknownItem(id.clone()))?;
            let Some(value) = format_value(def, raw)? else {
                continue;
            };
            let chars: Vec<char> = value.chars().take(def.length).collect();
            let start = def.start_column.unwrap_or(1).saturating_sub(1);
            let shift = match def.padding {
                Padding::LeftBlank | Padding::LeftZero => def.length.saturating_sub(chars.len()),
                Padding::None | Padding::RightZero => 0,
            };
            for (i, c) in chars.into_iter().enumerate() {
                if let Some(slot) = line.get_mut(start + shift + i) {
                    *slot = c;
                }
            }
        }
        lines.push(line.into_iter().collect());
    }
    Ok(lines)
}

#[cfg(test)]
#[path = "flat_file_tests.rs"]
mod tests;
