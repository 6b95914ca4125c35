//! Files as other registry systems write them, built from the standard rather than from oncoreg's
//! writer: the dictionaries of each version say which items a record type carries, at which level
//! and how long they are; the files are written here by hand (XML with a prefixed namespace,
//! `naaccrNum` attributes and shuffled item order; fixed-width flat lines from the start columns).
//! Each file imports with no patient rejected, its problems reported, and every value kept comes
//! back unchanged in an export (or is listed with the batch when the export version cannot carry
//! it).

use std::collections::BTreeMap;

use oncoreg::domain::naaccr::{DataType, Dictionary, ItemDef, Level, Padding, RecordType};
use oncoreg::formats::mapping;
use serde_json::{Value, json};

use crate::both_backends;
use crate::common::{Reply, TestApp};

type Pairs = Vec<(String, String)>;

/// One patient of a fixture: its items and its tumors' items.
#[derive(Clone, Debug, Default)]
struct Patient {
    items: Pairs,
    tumors: Vec<Pairs>,
}

/// A value valid for the item's data type and length, different per item (so swapped values show).
fn value_for(def: &ItemDef) -> String {
    let n = def.length;
    let seed = def.number as usize;
    let digits: String = (0..n).map(|i| char::from(b'0' + ((seed + i * 7) % 10) as u8)).collect();
    match def.data_type {
        DataType::Digits => digits,
        DataType::Alpha => (0..n).map(|i| char::from(b'A' + ((seed + i) % 26) as u8)).collect(),
        DataType::Mixed => (0..n)
            .map(|i| if i % 2 == 0 { 'B' } else { char::from(b'0' + (seed % 10) as u8) })
            .collect(),
        DataType::Numeric => format!("{}", seed % 97 + 1),
        DataType::Date => "20200115".into(),
        DataType::DateTime => "2020-01-15T10:11:12".into(),
        DataType::Text if n >= 8 => format!("T{seed}&<é"),
        DataType::Text => digits,
    }
}

/// Every item `dict` allows in `rt` at `level`, with the given values where named, else a value
/// valid for the item. `None` in `given` leaves the item out.
fn items(dict: &Dictionary, rt: RecordType, level: Level, given: &[(&str, Option<&str>)]) -> Pairs {
    dict.items
        .iter()
        .filter(|d| d.level == level && d.record_types.contains(rt))
        .filter_map(|d| match given.iter().find(|(k, _)| *k == d.naaccr_id) {
            Some((_, Some(v))) => Some((d.naaccr_id.clone(), (*v).to_string())),
            Some((_, None)) => None,
            None => Some((d.naaccr_id.clone(), value_for(d))),
        })
        .collect()
}

/// Patient items of a realistic registry record; the rest of the record type's items are valid
/// values of their type.
fn patient_items(dict: &Dictionary, rt: RecordType, number: &str) -> Pairs {
    let sex_item =
        if dict.get("sexAssignedAtBirth").is_some() { "sexAssignedAtBirth" } else { "sex" };
    items(
        dict,
        rt,
        Level::Patient,
        &[
            ("patientIdNumber", Some(number)),
            ("nameLast", Some("Fixtureperson")),
            ("nameFirst", Some("Delta")),
            ("dateOfBirth", Some("19500315")),
            (sex_item, Some("2")),
            ("race1", Some("01")),
            ("race2", Some("88")),
            ("dateOfLastContact", Some("20240110")),
            ("vitalStatus", Some("1")),
            ("socialSecurityNumber", Some("999001234")),
            ("followUpSourceCentral", Some("40")),
        ],
    )
}

/// What a tumor of a fixture carries besides the realistic core.
#[derive(Clone, Copy)]
enum Source {
    /// A hospital abstract: hospital sequence number, class of case, accession number.
    Hospital,
    /// A central registry's record: the central sequence number only.
    Central,
}

