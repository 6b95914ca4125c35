//! Streaming NAACCR XML reader for untrusted files (plain or gzip), one patient at a time.
//!
//! Follows the reference reader (imsweb/naaccr-xml): structural faults refuse the whole file
//! ([`FatalError`]); item-level faults are reported per patient ([`ReadProblem`]) and reading
//! goes on. No DTDs or entities beyond XML's predefined ones; every buffer is bounded ([`Limits`]).

use std::io::BufRead;

use quick_xml::NsReader;

use super::naaccr_read_xml::{Tag, XmlEvents};
use super::naaccr_xml::PatientItems;
use super::xml_source::{Bounded, Source};
use crate::domain::naaccr::value::{ValueProblem, is_xsd_date_time, pad_left_zero, validate_value};
use crate::domain::naaccr::{Dictionary, Level, RecordType};

pub use super::naaccr_read_xml::{FatalError, Limits, SPECIFICATION_VERSIONS};

/// What is wrong with one item (the record is still delivered).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProblemKind {
    /// Not in the dictionary, or not allowed for the record type; the value was dropped.
    UnknownNaaccrId,
    /// `naaccrNum` does not belong to the `naaccrId`; the value is kept.
    BadNaaccrNum { given: i64, expected: u32 },
    /// Item under the wrong element; the value was dropped.
    WrongLevel { expected: Level },
    /// Length, data type or spaces; the value is kept.
    Value(ValueProblem),
    /// The root `timeGenerated` attribute is not an xsd:dateTime.
    BadTimeGenerated(String),
    /// Flat files: a line of the wrong length for its record type (read as far as it goes).
    BadLineLength { expected: usize, got: usize },
    /// Flat files: a patient-level value differs between the lines of one patient (first kept).
    PatientValueMismatch,
}

/// A non-fatal problem found while reading.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadProblem {
    /// What is wrong.
    pub kind: ProblemKind,
    /// The item concerned, if any.
    pub naaccr_id: Option<String>,
    /// The element the item was found in.
    pub level: Level,
    /// Index of the tumor within its patient when `level` is Tumor.
    pub tumor: Option<usize>,
    /// Byte offset in the (decompressed) input.
    pub offset: u64,
}

/// One patient as read, with the problems found in it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReadPatient {
    /// Patient-level `(naaccrId, value)` pairs in file order.
    pub items: Vec<(String, String)>,
    /// Tumor-level pairs, one list per tumor.
    pub tumors: Vec<Vec<(String, String)>>,
    /// Problems found in this patient and its tumors.
    pub problems: Vec<ReadProblem>,
}

impl ReadPatient {
    /// The items in the writer's shape.
    pub fn into_items(self) -> PatientItems {
        PatientItems { items: self.items, tumors: self.tumors }
    }
}

/// The root element: dictionary, record type and root-level items.
#[derive(Debug, Clone)]
pub struct ReadHeader {
    /// The base dictionary named by `baseDictionaryUri`.
    pub dictionary: &'static Dictionary,
    /// `recordType` of the file.
    pub record_type: RecordType,
    /// `specificationVersion` as given.
    pub specification_version: String,
    /// `userDictionaryUri` as given (user dictionaries are not loaded).
    pub user_dictionary_uri: Option<String>,
    /// `timeGenerated` as given.
    pub time_generated: Option<String>,
    /// `NaaccrData`-level items.
    pub items: Vec<(String, String)>,
    /// Problems with the root element and its items.
    pub problems: Vec<ReadProblem>,
}

/// Reads a NAACCR XML document; iterate it for patients. After an `Err` the iterator ends.
pub struct NaaccrXmlReader<R: BufRead> {
    xml: XmlEvents<R>,
    header: ReadHeader,
    /// A `<Patient>` start tag was read and its body is next.
    pending_patient: bool,
    done: bool,
    /// Per dictionary item: stamp of the element that last had it (duplicate check).
    seen: Vec<u32>,
    generation: u32,
    unknown_seen: Vec<String>,
}

impl<R: BufRead> NaaccrXmlReader<R> {
    /// Opens a document with default [`Limits`]; reads the root and its items.
    pub fn new(input: R) -> Result<Self, FatalError> {
        Self::with_limits(input, Limits::default())
    }

    /// Opens a document with explicit limits.
    pub fn with_limits(input: R, limits: Limits) -> Result<Self, FatalError> {
        let source = Source::detect(input).map_err(|e| FatalError::Io(e.to_string()))?;
        let mut ns = NsReader::from_reader(Bounded::new(source, limits.max_event_bytes));
        let config = ns.config_mut();
        config.expand_empty_elements = true;
        config.trim_text(false);
        let mut xml = XmlEvents::new(ns, limits);
        let root = xml.root()?;
        // Without a user dictionary named, the version's default one applies (v14–v21).
        let dictionary = Dictionary::for_reading(&root.base_dictionary_uri)
            .map_err(|_| FatalError::UnsupportedVersion(root.base_dictionary_uri.clone()))?;
        let mut header = ReadHeader {
            dictionary,
            record_type: root.record_type,
            specification_version: root.specification_version,
            user_dictionary_uri: root.user_dictionary_uri,
            time_generated: root.time_generated,
            items: Vec::new(),
            problems: Vec::new(),
        };
        if let Some(t) = header.time_generated.as_deref().filter(|t| !is_xsd_date_time(t)) {
            header.problems.push(ReadProblem {
                kind: ProblemKind::BadTimeGenerated(t.to_owned()),
                naaccr_id: None,
                level: Level::NaaccrData,
                tumor: None,
                offset: 0,
            });
        }
        let mut reader = Self {
            xml,
            seen: vec![0; dictionary.items.len()],
            header,
            pending_patient: false,
            done: false,
            generation: 0,
            unknown_seen: Vec::new(),
        };
        let (mut items, mut problems) = (Vec::new(), Vec::new());
        let more = reader.read_items(Level::NaaccrData, None, &mut items, &mut problems)?;
        reader.header.items = items;
        reader.header.problems.extend(problems);
        reader.after_child(more)?;
        Ok(reader)
    }

