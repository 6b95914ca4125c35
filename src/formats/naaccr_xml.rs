//! Streaming NAACCR XML writer (specification 1.8, the NAACCR and SEER rules).
//!
//! Each patient is written as it is handed over, so memory stays flat whatever the file size.
//! Items the record type or level does not allow are skipped and counted, never written: an
//! incidence (I) file cannot leak a confidential item.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::io::Write;

use quick_xml::escape::escape;

use crate::domain::naaccr::value::{ValueError, format_value, is_xsd_date_time};
use crate::domain::naaccr::{Dictionary, Level, NAACCR_NS, RecordType};

pub use crate::domain::naaccr::SPECIFICATION_VERSION;

/// One patient and its tumors as `(naaccrId, value)` pairs; also what the readers yield.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PatientItems {
    /// Patient-level items.
    pub items: Vec<(String, String)>,
    /// One list of tumor-level items per tumor.
    pub tumors: Vec<Vec<(String, String)>>,
}

/// Item values of one element as (index in the dictionary's items, value): what an export
/// builds, so the writer does not look ids up again.
pub type IndexedItems<'a> = Vec<(usize, Cow<'a, str>)>;

/// One patient and its tumors by dictionary index.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IndexedPatient<'a> {
    pub items: IndexedItems<'a>,
    pub tumors: Vec<IndexedItems<'a>>,
}

/// Errors that stop writing.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    #[error("writing failed: {0}")]
    Io(#[from] std::io::Error),
    #[error("timeGenerated `{0}` is not an xsd:dateTime")]
    BadTimeGenerated(String),
    #[error("root items must be written before the first patient")]
    RootItemsAfterPatients,
}

/// Why an item was not written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum SkipReason {
    /// Not in the dictionary.
    UnknownId,
    /// The dictionary does not allow the item in this record type.
    NotInRecordType,
    /// Given at a level other than the dictionary's `parentXmlElement`.
    WrongLevel,
    /// Given twice for the same element; the first value was written.
    Duplicate,
    /// Longer than the item length after cleaning.
    TooLong,
}

impl SkipReason {
    /// The reason's name in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            SkipReason::UnknownId => "unknownId",
            SkipReason::NotInRecordType => "notInRecordType",
            SkipReason::WrongLevel => "wrongLevel",
            SkipReason::Duplicate => "duplicate",
            SkipReason::TooLong => "tooLong",
        }
    }
}

/// Counts of what was written and skipped.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WriteSummary {
    /// `<Patient>` elements written.
    pub patients: u64,
    /// `<Tumor>` elements written.
    pub tumors: u64,
    /// `<Item>` elements written (root items included).
    pub items: u64,
    /// naaccrId → reason → number of values skipped.
    pub skipped: BTreeMap<String, BTreeMap<SkipReason, u64>>,
}

impl WriteSummary {
    /// Total number of values skipped.
    pub fn skipped_total(&self) -> u64 {
        self.skipped.values().flat_map(|m| m.values()).sum()
    }
}

const PATIENT_INDENT: &[u8] = b"        ";
const TUMOR_INDENT: &[u8] = b"            ";

/// Writes one NAACCR XML document to `out`, one patient at a time.
pub struct NaaccrXmlWriter<'d, W: Write> {
    out: W,
    dict: &'d Dictionary,
    record_type: RecordType,
    summary: WriteSummary,
    /// Per dictionary item: the element generation that last wrote it (duplicate check without
    /// clearing a set per element).
    seen: Vec<u32>,
    generation: u32,
    patients_started: bool,
}

