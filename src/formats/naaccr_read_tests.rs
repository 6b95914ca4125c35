//! One test per fatal rule and per reported problem of the NAACCR XML reader.

use std::io::{Cursor, Write};

use super::*;

const NS: &str = "http://naaccr.org/naaccrxml";
const URI_260: &str = "http://naaccr.org/naaccrxml/naaccr-dictionary-260.xml";

fn doc_with(root_attrs: &str, body: &str) -> String {
    format!("<?xml version=\"1.0\"?>\n<NaaccrData {root_attrs}>{body}</NaaccrData>\n")
}

fn doc(body: &str) -> String {
    doc_with(
        &format!(
            "xmlns=\"{NS}\" baseDictionaryUri=\"{URI_260}\" recordType=\"I\" specificationVersion=\"1.8\""
        ),
        body,
    )
}

type Read = (ReadHeader, Vec<ReadPatient>);

fn read(xml: &str) -> Result<Read, FatalError> {
    read_bytes(xml.as_bytes())
}

fn read_bytes(bytes: &[u8]) -> Result<Read, FatalError> {
    let reader = NaaccrXmlReader::new(Cursor::new(bytes))?;
    let header = reader.header().clone();
    let patients = reader.collect::<Result<Vec<_>, _>>()?;
    Ok((header, patients))
}

fn fatal(xml: &str) -> FatalError {
    match read(xml) {
        Err(e) => e,
        Ok(_) => panic!("expected a fatal error for {xml}"),
    }
}

fn one_patient(body: &str) -> ReadPatient {
    let (_, mut ps) = read(&doc(&format!("<Patient>{body}</Patient>"))).expect("valid in test");
    assert_eq!(ps.len(), 1);
    ps.remove(0)
}

fn kinds(p: &ReadPatient) -> Vec<(String, ProblemKind)> {
    p.problems.iter().map(|x| (x.naaccr_id.clone().unwrap_or_default(), x.kind.clone())).collect()
}

// ---- accepted input ----

#[test]
fn reads_header_root_items_patients_and_tumors() {
    let xml = doc("<Item naaccrId=\"registryId\">0012345678</Item>\
         <Patient><Item naaccrId=\"patientIdNumber\" naaccrNum=\"20\">00000001</Item>\
         <Tumor><Item naaccrId=\"primarySite\">C509</Item></Tumor><Tumor/></Patient>\
         <Patient/>");
    let (h, ps) = read(&xml).expect("valid in test");
    assert_eq!((h.dictionary.version.as_str(), h.record_type), ("260", RecordType::I));
    assert_eq!(h.items, vec![("registryId".into(), "0012345678".into())]);
    assert_eq!(ps.len(), 2);
    assert_eq!(ps[0].items, vec![("patientIdNumber".into(), "00000001".into())]);
    assert_eq!(ps[0].tumors, vec![vec![("primarySite".into(), "C509".into())], vec![]]);
    assert!(ps[0].problems.is_empty() && ps[1].tumors.is_empty());
}

#[test]
fn accepts_prefixed_namespace_extensions_and_foreign_root_attributes() {
    let xml = format!(
        "<n:NaaccrData xmlns:n=\"{NS}\" xmlns:x=\"urn:x\" x:flag=\"1\" baseDictionaryUri=\"{URI_260}\" \
         recordType=\"A\" specificationVersion=\"1.8\"><x:ext><x:deep a=\"b\">t</x:deep></x:ext>\
         <n:Patient><n:Item naaccrId=\"race1\">1</n:Item><x:ext/><n:Tumor/></n:Patient></n:NaaccrData>"
    );
    let (_, ps) = read(&xml).expect("valid in test");
    // leftZero digits are padded on read, as the reference reader does.
    assert_eq!(ps[0].items, vec![("race1".into(), "01".into())]);
    assert_eq!(ps[0].tumors.len(), 1);
}

