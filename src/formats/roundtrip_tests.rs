//! Cross-module tests: write → read round trip over every v26 item, XSD validation with
//! xmllint, and garbage input that must never panic.

use std::io::{Cursor, Write};
use std::path::Path;
use std::process::Command;

use super::flat_file::FlatFileReader;
use super::naaccr_read::{NaaccrXmlReader, ReadPatient};
use super::naaccr_xml::{NaaccrXmlWriter, PatientItems};
use crate::domain::naaccr::{DataType, Dictionary, ItemDef, Level, RecordType};

/// A value that passes every check of its item and survives formatting unchanged.
fn sample_value(def: &ItemDef) -> String {
    let n = def.length;
    match def.data_type {
        DataType::Digits => "1".repeat(n),
        DataType::Alpha => "A".repeat(n),
        DataType::Mixed => "A1".chars().cycle().take(n).collect(),
        DataType::Numeric if n >= 3 => "1.5".into(),
        DataType::Numeric => "1".into(),
        DataType::Date => "20190714".into(),
        DataType::DateTime => "2024-02-29T10:11:12-04:00".into(),
        DataType::Text if n >= 11 => "Ab<&>é\"'\nCd".into(),
        DataType::Text => "Ab<&>é\"'xy".chars().take(n).collect(),
    }
}

fn full_patient(dict: &Dictionary, rt: RecordType, id: usize) -> PatientItems {
    let at = |level: Level| -> Vec<(String, String)> {
        dict.items
            .iter()
            .filter(|d| d.level == level && d.record_types.contains(rt))
            .map(|d| {
                let v = if d.naaccr_id == "patientIdNumber" {
                    format!("{id:08}")
                } else {
                    sample_value(d)
                };
                (d.naaccr_id.clone(), v)
            })
            .collect()
    };
    PatientItems { items: at(Level::Patient), tumors: vec![at(Level::Tumor), at(Level::Tumor)] }
}

fn write_file(version: &str, rt: RecordType, patients: &[PatientItems]) -> Vec<u8> {
    let dict = Dictionary::for_version(version).expect("valid in test");
    let time = Some("2024-08-23T09:11:35.414-04:00".to_string());
    let mut w = NaaccrXmlWriter::new(Vec::new(), dict, rt, time).expect("valid in test");
    w.write_root_items(&[("registryId".into(), "0012345678".into())]).expect("valid in test");
    for p in patients {
        w.write_patient(p).expect("valid in test");
    }
    let (out, summary) = w.finish().expect("valid in test");
    assert_eq!(summary.skipped_total(), 0, "{:?}", summary.skipped);
    out
}

fn read_all(bytes: &[u8]) -> Vec<ReadPatient> {
    NaaccrXmlReader::new(Cursor::new(bytes))
        .expect("valid in test")
        .collect::<Result<_, _>>()
        .expect("valid in test")
}

#[test]
fn round_trip_gives_back_every_item_value_for_value() {
    for version in ["230", "240", "250", "260"] {
        let dict = Dictionary::for_version(version).expect("valid in test");
        let written: Vec<_> = (1..=3).map(|i| full_patient(dict, RecordType::A, i)).collect();
        let bytes = write_file(version, RecordType::A, &written);
        let read = read_all(&bytes);
        assert_eq!(read.len(), written.len());
        for (w, r) in written.iter().zip(read) {
            assert!(r.problems.is_empty(), "v{version}: {:?}", r.problems.first());
            assert_eq!(&r.into_items(), w, "v{version}");
        }
    }
}

#[test]
fn written_files_validate_against_the_xsd() {
    let xsd = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/naaccr_data_1.8.xsd");
    // scripts/test installs xmllint; a missing one fails rather than skipping the check.
    assert!(
        Command::new("xmllint").arg("--version").output().is_ok(),
        "xmllint not installed: apt-get install -y libxml2-utils (scripts/test does this)"
    );
    let dir = tempfile::tempdir().expect("valid in test");
    for (version, rt) in [("260", RecordType::A), ("260", RecordType::I), ("250", RecordType::C)] {
        let dict = Dictionary::for_version(version).expect("valid in test");
        let bytes = write_file(version, rt, &[full_patient(dict, rt, 1), PatientItems::default()]);
        let path = dir.path().join(format!("v{version}-{}.xml", rt.as_str()));
        std::fs::write(&path, bytes).expect("valid in test");
        let out = Command::new("xmllint")
            .arg("--noout")
            .arg("--schema")
            .arg(&xsd)
            .arg(&path)
            .output()
            .expect("valid in test");
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    }
}

#[test]
fn v25_reads_sex_and_v26_reads_sex_assigned_at_birth() {
    let p =
        |id: &str| PatientItems { items: vec![(id.to_owned(), "2".to_owned())], tumors: vec![] };
    let v25 = read_all(&write_file("250", RecordType::I, &[p("sex")]));
    assert_eq!(v25[0].items, vec![("sex".to_owned(), "2".to_owned())]);
    let v26 = read_all(&write_file("260", RecordType::I, &[p("sexAssignedAtBirth")]));
    assert_eq!(v26[0].items, vec![("sexAssignedAtBirth".to_owned(), "2".to_owned())]);
}

/// Tiny deterministic generator; the test must be reproducible without a crate.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> usize {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (self.0 >> 33) as usize
    }
}

fn drain(bytes: &[u8]) {
    if let Ok(r) = NaaccrXmlReader::new(Cursor::new(bytes)) {
        for p in r {
            if p.is_err() {
                break;
            }
        }
    }
    if let Ok(r) = FlatFileReader::new(Cursor::new(bytes)) {
        r.for_each(drop);
    }
}

#[test]
fn truncated_or_mutated_input_never_panics() {
    let dict = Dictionary::for_version("260").expect("valid in test");
    let full = write_file("260", RecordType::I, &[full_patient(dict, RecordType::I, 1)]);
    for cut in (0..full.len()).step_by(97) {
        drain(&full[..cut]);
    }
    let small = b"<?xml version=\"1.0\"?><NaaccrData xmlns=\"http://naaccr.org/naaccrxml\" \
        baseDictionaryUri=\"http://naaccr.org/naaccrxml/naaccr-dictionary-260.xml\" recordType=\"I\" \
        specificationVersion=\"1.8\"><Patient><Item naaccrId=\"race1\" naaccrNum=\"160\">01</Item>\
        <Tumor><Item naaccrId=\"primarySite\">C509</Item><Item naaccrId=\"dateOfDiagnosis\">2019</Item>\
        </Tumor></Patient></NaaccrData>";
    let specials = b"<>&\"'/=!?[]; \r\n\x00\x1f\x8b\xff\xc3\xe9";
    let mut rng = Lcg(42);
    for _ in 0..3_000 {
        let mut doc = small.to_vec();
        for _ in 0..1 + rng.next() % 4 {
            let at = rng.next() % doc.len();
            let b = if rng.next().is_multiple_of(2) {
                specials[rng.next() % specials.len()]
            } else {
                rng.next() as u8
            };
            match rng.next() % 3 {
                0 => doc[at] = b,
                1 => doc.insert(at, b),
                _ => {
                    doc.remove(at);
                }
            }
        }
        drain(&doc);
    }
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(small).expect("valid in test");
    let gz = gz.finish().expect("valid in test");
    for cut in 0..gz.len() {
        drain(&gz[..cut]);
    }
    for len in [0, 1, 2, 19, 4048, 10_000] {
        drain(&(0..len).map(|_| rng.next() as u8).collect::<Vec<_>>());
    }
}