impl<'d, W: Write> NaaccrXmlWriter<'d, W> {
    /// Writes the XML declaration and the `NaaccrData` start tag.
    pub fn new(
        mut out: W,
        dict: &'d Dictionary,
        record_type: RecordType,
        time_generated: Option<String>,
    ) -> Result<Self, WriteError> {
        write!(
            out,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<NaaccrData baseDictionaryUri=\"{}\" recordType=\"{}\" specificationVersion=\"{SPECIFICATION_VERSION}\"",
            escape(dict.uri.as_str()),
            record_type.as_str(),
        )?;
        if let Some(t) = time_generated {
            if !is_xsd_date_time(&t) {
                return Err(WriteError::BadTimeGenerated(t));
            }
            write!(out, " timeGenerated=\"{}\"", escape(t.as_str()))?;
        }
        writeln!(out, " xmlns=\"{NAACCR_NS}\">")?;
        let mut writer = Self::fragment(out, dict, record_type);
        // Root items may still come before the first patient.
        writer.patients_started = false;
        Ok(writer)
    }

    /// A writer of `<Patient>` elements only (no declaration, no root element), for formatting
    /// patients on another thread; [`Self::write_fragment`] splices the result into a document.
    pub fn fragment(out: W, dict: &'d Dictionary, record_type: RecordType) -> Self {
        Self {
            out,
            dict,
            record_type,
            summary: WriteSummary::default(),
            seen: vec![0; dict.items.len()],
            generation: 0,
            patients_started: true,
        }
    }

    /// Appends `<Patient>` elements formatted by a [`Self::fragment`] writer for the same
    /// dictionary and record type.
    pub fn write_fragment(&mut self, patients: &[u8]) -> Result<(), WriteError> {
        self.patients_started = true;
        self.out.write_all(patients)?;
        Ok(())
    }

    /// The output of a fragment writer.
    pub fn into_inner(self) -> W {
        self.out
    }

    /// Writes `NaaccrData`-level items (registryId, …); only before the first patient.
    pub fn write_root_items(&mut self, items: &[(String, String)]) -> Result<(), WriteError> {
        if self.patients_started {
            return Err(WriteError::RootItemsAfterPatients);
        }
        self.write_items(Level::NaaccrData, items, b"    ")
    }

    /// Writes one `<Patient>` with its `<Tumor>`s.
    pub fn write_patient(&mut self, patient: &PatientItems) -> Result<(), WriteError> {
        self.patient_with(&patient.items, &patient.tumors, |w, level, items, indent| {
            w.write_items(level, items, indent)
        })
    }

    /// Writes one `<Patient>` given by dictionary index, with the same checks as
    /// [`Self::write_patient`].
    pub fn write_indexed(&mut self, patient: &IndexedPatient) -> Result<(), WriteError> {
        self.patient_with(&patient.items, &patient.tumors, |w, level, items, indent| {
            w.begin_element();
            for (index, value) in items {
                w.write_item(level, *index, value, indent)?;
            }
            Ok(())
        })
    }

    fn patient_with<T>(
        &mut self,
        items: &T,
        tumors: &[T],
        write: impl Fn(&mut Self, Level, &T, &[u8]) -> Result<(), WriteError>,
    ) -> Result<(), WriteError> {
        self.patients_started = true;
        self.out.write_all(b"    <Patient>\n")?;
        write(self, Level::Patient, items, PATIENT_INDENT)?;
        for tumor in tumors {
            self.out.write_all(b"        <Tumor>\n")?;
            write(self, Level::Tumor, tumor, TUMOR_INDENT)?;
            self.out.write_all(b"        </Tumor>\n")?;
            self.summary.tumors += 1;
        }
        self.out.write_all(b"    </Patient>\n")?;
        self.summary.patients += 1;
        Ok(())
    }

    /// What has been written and skipped so far.
    pub fn summary(&self) -> &WriteSummary {
        &self.summary
    }

    /// Closes the root element, flushes, and hands back the output and the summary.
    pub fn finish(mut self) -> Result<(W, WriteSummary), WriteError> {
        self.out.write_all(b"</NaaccrData>\n")?;
        self.out.flush()?;
        Ok((self.out, self.summary))
    }

