//! Item-level problems: reported per patient while reading goes on.

use super::*;
use crate::domain::naaccr::DataType;

#[test]
fn reports_unknown_naaccr_id_and_drops_the_value() {
    let p = one_patient("<Item naaccrId=\"noSuchItem\">1</Item><Item naaccrId=\"race1\">01</Item>");
    assert_eq!(kinds(&p), vec![("noSuchItem".into(), ProblemKind::UnknownNaaccrId)]);
    assert_eq!(p.items, vec![("race1".into(), "01".into())]);
}

#[test]
fn reports_item_not_allowed_for_the_record_type() {
    let p = one_patient("<Item naaccrId=\"nameLast\">SMITH</Item>");
    assert_eq!(kinds(&p), vec![("nameLast".into(), ProblemKind::UnknownNaaccrId)]);
    assert!(p.items.is_empty());
}

#[test]
fn reports_wrong_naaccr_num_and_keeps_the_value() {
    let p = one_patient("<Item naaccrId=\"race1\" naaccrNum=\"161\">01</Item>");
    let expected = ProblemKind::BadNaaccrNum { given: 161, expected: 160 };
    assert_eq!(kinds(&p), vec![("race1".into(), expected)]);
    assert_eq!(p.items.len(), 1);
}

#[test]
fn reports_wrong_level_and_drops_the_value() {
    let p = one_patient(
        "<Item naaccrId=\"primarySite\">C509</Item><Tumor><Item naaccrId=\"race1\">01</Item></Tumor>",
    );
    assert_eq!(
        kinds(&p),
        vec![
            ("primarySite".into(), ProblemKind::WrongLevel { expected: Level::Tumor }),
            ("race1".into(), ProblemKind::WrongLevel { expected: Level::Patient }),
        ]
    );
    assert_eq!(p.problems[1].tumor, Some(0));
    assert!(p.items.is_empty() && p.tumors[0].is_empty());
}

#[test]
fn reports_value_too_long() {
    let p = one_patient("<Tumor><Item naaccrId=\"primarySite\">C5099</Item></Tumor>");
    let k = ProblemKind::Value(ValueProblem::TooLong { max: 4, got: 5 });
    assert_eq!(kinds(&p), vec![("primarySite".into(), k)]);
    assert_eq!(p.tumors[0][0].1, "C5099");
}

#[test]
fn reports_value_too_short() {
    let p = one_patient(
        "<Tumor><Item naaccrId=\"behaviorCodeIcdO3\">3</Item><Item naaccrId=\"histologicTypeIcdO3\">850</Item></Tumor>",
    );
    let k = ProblemKind::Value(ValueProblem::TooShort { expected: 4, got: 3 });
    assert_eq!(kinds(&p), vec![("histologicTypeIcdO3".into(), k)]);
}

#[test]
fn reports_data_type_failure() {
    let p = one_patient(
        "<Item naaccrId=\"dateOfBirth\">20230231</Item><Item naaccrId=\"race1\">AB</Item>",
    );
    assert_eq!(
        kinds(&p),
        vec![
            ("dateOfBirth".into(), ProblemKind::Value(ValueProblem::BadDataType(DataType::Date))),
            ("race1".into(), ProblemKind::Value(ValueProblem::BadDataType(DataType::Digits))),
        ]
    );
}

#[test]
fn reports_leading_and_trailing_spaces() {
    let p = one_patient("<Item naaccrId=\"addrCurrentCity\"> X </Item>");
    assert_eq!(
        kinds(&p),
        vec![
            ("addrCurrentCity".into(), ProblemKind::Value(ValueProblem::LeadingSpace)),
            ("addrCurrentCity".into(), ProblemKind::Value(ValueProblem::TrailingSpace)),
        ]
    );
}

#[test]
fn reports_invalid_time_generated() {
    let xml = doc("").replace("recordType=", "timeGenerated=\"yesterday\" recordType=");
    let (h, _) = read(&xml).expect("valid in test");
    assert_eq!(h.problems[0].kind, ProblemKind::BadTimeGenerated("yesterday".into()));
    let ok = doc("")
        .replace("recordType=", "timeGenerated=\"2024-08-23T09:11:35.414-04:00\" recordType=");
    assert!(read(&ok).expect("valid in test").0.problems.is_empty());
}