fn tumor_items(dict: &Dictionary, rt: RecordType, n: usize, source: Source) -> Pairs {
    let seq = format!("{:02}", n + 1);
    let accession = format!("20150000{}", n + 1);
    let record = format!("{:02}", n + 1);
    let (hospital, central): (Option<&str>, Option<&str>) = match source {
        Source::Hospital => (Some(&seq), Some(&seq)),
        Source::Central => (None, Some(&seq)),
    };
    let hospital_only =
        |v: &str| -> Option<String> { matches!(source, Source::Hospital).then(|| v.to_string()) };
    let class = hospital_only("14");
    let accession = hospital_only(&accession);
    items(
        dict,
        rt,
        Level::Tumor,
        &[
            ("primarySite", Some("C504")),
            ("histologicTypeIcdO3", Some("8500")),
            ("behaviorCodeIcdO3", Some("3")),
            ("laterality", Some("2")),
            ("dateOfDiagnosis", Some(if n == 0 { "20150310" } else { "20170622" })),
            ("dateOf1stContact", Some(if n == 0 { "20150312" } else { "20170623" })),
            ("sequenceNumberHospital", hospital),
            ("sequenceNumberCentral", central),
            ("tumorRecordNumber", Some(&record)),
            ("classOfCase", class.as_deref()),
            ("accessionNumberHosp", accession.as_deref()),
            ("diagnosticConfirmation", Some("1")),
            ("cancerStatus", Some("1")),
            ("grade", Some("2")),
            ("rxSummSurgPrimSite", Some("22")),
            ("rxDateSurgery", Some(if n == 0 { "20150401" } else { "20170701" })),
        ],
    )
}

fn patient(
    dict: &Dictionary,
    rt: RecordType,
    number: &str,
    tumors: usize,
    source: Source,
) -> Patient {
    Patient {
        items: patient_items(dict, rt, number),
        tumors: (0..tumors).map(|n| tumor_items(dict, rt, n, source)).collect(),
    }
}

fn escape(v: &str) -> String {
    v.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

/// A NAACCR XML document as another system writes it: the namespace under a prefix, `naaccrNum`
/// on every item, items in reverse dictionary order (the standard does not order them).
fn xml(version: &str, spec: &str, rt: RecordType, patients: &[Patient]) -> Vec<u8> {
    let dict = Dictionary::for_reading(&Dictionary::base_uri(version)).expect("dictionary");
    let item = |(id, v): &(String, String)| -> String {
        let num = dict.get(id).map_or(0, |d| d.number);
        format!("<n:Item naaccrId=\"{id}\" naaccrNum=\"{num}\">{}</n:Item>", escape(v))
    };
    let mut out = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<n:NaaccrData xmlns:n=\"http://naaccr.org/naaccrxml\" \
         baseDictionaryUri=\"{}\" recordType=\"{}\" specificationVersion=\"{spec}\" \
         timeGenerated=\"2024-02-01T08:00:00-05:00\">\n<n:Item naaccrId=\"registryId\">0000001234</n:Item>\n",
        Dictionary::base_uri(version),
        rt.as_str()
    );
    for p in patients {
        out.push_str("<n:Patient>");
        for i in p.items.iter().rev() {
            out.push_str(&item(i));
        }
        for t in &p.tumors {
            out.push_str("\n  <n:Tumor>");
            for i in t.iter().rev() {
                out.push_str(&item(i));
            }
            out.push_str("</n:Tumor>");
        }
        out.push_str("\n</n:Patient>\n");
    }
    out.push_str("</n:NaaccrData>\n");
    out.into_bytes()
}

/// A fixed-width flat file of a version with a column layout: one line per tumor, values placed
/// by the dictionary's start columns, leftZero items right-aligned with zeros, blanks elsewhere.
fn flat(version: &str, rt: RecordType, patients: &[Patient]) -> Vec<u8> {
    let dict = Dictionary::for_reading(&Dictionary::base_uri(version)).expect("dictionary");
    let fields: Vec<&ItemDef> = dict
        .items
        .iter()
        .filter(|d| d.start_column.is_some() && d.record_types.contains(rt))
        .collect();
    let len = fields.iter().map(|d| d.start_column.unwrap_or(1) - 1 + d.length).max().unwrap_or(0);
    let mut out = String::new();
    for p in patients {
        for t in &p.tumors {
            let mut line = vec![' '; len];
            let fixed = [
                ("recordType".to_string(), rt.as_str().to_string()),
                ("naaccrRecordVersion".to_string(), version.to_string()),
            ];
            for (id, v) in fixed.iter().chain(&p.items).chain(t) {
                let def = fields.iter().find(|d| d.naaccr_id == *id).expect("item in the layout");
                let pad = if def.padding == Padding::LeftZero { def.length - v.len() } else { 0 };
                let start = def.start_column.unwrap_or(1) - 1 + pad;
                for (i, c) in v.chars().take(def.length).enumerate() {
                    line[start + i] = c;
                }
            }
            out.push_str(&line.into_iter().collect::<String>());
            out.push_str("\r\n");
        }
    }
    out.into_bytes()
}