    fn write_items(
        &mut self,
        level: Level,
        items: &[(String, String)],
        indent: &[u8],
    ) -> Result<(), WriteError> {
        self.begin_element();
        for (id, raw) in items {
            match self.dict.index_of(id) {
                Some(index) => self.write_item(level, index, raw, indent)?,
                None => self.skip(id, SkipReason::UnknownId),
            }
        }
        Ok(())
    }

    /// Starts the duplicate check of a new element.
    fn begin_element(&mut self) {
        self.generation = self.generation.wrapping_add(1);
        if self.generation == 0 {
            // Wrapped: stale stamps could alias the new generation.
            self.seen.fill(0);
            self.generation = 1;
        }
    }

    fn write_item(
        &mut self,
        level: Level,
        index: usize,
        raw: &str,
        indent: &[u8],
    ) -> Result<(), WriteError> {
        let dict: &'d Dictionary = self.dict;
        let Some(def) = dict.items.get(index) else {
            return Ok(());
        };
        let id = def.naaccr_id.as_str();
        if !def.record_types.contains(self.record_type) {
            self.skip(id, SkipReason::NotInRecordType);
            return Ok(());
        }
        if def.level != level {
            self.skip(id, SkipReason::WrongLevel);
            return Ok(());
        }
        let value = match format_value(def, raw) {
            Ok(Some(v)) => v,
            Ok(None) => return Ok(()),
            Err(ValueError::TooLong { .. }) => {
                self.skip(id, SkipReason::TooLong);
                return Ok(());
            }
        };
        // Only written values count, so an empty first value does not hide a second one.
        if let Some(stamp) = self.seen.get_mut(index) {
            if *stamp == self.generation {
                self.skip(id, SkipReason::Duplicate);
                return Ok(());
            }
            *stamp = self.generation;
        }
        // Pieces rather than `write!`: the formatting machinery was a tenth of an export.
        self.out.write_all(indent)?;
        self.out.write_all(b"<Item naaccrId=\"")?;
        self.out.write_all(id.as_bytes())?;
        self.out.write_all(b"\">")?;
        self.out.write_all(escape(value.as_ref()).as_bytes())?;
        self.out.write_all(b"</Item>\n")?;
        self.summary.items += 1;
        Ok(())
    }