    /// The root element as read.
    pub fn header(&self) -> &ReadHeader {
        &self.header
    }

    /// Byte offset of the last XML event read (decompressed input).
    pub fn position(&self) -> u64 {
        self.xml.offset()
    }

    /// Notes whether a `<Patient>` follows, or checks that the document ends cleanly.
    fn after_child(&mut self, child_started: bool) -> Result<(), FatalError> {
        self.pending_patient = child_started;
        if !child_started {
            self.xml.expect_eof()?;
            self.done = true;
        }
        Ok(())
    }

    fn read_patient(&mut self) -> Result<ReadPatient, FatalError> {
        let mut p = ReadPatient::default();
        let mut tumor_next =
            self.read_items(Level::Patient, None, &mut p.items, &mut p.problems)?;
        while tumor_next {
            if p.tumors.len() >= self.xml.limits().max_tumors_per_patient {
                return Err(FatalError::TooLarge("tumors in one patient"));
            }
            let index = p.tumors.len();
            let mut tumor = Vec::new();
            if self.read_items(Level::Tumor, Some(index), &mut tumor, &mut p.problems)? {
                return Err(FatalError::UnexpectedElement {
                    element: "Tumor".into(),
                    parent: "Tumor".into(),
                });
            }
            p.tumors.push(tumor);
            tumor_next = self.xml.next_sibling(Level::Patient)?;
        }
        Ok(p)
    }

    /// Reads the items of the element just opened at `level`. Returns `true` when a child
    /// element (Patient under NaaccrData, Tumor under Patient) was opened, `false` at the end tag.
    fn read_items(
        &mut self,
        level: Level,
        tumor: Option<usize>,
        items: &mut Vec<(String, String)>,
        problems: &mut Vec<ReadProblem>,
    ) -> Result<bool, FatalError> {
        self.generation = self.generation.wrapping_add(1);
        if self.generation == 0 {
            self.seen.fill(0);
            self.generation = 1;
        }
        self.unknown_seen.clear();
        self.xml.enter_element();
        let mut count = 0;
        loop {
            let Tag::Item { id, num, value } = (match self.xml.next_in(level)? {
                Some(tag) => tag,
                None => return Ok(false),
            }) else {
                return Ok(true);
            };
            count += 1;
            if count > self.xml.limits().max_items_per_element {
                return Err(FatalError::TooLarge("items in one element"));
            }
            let offset = self.xml.offset();
            let dict = self.header.dictionary;
            let index = dict.index_of(&id);
            let duplicate = match index.and_then(|i| self.seen.get_mut(i)) {
                Some(stamp) => std::mem::replace(stamp, self.generation) == self.generation,
                None if self.unknown_seen.contains(&id) => true,
                None => {
                    self.unknown_seen.push(id.clone());
                    false
                }
            };
            if duplicate {
                return Err(FatalError::DuplicateItem { naaccr_id: id, element: level.as_str() });
            }
            let mut report = |kind, id: &str| {
                problems.push(ReadProblem {
                    kind,
                    naaccr_id: Some(id.to_owned()),
                    level,
                    tumor,
                    offset,
                })
            };
            let def = match index.and_then(|i| dict.items.get(i)) {
                Some(d) if d.record_types.contains(self.header.record_type) => d,
                _ => {
                    report(ProblemKind::UnknownNaaccrId, &id);
                    continue;
                }
            };
            if let Some(n) = num.filter(|&n| n != i64::from(def.number)) {
                let expected = def.number;
                report(ProblemKind::BadNaaccrNum { given: n, expected }, &id);
            }
            if def.level != level {
                report(ProblemKind::WrongLevel { expected: def.level }, &id);
                continue;
            }
            if value.is_empty() {
                continue;
            }
            let value = pad_left_zero(def, value.into()).into_owned();
            for p in validate_value(def, &value) {
                report(ProblemKind::Value(p), &id);
            }
            items.push((id, value));
        }
    }
}

impl<R: BufRead> Iterator for NaaccrXmlReader<R> {
    type Item = Result<ReadPatient, FatalError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done || !self.pending_patient {
            return None;
        }
        let result = self.read_patient().and_then(|p| {
            let more = self.xml.next_sibling(Level::NaaccrData)?;
            self.after_child(more)?;
            Ok(p)
        });
        if result.is_err() {
            self.done = true;
        }
        Some(result)
    }
}

#[cfg(test)]
#[path = "naaccr_read_tests.rs"]
mod tests;