#[test]
fn decodes_entities_cdata_and_newlines_and_drops_empty_values() {
    let p = one_patient(
        "<Tumor><Item naaccrId=\"textRemarks\">a &amp; b&#233;\r\nc<![CDATA[<d>]]></Item>\
         <Item naaccrId=\"primarySite\"></Item></Tumor>",
    );
    let xml = doc("");
    assert!(read(&xml).expect("valid in test").1.is_empty());
    let p2 = read(&doc_with(
        &format!("xmlns=\"{NS}\" baseDictionaryUri=\"{URI_260}\" recordType=\"A\" specificationVersion=\"1.8\""),
        "<Patient><Tumor><Item naaccrId=\"textRemarks\">a &amp; b&#233;\r\nc<![CDATA[<d>]]></Item></Tumor></Patient>",
    ))
    .expect("valid in test")
    .1;
    assert_eq!(p2[0].tumors[0], vec![("textRemarks".into(), "a & bé\nc<d>".into())]);
    // In an I file textRemarks is not allowed: reported, dropped; the empty item is absent.
    assert_eq!(kinds(&p), vec![("textRemarks".into(), ProblemKind::UnknownNaaccrId)]);
    assert!(p.tumors[0].is_empty());
}

#[test]
fn canonical_items_read_as_the_general_path_reads_them() {
    // Every item of `body` is in the canonical shape the reader takes straight from its buffer;
    // with a second space after `<Item` none is, and quick-xml reads them all.
    let body = "<Item naaccrId=\"patientIdNumber\" naaccrNum=\"20\">00000001</Item>\n  \
         <Item naaccrId=\"race1\">1</Item>\t<Item naaccrId=\"race2\" naaccrNum=\"170\">01</Item>\
         <Item naaccrId=\"nameLast\"> Zoë &gt; </Item><Item naaccrId=\"nameFirst\">   </Item>\
         <Item naaccrId=\"nameMiddle\"></Item><Item naaccrId=\"zzUnknown\">x</Item>\
         <Item naaccrId=\"primarySite\">C509</Item>\
         <Tumor><Item naaccrId=\"primarySite\">C509</Item>\r\n<Item naaccrId=\"laterality\">1</Item>\
         <Item naaccrId=\"grade\">9x</Item><Item naaccrId=\"sexAssignedAtBirth\">1</Item></Tumor>";
    let abstract_of = |body: &str| {
        let attrs = format!(
            "xmlns=\"{NS}\" baseDictionaryUri=\"{URI_260}\" recordType=\"A\" specificationVersion=\"1.8\""
        );
        let xml = doc_with(&attrs, &format!("<Patient>{body}</Patient>"));
        read(&xml).expect("valid in test").1.remove(0)
    };
    let fast = abstract_of(body);
    let general = abstract_of(&body.replace("<Item ", "<Item  "));
    assert_eq!(fast.items, general.items);
    assert_eq!(fast.tumors, general.tumors);
    assert_eq!(kinds(&fast), kinds(&general));
    assert_eq!(fast.items[3], ("nameLast".into(), " Zoë > ".into()));
    assert_eq!(fast.items[4], ("nameFirst".into(), "   ".into()));
    assert_eq!(fast.tumors[0].len(), 3); // sexAssignedAtBirth is a patient item
    let problems = kinds(&fast);
    assert!(
        problems
            .contains(&("race2".into(), ProblemKind::BadNaaccrNum { given: 170, expected: 161 }))
    );
    assert!(problems.contains(&("zzUnknown".into(), ProblemKind::UnknownNaaccrId)));
    assert!(problems.iter().any(|(id, k)| id == "primarySite"
        && matches!(k, ProblemKind::WrongLevel { expected: Level::Tumor })));
    // Problems point into the file, past the item they name.
    let at = |id: &str| {
        fast.problems.iter().find(|p| p.naaccr_id.as_deref() == Some(id)).map(|p| p.offset)
    };
    assert!(at("race2") < at("zzUnknown"));
}

#[test]
fn unprefixed_items_under_a_foreign_default_namespace_stay_extensions() {
    // The patient's default namespace is foreign: its unprefixed Items are extension elements,
    // also after a NAACCR item that declared the NAACCR namespace for itself alone.
    let xml = format!(
        "<n:NaaccrData xmlns:n=\"{NS}\" baseDictionaryUri=\"{URI_260}\" recordType=\"I\" \
         specificationVersion=\"1.8\"><n:Patient xmlns=\"urn:x\">\
         <n:Item xmlns=\"{NS}\" naaccrId=\"race1\">01</n:Item><Item naaccrId=\"race2\">01</Item>\
         <Item naaccrId=\"race3\">01</Item></n:Patient></n:NaaccrData>"
    );
    let (_, ps) = read(&xml).expect("valid in test");
    assert_eq!(ps[0].items, vec![("race1".into(), "01".into())]);
    assert!(ps[0].problems.is_empty());
}