    fn skip(&mut self, id: &str, reason: SkipReason) {
        let by_reason = match self.summary.skipped.get_mut(id) {
            Some(m) => m,
            None => self.summary.skipped.entry(id.to_owned()).or_default(),
        };
        *by_reason.entry(reason).or_insert(0) += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(items: &[(&str, &str)]) -> Vec<(String, String)> {
        items.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    fn write(version: &str, rt: RecordType, patient: &PatientItems) -> (String, WriteSummary) {
        let dict = Dictionary::for_version(version).expect("valid in test");
        let mut w = NaaccrXmlWriter::new(Vec::new(), dict, rt, None).expect("valid in test");
        w.write_patient(patient).expect("valid in test");
        let (out, summary) = w.finish().expect("valid in test");
        (String::from_utf8(out).expect("valid in test"), summary)
    }

    #[test]
    fn writes_root_and_items_formatted_and_escaped() {
        let dict = Dictionary::for_version("260").expect("valid in test");
        let t = Some("2024-08-23T09:11:35.414-04:00".to_string());
        let mut w =
            NaaccrXmlWriter::new(Vec::new(), dict, RecordType::A, t).expect("valid in test");
        w.write_root_items(&pairs(&[("registryId", "0012345678")])).expect("valid in test");
        let p = PatientItems {
            items: pairs(&[
                ("patientIdNumber", "42"),
                ("race1", "1"),
                ("nameLast", "O'Brien & <Co>"),
            ]),
            tumors: vec![pairs(&[("primarySite", "C509"), ("textRemarks", "")])],
        };
        w.write_patient(&p).expect("valid in test");
        assert!(matches!(w.write_root_items(&[]), Err(WriteError::RootItemsAfterPatients)));
        let (out, s) = w.finish().expect("valid in test");
        let xml = String::from_utf8(out).expect("valid in test");
        assert!(xml.contains(
            "baseDictionaryUri=\"http://naaccr.org/naaccrxml/naaccr-dictionary-260.xml\""
        ));
        assert!(xml.contains("recordType=\"A\" specificationVersion=\"1.8\" timeGenerated="));
        assert!(xml.contains("xmlns=\"http://naaccr.org/naaccrxml\""));
        assert!(xml.contains("<Item naaccrId=\"patientIdNumber\">00000042</Item>"));
        assert!(xml.contains("<Item naaccrId=\"race1\">01</Item>"));
        assert!(xml.contains("O&apos;Brien &amp; &lt;Co&gt;"));
        assert!(!xml.contains("textRemarks"), "empty values are not written");
        assert_eq!((s.patients, s.tumors, s.items), (1, 1, 5));
    }

    #[test]
    fn skips_and_counts_what_the_record_type_or_level_forbids() {
        let p = PatientItems {
            items: pairs(&[
                ("nameLast", "SMITH"),
                ("primarySite", "C509"),
                ("noSuchItem", "1"),
                ("race1", "01"),
                ("race1", "02"),
            ]),
            tumors: vec![pairs(&[("primarySite", "C50999"), ("medicalRecordNumber", "X")])],
        };
        let (xml, s) = write("260", RecordType::I, &p);
        assert!(!xml.contains("nameLast") && !xml.contains("medicalRecordNumber"));
        assert!(!xml.contains("primarySite") && xml.contains(">01<") && !xml.contains(">02<"));
        let reason = |id: &str| s.skipped[id].keys().copied().collect::<Vec<_>>();
        assert_eq!(reason("nameLast"), [SkipReason::NotInRecordType]);
        assert_eq!(reason("medicalRecordNumber"), [SkipReason::NotInRecordType]);
        assert_eq!(reason("primarySite"), [SkipReason::WrongLevel, SkipReason::TooLong]);
        assert_eq!(reason("noSuchItem"), [SkipReason::UnknownId]);
        assert_eq!(reason("race1"), [SkipReason::Duplicate]);
        assert_eq!(s.skipped_total(), 6);
    }

    #[test]
    fn confidential_items_never_reach_an_incidence_file() {
        let dict = Dictionary::for_version("260").expect("valid in test");
        let (items, tumor): (Vec<_>, Vec<_>) = dict
            .items
            .iter()
            .filter(|d| d.level != Level::NaaccrData)
            .map(|d| (d.naaccr_id.clone(), "1".to_string()))
            .partition(|(id, _)| dict.get(id).is_some_and(|d| d.level == Level::Patient));
        let (xml, s) = write("260", RecordType::I, &PatientItems { items, tumors: vec![tumor] });
        for d in dict.items.iter().filter(|d| !d.record_types.contains(RecordType::I)) {
            assert!(!xml.contains(&format!("\"{}\"", d.naaccr_id)), "{}", d.naaccr_id);
        }
        assert_eq!(s.skipped_total(), 771 - 684);
    }

    #[test]
    fn sex_in_v25_and_sex_assigned_at_birth_in_v26() {
        let p = PatientItems {
            items: pairs(&[("sex", "2"), ("sexAssignedAtBirth", "2")]),
            tumors: vec![],
        };
        let (v25, _) = write("250", RecordType::I, &p);
        assert!(v25.contains("naaccrId=\"sex\"") && !v25.contains("sexAssignedAtBirth"));
        let (v26, _) = write("260", RecordType::I, &p);
        assert!(v26.contains("naaccrId=\"sexAssignedAtBirth\"") && !v26.contains("\"sex\""));
    }

    #[test]
    fn refuses_bad_time_generated() {
        let dict = Dictionary::for_version("260").expect("valid in test");
        let r = NaaccrXmlWriter::new(Vec::new(), dict, RecordType::I, Some("now".into()));
        assert!(matches!(r, Err(WriteError::BadTimeGenerated(_))));
    }
}
