//! NAACCR submissions (export) and imports over the API and the CLI, on both backends.

use std::collections::BTreeSet;
use std::io::{Cursor, Read, Write};
use std::process::Command;

use oncoreg::domain::edits::RuleSet;
use oncoreg::domain::naaccr::{DataType, Dictionary, ItemDef, Level, RecordType};
use oncoreg::formats::flat_file::write_flat_lines;
use oncoreg::formats::naaccr_read::NaaccrXmlReader;
use oncoreg::formats::naaccr_xml::{NaaccrXmlWriter, PatientItems};
use serde_json::{Value, json};

use crate::both_backends;
use crate::common::{Reply, TestApp, breast_tumor, patient_body};

type Pairs = Vec<(String, String)>;

fn pairs(items: &[(&str, &str)]) -> Pairs {
    items.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

/// Validates a NAACCR XML file against the XSD with xmllint.
fn xsd_valid(xml: &[u8]) {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("file.xml");
    std::fs::write(&path, xml).expect("write");
    let xsd = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/naaccr_data_1.8.xsd");
    let out = Command::new("xmllint")
        .args(["--noout", "--schema", xsd])
        .arg(&path)
        .output()
        .expect("xmllint is installed (scripts/test installs it)");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    values_follow_the_dictionary(xml);
}

/// Checks each item of a file as written (before any reader pads or trims it) against the
/// dictionary the file names: allowed in the record type, at most the item's length, digits where
/// the type says so, under its level's element, codes of a fixed length (digits, alpha, mixed) filled, dates as YYYY, YYYYMM or
/// YYYYMMDD, no surrounding spaces.
fn values_follow_the_dictionary(xml: &[u8]) {
    use oncoreg::domain::naaccr::Padding;
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_reader(xml);
    let (mut dict, mut rt) = (None, RecordType::A);
    let mut current: Option<String> = None;
    let mut level = Level::NaaccrData;
    let mut text = String::new();
    let mut checked = 0;
    let mut buf = Vec::new();
    loop {
        match reader.read_event_into(&mut buf).expect("well-formed") {
            Event::Start(e) if e.local_name().as_ref() == b"NaaccrData" => {
                for a in e.attributes() {
                    let a = a.expect("attribute");
                    let v = a.unescape_value().expect("value").into_owned();
                    match a.key.as_ref() {
                        b"baseDictionaryUri" => {
                            let version = v.trim_end_matches(".xml").rsplit('-').next();
                            dict = version.and_then(|v| Dictionary::for_version(v).ok());
                        }
                        b"recordType" => rt = RecordType::from_code(&v).expect("record type"),
                        _ => {}
                    }
                }
            }
            Event::Start(e) if e.local_name().as_ref() == b"Patient" => level = Level::Patient,
            Event::Start(e) if e.local_name().as_ref() == b"Tumor" => level = Level::Tumor,
            Event::End(e) if e.local_name().as_ref() == b"Tumor" => level = Level::Patient,
            Event::Start(e) if e.local_name().as_ref() == b"Item" => {
                let id = e.try_get_attribute("naaccrId").expect("attr").expect("naaccrId");
                current = Some(id.unescape_value().expect("id").into_owned());
                text.clear();
            }
            Event::Text(t) if current.is_some() => {
                text.push_str(&t.unescape().expect("text"));
            }
            Event::End(e) if e.local_name().as_ref() == b"Item" => {
                let id = current.take().expect("item open");
                let def = dict.expect("known dictionary").get(&id).expect("item in the dictionary");
                let v = text.as_str();
                let n = v.chars().count();
                assert!(def.record_types.contains(rt), "{id} not allowed in {rt:?}");
                assert_eq!(def.level, level, "{id} under the wrong element");
                assert!(n >= 1 && n <= def.length, "{id}={v:?}: length {n} of {}", def.length);
                assert_eq!(v.trim(), v, "{id}={v:?}: surrounding spaces");
                let digits = v.bytes().all(|b| b.is_ascii_digit());
                match def.data_type {
                    DataType::Digits => assert!(digits, "{id}={v:?}: digits only"),
                    DataType::Date => {
                        assert!(digits && [4, 6, 8].contains(&n), "{id}={v:?}: not a date")
                    }
                    DataType::Numeric => assert!(v.parse::<f64>().is_ok(), "{id}={v:?}: numeric"),
                    _ => {}
                }
                if matches!(def.data_type, DataType::Digits | DataType::Alpha | DataType::Mixed) {
                    assert_eq!(n, def.length, "{id}={v:?}: a code fills its length");
                }
                if def.padding == Padding::LeftZero && digits {
                    assert_eq!(n, def.length, "{id}={v:?}: zero-padded to its length");
                }
                checked += 1;
            }
            Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    assert!(checked > 0 || !String::from_utf8_lossy(xml).contains("<Item"), "items were checked");
}

/// Reads a file back: every value must pass the dictionary's length, type and padding checks.
fn read_back(xml: &[u8]) -> (RecordType, Vec<PatientItems>) {
    let reader = NaaccrXmlReader::new(Cursor::new(xml)).expect("readable");
    let rt = reader.header().record_type;
    let mut out = Vec::new();
    for p in reader {
        let p = p.expect("no fatal problem");
        assert!(p.problems.is_empty(), "{:?}", p.problems);
        out.push(p.into_items());
    }
    (rt, out)
}

fn one_item(item: &str) -> Vec<u8> {
    format!(r#"<?xml version="1.0"?><NaaccrData baseDictionaryUri="http://naaccr.org/naaccrxml/naaccr-dictionary-260.xml" recordType="I" specificationVersion="1.8" xmlns="http://naaccr.org/naaccrxml"><Patient>{item}</Patient></NaaccrData>"#).into_bytes()
}

#[test]
fn the_dictionary_check_takes_values_as_written() {
    values_follow_the_dictionary(&one_item(
        r#"<Tumor><Item naaccrId="countyAtDx">033</Item></Tumor>"#,
    ));
    let refused = [
        r#"<Tumor><Item naaccrId="countyAtDx">33</Item></Tumor>"#,
        r#"<Item naaccrId="countyAtDx">033</Item>"#,
        r#"<Item naaccrId="dateOfBirth">1956031</Item>"#,
        r#"<Item naaccrId="nameLast">Confidential</Item>"#,
        r#"<Item naaccrId="race1"> 1</Item>"#,
    ];
    for item in refused {
        let caught = std::panic::catch_unwind(|| values_follow_the_dictionary(&one_item(item)));
        assert!(caught.is_err(), "{item} passed");
    }
}

async fn submit(app: &TestApp, body: Value) -> Reply {
    app.post("/api/v1/submissions", &body).await
}

async fn download(app: &TestApp, id: &str, gzip: bool) -> (u16, String, Vec<u8>) {
    let res = app
        .client
        .get(app.url(&format!("/api/v1/submissions/{id}/file?gzip={gzip}")))
        .bearer_auth(&app.viewer)
        .send()
        .await
        .expect("sent");
    let status = res.status().as_u16();
    let ctype =
        res.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
    let body = res.bytes().await.expect("body").to_vec();
    // Every file a test downloads is checked against the XSD and the dictionary.
    if status == 200 {
        if gzip {
            let mut xml = Vec::new();
            flate2::read::GzDecoder::new(&body[..]).read_to_end(&mut xml).expect("gzip");
            xsd_valid(&xml);
        } else {
            xsd_valid(&body);
        }
    }
    (status, ctype, body)
}

async fn import(app: &TestApp, ctype: &str, body: Vec<u8>) -> Reply {
    app.import(ctype, body).await
}

/// A registry with one patient, a breast tumor, chemotherapy and a follow-up contact.
async fn seed(app: &TestApp) -> (String, String) {
    let pid = app.patient(&patient_body("4711")).await;
    let tid = app.tumor(&pid, &breast_tumor()).await;
    let r = app
        .post(
            &format!("/api/v1/tumors/{tid}/treatments"),
            &json!({"modality": "chemotherapy", "code": "03", "startDate": "2021-04-02"}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let r = app
        .post(
            &format!("/api/v1/patients/{pid}/contacts"),
            &json!({"contactDate": "2022-05-10", "vitalStatus": "1", "followUpSource": "2",
                    "tumors": [{"tumorId": tid, "cancerStatus": "1"}]}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    (pid, tid)
}

fn item<'a>(items: &'a Pairs, id: &str) -> Option<&'a str> {
    items.iter().find(|(k, _)| k == id).map(|(_, v)| v.as_str())
}

async fn export_files_validate_and_follow_the_dictionary(app: &TestApp) {
    seed(app).await;
    let r = submit(app, json!({"recordType": "I", "naaccrVersion": "260"})).await;
    assert_eq!(r.status, 201, "{}", r.body);
    assert_eq!(
        (r.body["patientCount"].as_i64(), r.body["tumorCount"].as_i64()),
        (Some(1), Some(1))
    );
    let id = r.id();
    let (status, ctype, xml) = download(app, &id, false).await;
    assert_eq!((status, ctype.as_str()), (200, "application/xml"));
    assert_eq!(hex_sha(&xml), r.body["sha256"].as_str().expect("sha"));
    xsd_valid(&xml);
    let (rt, patients) = read_back(&xml);
    assert_eq!(rt, RecordType::I);
    let dict = Dictionary::for_version("260").expect("v26");
    let p = &patients[0];
    for (id, _) in p.items.iter().chain(p.tumors.iter().flatten()) {
        let def = dict.get(id).expect("dictionary item");
        assert!(def.record_types.contains(RecordType::I), "{id} is not an I item");
    }
    assert_eq!(item(&p.items, "patientIdNumber"), Some("00004711"));
    assert_eq!(item(&p.items, "sexAssignedAtBirth"), Some("2"));
    assert_eq!(item(&p.items, "race1"), Some("01"));
    assert_eq!(item(&p.items, "dateOfBirth"), Some("19560314"));
    assert_eq!(item(&p.items, "dateOfLastContact"), Some("20220510"));
    assert_eq!(item(&p.items, "vitalStatus"), Some("1"));
    assert_eq!(item(&p.items, "nameLast"), None, "no confidential item in an I file");
    let t = &p.tumors[0];
    assert_eq!(item(t, "primarySite"), Some("C504"));
    assert_eq!(item(t, "dateOfDiagnosis"), Some("20210315"));
    assert_eq!(item(t, "rxSummChemo"), Some("03"));
    assert_eq!(item(t, "rxDateChemo"), Some("20210402"));
    assert_eq!(item(t, "cancerStatus"), Some("1"));
    assert_eq!(item(t, "countyAtDx"), Some("033"));
    assert_eq!(item(t, "accessionNumberHosp"), Some("202100017"));
    assert_eq!(item(t, "medicalRecordNumber"), None, "confidential");
    // gzip on request gives the same file.
    let (status, ctype, gz) = download(app, &id, true).await;
    assert_eq!((status, ctype.as_str()), (200, "application/gzip"));
    let mut plain = Vec::new();
    flate2::read::GzDecoder::new(&gz[..]).read_to_end(&mut plain).expect("gzip");
    assert_eq!(plain, xml);
    // C has names; v25 writes `sex`.
    let r = submit(app, json!({"recordType": "C", "naaccrVersion": "250"})).await;
    assert_eq!(r.status, 201, "{}", r.body);
    let (_, _, xml) = download(app, &r.id(), false).await;
    xsd_valid(&xml);
    let (_, patients) = read_back(&xml);
    assert_eq!(item(&patients[0].items, "nameLast"), Some("Testperson"));
    assert_eq!(item(&patients[0].items, "sex"), Some("2"));
    assert_eq!(item(&patients[0].items, "sexAssignedAtBirth"), None);
    let list = app.get("/api/v1/submissions").await;
    assert_eq!(list.body["items"].as_array().map(Vec::len), Some(2));
}

fn hex_sha(bytes: &[u8]) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(bytes))
}

async fn changed_since_last_holds_only_new_or_changed_tumors(app: &TestApp) {
    let (_, tid) = seed(app).await;
    let since = json!({"recordType": "I", "naaccrVersion": "260", "changedSinceLast": true});
    let first = submit(app, since.clone()).await;
    assert_eq!(first.body["tumorCount"], 1, "{}", first.body);
    let again = submit(app, since.clone()).await;
    assert_eq!(again.body["tumorCount"], 0, "{}", again.body);
    let (_, _, xml) = download(app, &again.id(), false).await;
    xsd_valid(&xml);
    let mut changed = breast_tumor();
    changed["summaryStage2018"] = json!("2");
    let r = app.put(&format!("/api/v1/tumors/{tid}"), 1, &changed).await;
    assert_eq!(r.status, 200, "{}", r.body);
    // Another kind of batch (record type, version) is not the last submission of this series.
    for other in [
        json!({"recordType": "A", "naaccrVersion": "260"}),
        json!({"recordType": "I", "naaccrVersion": "250"}),
    ] {
        let r = submit(app, other).await;
        assert_eq!(r.body["tumorCount"], 1, "{}", r.body);
    }
    let third = submit(app, since.clone()).await;
    assert_eq!(third.body["tumorCount"], 1, "{}", third.body);
    let fourth = submit(app, since).await;
    assert_eq!(fourth.body["tumorCount"], 0, "{}", fourth.body);
    // A full batch still carries everything.
    let all = submit(app, json!({"recordType": "I", "naaccrVersion": "260"})).await;
    assert_eq!(all.body["tumorCount"], 1);
}

/// A value kept from an import that no file may carry (longer than its item) is left out of the
/// file and listed with the batch, not dropped in silence; what the record type leaves out by
/// design (names in an I file) is not listed.
async fn values_a_file_cannot_carry_are_listed_with_the_batch(app: &TestApp) {
    let alias = "A".repeat(41);
    let body =
        patient_xml("00080001", &format!(r#"<Item naaccrId="nameAlias">{alias}</Item>"#), "");
    let r = import(app, "application/xml", a_doc(&body, "")).await;
    assert_eq!(r.body["patientsCreated"], 1, "{}", r.body);
    let problems = r.body["records"][0]["problems"].as_array().expect("problems").clone();
    assert!(
        problems.iter().any(|p| p["naaccrId"] == "nameAlias" && p["outcome"] == "reported"),
        "{}",
        r.body
    );
    let batch =
        submit(app, json!({"recordType": "A", "naaccrVersion": "260", "includeFailing": true}))
            .await;
    assert_eq!(batch.status, 201, "{}", batch.body);
    assert_eq!(
        batch.body["skipped"],
        json!([{"naaccrId": "nameAlias", "reason": "tooLong", "count": 1}])
    );
    let (_, _, xml) = download(app, &batch.id(), false).await;
    assert!(!String::from_utf8_lossy(&xml).contains(&alias));
    let again = app.get(&format!("/api/v1/submissions/{}", batch.id())).await;
    assert_eq!(again.body["skipped"], batch.body["skipped"], "kept with the batch");
    let listed = app.get("/api/v1/submissions").await;
    assert_eq!(listed.body["items"][0]["skipped"], batch.body["skipped"]);
    let incidence =
        submit(app, json!({"recordType": "I", "naaccrVersion": "260", "includeFailing": true}))
            .await;
    assert_eq!(incidence.body["skipped"], json!([]), "{}", incidence.body);
}

/// `build.rs` embeds every dictionary file of the data directory: dropping one in is enough.
#[test]
fn every_dictionary_file_is_built_in() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/src/domain/naaccr/data");
    let files: Vec<String> = std::fs::read_dir(dir)
        .expect("data directory")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".xml"))
        .collect();
    // Base dictionaries v14, v15, v16, v18, v21–v26; default user dictionaries v14–v18 and v21.
    assert_eq!(files.len(), 15, "{files:?}");
    for f in &files {
        let d = Dictionary::for_uri(&format!("http://naaccr.org/naaccrxml/{f}")).expect("built in");
        assert!(d.items.len() >= 2, "{f}");
    }
}

/// Imports of damaged files (bytes changed, inserted or removed; cut short) end in a report or a
/// refusal, never a panic, whatever the bytes: the readers, the mapping onto records, the checks
/// and the writes all see them.
async fn damaged_files_are_reported_or_refused_never_a_panic(app: &TestApp) {
    use oncoreg::service::{Actor, ServiceError, imports};
    let dict = Dictionary::for_version("260").expect("dictionary");
    let xml = write_xml("260", RecordType::A, &[full_patient(dict, RecordType::A, "9001")]);
    let mut flat = String::new();
    for line in write_flat_lines(RecordType::C, &[], &v18_patient("9002")).expect("flat") {
        flat.push_str(&line);
        flat.push('\n');
    }
    let today = chrono::NaiveDate::from_ymd_opt(2026, 6, 30).expect("date");
    let actor = Actor::system("test");
    let mut conn = app.pool.get().expect("connection");
    let specials = "<>&\"'/=!?; \r\n\u{0}é€0123456789".as_bytes();
    let mut seed: u64 = 0x5eed;
    let mut next = move || {
        seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (seed >> 33) as usize
    };
    let (mut read, mut refused) = (0, 0);
    for round in 0..1500 {
        let mut doc = if round % 3 == 0 { flat.clone().into_bytes() } else { xml.clone() };
        for _ in 0..1 + next() % 6 {
            let at = next() % doc.len();
            let b = if next() % 2 == 0 { specials[next() % specials.len()] } else { next() as u8 };
            match next() % 4 {
                0 => doc[at] = b,
                1 => doc.insert(at, b),
                2 => {
                    doc.remove(at);
                }
                _ => doc.truncate(at.max(1)),
            }
        }
        let ctx = oncoreg::service::Ctx { today, rule_set: RuleSet::Naaccr };
        match imports::import(
            &mut conn,
            &actor,
            Box::new(Cursor::new(doc)),
            1 << 30,
            ctx,
            &Default::default(),
        ) {
            Ok(_) => read += 1,
            Err(ServiceError::Refused(_)) => refused += 1,
            Err(e) => panic!("round {round}: neither a report nor a refusal: {e}"),
        }
    }
    assert!(read > 0 && refused > 0, "both outcomes seen: {read} read, {refused} refused");
}

/// Patient id numbers in a downloaded batch.
async fn numbers_in(app: &TestApp, batch: &Reply) -> Vec<String> {
    let (_, _, xml) = download(app, &batch.id(), false).await;
    let mut numbers: Vec<String> = read_back(&xml)
        .1
        .iter()
        .filter_map(|p| item(&p.items, "patientIdNumber").map(str::to_owned))
        .collect();
    numbers.sort();
    numbers
}

/// The reporting facility and diagnosis date filters select tumors (dates of any precision).
async fn facility_and_diagnosis_filters_select_tumors(app: &TestApp) {
    let with = |facility: &str| {
        format!(
            r#"<Item naaccrId="reportingFacility">{facility}</Item><Item naaccrId="gradeClinical">9</Item><Item naaccrId="gradePathological">9</Item>"#
        )
    };
    let patients = [
        ("00070001", "0006100001", "20210315"),
        ("00070002", "0006100002", "20190601"),
        ("00070003", "0006100001", "2023"),
    ];
    let body: String = patients
        .iter()
        .map(|(n, f, dx)| {
            patient_xml(n, "", &with(f))
                .replace(r#""dateOfDiagnosis">20210315"#, &format!(r#""dateOfDiagnosis">{dx}"#))
        })
        .collect();
    let r = import(app, "application/xml", a_doc(&body, "")).await;
    assert_eq!(r.body["patientsCreated"], 3, "{}", r.body);
    let cases = [
        (json!({"reportingFacility": "0006100001"}), vec!["00070001", "00070003"]),
        (json!({"reportingFacility": "0006100009"}), vec![]),
        (json!({"dxFrom": "2020-01-01", "dxTo": "2022-12-31"}), vec!["00070001"]),
        (json!({"dxTo": "2019-06"}), vec!["00070002"]),
        (json!({"dxFrom": "2023-07-01"}), vec!["00070003"]),
        (json!({"reportingFacility": "0006100001", "dxFrom": "2022"}), vec!["00070003"]),
    ];
    for (filters, want) in cases {
        let mut req = json!({"recordType": "A", "naaccrVersion": "260", "includeFailing": true});
        for (k, v) in filters.as_object().expect("filters") {
            req[k] = v.clone();
        }
        let batch = submit(app, req.clone()).await;
        assert_eq!(batch.status, 201, "{}", batch.body);
        assert_eq!(batch.body["tumorCount"], want.len(), "{req}: {}", batch.body);
        assert_eq!(numbers_in(app, &batch).await, want, "{req}");
        // The batch records its filters.
        for (k, v) in filters.as_object().expect("filters") {
            assert_eq!(&batch.body["filters"][k], v, "{}", batch.body);
        }
    }
}

/// The scheduled monthly job: a tick makes a changed-since-last batch and leaves its file, whole,
/// in the export directory; the same tick again does nothing, a later run sends only what changed.
async fn the_monthly_job_sends_each_change_once(app: &TestApp) {
    use oncoreg::jobs::{Outcome, Trigger, run_job};
    let (_, tid) = seed(app).await;
    let ctx = crate::followup::context(app);
    let as_of = chrono::NaiveDate::from_ymd_opt(2026, 7, 1).expect("date");
    let tick = Trigger::Schedule { period: "2026-07-01T02:00".into() };
    let counts = match run_job(&ctx, "monthly-export", as_of, &tick).expect("job runs") {
        Outcome::Ran { counts, .. } => counts,
        other => panic!("did not run: {other:?}"),
    };
    assert_eq!((counts["patients"], counts["tumors"], counts["excluded"]), (1, 1, 0));
    let exports = std::path::Path::new(&app.settings.monthly_export.export_dir);
    let names: Vec<String> = std::fs::read_dir(exports)
        .expect("export directory")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names.len(), 1, "one file and no temporary left: {names:?}");
    assert!(names[0].starts_with("naaccr-260-I-") && names[0].ends_with(".xml"), "{names:?}");
    let xml = std::fs::read(exports.join(&names[0])).expect("file");
    xsd_valid(&xml);
    let (rt, patients) = read_back(&xml);
    assert_eq!((rt, patients.len()), (RecordType::I, 1));
    // The batch is on the list like any other, made by the job.
    let list = app.get("/api/v1/submissions").await;
    assert_eq!(list.body["items"][0]["fileName"], json!(names[0]), "{}", list.body);
    assert_eq!(list.body["items"][0]["createdBy"], "monthly-export");
    let again = run_job(&ctx, "monthly-export", as_of, &tick).expect("same tick");
    assert!(matches!(again, Outcome::Skipped(_)), "{again:?}");
    let manual = run_job(&ctx, "monthly-export", as_of, &Trigger::Manual).expect("runs");
    let Outcome::Ran { counts, .. } = manual else { panic!("did not run: {manual:?}") };
    assert_eq!(counts["tumors"], 0, "nothing changed since the last batch");
    let mut changed = breast_tumor();
    changed["summaryStage2018"] = json!("2");
    let r = app.put(&format!("/api/v1/tumors/{tid}"), 1, &changed).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let next = Trigger::Schedule { period: "2026-08-01T02:00".into() };
    let Ok(Outcome::Ran { counts, .. }) = run_job(&ctx, "monthly-export", as_of, &next) else {
        panic!("next month's tick did not run");
    };
    assert_eq!(counts["tumors"], 1, "the changed tumor goes again");
}

/// Export settings no batch could be made with stop the service at start, naming the setting.
#[test]
fn monthly_export_settings_are_checked_at_start() {
    use oncoreg::service::submissions::MonthlyExport;
    let mut settings = oncoreg::config::Settings::for_database("oncoreg.db");
    settings.monthly_export.export_record_type = "M".into();
    settings.monthly_export.export_naaccr_version = "240".into();
    settings.monthly_export.export_facility = Some("12345678901".into());
    let err = MonthlyExport::from_settings(&settings).expect_err("refused").to_string();
    for setting in ["export-record-type", "export-naaccr-version", "export-facility"] {
        assert!(err.contains(setting), "{setting} not named: {err}");
    }
    assert!(
        MonthlyExport::from_settings(&oncoreg::config::Settings::for_database("oncoreg.db"))
            .is_ok()
    );
}

async fn failing_tumors_are_listed_and_left_out_unless_asked(app: &TestApp) {
    // Stored under the IARC rule set, which has no NAACCR laterality edit: the API would refuse
    // an unpaired code (0) on the breast, and so does the NAACCR set the export runs.
    let pid = app.patient(&patient_body("4712")).await;
    let mut unpaired = breast_tumor();
    unpaired["laterality"] = json!("0");
    let data: oncoreg::model::TumorData = serde_json::from_value(unpaired).expect("tumor body");
    let mut conn = app.pool.get().expect("connection");
    let iarc = oncoreg::service::Ctx {
        today: chrono::NaiveDate::from_ymd_opt(2026, 6, 30).expect("date"),
        rule_set: oncoreg::domain::edits::RuleSet::Iarc,
    };
    let stored = oncoreg::service::tumors::create(
        &mut conn,
        &oncoreg::service::Actor::system("setup"),
        &pid,
        &data,
        iarc,
    )
    .expect("stored under IARC");
    drop(conn);
    let tid = stored.id.clone().unwrap_or_default();
    let r = submit(app, json!({"recordType": "I", "naaccrVersion": "260"})).await;
    assert_eq!(r.status, 201, "{}", r.body);
    assert_eq!(
        (r.body["tumorCount"].as_i64(), r.body["excludedCount"].as_i64()),
        (Some(0), Some(1))
    );
    assert_eq!(r.body["excluded"][0]["tumorId"], json!(tid));
    assert!(r.body["excluded"][0]["reasons"][0]["editId"].is_string(), "{}", r.body);
    let got = app.get(&format!("/api/v1/submissions/{}", r.id())).await;
    assert_eq!(got.body["excluded"][0]["tumorId"], json!(tid));
    let r = submit(app, json!({"recordType": "I", "naaccrVersion": "260", "includeFailing": true}))
        .await;
    assert_eq!(r.body["tumorCount"], 1);
}

async fn bad_submission_requests_name_the_field(app: &TestApp) {
    let cases = [
        (json!({"recordType": "M", "naaccrVersion": "260"}), "recordType"),
        (json!({"recordType": "I", "naaccrVersion": "240"}), "naaccrVersion"),
        (
            json!({"recordType": "I", "naaccrVersion": "260", "dxFrom": "2022", "dxTo": "2021"}),
            "dxTo",
        ),
        (json!({"recordType": "I", "naaccrVersion": "260", "dxFrom": "2021-13"}), "dxFrom"),
    ];
    for (body, field) in cases {
        let r = submit(app, body).await;
        let errors = r.problem(422);
        assert!(errors.iter().any(|(f, _)| f == field), "{field}: {errors:?}");
    }
    let r = app
        .send(
            reqwest::Method::POST,
            "/api/v1/submissions",
            Some(&app.viewer),
            Some(&json!({"recordType": "I", "naaccrVersion": "260"})),
        )
        .await;
    r.problem(403);
    app.get("/api/v1/submissions/0190a000-0000-7000-8000-000000000000").await.problem(404);
}

// --- import ------------------------------------------------------------------------------------

/// A value that passes the item's checks.
fn sample(def: &ItemDef) -> String {
    let n = def.length;
    match def.data_type {
        DataType::Digits => "1".repeat(n),
        DataType::Alpha => "A".repeat(n),
        DataType::Mixed => "A1".chars().cycle().take(n).collect(),
        DataType::Numeric if n >= 3 => "1.5".into(),
        DataType::Numeric => "1".into(),
        DataType::Date => "20190714".into(),
        DataType::DateTime => "2024-02-29T10:11:12-04:00".into(),
        DataType::Text if n >= 6 => "Ab<&>é".into(),
        DataType::Text => "A".repeat(n.min(1)),
    }
}

/// A patient with every item of the record type, registry fields set to valid codes.
fn full_patient(dict: &Dictionary, rt: RecordType, number: &str) -> PatientItems {
    let at = |level: Level, fixed: &[(&str, &str)]| -> Pairs {
        dict.items
            .iter()
            .filter(|d| d.level == level && d.record_types.contains(rt))
            .map(|d| {
                let v = fixed
                    .iter()
                    .find(|(k, _)| *k == d.naaccr_id)
                    .map_or_else(|| sample(d), |(_, v)| v.to_string());
                (d.naaccr_id.clone(), v)
            })
            .collect()
    };
    let patient = [
        ("patientIdNumber", number),
        ("nameLast", "Testperson"),
        ("nameFirst", "Alpha"),
        ("dateOfBirth", "19560314"),
        ("sex", "5"),
        ("sexAssignedAtBirth", "2"),
        ("dateOfLastContact", "20230110"),
        ("vitalStatus", "1"),
    ];
    let tumor = |seq: &'static str| -> Vec<(&'static str, &'static str)> {
        vec![
            ("primarySite", "C504"),
            ("histologicTypeIcdO3", "8500"),
            ("behaviorCodeIcdO3", "3"),
            ("laterality", "2"),
            ("dateOfDiagnosis", "20190315"),
            ("dateOf1stContact", "20190320"),
            ("sequenceNumberHospital", seq),
            ("classOfCase", "14"),
            ("cancerStatus", "1"),
        ]
    };
    PatientItems {
        items: at(Level::Patient, &patient),
        tumors: vec![at(Level::Tumor, &tumor("01")), at(Level::Tumor, &tumor("02"))],
    }
}

fn write_xml(version: &str, rt: RecordType, patients: &[PatientItems]) -> Vec<u8> {
    let dict = Dictionary::for_version(version).expect("dictionary");
    let mut w = NaaccrXmlWriter::new(Vec::new(), dict, rt, None).expect("writer");
    for p in patients {
        w.write_patient(p).expect("write");
    }
    w.finish().expect("finish").0
}

type ItemSet = BTreeSet<(String, String)>;

fn sorted(p: &PatientItems) -> (ItemSet, Vec<ItemSet>) {
    (
        p.items.iter().cloned().collect(),
        p.tumors.iter().map(|t| t.iter().cloned().collect()).collect(),
    )
}

async fn import_then_export_gives_back_every_item(app: &TestApp) {
    let cases = [
        ("260", RecordType::A, "1001"),
        ("250", RecordType::A, "1002"),
        ("260", RecordType::C, "1003"),
        ("250", RecordType::I, "1004"),
        ("260", RecordType::I, "1005"),
    ];
    for (version, rt, number) in cases {
        let dict = Dictionary::for_version(version).expect("dictionary");
        let written = full_patient(dict, rt, number);
        let file = write_xml(version, rt, std::slice::from_ref(&written));
        // What the reader gives back is the reference (it zero-pads as the writer does).
        let (_, reference) = read_back(&file);
        let r = import(app, "application/xml", file.clone()).await;
        assert_eq!(r.status, 200, "{}", r.body);
        assert_eq!(r.body["patientsCreated"], 1, "{}", r.body);
        assert_eq!(r.body["patientsRejected"], 0, "{}", r.body);
        // Nothing is invented: an incidence record carries no names, and none is made up.
        let supplied = r.body["records"]
            .as_array()
            .into_iter()
            .flatten()
            .flat_map(|rec| rec["problems"].as_array().into_iter().flatten())
            .filter(|p| p["outcome"] == "supplied")
            .count();
        assert_eq!(supplied, 0, "{}", r.body);
        let s = submit(
            app,
            json!({"recordType": rt.as_str(), "naaccrVersion": version, "includeFailing": true}),
        )
        .await;
        assert_eq!(s.status, 201, "{}", s.body);
        let (_, _, xml) = download(app, &s.id(), false).await;
        xsd_valid(&xml);
        let (_, exported) = read_back(&xml);
        let mine = exported
            .iter()
            .find(|p| item(&p.items, "patientIdNumber") == Some(&format!("0000{number}")))
            .expect("patient exported");
        let (want_p, want_t) = sorted(&reference[0]);
        let (got_p, got_t) = sorted(mine);
        assert_eq!(
            want_p.difference(&got_p).collect::<Vec<_>>(),
            Vec::<&(String, String)>::new(),
            "v{version} patient lost"
        );
        assert_eq!(
            got_p.difference(&want_p).collect::<Vec<_>>(),
            Vec::<&(String, String)>::new(),
            "v{version} patient added"
        );
        assert_eq!(want_t.len(), got_t.len());
        for (w, g) in want_t.iter().zip(&got_t) {
            assert_eq!(
                w.difference(g).collect::<Vec<_>>(),
                Vec::<&(String, String)>::new(),
                "v{version} tumor lost"
            );
            assert_eq!(
                g.difference(w).collect::<Vec<_>>(),
                Vec::<&(String, String)>::new(),
                "v{version} tumor added"
            );
        }
        // Importing the same file again changes nothing.
        let again = import(app, "application/gzip", gzip(&file)).await;
        assert_eq!(again.status, 200, "{}", again.body);
        assert_eq!(again.body["patientsUnchanged"], 1, "{}", again.body);
        assert_eq!(
            (again.body["patientsCreated"].as_u64(), again.body["tumorsCreated"].as_u64()),
            (Some(0), Some(0))
        );
    }
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    e.write_all(bytes).expect("gzip");
    e.finish().expect("gzip")
}

/// A v18 patient with typed fields only (valid codes), for flat/XML twins.
fn v18_patient(number: &str) -> PatientItems {
    PatientItems {
        items: pairs(&[
            ("patientIdNumber", number),
            ("nameLast", "Flatperson"),
            ("dateOfBirth", "19600101"),
            ("sex", "1"),
            ("race1", "01"),
            ("dateOfLastContact", "20220101"),
            ("vitalStatus", "1"),
        ]),
        tumors: vec![pairs(&[
            ("primarySite", "C189"),
            ("histologicTypeIcdO3", "8140"),
            ("behaviorCodeIcdO3", "3"),
            ("laterality", "0"),
            ("dateOfDiagnosis", "20200115"),
            ("sequenceNumberHospital", "00"),
            ("classOfCase", "14"),
            ("rxSummSurgPrimSite", "30"),
            ("rxDateSurgery", "20200201"),
            ("countyAtDx", "033"),
            ("cancerStatus", "1"),
        ])],
    }
}

async fn flat_file_and_its_xml_twin_give_the_same_registry(app: &TestApp) {
    let cases = [
        (RecordType::A, "2001", "2002"),
        (RecordType::C, "2003", "2004"),
        (RecordType::I, "2005", "2006"),
    ];
    for (rt, first, second) in cases {
        let mut patients = [v18_patient(first), v18_patient(second)];
        if rt == RecordType::I {
            // Names are confidential: an incidence record has no place for them.
            for p in &mut patients {
                p.items.retain(|(id, _)| id != "nameLast");
            }
        }
        let mut flat = String::new();
        for p in &patients {
            for line in write_flat_lines(rt, &[], p).expect("flat") {
                flat.push_str(&line);
                flat.push('\n');
            }
        }
        let r = import(app, "text/plain", flat.into_bytes()).await;
        assert_eq!(r.status, 200, "{}", r.body);
        assert_eq!(
            (
                r.body["format"].as_str(),
                r.body["recordType"].as_str(),
                r.body["patientsCreated"].as_u64()
            ),
            (Some("flat"), Some(rt.as_str()), Some(2)),
            "{}",
            r.body
        );
        let twin = write_xml("180", rt, &patients);
        let r = import(app, "application/xml", twin).await;
        assert_eq!(r.status, 200, "{}", r.body);
        assert_eq!(r.body["patientsUnchanged"], 2, "{rt:?}: {}", r.body);
    }
    let tumors = app.get("/api/v1/tumors?limit=100").await;
    assert_eq!(tumors.body["items"].as_array().map(Vec::len), Some(6));
    // Each record type brought its patients' follow-up and first-course treatment.
    let patients = app.get("/api/v1/patients?limit=100").await;
    for p in patients.body["items"].as_array().into_iter().flatten() {
        let id = p["id"].as_str().expect("id");
        // An incidence record carries no name: the patient is stored without one, and flagged.
        let named = if p["patientIdNumber"].as_str() >= Some("00002005") {
            assert!(p["findings"].to_string().contains("name-last-missing"), "{p}");
            Value::Null
        } else {
            json!("Flatperson")
        };
        assert_eq!(p["nameLast"], named, "{p}");
        let tumors = app.get(&format!("/api/v1/patients/{id}/tumors")).await;
        let tid = tumors.body["items"][0]["id"].as_str().expect("tumor id");
        let treatments = app.get(&format!("/api/v1/tumors/{tid}/treatments")).await;
        assert_eq!(treatments.body["items"][0]["code"], "30", "{}", treatments.body);
        assert_eq!(treatments.body["items"][0]["startDate"], "2020-02-01", "{}", treatments.body);
        let contacts = app.get(&format!("/api/v1/patients/{id}/contacts")).await;
        assert_eq!(contacts.body["items"][0]["contactDate"], "2022-01-01", "{}", contacts.body);
    }
}

const XML_HEAD: &str = r#"<?xml version="1.0"?><NaaccrData baseDictionaryUri="http://naaccr.org/naaccrxml/naaccr-dictionary-260.xml" recordType="I" specificationVersion="1.8" xmlns="http://naaccr.org/naaccrxml">"#;

fn doc(body: &str) -> Vec<u8> {
    format!("{XML_HEAD}{body}</NaaccrData>").into_bytes()
}

async fn refused_files_are_422_and_change_nothing(app: &TestApp) {
    let good = r#"<Patient><Item naaccrId="patientIdNumber">00000001</Item></Patient>"#;
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("malformed", b"<NaaccrData".to_vec()),
        ("doctype", b"<!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]><x/>".to_vec()),
        ("wrong root", b"<Other xmlns=\"http://naaccr.org/naaccrxml\"/>".to_vec()),
        ("wrong namespace", br#"<NaaccrData baseDictionaryUri="http://naaccr.org/naaccrxml/naaccr-dictionary-260.xml" recordType="I" specificationVersion="1.8"/>"#.to_vec()),
        ("no baseDictionaryUri", br#"<NaaccrData recordType="I" specificationVersion="1.8" xmlns="http://naaccr.org/naaccrxml"/>"#.to_vec()),
        ("unsupported version", br#"<NaaccrData baseDictionaryUri="http://naaccr.org/naaccrxml/naaccr-dictionary-990.xml" recordType="I" specificationVersion="1.8" xmlns="http://naaccr.org/naaccrxml"/>"#.to_vec()),
        ("no recordType", br#"<NaaccrData baseDictionaryUri="http://naaccr.org/naaccrxml/naaccr-dictionary-260.xml" specificationVersion="1.8" xmlns="http://naaccr.org/naaccrxml"/>"#.to_vec()),
        ("bad recordType", br#"<NaaccrData baseDictionaryUri="http://naaccr.org/naaccrxml/naaccr-dictionary-260.xml" recordType="X" specificationVersion="1.8" xmlns="http://naaccr.org/naaccrxml"/>"#.to_vec()),
        ("no specificationVersion", br#"<NaaccrData baseDictionaryUri="http://naaccr.org/naaccrxml/naaccr-dictionary-260.xml" recordType="I" xmlns="http://naaccr.org/naaccrxml"/>"#.to_vec()),
        ("bad specificationVersion", br#"<NaaccrData baseDictionaryUri="http://naaccr.org/naaccrxml/naaccr-dictionary-260.xml" recordType="I" specificationVersion="9.9" xmlns="http://naaccr.org/naaccrxml"/>"#.to_vec()),
        ("extra root attribute", br#"<NaaccrData baseDictionaryUri="http://naaccr.org/naaccrxml/naaccr-dictionary-260.xml" recordType="I" specificationVersion="1.8" foo="1" xmlns="http://naaccr.org/naaccrxml"/>"#.to_vec()),
        ("unknown element", doc("<Something/>")),
        ("attribute on Patient", doc(r#"<Patient id="1"/>"#)),
        ("Item without naaccrId", doc("<Patient><Item>1</Item></Patient>")),
        ("non-integer naaccrNum", doc(r#"<Patient><Item naaccrId="patientIdNumber" naaccrNum="x">1</Item></Patient>"#)),
        ("duplicate item", doc(r#"<Patient><Item naaccrId="race1">01</Item><Item naaccrId="race1">02</Item></Patient>"#)),
        ("text in Patient", doc("<Patient>text</Patient>")),
        ("value too large", doc(&format!(r#"<Patient><Item naaccrId="nameLast">{}</Item></Patient>"#, "x".repeat(70_000)))),
        // A fatal error after a good patient refuses the file as a whole.
        ("late fatal", doc(&format!("{good}<Patient><Tumor><Tumor/></Tumor></Patient>"))),
        ("trailing content", { let mut d = doc(good); d.extend(b"<x/>"); d }),
        ("empty", Vec::new()),
        ("garbage", vec![0xff, 0xfe, 0x00, 0x01, 0x80]),
        ("truncated gzip", gzip(&doc(good))[..20].to_vec()),
        ("flat: record type", format!("Z{}\n", " ".repeat(100)).into_bytes()),
        ("flat: version", format!("I{}170{}\n", " ".repeat(15), " ".repeat(100)).into_bytes()),
        ("flat: line too long", vec![b'I'; 200_000]),
    ];
    for (name, body) in cases {
        let ctype = if name.starts_with("flat") { "text/plain" } else { "application/xml" };
        let r = import(app, ctype, body).await;
        let errors = r.problem(422);
        assert_eq!(
            errors.first().map(|e| e.1.as_str()),
            Some("file.refused"),
            "{name}: {}",
            r.body
        );
    }
    let patients = app.get("/api/v1/patients").await;
    assert_eq!(patients.body["items"].as_array().map(Vec::len), Some(0), "nothing was written");
    let big =
        import(app, "application/xml", vec![b' '; crate::common::TEST_IMPORT_LIMIT + 1]).await;
    big.problem(413);
    // A small upload that expands past the limit (a gzip bomb) is refused whole, not truncated.
    let limit = crate::common::TEST_IMPORT_EXPANDED_LIMIT as usize;
    let filler = format!("<!--{}-->\n", " ".repeat(1000)).repeat(limit / 1000);
    let bomb = gzip(&doc(&format!("{good}{filler}")));
    assert!(bomb.len() < crate::common::TEST_IMPORT_LIMIT, "the upload itself is small");
    let r = import(app, "application/gzip", bomb).await;
    let errors = r.problem(422);
    assert_eq!(errors.first().map(|e| e.1.as_str()), Some("file.refused"), "{}", r.body);
    assert!(r.body.to_string().contains("expands to more than"), "{}", r.body);
    // Distinct patients, so no patient reaches its tumor bound first.
    let mut flat = String::new();
    for n in 0..(limit / 4048 + 10) {
        let number = format!("{:08}", 100 + n);
        let p = PatientItems { items: pairs(&[("patientIdNumber", &number)]), tumors: vec![] };
        for line in write_flat_lines(RecordType::I, &[], &p).expect("flat") {
            flat.push_str(&line);
            flat.push('\n');
        }
    }
    let flat_bomb = gzip(flat.as_bytes());
    assert!(flat_bomb.len() < crate::common::TEST_IMPORT_LIMIT, "the upload itself is small");
    let r = import(app, "application/gzip", flat_bomb).await;
    r.problem(422);
    assert!(r.body.to_string().contains("expands to more than"), "{}", r.body);
    let r = import(app, "application/json", doc(good)).await;
    r.problem(415);
    let r = app
        .client
        .post(app.url("/api/v1/imports"))
        .bearer_auth(&app.viewer)
        .header("content-type", "application/xml")
        .body(doc(good))
        .send()
        .await
        .expect("sent");
    Reply::from_response(r).await.problem(403);
}

fn tumor_xml(extra: &str) -> String {
    format!(
        r#"<Tumor><Item naaccrId="primarySite">C504</Item><Item naaccrId="histologicTypeIcdO3">8500</Item><Item naaccrId="behaviorCodeIcdO3">3</Item><Item naaccrId="laterality">2</Item><Item naaccrId="dateOfDiagnosis">20210315</Item><Item naaccrId="sequenceNumberHospital">00</Item><Item naaccrId="classOfCase">14</Item>{extra}</Tumor>"#
    )
}

fn patient_xml(number: &str, extra: &str, tumor_extra: &str) -> String {
    format!(
        r#"<Patient><Item naaccrId="patientIdNumber">{number}</Item><Item naaccrId="nameLast">Testperson</Item><Item naaccrId="sexAssignedAtBirth">2</Item><Item naaccrId="dateOfBirth">19560314</Item>{extra}{}</Patient>"#,
        tumor_xml(tumor_extra)
    )
}

fn a_doc(body: &str, root_extra: &str) -> Vec<u8> {
    format!(r#"<?xml version="1.0"?><NaaccrData baseDictionaryUri="http://naaccr.org/naaccrxml/naaccr-dictionary-260.xml" recordType="A" specificationVersion="1.8"{root_extra} xmlns="http://naaccr.org/naaccrxml">{body}</NaaccrData>"#).into_bytes()
}

/// Within a patient a tumor is the stored one with its hospital sequence number; the accession
/// number (the patient's registration at the hospital, shared by its tumors) confirms the match
/// when both sides have one.
async fn tumors_match_on_sequence_confirmed_by_accession(app: &TestApp) {
    let acc = |n: &str| format!(r#"<Item naaccrId="accessionNumberHosp">{n}</Item>"#);
    let counts = |r: &Reply, keys: [&str; 2]| keys.map(|k| r.body[k].as_u64().unwrap_or(u64::MAX));
    let first = a_doc(&patient_xml("00050001", "", &acc("202100001")), "");
    let r = import(app, "application/xml", first).await;
    assert_eq!(counts(&r, ["patientsCreated", "tumorsCreated"]), [1, 1], "{}", r.body);
    // Same sequence and accession number, a changed laterality: the stored tumor is updated.
    let changed = patient_xml("00050001", "", &acc("202100001"))
        .replace(r#""laterality">2"#, r#""laterality">1"#);
    let r = import(app, "application/xml", a_doc(&changed, "")).await;
    assert_eq!(counts(&r, ["tumorsUpdated", "tumorsCreated"]), [1, 0], "{}", r.body);
    // Another accession number under the same sequence number: neither an update nor a second
    // tumor 00; the patient is rejected with the reason, and the stored tumor stays.
    let other = patient_xml("00050001", "", &acc("202200007"))
        .replace(r#""laterality">2"#, r#""laterality">1"#);
    let r = import(app, "application/xml", a_doc(&other, "")).await;
    assert_eq!(r.body["patientsRejected"], 1, "{}", r.body);
    let problems = &r.body["records"][0]["problems"];
    assert!(
        problems.as_array().into_iter().flatten().any(|p| p["rule"] == "tumor.accessionMismatch"
            && p["naaccrId"] == "accessionNumberHosp"
            && p["outcome"] == "rejected"),
        "{}",
        r.body
    );
    let tumors = app.get("/api/v1/tumors?limit=10").await;
    let stored: Vec<&Value> = tumors.body["items"].as_array().into_iter().flatten().collect();
    assert!(
        stored.iter().any(|t| t["accessionNumberHosp"] == "202100001" && t["laterality"] == "1"),
        "{}",
        tumors.body
    );
    // No accession number in the file: the sequence number alone matches (and the file's blank
    // accession number is taken, as any blank item of the record type is).
    let bare = patient_xml("00050001", "", "").replace(r#""laterality">2"#, r#""laterality">1"#);
    let r = import(app, "application/xml", a_doc(&bare, "")).await;
    assert_eq!(counts(&r, ["tumorsUpdated", "tumorsCreated"]), [1, 0], "{}", r.body);
}

/// Files written with the v23 and v24 dictionaries are read into the registry as v25/v26 files are.
async fn older_dictionaries_import_into_the_registry(app: &TestApp) {
    for (version, number) in [("230", "60001"), ("240", "60002")] {
        let body = patient_xml(&format!("000{number}"), r#"<Item naaccrId="sex">2</Item>"#, "")
            .replace(r#"<Item naaccrId="sexAssignedAtBirth">2</Item>"#, "");
        let file = format!(
            r#"<?xml version="1.0"?><NaaccrData baseDictionaryUri="http://naaccr.org/naaccrxml/naaccr-dictionary-{version}.xml" recordType="A" specificationVersion="1.4" xmlns="http://naaccr.org/naaccrxml">{body}</NaaccrData>"#
        );
        let r = import(app, "application/xml", file.clone().into_bytes()).await;
        assert_eq!(r.status, 200, "{}", r.body);
        assert_eq!(
            (r.body["naaccrVersion"].as_str(), r.body["patientsCreated"].as_u64()),
            (Some(version), Some(1)),
            "{}",
            r.body
        );
        let r = import(app, "application/xml", file.into_bytes()).await;
        assert_eq!(r.body["patientsUnchanged"], 1, "{}", r.body);
        let p = app.get(&format!("/api/v1/patients?patientIdNumber=000{number}")).await;
        assert_eq!(
            (&p.body["items"][0]["nameLast"], &p.body["items"][0]["sexAssignedAtBirth"]),
            (&json!("Testperson"), &json!("2")),
            "{}",
            p.body
        );
    }
}

async fn reported_problems_are_listed_per_record(app: &TestApp) {
    // (patient extra items, tumor extra items, rule expected, outcome expected, status expected)
    let cases = [
        ("", r#"<Item naaccrId="noSuchItem">1</Item>"#, "item.unknown", "dropped", "created"),
        (
            "",
            r#"<Item naaccrId="grade" naaccrNum="999">1</Item>"#,
            "item.naaccrNum",
            "reported",
            "created",
        ),
        (r#"<Item naaccrId="primarySite">C504</Item>"#, "", "item.level", "dropped", "created"),
        ("", r#"<Item naaccrId="ageAtDiagnosis">1234</Item>"#, "item.value", "reported", "created"),
        ("", r#"<Item naaccrId="grade">Q</Item>"#, "code.unknown", "kept", "created"),
        (r#"<Item naaccrId="race1">7X</Item>"#, "", "item.value", "reported", "created"),
        (
            "",
            r#"<Item naaccrId="dateOf1stContact">20210230</Item>"#,
            "item.value",
            "reported",
            "created",
        ),
    ];
    for (i, (p_extra, t_extra, rule, outcome, status)) in cases.iter().enumerate() {
        let number = format!("{:08}", 5000 + i);
        let r = import(app, "application/xml", a_doc(&patient_xml(&number, p_extra, t_extra), ""))
            .await;
        assert_eq!(r.status, 200, "{}", r.body);
        let rec = &r.body["records"][0];
        assert_eq!(rec["status"], json!(status), "case {i}: {}", r.body);
        let problems = rec["problems"].as_array().expect("problems");
        assert!(
            problems.iter().any(|p| p["rule"] == json!(rule) && p["outcome"] == json!(outcome)),
            "case {i}: {rule}/{outcome} in {}",
            r.body
        );
    }
    // Store first: a patient without a last name is stored, and flagged.
    let no_name = a_doc(
        &format!(
            r#"<Patient><Item naaccrId="patientIdNumber">00006001</Item><Item naaccrId="sexAssignedAtBirth">2</Item>{}</Patient>"#,
            tumor_xml("")
        ),
        "",
    );
    let r = import(app, "application/xml", no_name).await;
    assert_eq!(
        (r.body["patientsCreated"].clone(), r.body["patientsRejected"].clone()),
        (json!(1), json!(0)),
        "{}",
        r.body
    );
    let p = app.get("/api/v1/patients?patientIdNumber=00006001").await;
    assert_eq!(p.body["items"][0]["nameLast"], Value::Null);
    assert!(p.body["items"][0]["findings"].to_string().contains("name-last-missing"), "{}", p.body);
    // Only a patient without a usable patient id number is left out.
    let no_number = a_doc(
        &format!(
            r#"<Patient><Item naaccrId="sexAssignedAtBirth">2</Item>{}</Patient>"#,
            tumor_xml("")
        ),
        "",
    );
    let r = import(app, "application/xml", no_number).await;
    assert_eq!(r.body["patientsRejected"], 1, "{}", r.body);
    assert_eq!(
        r.body["records"][0]["problems"][0]["naaccrId"],
        json!("patientIdNumber"),
        "{}",
        r.body
    );
    assert_eq!(r.body["records"][0]["problems"][0]["outcome"], json!("rejected"));
    // A site that is no ICD-O-3 code is kept as read in the tumor's items, flagged.
    let bad_tumor = a_doc(
        &patient_xml("00006002", "", r#"<Item naaccrId="noSuch">1</Item>"#).replace("C504", "C999"),
        "",
    );
    let r = import(app, "application/xml", bad_tumor).await;
    assert_eq!(r.body["patientsCreated"], 1, "{}", r.body);
    let problems = r.body["records"][0]["problems"].as_array().expect("problems");
    assert!(
        problems.iter().any(|p| p["naaccrId"] == "primarySite" && p["outcome"] == "kept"),
        "{}",
        r.body
    );
    let t = app.get("/api/v1/tumors?patientIdNumber=00006002").await;
    let tumor = &t.body["items"][0];
    assert_eq!(tumor["primarySite"], Value::Null, "{tumor}");
    assert_eq!(tumor["editStatus"], "errors", "{tumor}");
    assert!(tumor["findings"].to_string().contains("value-kept"), "{tumor}");
    // A date rule: diagnosis before birth is stored and flagged.
    let before_birth = a_doc(&patient_xml("00006003", "", "").replace("20210315", "19500101"), "");
    let r = import(app, "application/xml", before_birth).await;
    assert_eq!(r.body["patientsCreated"], 1, "{}", r.body);
    let problems = r.body["records"][0]["problems"].as_array().expect("problems");
    assert!(problems.iter().any(|p| p["rule"] == "edit.date-order"), "{}", r.body);
    // An error-level edit is reported; the record is imported.
    let prostate = a_doc(
        &patient_xml("00006004", "", "")
            .replace("C504", "C619")
            .replace("8500", "8140")
            .replace(r#""laterality">2"#, r#""laterality">0"#),
        "",
    );
    let r = import(app, "application/xml", prostate).await;
    assert_eq!(r.body["patientsCreated"], 1, "{}", r.body);
    let problems = r.body["records"][0]["problems"].as_array().expect("problems");
    assert!(
        problems.iter().any(|p| p["rule"].as_str().is_some_and(|x| x.starts_with("edit."))),
        "{}",
        r.body
    );
    // Header problems: a bad timeGenerated.
    let r = import(app, "application/xml", a_doc("", r#" timeGenerated="yesterday""#)).await;
    assert_eq!(r.body["headerProblems"][0]["rule"], json!("root.timeGenerated"), "{}", r.body);
    // Flat: a short line and a patient value that differs between lines.
    let p = v18_patient("7001");
    let mut lines = write_flat_lines(RecordType::C, &[], &p).expect("flat");
    let mut second = write_flat_lines(
        RecordType::C,
        &[],
        &PatientItems {
            items: pairs(&[("patientIdNumber", "7001"), ("race1", "02")]),
            tumors: p.tumors.clone(),
        },
    )
    .expect("flat");
    lines.append(&mut second);
    lines[0].truncate(4000);
    let r = import(app, "text/plain", (lines.join("\n") + "\n").into_bytes()).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let problems = r.body["records"][0]["problems"].as_array().expect("problems");
    for rule in ["line.length", "patient.mismatch"] {
        assert!(problems.iter().any(|p| p["rule"] == json!(rule)), "{rule}: {}", r.body);
    }
}

/// A patient whose id number comes back in a later batch (batches hold 1,000 patients and are
/// planned while earlier ones are still being written) is matched, not created twice.
async fn a_patient_repeated_in_a_later_batch_is_matched(app: &TestApp) {
    let mut body: String =
        (0..1100).map(|i| patient_xml(&format!("{:08}", 20_000 + i), "", "")).collect();
    let second_tumor = tumor_xml("")
        .replace("C504", "C189")
        .replace("8500", "8140")
        .replace(r#""laterality">2"#, r#""laterality">0"#)
        .replace(r#""sequenceNumberHospital">00"#, r#""sequenceNumberHospital">02"#);
    body.push_str(
        &patient_xml("00020005", "", "")
            .replace("</Patient>", &format!("{second_tumor}</Patient>")),
    );
    let r = import(app, "application/gzip", gzip(&a_doc(&body, ""))).await;
    assert_eq!(r.status, 200);
    let counts = |b: &Value| {
        format!(
            "{}",
            json!({"created": b["patientsCreated"], "updated": b["patientsUpdated"], "unchanged": b["patientsUnchanged"], "tumorsCreated": b["tumorsCreated"]})
        )
    };
    assert_eq!(r.body["patientsRead"], 1101, "{}", counts(&r.body));
    assert_eq!(r.body["patientsCreated"], 1100, "{}", counts(&r.body));
    assert_eq!(r.body["patientsUpdated"], 1, "{}", counts(&r.body));
    assert_eq!(r.body["tumorsCreated"], 1101, "{}", counts(&r.body));
    // Importing the same file again changes nothing.
    let r = import(app, "application/gzip", gzip(&a_doc(&body, ""))).await;
    assert_eq!(r.body["patientsUnchanged"], 1101, "{}", counts(&r.body));
    assert_eq!(r.body["tumorsCreated"], 0, "{}", counts(&r.body));
}

/// Importing a changed file updates the stored patient, tumor and treatment in place; the same file
/// again changes nothing.
async fn an_import_updates_changed_records(app: &TestApp) {
    let chemo = |code: &str| {
        format!(
            r#"<Item naaccrId="rxSummChemo">{code}</Item><Item naaccrId="rxDateChemo">20210401</Item>"#
        )
    };
    let first = a_doc(&patient_xml("00030001", "", &chemo("01")), "");
    let r = import(app, "application/xml", first).await;
    assert_eq!((r.status, r.body["patientsCreated"].clone()), (200, json!(1)), "{}", r.body);
    let changed = patient_xml("00030001", "", &chemo("02"))
        .replace("Testperson", "Changedname")
        .replace(r#""laterality">2"#, r#""laterality">1"#);
    let r = import(app, "application/xml", a_doc(&changed, "")).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["patientsUpdated"], 1, "{}", r.body);
    assert_eq!(r.body["tumorsUpdated"], 1, "{}", r.body);
    assert_eq!(r.body["tumorsCreated"], 0, "{}", r.body);
    let r = import(app, "application/xml", a_doc(&changed, "")).await;
    assert_eq!(r.body["patientsUnchanged"], 1, "{}", r.body);
    // What is stored now is what the second file said.
    let r = submit(app, json!({"recordType": "A", "naaccrVersion": "260", "includeFailing": true}))
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let id = r.body["id"].as_str().expect("id").to_string();
    let (status, _, xml) = download(app, &id, false).await;
    assert_eq!(status, 200);
    let (_, patients) = read_back(&xml);
    let p = patients
        .iter()
        .find(|p| item(&p.items, "patientIdNumber") == Some("00030001"))
        .expect("the patient is exported");
    assert_eq!(item(&p.items, "nameLast"), Some("Changedname"));
    assert_eq!(p.tumors.len(), 1);
    assert_eq!(item(&p.tumors[0], "laterality"), Some("1"));
    assert_eq!(item(&p.tumors[0], "rxSummChemo"), Some("02"));
}

/// Items without a typed field live on their records: a file that changes only those updates the
/// records, and a registrar's edit through the API keeps them.
async fn untyped_items_change_with_their_records(app: &TestApp) {
    let doc = |alias: &str, payer: &str| {
        a_doc(
            &patient_xml(
                "00040001",
                &format!(r#"<Item naaccrId="nameAlias">{alias}</Item>"#),
                &format!(r#"<Item naaccrId="primaryPayerAtDx">{payer}</Item>"#),
            ),
            "",
        )
    };
    let r = import(app, "application/xml", doc("Roe", "10")).await;
    assert_eq!(r.body["patientsCreated"], 1, "{}", r.body);
    let r = import(app, "application/xml", doc("Doe", "20")).await;
    assert_eq!(r.body["patientsUpdated"], 1, "{}", r.body);
    assert_eq!(r.body["tumorsUpdated"], 1, "{}", r.body);
    let r = import(app, "application/xml", doc("Doe", "20")).await;
    assert_eq!(r.body["patientsUnchanged"], 1, "{}", r.body);
    // A registrar edits the patient and the tumor through the API.
    let r = app.get("/api/v1/patients?patientIdNumber=00040001").await;
    let mut patient = r.body["items"][0].clone();
    let pid = patient["id"].as_str().expect("patient id").to_string();
    let version = patient["version"].as_i64().expect("version");
    assert_eq!(version, 2, "the items-only change was a new version: {patient}");
    patient["nameLast"] = json!("Edited");
    for k in ["id", "version", "createdAt", "updatedAt", "dateOfLastContact", "vitalStatus"] {
        patient.as_object_mut().expect("object").remove(k);
    }
    let r = app.put(&format!("/api/v1/patients/{pid}"), version, &patient).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let r = app.get(&format!("/api/v1/patients/{pid}/tumors")).await;
    let mut tumor = r.body["items"][0].clone();
    let tid = tumor["id"].as_str().expect("tumor id").to_string();
    let version = tumor["version"].as_i64().expect("version");
    tumor["laterality"] = json!("1");
    // The imported tumor lacks its grades (reported at import); the registrar completes them.
    tumor["gradeClinical"] = json!("9");
    tumor["gradePathological"] = json!("9");
    for k in ["id", "version", "createdAt", "updatedAt", "patientId", "cancerStatus", "warnings"] {
        tumor.as_object_mut().expect("object").remove(k);
    }
    let r = app.put(&format!("/api/v1/tumors/{tid}"), version, &tumor).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let r = submit(app, json!({"recordType": "A", "naaccrVersion": "260", "includeFailing": true}))
        .await;
    let id = r.body["id"].as_str().expect("id").to_string();
    let (_, _, xml) = download(app, &id, false).await;
    let (_, patients) = read_back(&xml);
    let p = patients
        .iter()
        .find(|p| item(&p.items, "patientIdNumber") == Some("00040001"))
        .expect("the patient is exported");
    assert_eq!(item(&p.items, "nameLast"), Some("Edited"));
    assert_eq!(item(&p.items, "nameAlias"), Some("Doe"));
    assert_eq!(item(&p.tumors[0], "laterality"), Some("1"));
    assert_eq!(item(&p.tumors[0], "primaryPayerAtDx"), Some("20"));
}

fn export_form_count(app: &TestApp, patient_id: Option<&str>) -> i64 {
    use diesel::prelude::*;
    use oncoreg::db::schema::export_forms;
    let mut conn = app.pool.get().expect("connection");
    let mut q = export_forms::table.count().into_boxed();
    if let Some(id) = patient_id {
        q = q.filter(export_forms::patient_id.eq(id.to_string()));
    }
    q.get_result(&mut *conn).expect("count")
}

/// A batch read on a second connection while the first stores its rows gives the file and the
/// per-tumor state one connection gives.
async fn an_export_on_two_connections_gives_what_one_gives(app: &TestApp) {
    use diesel::prelude::*;
    use oncoreg::db::schema::submission_tumors;
    let (_, _) = seed(app).await;
    let pid = app.patient(&patient_body("4720")).await;
    app.tumor(&pid, &breast_tumor()).await;
    let dir = std::path::Path::new(&app.settings.submissions.submissions_dir);
    let today = chrono::NaiveDate::from_ymd_opt(2026, 6, 30).expect("date");
    let actor = oncoreg::service::Actor::system("test");
    let req = oncoreg::model::SubmissionRequest {
        record_type: Some("A".into()),
        naaccr_version: Some("260".into()),
        ..Default::default()
    };
    let mut conn = app.pool.get().expect("connection");
    let mut second = app.pool.get().expect("second connection");
    let mut made = Vec::new();
    for reader in [None, Some(&mut *second), None] {
        let batch =
            oncoreg::service::submissions::create(&mut conn, reader, &actor, &req, dir, today, &[])
                .expect("batch");
        let states: Vec<(String, i32, String, bool)> = submission_tumors::table
            .filter(submission_tumors::submission_id.eq(&batch.id))
            .order(submission_tumors::tumor_id)
            .select((
                submission_tumors::tumor_id,
                submission_tumors::tumor_version,
                submission_tumors::content_hash,
                submission_tumors::included,
            ))
            .load(&mut *conn)
            .expect("states");
        let xml = std::fs::read(dir.join(&batch.file_name)).expect("file");
        xsd_valid(&xml);
        made.push((batch.tumor_count, timeless(&xml), states));
    }
    // The first batch computed the forms; the second (two connections) and third (one) read them.
    assert_eq!(made[0].0, 2);
    assert_eq!(made[0].2.len(), 2);
    assert_eq!(made[0], made[1]);
    assert_eq!(made[1], made[2]);
}

/// A batch whose rows cannot be stored fails whole: no batch, no tumor state, no form, no file;
/// the cause is the server's (500), and once it is gone the same request succeeds.
async fn a_failed_export_leaves_nothing_behind(app: &TestApp) {
    use diesel::connection::SimpleConnection;
    seed(app).await;
    let postgres = app.db_url.starts_with("postgres");
    let refuse = if postgres {
        "CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS
           $$BEGIN RAISE EXCEPTION 'refused'; END$$;
         CREATE TRIGGER refuse BEFORE INSERT ON export_forms
           FOR EACH ROW EXECUTE FUNCTION refuse();"
    } else {
        "CREATE TRIGGER refuse BEFORE INSERT ON export_forms
           BEGIN SELECT RAISE(ABORT, 'refused'); END;"
    };
    app.pool.get().expect("connection").batch_execute(refuse).expect("trigger");
    let r = submit(app, json!({"recordType": "I", "naaccrVersion": "260"})).await;
    assert_eq!(r.status, 500, "{}", r.body);
    assert!(!r.body.to_string().contains("4711"), "no patient data in the answer: {}", r.body);
    let list = app.get("/api/v1/submissions").await;
    assert_eq!(list.body["items"], json!([]), "no batch recorded");
    let count = |table: &str| -> i64 {
        use diesel::prelude::*;
        #[derive(QueryableByName)]
        struct N {
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            n: i64,
        }
        let mut conn = app.pool.get().expect("connection");
        diesel::sql_query(format!("SELECT COUNT(*) AS n FROM {table}"))
            .get_result::<N>(&mut *conn)
            .expect("count")
            .n
    };
    assert_eq!((count("submissions"), count("submission_tumors")), (0, 0));
    assert_eq!(export_form_count(app, None), 0);
    let dir = std::path::Path::new(&app.settings.submissions.submissions_dir);
    let left = std::fs::read_dir(dir).map(|d| d.count()).unwrap_or(0);
    assert_eq!(left, 0, "no file or temporary file left");
    let unrefuse =
        if postgres { "DROP TRIGGER refuse ON export_forms" } else { "DROP TRIGGER refuse" };
    app.pool.get().expect("connection").batch_execute(unrefuse).expect("trigger dropped");
    let r = submit(app, json!({"recordType": "I", "naaccrVersion": "260"})).await;
    assert_eq!((r.status, r.body["tumorCount"].as_i64()), (201, Some(1)), "{}", r.body);
    assert_eq!(export_form_count(app, None), 1);
}

/// The file without its generation time.
fn timeless(xml: &[u8]) -> String {
    let text = String::from_utf8_lossy(xml);
    let Some(start) = text.find(" timeGenerated=\"") else { return text.into_owned() };
    let end = text[start + 16..].find('"').map_or(text.len(), |e| start + 16 + e + 1);
    format!("{}{}", &text[..start], &text[end..])
}

/// Exports read each patient's stored export form (written by imports and by exports): it gives
/// the file the records give, and every write to the records drops it.
async fn export_forms_give_the_file_the_records_give(app: &TestApp) {
    let tumor = |seq: &str, site: &str, extra: &str| {
        format!(
            r#"<Tumor><Item naaccrId="primarySite">{site}</Item><Item naaccrId="histologicTypeIcdO3">8500</Item><Item naaccrId="behaviorCodeIcdO3">3</Item><Item naaccrId="laterality">2</Item><Item naaccrId="dateOfDiagnosis">20210315</Item><Item naaccrId="sequenceNumberHospital">{seq}</Item><Item naaccrId="classOfCase">14</Item><Item naaccrId="diagnosticConfirmation">1</Item><Item naaccrId="gradeClinical">2</Item><Item naaccrId="gradePathological">2</Item><Item naaccrId="summaryStage2018">1</Item><Item naaccrId="reportingFacility">0006100001</Item><Item naaccrId="primaryPayerAtDx">10</Item><Item naaccrId="rxSummChemo">03</Item><Item naaccrId="rxDateChemo">20210402</Item><Item naaccrId="cancerStatus">1</Item>{extra}</Tumor>"#
        )
    };
    let patient = |number: &str, follow_up: &str, tumors: &str| {
        format!(
            r#"<Patient><Item naaccrId="patientIdNumber">{number}</Item><Item naaccrId="nameLast">Testperson</Item><Item naaccrId="sexAssignedAtBirth">2</Item><Item naaccrId="dateOfBirth">19560314</Item><Item naaccrId="nameAlias">Roe</Item>{follow_up}{tumors}</Patient>"#
        )
    };
    let alive = r#"<Item naaccrId="dateOfLastContact">20240510</Item><Item naaccrId="vitalStatus">1</Item>"#;
    let dead = r#"<Item naaccrId="dateOfLastContact">20240510</Item><Item naaccrId="vitalStatus">0</Item><Item naaccrId="causeOfDeath">C509</Item>"#;
    let surgery = |code: &str, date: &str| {
        format!(
            r#"<Item naaccrId="rxSummSurgPrimSite">{code}</Item><Item naaccrId="rxDateSurgery">{date}</Item>"#
        )
    };
    let body = [
        patient("00050001", alive, &(tumor("01", "C504", "") + &tumor("02", "C509", ""))),
        patient("00050002", dead, &tumor("00", "C504", &surgery("22", "20210420"))),
        // A 2023 surgery code for a 2021 diagnosis fails an error-level edit.
        patient("00050003", alive, &tumor("00", "C504", &surgery("A200", "20210420"))),
    ]
    .concat();
    let r = import(app, "application/xml", a_doc(&body, "")).await;
    assert_eq!(r.body["patientsCreated"], 3, "{}", r.body);
    let problems = r.body["records"].as_array().expect("records");
    assert_eq!(problems.len(), 1, "{}", r.body);
    assert_eq!(problems[0]["patientIdNumber"], "00050003", "{}", r.body);
    assert_eq!(export_form_count(app, None), 3, "the import stores the new patients' forms");
    let (pid, tid) = seed(app).await;
    assert_eq!(export_form_count(app, Some(&pid)), 0, "written through the API: no form yet");
    let export = |version: &'static str, rt: &'static str| async move {
        let r = submit(
            app,
            json!({"recordType": rt, "naaccrVersion": version, "includeFailing": true}),
        )
        .await;
        assert_eq!(r.status, 201, "{}", r.body);
        assert_eq!(r.body["tumorCount"], 5, "{}", r.body);
        let (_, _, xml) = download(app, &r.id(), false).await;
        timeless(&xml)
    };
    for (version, rt) in [("260", "A"), ("250", "A"), ("260", "I")] {
        let from_forms = export(version, rt).await;
        assert_eq!(export_form_count(app, None), 4, "the export stored the missing form");
        {
            use diesel::prelude::*;
            let mut conn = app.pool.get().expect("connection");
            diesel::delete(oncoreg::db::schema::export_forms::table)
                .execute(&mut *conn)
                .expect("forms dropped");
        }
        let from_records = export(version, rt).await;
        assert_eq!(from_forms, from_records, "v{version} {rt}");
    }
    // A failure found on another day is checked again (the clock can clear it), and a form of
    // another release is replaced: both give the same file and are stored anew.
    {
        use diesel::prelude::*;
        use oncoreg::db::schema::export_forms::dsl::*;
        let mut conn = app.pool.get().expect("connection");
        let yesterday = chrono::NaiveDate::from_ymd_opt(2026, 6, 29).expect("date");
        let n = diesel::update(export_forms.filter(passes.eq(false)))
            .set(checked_on.eq(yesterday))
            .execute(&mut *conn)
            .expect("backdated");
        assert_eq!(n, 1, "the failing patient's form");
        diesel::update(export_forms.filter(passes.eq(true)))
            .set(form.eq(b"\x05other".to_vec()))
            .execute(&mut *conn)
            .expect("replaced");
    }
    assert_eq!(export("260", "I").await, export("260", "I").await);
    {
        use diesel::prelude::*;
        use oncoreg::db::schema::export_forms::dsl::*;
        let mut conn = app.pool.get().expect("connection");
        let days: Vec<chrono::NaiveDate> =
            export_forms.select(checked_on).distinct().load(&mut *conn).expect("days");
        assert_eq!(days, vec![chrono::NaiveDate::from_ymd_opt(2026, 6, 30).expect("today")]);
        let forms: Vec<Vec<u8>> = export_forms.select(form).load(&mut *conn).expect("forms");
        assert!(forms.iter().all(|f| oncoreg::formats::form::is_current(f)), "all current");
    }
    // Every write to the patient's records drops its form.
    let tumor_body = {
        let mut t = breast_tumor();
        t["summaryStage2018"] = json!("2");
        t
    };
    let rx = json!({"modality": "radiation", "code": "1", "startDate": "2021-06-01"});
    let contact = json!({"contactDate": "2023-05-10", "vitalStatus": "1", "followUpSource": "2",
                         "tumors": [{"tumorId": tid, "cancerStatus": "2"}]});
    let mut patient_v = patient_body("4711");
    patient_v["nameLast"] = json!("Changed");
    let writes: Vec<(&str, String, Option<i64>, Value)> = vec![
        ("PUT patient", format!("/api/v1/patients/{pid}"), Some(1), patient_v),
        ("PUT tumor", format!("/api/v1/tumors/{tid}"), Some(1), tumor_body),
        ("POST treatment", format!("/api/v1/tumors/{tid}/treatments"), None, rx),
        ("POST contact", format!("/api/v1/patients/{pid}/contacts"), None, contact),
    ];
    let mut created = Vec::new();
    for (what, path, version, body) in writes {
        export("260", "I").await;
        assert_eq!(export_form_count(app, Some(&pid)), 1, "{what}: form stored again");
        let r = match version {
            Some(v) => app.put(&path, v, &body).await,
            None => app.post(&path, &body).await,
        };
        assert!(r.status == 200 || r.status == 201, "{what}: {}", r.body);
        assert_eq!(export_form_count(app, Some(&pid)), 0, "{what} drops the form");
        if version.is_none() {
            created.push((what, r.header("location").to_string(), r.body.clone()));
        }
    }
    // Corrections of the treatment and the contact, and a second tumor.
    for (what, location, mut body) in created {
        for k in ["id", "version", "createdAt", "updatedAt", "patientId", "tumorId"] {
            body.as_object_mut().expect("object").remove(k);
        }
        export("260", "I").await;
        let r = app.put(&location, 1, &body).await;
        assert_eq!(r.status, 200, "{what} correction: {}", r.body);
        assert_eq!(export_form_count(app, Some(&pid)), 0, "{what} correction drops the form");
    }
    // A new tumor for an imported patient.
    export("260", "I").await;
    let r = app.get("/api/v1/patients?patientIdNumber=00050001").await;
    let imported = r.body["items"][0]["id"].as_str().expect("patient id").to_string();
    assert_eq!(export_form_count(app, Some(&imported)), 1);
    let mut colon = breast_tumor();
    for (k, v) in [("primarySite", "C18.7"), ("histologicTypeIcdO3", "8140"), ("laterality", "0")] {
        colon[k] = json!(v);
    }
    colon["sequenceNumberHospital"] = json!("03");
    colon["accessionNumberHosp"] = json!("202100018");
    app.tumor(&imported, &colon).await;
    assert_eq!(export_form_count(app, Some(&imported)), 0, "a new tumor drops the form");
    // An import that changes a patient drops its form; one that changes nothing keeps it.
    let changed = patient("00050002", dead, &tumor("00", "C504", &surgery("22", "20210421")));
    let before = export_form_count(app, None);
    let r = import(app, "application/xml", a_doc(&changed, "")).await;
    assert_eq!(r.body["patientsUpdated"], 1, "{}", r.body);
    assert_eq!(export_form_count(app, None), before - 1, "the changed patient's form goes");
}

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_oncoreg"))
}

async fn cli_import_and_export(app: &TestApp) {
    seed(app).await;
    let dir = tempfile::tempdir().expect("dir");
    let env = |c: &mut Command| {
        c.env("ONCOREG_DATABASE_URL", &app.settings.database.database_url)
            .env("ONCOREG_SUBMISSIONS_DIR", &app.settings.submissions.submissions_dir)
            .env("ONCOREG_EXPORT_DIR", &app.settings.monthly_export.export_dir);
    };
    let out = dir.path().join("out.xml");
    let mut c = bin();
    env(&mut c);
    let res = c
        .args(["export", "--record-type", "I", "--naaccr-version", "260", "--since-last", "--out"])
        .arg(&out)
        .output()
        .expect("run");
    assert!(res.status.success(), "{}", String::from_utf8_lossy(&res.stderr));
    let xml = std::fs::read(&out).expect("file");
    xsd_valid(&xml);
    assert_eq!(read_back(&xml).1.len(), 1);
    let names: Vec<_> = std::fs::read_dir(dir.path())
        .expect("dir")
        .map(|e| e.expect("entry").file_name())
        .collect();
    assert_eq!(names, ["out.xml"], "the file and no temporary beside it");
    let good = dir.path().join("good.xml");
    std::fs::write(&good, a_doc(&patient_xml("00008001", "", ""), "")).expect("write");
    let mut c = bin();
    env(&mut c);
    let res = c.arg("import").arg(&good).output().expect("run");
    assert_eq!(res.status.code(), Some(0), "{}", String::from_utf8_lossy(&res.stderr));
    let report: Value = serde_json::from_slice(&res.stdout).expect("json report");
    assert_eq!(report["patientsCreated"], 1);
    let summary = String::from_utf8_lossy(&res.stderr);
    assert!(summary.contains("good.xml: 1 patients read: 1 created"), "{summary}");
    // Some patients rejected: exit 3; the file refused as a whole: exit 2.
    let some = dir.path().join("some.xml");
    let no_number = format!(
        r#"<Patient><Item naaccrId="sexAssignedAtBirth">2</Item>{}</Patient>"#,
        tumor_xml("")
    );
    let body = format!("{}{no_number}", patient_xml("00008002", "", ""));
    std::fs::write(&some, a_doc(&body, "")).expect("write");
    let mut c = bin();
    env(&mut c);
    let res = c.arg("import").arg(&some).output().expect("run");
    assert_eq!(res.status.code(), Some(3), "{}", String::from_utf8_lossy(&res.stderr));
    assert!(String::from_utf8_lossy(&res.stderr).contains("1 rejected"));
    let bad = dir.path().join("bad.xml");
    std::fs::write(&bad, b"<NaaccrData").expect("write");
    let mut c = bin();
    env(&mut c);
    let res = c.arg("import").arg(&bad).output().expect("run");
    assert_eq!(res.status.code(), Some(2), "a refused file exits 2");
    assert!(String::from_utf8_lossy(&res.stderr).contains("bad.xml: the file was refused"));
    let mut c = bin();
    let help = c.args(["import", "--help"]).output().expect("run");
    assert!(String::from_utf8_lossy(&help.stdout).contains("Exit codes"), "documented in --help");
    // Each import is kept, the refused one too.
    let kept = app.get("/api/v1/imports").await;
    let statuses: Vec<(&str, &str)> = kept.body["items"]
        .as_array()
        .expect("imports")
        .iter()
        .map(|i| (i["fileName"].as_str().unwrap_or(""), i["status"].as_str().unwrap_or("")))
        .collect();
    assert_eq!(
        statuses,
        [("bad.xml", "refused"), ("some.xml", "completed"), ("good.xml", "completed")]
    );
    // Filters and record type from the command line: the API-made patient's tumor (facility
    // 0006100001, diagnosed 2021-03-15) and not the imported one (no facility).
    let filtered = dir.path().join("filtered.xml");
    let mut c = bin();
    env(&mut c);
    let args = ["export", "--record-type", "A", "--naaccr-version", "250", "--facility"];
    let res = c
        .args(args)
        .args(["0006100001", "--dx-from", "2021", "--dx-to", "2021-03", "--include-failing"])
        .arg("--out")
        .arg(&filtered)
        .output()
        .expect("run");
    assert!(res.status.success(), "{}", String::from_utf8_lossy(&res.stderr));
    let batch: Value = serde_json::from_slice(&res.stdout).expect("json");
    assert_eq!(
        (batch["recordType"].as_str(), batch["naaccrVersion"].as_str()),
        (Some("A"), Some("250"))
    );
    assert_eq!(batch["filters"]["reportingFacility"], "0006100001", "{batch}");
    let xml = std::fs::read(&filtered).expect("file");
    xsd_valid(&xml);
    let (rt, patients) = read_back(&xml);
    assert_eq!((rt, patients.len()), (RecordType::A, 1));
    assert_eq!(item(&patients[0].items, "nameLast"), Some("Testperson"), "an A file is named");
    let mut c = bin();
    env(&mut c);
    let res =
        c.args(["export", "--record-type", "M", "--out"]).arg(&filtered).output().expect("run");
    assert!(!res.status.success(), "a bad record type exits non-zero");
    assert!(
        String::from_utf8_lossy(&res.stderr).contains("recordType"),
        "{}",
        String::from_utf8_lossy(&res.stderr)
    );
    // An export whose file cannot be written where asked records no batch.
    let batches = |app: &TestApp| {
        let mut conn = app.pool.get().expect("connection");
        use diesel::RunQueryDsl;
        #[derive(diesel::QueryableByName)]
        struct N {
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            n: i64,
        }
        diesel::sql_query("SELECT COUNT(*) AS n FROM submissions")
            .get_result::<N>(&mut *conn)
            .expect("count")
            .n
    };
    let before = batches(app);
    let mut c = bin();
    env(&mut c);
    let res = c
        .args(["export", "--record-type", "I", "--since-last", "--out"])
        .arg(dir.path().join("no-such-dir").join("batch.xml"))
        .output()
        .expect("run");
    assert!(!res.status.success(), "an unwritable --out exits non-zero");
    assert!(
        String::from_utf8_lossy(&res.stderr).contains("no-such-dir"),
        "the error names the path: {}",
        String::from_utf8_lossy(&res.stderr)
    );
    assert_eq!(batches(app), before, "no batch recorded");
    // The monthly job: a changed-since-last batch copied into the export directory.
    let mut c = bin();
    env(&mut c);
    let res = c.args(["export-monthly", "--as-of", "2026-06-30"]).output().expect("run");
    assert!(res.status.success(), "{}", String::from_utf8_lossy(&res.stderr));
    let batch: Value = serde_json::from_slice(&res.stdout).expect("json");
    let considered =
        batch["tumorCount"].as_i64().unwrap_or(0) + batch["excludedCount"].as_i64().unwrap_or(0);
    assert_eq!(considered, 2, "only the tumors imported since (good.xml, some.xml): {batch}");
    let copied = std::path::Path::new(&app.settings.monthly_export.export_dir)
        .join(batch["fileName"].as_str().expect("name"));
    xsd_valid(&std::fs::read(copied).expect("copied file"));
}

both_backends!(
    export_files_validate_and_follow_the_dictionary,
    changed_since_last_holds_only_new_or_changed_tumors,
    the_monthly_job_sends_each_change_once,
    failing_tumors_are_listed_and_left_out_unless_asked,
    bad_submission_requests_name_the_field,
    import_then_export_gives_back_every_item,
    flat_file_and_its_xml_twin_give_the_same_registry,
    refused_files_are_422_and_change_nothing,
    reported_problems_are_listed_per_record,
    a_patient_repeated_in_a_later_batch_is_matched,
    an_import_updates_changed_records,
    untyped_items_change_with_their_records,
    export_forms_give_the_file_the_records_give,
    an_export_on_two_connections_gives_what_one_gives,
    tumors_match_on_sequence_confirmed_by_accession,
    facility_and_diagnosis_filters_select_tumors,
    values_a_file_cannot_carry_are_listed_with_the_batch,
    damaged_files_are_reported_or_refused_never_a_panic,
    older_dictionaries_import_into_the_registry,
    a_failed_export_leaves_nothing_behind,
);

mod cli {
    #[actix_web::test]
    async fn sqlite() {
        let app = crate::common::TestApp::sqlite().await;
        super::cli_import_and_export(&app).await;
        app.stop().await;
    }
}