async fn import(app: &TestApp, ctype: &str, body: Vec<u8>) -> Reply {
    app.import(ctype, body).await
}

/// Every problem of a report as (naaccrId, rule, outcome).
fn problems(report: &Value) -> Vec<(String, String, String)> {
    report["records"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|r| r["problems"].as_array().into_iter().flatten())
        .map(|p| {
            let s = |k: &str| p[k].as_str().unwrap_or("").to_string();
            (s("naaccrId"), s("rule"), s("outcome"))
        })
        .collect()
}

/// An export of everything (failing tumors included) in `version` and `rt`: the file's patients
/// by patient id number, and the batch's list of values it could not carry.
async fn export(
    app: &TestApp,
    version: &str,
    rt: RecordType,
) -> (BTreeMap<String, Patient>, Vec<(String, String)>) {
    let r = app
        .post(
            "/api/v1/submissions",
            &json!({"recordType": rt.as_str(), "naaccrVersion": version, "includeFailing": true}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let skipped = r.body["skipped"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|s| {
            (
                s["naaccrId"].as_str().unwrap_or("").to_string(),
                s["reason"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    let res = app
        .client
        .get(app.url(&format!("/api/v1/submissions/{}/file", r.id())))
        .bearer_auth(&app.viewer)
        .send()
        .await
        .expect("sent");
    let xml = res.bytes().await.expect("file");
    let reader =
        oncoreg::formats::naaccr_read::NaaccrXmlReader::new(std::io::Cursor::new(xml.to_vec()))
            .expect("readable");
    let mut out = BTreeMap::new();
    for p in reader {
        let p = p.expect("patient").into_items();
        let number = p
            .items
            .iter()
            .find(|(k, _)| k == "patientIdNumber")
            .map(|(_, v)| v.clone())
            .expect("id");
        out.insert(number, Patient { items: p.items, tumors: p.tumors });
    }
    (out, skipped)
}

/// Every value of `source` (read with `from`) is in the export (written with `to`) under the name
/// `to` gives the same item number, or listed with the batch when `to` cannot carry it.
fn assert_round_trip(
    source: &[Patient],
    from: &Dictionary,
    exported: &BTreeMap<String, Patient>,
    skipped: &[(String, String)],
    to: &Dictionary,
    rt: RecordType,
) {
    let listed = |id: &str, reason: &str| skipped.iter().any(|(i, r)| i == id && r == reason);
    let mut compared = 0;
    let check = |given: &Pairs, got: &Pairs, level: Level, what: &str, compared: &mut usize| {
        for (id, value) in given {
            // `sex` (v25 and before) is stored as sexAssignedAtBirth for the codes both have;
            // other items go by number or by their listed older name (v18 nameMaiden).
            let target = if id == "sex" && ["1", "2", "9"].contains(&value.as_str()) {
                to.get("sexAssignedAtBirth").or_else(|| to.get("sex"))
            } else {
                let stored = mapping::stored_id(from, id.clone());
                mapping::target_id(to, &stored).and_then(|t| to.get(t))
            };
            let Some(def) = target else {
                assert!(listed(id, "unknownId"), "{what}: {id} is neither exported nor listed");
                continue;
            };
            if !def.record_types.contains(rt) || def.level != level {
                continue;
            }
            let want = if def.padding == Padding::LeftZero
                && value.len() < def.length
                && value.bytes().all(|b| b.is_ascii_digit())
            {
                format!("{value:0>width$}", width = def.length)
            } else {
                value.clone()
            };
            if want.chars().count() > def.length {
                assert!(listed(&def.naaccr_id, "tooLong"), "{what}: {id} too long but not listed");
                continue;
            }
            let found = got.iter().find(|(k, _)| *k == def.naaccr_id).map(|(_, v)| v);
            assert_eq!(found, Some(&want), "{what}: {id} → {}", def.naaccr_id);
            *compared += 1;
        }
    };
    for p in source {
        let number =
            p.items.iter().find(|(k, _)| k == "patientIdNumber").map(|(_, v)| v).expect("id");
        let got = exported.get(number).unwrap_or_else(|| panic!("patient {number} exported"));
        check(&p.items, &got.items, Level::Patient, &format!("patient {number}"), &mut compared);
        assert_eq!(got.tumors.len(), p.tumors.len(), "patient {number}: tumors");
        for (n, (t, g)) in p.tumors.iter().zip(&got.tumors).enumerate() {
            check(t, g, Level::Tumor, &format!("patient {number} tumor {n}"), &mut compared);
        }
    }
    assert!(compared > 100, "values compared: {compared}");
}

/// An incidence file of a central registry: tumors with the central sequence number only (no
/// hospital sequence number, class of case or accession number). Nothing is rejected; a second
/// import matches every tumor on its central sequence number and changes nothing.
async fn incidence_file_with_central_items_only(app: &TestApp) {
    let dict = Dictionary::for_version("250").expect("v25");
    let patients: Vec<Patient> = (0..3)
        .map(|i| patient(dict, RecordType::I, &format!("0070000{i}"), 2, Source::Central))
        .collect();
    let file = xml("250", "1.8", RecordType::I, &patients);
    let r = import(app, "application/xml", file.clone()).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(
        (
            r.body["patientsCreated"].clone(),
            r.body["patientsRejected"].clone(),
            r.body["tumorsCreated"].clone()
        ),
        (json!(3), json!(0), json!(6)),
        "{}",
        r.body
    );
    // No hospital item is asked of a central registry's record.
    let t = app.get("/api/v1/tumors?patientIdNumber=00700000").await;
    let tumor = &t.body["items"][0];
    assert_eq!(tumor["sequenceNumberHospital"], Value::Null);
    assert!(!tumor["findings"].to_string().contains("required-hospital"), "{tumor}");
    assert!(!tumor["findings"].to_string().contains("required-core"), "{tumor}");
    let again = import(app, "application/xml", file).await;
    assert_eq!(again.body["patientsUnchanged"], 3, "{}", again.body);
    assert_eq!(again.body["tumorsMatched"]["sequenceNumberCentral"], 6, "{}", again.body);
    assert_eq!(again.body["tumorsCreated"], 0);
    let (exported, skipped) = export(app, "250", RecordType::I).await;
    assert_round_trip(&patients, dict, &exported, &skipped, dict, RecordType::I);
}

/// An abstract from another facility without hospital items of ours; a later file that gives only
/// the tumor record number still finds the tumors.
async fn abstract_without_hospital_items(app: &TestApp) {
    let dict = Dictionary::for_version("260").expect("v26");
    let patients = vec![patient(dict, RecordType::A, "00710000", 2, Source::Central)];
    let r = import(app, "application/xml", xml("260", "1.8", RecordType::A, &patients)).await;
    assert_eq!(
        (r.body["patientsCreated"].clone(), r.body["patientsRejected"].clone()),
        (json!(1), json!(0)),
        "{}",
        r.body
    );
    let (exported, skipped) = export(app, "260", RecordType::A).await;
    assert_round_trip(&patients, dict, &exported, &skipped, dict, RecordType::A);
    // The same tumors by tumor record number alone, one item changed.
    let mut later = patients.clone();
    for t in &mut later[0].tumors {
        t.retain(|(k, _)| k != "sequenceNumberCentral");
        for (k, v) in t.iter_mut() {
            if k == "laterality" {
                *v = "1".into();
            }
        }
    }
    let r = import(app, "application/xml", xml("260", "1.8", RecordType::A, &later)).await;
    assert_eq!(r.body["tumorsMatched"]["tumorRecordNumber"], 2, "{}", r.body);
    assert_eq!(
        (r.body["tumorsCreated"].clone(), r.body["tumorsUpdated"].clone()),
        (json!(0), json!(2)),
        "{}",
        r.body
    );
}

/// XML files of NAACCR v16 and v21 and flat files of v14 and v16 read into the registry; what
/// they carry comes back in a v26 export under today's names (or is listed when v26 has no item).
async fn older_versions_read_into_the_registry(app: &TestApp) {
    let to = Dictionary::for_version("260").expect("v26");
    let cases: [(&str, &str, RecordType, bool, &str); 4] = [
        ("160", "1.1", RecordType::A, false, "0072"),
        ("210", "1.4", RecordType::A, false, "0073"),
        ("140", "", RecordType::C, true, "0074"),
        ("160", "", RecordType::A, true, "0075"),
    ];
    for (version, spec, rt, is_flat, prefix) in cases {
        let from = Dictionary::for_reading(&Dictionary::base_uri(version)).expect("dictionary");
        let mut patients: Vec<Patient> = (0..2)
            .map(|i| patient(from, rt, &format!("{prefix}000{i}"), 1 + i, Source::Hospital))
            .collect();
        if is_flat {
            // A flat file counts columns: its values are written in ASCII here.
            for p in &mut patients {
                for (_, v) in p.items.iter_mut().chain(p.tumors.iter_mut().flatten()) {
                    v.retain(|c| c.is_ascii());
                }
            }
        }
        let (ctype, body) = if is_flat {
            ("text/plain", flat(version, rt, &patients))
        } else {
            ("application/xml", xml(version, spec, rt, &patients))
        };
        let r = import(app, ctype, body).await;
        assert_eq!(r.status, 200, "v{version}: {}", r.body);
        assert_eq!(r.body["naaccrVersion"], version, "{}", r.body);
        assert_eq!(
            (r.body["patientsCreated"].clone(), r.body["patientsRejected"].clone()),
            (json!(2), json!(0)),
            "v{version}: {}",
            r.body
        );
        let (exported, skipped) = export(app, "260", rt).await;
        let mine: BTreeMap<String, Patient> =
            exported.into_iter().filter(|(k, _)| k.starts_with(prefix)).collect();
        assert_round_trip(&patients, from, &mine, &skipped, to, rt);
    }
    // A renamed item: v18 nameMaiden is v26 nameBirthSurname.
    let v18 = Dictionary::for_version("180").expect("v18");
    let mut p = patient(v18, RecordType::A, "00760000", 1, Source::Hospital);
    for (k, v) in p.items.iter_mut() {
        if k == "nameMaiden" {
            *v = "Maidenname".into();
        }
    }
    let r = import(app, "application/xml", xml("180", "1.3", RecordType::A, &[p])).await;
    assert_eq!(r.body["patientsCreated"], 1, "{}", r.body);
    let (exported, _) = export(app, "260", RecordType::A).await;
    let got = &exported["00760000"];
    assert!(
        got.items.contains(&("nameBirthSurname".into(), "Maidenname".into())),
        "{:?}",
        got.items
    );
}

/// The worst a file may hold short of a broken structure: a code not in its list in typed items,
/// a date that cannot be, a value longer than its item, an unknown item. The patient is stored,
/// each problem reported, the bad values kept as read and exported unchanged.
async fn damaged_values_are_kept_and_reported(app: &TestApp) {
    let dict = Dictionary::for_version("260").expect("v26");
    let mut p = patient(dict, RecordType::A, "00770000", 1, Source::Hospital);
    let set = |pairs: &mut Pairs, id: &str, v: &str| {
        for (k, val) in pairs.iter_mut() {
            if k == id {
                *val = v.into();
            }
        }
    };
    set(&mut p.items, "sexAssignedAtBirth", "7");
    set(&mut p.items, "dateOfBirth", "19500231");
    let long_name = "N".repeat(48);
    set(&mut p.items, "nameLast", &long_name);
    set(&mut p.tumors[0], "primarySite", "C999");
    set(&mut p.tumors[0], "histologicTypeIcdO3", "7777");
    set(&mut p.tumors[0], "dateOfDiagnosis", "20991231");
    p.tumors[0].push(("myRegistryItem".into(), "42".into()));
    let r = import(app, "application/xml", xml("260", "1.8", RecordType::A, &[p.clone()])).await;
    assert_eq!(
        (r.body["patientsCreated"].clone(), r.body["patientsRejected"].clone()),
        (json!(1), json!(0)),
        "{}",
        r.body
    );
    let listed = problems(&r.body);
    for (id, outcome) in [
        ("sexAssignedAtBirth", "kept"),
        ("dateOfBirth", "kept"),
        ("nameLast", "kept"),
        ("primarySite", "kept"),
        ("histologicTypeIcdO3", "kept"),
        ("dateOfDiagnosis", "kept"),
        ("myRegistryItem", "dropped"),
    ] {
        assert!(
            listed.iter().any(|(i, _, o)| i == id && o == outcome),
            "{id}/{outcome} in {listed:?}"
        );
    }
    let text = r.body.to_string();
    assert!(!text.contains("19500231") && !text.contains(&long_name), "no PHI echoed: {text}");
    let t = app.get("/api/v1/tumors?patientIdNumber=00770000").await;
    let tumor = &t.body["items"][0];
    assert_eq!((&tumor["primarySite"], &tumor["dateOfDiagnosis"]), (&Value::Null, &Value::Null));
    assert_eq!(tumor["editStatus"], "errors");
    for id in ["primarySite", "histologicTypeIcdO3", "dateOfDiagnosis"] {
        assert!(
            tumor["findings"]
                .as_array()
                .into_iter()
                .flatten()
                .any(|f| f["editId"] == "value-kept" && f["fields"][0] == id),
            "{id}: {tumor}"
        );
    }
    // The unknown item follows the reference reader: reported and left out.
    p.tumors[0].retain(|(k, _)| k != "myRegistryItem");
    let (exported, skipped) = export(app, "260", RecordType::A).await;
    assert_round_trip(&[p], dict, &exported, &skipped, dict, RecordType::A);
}

/// A browser form's upload (`multipart/form-data`, the file in a field `file` after another field).
fn form(file_name: &str, file: &[u8]) -> (String, Vec<u8>) {
    let boundary = "----oncoregFormBoundary7MA4YWxkTrZu0gW";
    let mut body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\nmonthly file\r\n\
         --{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\n\
         Content-Type: application/xml\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(file);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

/// Every import is kept with its report, a refused one too; a form upload works as a raw body
/// does; a wrong content type is answered with the types taken.
async fn imports_are_kept_with_their_reports(app: &TestApp) {
    let dict = Dictionary::for_version("260").expect("v26");
    let p = patient(dict, RecordType::A, "00780000", 1, Source::Hospital);
    let (ctype, body) = form("from-the-hospital.xml", &xml("260", "1.8", RecordType::A, &[p]));
    let r = import(app, &ctype, body).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let id = r.body["id"].as_str().expect("import id").to_string();
    let refused = import(app, "application/xml", b"<NaaccrData xmlns='x'/>".to_vec()).await;
    refused.problem(422);
    let r = import(app, "application/json", b"{}".to_vec()).await;
    r.problem(415);
    let detail = r.body["detail"].as_str().unwrap_or("");
    assert!(
        detail.contains("multipart/form-data") && detail.contains("application/xml"),
        "{detail}"
    );

    let list = app.get("/api/v1/imports").await;
    let items = list.body["items"].as_array().expect("items");
    assert_eq!(items.len(), 2, "{}", list.body);
    assert_eq!(items[0]["status"], "refused", "newest first");
    assert!(items[0]["refusedReason"].as_str().is_some_and(|r| !r.is_empty()));
    assert_eq!(items[1]["id"], id.as_str());
    assert_eq!(items[1]["fileName"], "from-the-hospital.xml");
    assert_eq!(items[1]["patientsCreated"], 1);
    let one = app.get(&format!("/api/v1/imports/{id}")).await;
    assert_eq!(
        (one.body["status"].as_str(), one.body["naaccrVersion"].as_str()),
        (Some("completed"), Some("260"))
    );
    let report = app.get(&format!("/api/v1/imports/{id}/report")).await;
    assert_eq!(report.status, 200);
    assert_eq!(report.body["id"], id.as_str());
    assert_eq!(report.body["patientsCreated"], 1);
    assert!(report.body["records"].is_array());
    let refused_id = items[0]["id"].as_str().expect("id");
    let report = app.get(&format!("/api/v1/imports/{refused_id}/report")).await;
    assert!(report.body["refused"].is_string(), "{}", report.body);
    app.get("/api/v1/imports/no-such-import").await.problem(404);
    // Reading a report is audited; a viewer may read, not import.
    let log = app.audit(&format!("entityId={id}"), Some(&id)).await;
    assert!(log.iter().any(|e| e["action"] == "read"), "{log:?}");
    let viewer = app
        .client
        .post(app.url("/api/v1/imports"))
        .bearer_auth(&app.viewer)
        .header("content-type", "application/xml")
        .body("<x/>")
        .send()
        .await
        .expect("sent");
    assert_eq!(viewer.status().as_u16(), 403);
}

both_backends!(
    imports_are_kept_with_their_reports,
    incidence_file_with_central_items_only,
    abstract_without_hospital_items,
    older_versions_read_into_the_registry,
    damaged_values_are_kept_and_reported,
);
