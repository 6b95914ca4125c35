//! v18 flat-file layout, reader and its agreement with NAACCR XML.

use std::io::Cursor;

use super::*;
use crate::formats::naaccr_read::NaaccrXmlReader;
use crate::formats::naaccr_xml::NaaccrXmlWriter;

fn pairs(items: &[(&str, &str)]) -> Vec<(String, String)> {
    items.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

fn read_flat(text: &str) -> Result<Vec<ReadPatient>, FlatError> {
    FlatFileReader::new(Cursor::new(text.as_bytes().to_vec()))?.collect()
}

fn patient(id: &str, sites: &[&str]) -> PatientItems {
    PatientItems {
        items: pairs(&[
            ("patientIdNumber", id),
            ("race1", "01"),
            ("sex", "2"),
            ("dateOfBirth", "19500101"),
        ]),
        tumors: sites
            .iter()
            .map(|s| {
                pairs(&[
                    ("primarySite", s),
                    ("histologicTypeIcdO3", "8500"),
                    ("dateOfDiagnosis", "201907"),
                ])
            })
            .collect(),
    }
}

fn file(rt: RecordType, patients: &[PatientItems]) -> String {
    let root = pairs(&[("registryId", "0012345678")]);
    let mut out = String::new();
    for p in patients {
        for line in write_flat_lines(rt, &root, p).expect("valid in test") {
            out.push_str(&line);
            out.push_str("\r\n");
        }
    }
    out
}

#[test]
fn v18_layout_tiles_the_record() {
    let layout = FlatLayout::v18().expect("valid in test");
    assert_eq!(layout.line_length(RecordType::I), 4048);
    assert_eq!(layout.line_length(RecordType::C), 6154);
    assert_eq!(layout.line_length(RecordType::A), 24194);
    assert_eq!(layout.line_length(RecordType::M), 24194);
    let mut next = 1;
    for d in layout.fields() {
        assert_eq!(d.start_column, Some(next), "{}", d.naaccr_id);
        next += d.length;
    }
    assert_eq!(next - 1, 24194);
}

#[test]
fn reads_lines_grouped_into_patients() {
    let text = file(RecordType::I, &[patient("1", &["C509", "C180"]), patient("2", &["C619"])]);
    let mut r = FlatFileReader::new(Cursor::new(text.into_bytes())).expect("valid in test");
    let ps: Vec<_> = r.by_ref().collect::<Result<_, _>>().expect("valid in test");
    assert_eq!(r.record_type(), Some(RecordType::I));
    assert!(r.root_items().contains(&("registryId".into(), "0012345678".into())));
    assert!(r.root_items().contains(&("naaccrRecordVersion".into(), "180".into())));
    assert_eq!(ps.len(), 2);
    assert_eq!(ps[0].tumors.len(), 2);
    assert!(ps[0].items.contains(&("patientIdNumber".into(), "00000001".into())));
    assert!(ps[0].tumors[1].contains(&("primarySite".into(), "C180".into())));
    assert!(ps.iter().all(|p| p.problems.is_empty()), "{:?}", ps[0].problems);
}

#[test]
fn fatal_on_bad_version_record_type_or_mixed_types() {
    let good = file(RecordType::I, &[patient("1", &["C509"])]);
    let v = format!("{}170{}", &good[..16], &good[19..]);
    assert!(matches!(read_flat(&v), Err(FlatError::UnsupportedVersion { line: 1, .. })));
    let u = format!("U{}", &good[1..]);
    assert!(matches!(read_flat(&u), Err(FlatError::UnsupportedRecordType { .. })));
    let c = file(RecordType::C, &[patient("2", &["C509"])]);
    assert!(matches!(read_flat(&(good + &c)), Err(FlatError::MixedRecordTypes { line: 2 })));
    let long = "I".repeat(200_000);
    assert!(matches!(read_flat(&long), Err(FlatError::LineTooLong { line: 1 })));
}

#[test]
fn fatal_on_more_tumors_than_a_patient_may_have() {
    let at_most = file(RecordType::I, &[patient("1", &["C509"; 1_000])]);
    assert_eq!(
        read_flat(&at_most).expect("1,000 tumors").first().map(|p| p.tumors.len()),
        Some(1_000)
    );
    let over = file(RecordType::I, &[patient("1", &["C509"; 1_001])]);
    assert!(matches!(read_flat(&over), Err(FlatError::TooManyTumors { line: 1_001, max: 1_000 })));
}

#[test]
fn reports_line_length_value_and_patient_mismatch_problems() {
    let mut a = patient("1", &["C509"]);
    a.tumors[0].push(("laterality".into(), "1".into()));
    let mut b = a.clone();
    b.items[1].1 = "02".into();
    let text = file(RecordType::I, &[a, b]).replacen("\r\n", "  \r\n", 1);
    let ps = read_flat(&text).expect("valid in test");
    assert_eq!(ps.len(), 1);
    let kinds: Vec<_> = ps[0].problems.iter().map(|p| (p.kind.clone(), p.tumor)).collect();
    assert!(kinds.contains(&(ProblemKind::BadLineLength { expected: 4048, got: 4050 }, Some(0))));
    assert!(kinds.contains(&(ProblemKind::PatientValueMismatch, Some(1))));
    let bad = text.replacen("8500", "85A0", 1);
    let ps = read_flat(&bad).expect("valid in test");
    assert!(ps[0].problems.iter().any(|p| matches!(p.kind, ProblemKind::Value(_))
        && p.naaccr_id.as_deref() == Some("histologicTypeIcdO3")));
}

#[test]
fn writer_refuses_items_outside_the_layout() {
    let mut p = patient("1", &[]);
    p.items.push(("nameLast".into(), "SMITH".into()));
    assert!(matches!(write_flat_lines(RecordType::I, &[], &p), Err(FlatError::UnknownItem(_))));
    assert_eq!(write_flat_lines(RecordType::C, &[], &p).expect("valid in test").len(), 1);
}

#[test]
fn flat_line_and_its_xml_twin_read_to_the_same_items() {
    let mut p = patient("7", &["C509", "C187"]);
    p.items.push(("nameLast".into(), "O'NEIL & SONS".into()));
    p.tumors[1].push(("laterality".into(), "0".into()));
    let text = file(RecordType::C, std::slice::from_ref(&p));
    let flat = read_flat(&text).expect("valid in test");

    let dict = Dictionary::for_version(FLAT_VERSION).expect("valid in test");
    let mut w = NaaccrXmlWriter::new(Vec::new(), dict, RecordType::C, None).expect("valid in test");
    w.write_patient(&p).expect("valid in test");
    let (xml, _) = w.finish().expect("valid in test");
    let from_xml: Vec<ReadPatient> = NaaccrXmlReader::new(Cursor::new(xml))
        .expect("valid in test")
        .collect::<Result<_, _>>()
        .expect("valid in test");

    let sorted = |mut v: Vec<(String, String)>| {
        v.sort();
        v
    };
    assert_eq!(flat.len(), 1);
    assert_eq!(from_xml.len(), 1);
    assert_eq!(sorted(flat[0].items.clone()), sorted(from_xml[0].items.clone()));
    for (f, x) in flat[0].tumors.iter().zip(&from_xml[0].tumors) {
        assert_eq!(sorted(f.clone()), sorted(x.clone()));
    }
    assert_eq!(flat[0].tumors.len(), 2);
    assert!(flat[0].problems.is_empty() && from_xml[0].problems.is_empty());
}