#[test]
fn reads_gzip() {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(doc("<Patient/>").as_bytes()).expect("valid in test");
    let bytes = gz.finish().expect("valid in test");
    assert_eq!(read_bytes(&bytes).expect("valid in test").1.len(), 1);
}

// ---- fatal ----

#[test]
fn fatal_malformed_xml() {
    assert!(matches!(fatal(&doc("<Patient></Tumor>")), FatalError::Malformed(_)));
    let truncated = doc("<Patient><Item naaccrId=\"race1\">01</Item>");
    let cut = &truncated[..truncated.len() - 20];
    assert!(matches!(fatal(cut), FatalError::Malformed(_)));
    assert!(matches!(fatal(&doc("<Patient>&unknown;</Patient>")), FatalError::Malformed(_)));
    assert!(matches!(fatal(""), FatalError::NoRoot));
}

#[test]
fn fatal_doctype() {
    let xml = format!("<!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]>{}", doc("&e;"));
    assert_eq!(fatal(&xml.replace("<?xml version=\"1.0\"?>\n", "")), FatalError::DocType);
}

#[test]
fn fatal_root_not_naaccr_data() {
    let xml = format!("<Other xmlns=\"{NS}\"/>");
    assert_eq!(fatal(&xml), FatalError::WrongRoot("Other".into()));
}

#[test]
fn fatal_wrong_namespace() {
    let xml = doc("").replace(NS, "http://example.org/other");
    assert!(matches!(fatal(&xml), FatalError::WrongNamespace(_)));
    let none = doc("").replace(&format!("xmlns=\"{NS}\" "), "");
    assert!(matches!(fatal(&none), FatalError::WrongNamespace(_)));
}

#[test]
fn fatal_unknown_element() {
    assert_eq!(fatal(&doc("<Patient><Foo/></Patient>")), FatalError::UnknownElement("Foo".into()));
}

#[test]
fn fatal_element_out_of_place() {
    let tumor_in_root = fatal(&doc("<Tumor/>"));
    assert!(matches!(tumor_in_root, FatalError::UnexpectedElement { .. }));
    let item_after_tumor = "<Patient><Tumor/><Item naaccrId=\"race1\">01</Item></Patient>";
    assert!(matches!(fatal(&doc(item_after_tumor)), FatalError::UnexpectedElement { .. }));
    let in_item = "<Patient><Item naaccrId=\"race1\"><Tumor/></Item></Patient>";
    assert!(matches!(fatal(&doc(in_item)), FatalError::UnexpectedElement { .. }));
    assert!(matches!(
        fatal(&doc("<Patient>text</Patient>")),
        FatalError::UnexpectedText("Patient")
    ));
    assert_eq!(fatal(&format!("{}<x/>", doc(""))), FatalError::TrailingContent);
}

#[test]
fn fatal_missing_base_dictionary_uri() {
    let xml = doc("").replace(&format!("baseDictionaryUri=\"{URI_260}\""), "");
    assert_eq!(fatal(&xml), FatalError::MissingBaseDictionaryUri);
}

#[test]
fn fatal_unsupported_version() {
    let xml = doc("").replace("260", "999");
    assert!(matches!(fatal(&xml), FatalError::UnsupportedVersion(_)));
    let user = doc("").replace("naaccr-dictionary-260", "user-defined-naaccr-dictionary-180");
    assert!(matches!(fatal(&user), FatalError::UnsupportedVersion(_)));
}

#[test]
fn fatal_missing_or_invalid_record_type() {
    assert_eq!(fatal(&doc("").replace("recordType=\"I\"", "")), FatalError::MissingRecordType);
    let bad = doc("").replace("recordType=\"I\"", "recordType=\"U\"");
    assert_eq!(fatal(&bad), FatalError::InvalidRecordType("U".into()));
}

