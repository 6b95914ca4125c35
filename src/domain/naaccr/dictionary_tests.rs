//! Dictionary loading against the facts of the NAACCR data dictionary.
use super::*;

#[test]
fn loads_every_builtin() {
    for b in &BUILTINS {
        let d = Dictionary::for_uri(b.uri).expect("valid in test");
        assert_eq!(d.uri, b.uri);
        assert!(d.items.len() >= if b.base { 500 } else { 2 }, "{}", b.uri);
        assert_eq!(d.items.len(), d.by_id.len(), "duplicate ids in {}", b.uri);
    }
}

#[test]
fn newest_first_and_exported_in_the_written_specification() {
    assert_eq!(Dictionary::newest().expect("newest").version, "260");
    assert_eq!(Dictionary::export_versions(), ["260", "250"], "the 1.8 dictionaries");
}

#[test]
fn v26_matches_the_domain_reference() {
    let d = Dictionary::for_version("260").expect("valid in test");
    assert_eq!(d.version, "260");
    assert_eq!(d.items.len(), 771);
    let count = |rt| d.items.iter().filter(|i| i.record_types.contains(rt)).count();
    assert_eq!(count(RecordType::I), 684);
    assert_eq!(count(RecordType::C), 723);
    assert_eq!(count(RecordType::A), 771);
    let leftzero = d.items.iter().filter(|i| i.padding == Padding::LeftZero);
    assert_eq!(leftzero.count(), 120);
    let race = d.get("race1").expect("valid in test");
    assert_eq!((race.number, race.length, race.level), (160, 2, Level::Patient));
    assert_eq!((race.data_type, race.padding), (DataType::Digits, Padding::LeftZero));
    assert!(d.get("sexAssignedAtBirth").is_some());
    assert!(d.get("sex").is_none());
    assert!(!d.get("nameLast").expect("valid in test").record_types.contains(RecordType::I));
}

#[test]
fn v25_has_sex_and_v18_has_columns() {
    assert!(Dictionary::for_version("250").expect("valid in test").get("sex").is_some());
    let v18 = Dictionary::for_version("180").expect("valid in test");
    assert_eq!(v18.get("recordType").expect("valid in test").start_column, Some(1));
    assert_eq!(v18.get("naaccrRecordVersion").expect("valid in test").start_column, Some(17));
    assert!(Dictionary::default_user("180").expect("valid in test").items.iter().all(|i| !i.trim));
}

#[test]
fn unknown_versions_are_errors() {
    assert!(Dictionary::for_version("999").is_err());
    assert!(Dictionary::for_uri("http://example.org/x.xml").is_err());
    // A user dictionary is not a base dictionary.
    assert!(!Dictionary::is_base_uri(
        "http://naaccr.org/naaccrxml/user-defined-naaccr-dictionary-180.xml"
    ));
}

#[test]
fn every_version_from_14_reads_with_its_default_user_dictionary() {
    assert_eq!(
        Dictionary::read_versions(),
        ["140", "150", "160", "180", "210", "220", "230", "240", "250", "260"]
    );
    for v in ["140", "150", "160", "180", "210"] {
        let d = Dictionary::for_reading(&Dictionary::base_uri(v)).expect("reading dictionary");
        assert!(d.get("stateRequestorItems").is_some(), "v{v} has the user items");
        assert!(d.get("primarySite").is_some());
    }
    // No default user dictionary from v22 on: the base dictionary alone.
    let v22 = Dictionary::for_reading(&Dictionary::base_uri("220")).expect("v22");
    assert!(v22.get("stateRequestorItems").is_none());
    assert!(Dictionary::for_reading(&Dictionary::base_uri("999")).is_err());
}

#[test]
fn items_keep_their_numbers_across_versions() {
    let v14 = Dictionary::for_version("140").expect("v14");
    let v26 = Dictionary::for_version("260").expect("v26");
    let site = v14.get("primarySite").expect("v14 primarySite");
    assert_eq!(v26.by_number(site.number).map(|d| d.naaccr_id.as_str()), Some("primarySite"));
}