#[test]
fn fatal_unsupported_specification_version() {
    let bad = doc("").replace("\"1.8\"", "\"9.9\"");
    assert!(matches!(fatal(&bad), FatalError::UnsupportedSpecificationVersion(_)));
    let missing = doc("").replace("specificationVersion=\"1.8\"", "");
    assert_eq!(fatal(&missing), FatalError::MissingSpecificationVersion);
}

#[test]
fn fatal_attributes_on_patient_or_tumor() {
    let p = fatal(&doc("<Patient id=\"1\"/>"));
    assert!(matches!(p, FatalError::UnexpectedAttribute { element: "Patient", .. }));
    let t = fatal(&doc("<Patient><Tumor id=\"1\"/></Patient>"));
    assert!(matches!(t, FatalError::UnexpectedAttribute { element: "Tumor", .. }));
}

#[test]
fn fatal_item_without_naaccr_id() {
    let xml = doc("<Patient><Item naaccrNum=\"160\">01</Item></Patient>");
    assert_eq!(fatal(&xml), FatalError::ItemWithoutNaaccrId);
}

#[test]
fn fatal_non_integer_naaccr_num() {
    let xml = doc("<Patient><Item naaccrId=\"race1\" naaccrNum=\"1x\">01</Item></Patient>");
    assert_eq!(fatal(&xml), FatalError::NonIntegerNaaccrNum("1x".into()));
}

#[test]
fn fatal_same_naaccr_id_twice_in_one_element() {
    let xml = doc(
        "<Patient><Item naaccrId=\"race1\">01</Item><Item naaccrId=\"race1\">02</Item></Patient>",
    );
    assert!(matches!(fatal(&xml), FatalError::DuplicateItem { element: "Patient", .. }));
    let unknown =
        doc("<Patient><Item naaccrId=\"zz\">1</Item><Item naaccrId=\"zz\">1</Item></Patient>");
    assert!(matches!(fatal(&unknown), FatalError::DuplicateItem { .. }));
    // The same item in two tumors is fine.
    let ok = "<Patient><Tumor><Item naaccrId=\"primarySite\">C509</Item></Tumor>\
              <Tumor><Item naaccrId=\"primarySite\">C509</Item></Tumor></Patient>";
    assert!(read(&doc(ok)).is_ok());
}

#[test]
fn fatal_non_namespaced_root_attribute_or_extension() {
    let attr = doc("").replace("recordType=", "extra=\"1\" recordType=");
    assert_eq!(fatal(&attr), FatalError::UnexpectedRootAttribute("extra".into()));
    let ext = doc("<Patient><ext xmlns=\"\"/></Patient>");
    assert_eq!(fatal(&ext), FatalError::WrongNamespace("ext".into()));
}

#[test]
fn fatal_limits() {
    let small = Limits { max_event_bytes: 1_000, ..Limits::default() };
    let huge = doc(&format!("<Patient><!--{}--></Patient>", "x".repeat(5_000)));
    let r = NaaccrXmlReader::with_limits(Cursor::new(huge.as_bytes()), small)
        .and_then(|r| r.collect::<Result<Vec<_>, _>>());
    assert!(matches!(r, Err(FatalError::TooLarge(_))));
    let deep = doc(&format!(
        "<Patient>{}{}</Patient>",
        "<x:a xmlns:x=\"u\">".repeat(40),
        "</x:a>".repeat(40)
    ));
    assert!(matches!(fatal(&deep), FatalError::TooLarge(_)));
    let many = doc(&format!(
        "<Patient>{}</Patient>",
        (0..4_001).map(|i| format!("<Item naaccrId=\"u{i}\">1</Item>")).collect::<String>()
    ));
    assert!(matches!(fatal(&many), FatalError::TooLarge(_)));
    let tumors = doc(&format!("<Patient>{}</Patient>", "<Tumor/>".repeat(1_001)));
    assert!(matches!(fatal(&tumors), FatalError::TooLarge(_)));
    let long = doc(&format!(
        "<Patient><Item naaccrId=\"nameLast\">{}</Item></Patient>",
        "&amp;".repeat(70_000)
    ));
    assert!(matches!(fatal(&long), FatalError::TooLarge(_)));
}

#[path = "naaccr_read_problem_tests.rs"]
mod problems;
