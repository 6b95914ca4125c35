//! Corrections that do not erase (PATCH with a merge patch), deletions, every change in a
//! record's history, and submissions that never drop a case (a failed export records no batch; a
//! voided batch's tumors go again; a deleted tumor is reported).

use reqwest::Method;
use serde_json::{Value, json};

use crate::both_backends;
use crate::common::{Reply, TestApp, breast_tumor, patient_body};

async fn patch(app: &TestApp, path: &str, version: i64, ctype: &str, body: &Value) -> Reply {
    let res = app
        .client
        .patch(app.url(path))
        .bearer_auth(&app.registrar)
        .header("If-Match", format!("\"{version}\""))
        .header("content-type", ctype)
        .body(body.to_string())
        .send()
        .await
        .expect("sent");
    Reply::from_response(res).await
}

async fn delete(app: &TestApp, path: &str, version: Option<i64>, token: &str) -> Reply {
    let mut req = app.client.delete(app.url(path)).bearer_auth(token);
    if let Some(v) = version {
        req = req.header("If-Match", format!("\"{v}\""));
    }
    Reply::from_response(req.send().await.expect("sent")).await
}

const MERGE: &str = "application/merge-patch+json";

/// A record without what a write changes by itself (version, time, findings).
fn stable(body: &Value) -> Value {
    let mut b = body.clone();
    if let Some(o) = b.as_object_mut() {
        for k in ["version", "updatedAt", "findings", "editStatus"] {
            o.remove(k);
        }
    }
    b
}

/// (action, version, field, old, new) of a record's history.
async fn history(app: &TestApp, path: &str) -> Vec<(String, i64, String, Value, Value)> {
    let r = app.get(&format!("{path}/history?limit=500")).await;
    assert_eq!(r.status, 200, "{}", r.body);
    r.body["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|e| {
            (
                e["action"].as_str().unwrap_or("").to_string(),
                e["version"].as_i64().unwrap_or(0),
                e["field"].as_str().unwrap_or("").to_string(),
                e["oldValue"].clone(),
                e["newValue"].clone(),
            )
        })
        .collect()
}

async fn patch_changes_only_what_it_names(app: &TestApp) {
    let pid = app.patient(&patient_body("800")).await;
    let mut body = breast_tumor();
    body["items"] = json!({"tumorSizeSummary": "015", "tnmClinT": "c1"});
    let tid = app.tumor(&pid, &body).await;
    let path = format!("/api/v1/tumors/{tid}");
    let before = app.get(&path).await.body;

    let r = patch(app, &path, 1, MERGE, &json!({"laterality": "1"})).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["version"], 2);
    assert_eq!(r.header("etag"), "\"2\"");
    let mut expected = stable(&before);
    expected["laterality"] = json!("1");
    assert_eq!(stable(&r.body), expected, "every other field as it was");

    // The wrong media type names the one taken; a stale version changes nothing.
    let r = patch(app, &path, 2, "application/json", &json!({"laterality": "2"})).await;
    r.problem(415);
    assert_eq!(r.header("accept-patch"), MERGE);
    assert!(r.body["detail"].as_str().unwrap_or("").contains(MERGE), "{}", r.body);
    let r = patch(app, &path, 1, MERGE, &json!({"laterality": "2"})).await;
    r.problem(412);
    let missing = app
        .client
        .patch(app.url(&path))
        .bearer_auth(&app.registrar)
        .header("content-type", MERGE)
        .body("{}")
        .send()
        .await
        .expect("sent");
    assert_eq!(missing.status().as_u16(), 428);
    assert_eq!(app.get(&path).await.body["laterality"], "1", "nothing changed");

    // null removes; items merge by item; bad fields and values are named.
    let r = patch(
        app,
        &path,
        2,
        MERGE,
        &json!({"gradeClinical": null, "items": {"tumorSizeSummary": "020"}}),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.body["gradeClinical"].is_null());
    assert_eq!(r.body["items"], json!({"tumorSizeSummary": "020", "tnmClinT": "c1"}));
    assert!(r.body["findings"].to_string().contains("\"grade\""), "the edit says so: {}", r.body);
    let r = patch(app, &path, 3, MERGE, &json!({"items": {"tnmClinT": null}})).await;
    assert_eq!(r.body["items"], json!({"tumorSizeSummary": "020"}));
    let r = patch(app, &path, 4, MERGE, &json!({"noSuchField": "1"})).await;
    assert_eq!(r.problem(400)[0].1, "json.type");
    assert!(r.body["errors"][0]["message"].as_str().unwrap_or("").contains("noSuchField"));
    let r = patch(app, &path, 4, MERGE, &json!({"laterality": 1})).await;
    assert_eq!(r.problem(400), vec![("laterality".to_string(), "json.type".to_string())]);
    let r = patch(app, &path, 4, MERGE, &json!({"primarySite": "C999"})).await;
    assert_eq!(r.problem(422), vec![("primarySite".to_string(), "code.unknown".to_string())]);
    let r = patch(app, &path, 4, MERGE, &json!(["laterality"])).await;
    r.problem(400);

    // The history lists each change with the old value.
    let h = history(app, &path).await;
    assert_eq!(h[0].0, "create");
    assert_eq!(h[0].1, 1);
    assert!(
        h.contains(&("update".into(), 2, "laterality".into(), json!("2"), json!("1"))),
        "{h:?}"
    );
    assert!(
        h.contains(&("update".into(), 3, "gradeClinical".into(), json!("2"), Value::Null)),
        "{h:?}"
    );
    assert!(
        h.contains(&(
            "update".into(),
            3,
            "items.tumorSizeSummary".into(),
            json!("015"),
            json!("020")
        )),
        "{h:?}"
    );
    assert!(
        h.contains(&("update".into(), 4, "items.tnmClinT".into(), json!("c1"), Value::Null)),
        "{h:?}"
    );
    // Viewers read histories; the read is audited.
    let r = app.send(Method::GET, &format!("{path}/history"), Some(&app.viewer), None).await;
    assert_eq!(r.status, 200);
    let log = app.audit(&format!("entityId={tid}"), Some(&tid)).await;
    assert!(log.iter().any(|e| e["action"] == "read"), "{log:?}");
    app.get("/api/v1/tumors/no-such-id/history").await.problem(404);

    // The other kinds: a patient, a treatment and a contact keep what a patch leaves out.
    let p = patch(app, &format!("/api/v1/patients/{pid}"), 1, MERGE, &json!({"nameFirst": "Beta"}))
        .await;
    assert_eq!(p.status, 200, "{}", p.body);
    assert_eq!(
        (p.body["nameFirst"].as_str(), p.body["nameLast"].as_str()),
        (Some("Beta"), Some("Testperson"))
    );
    assert_eq!(p.body["physicianManaging"]["npi"], "1234567893");
    let rx = app
        .post(
            &format!("/api/v1/tumors/{tid}/treatments"),
            &json!({"modality": "surgery", "code": "22", "startDate": "2021-04-02"}),
        )
        .await;
    let r =
        patch(app, &format!("/api/v1/treatments/{}", rx.id()), 1, MERGE, &json!({"code": "41"}))
            .await;
    assert_eq!(
        (r.body["code"].as_str(), r.body["startDate"].as_str()),
        (Some("41"), Some("2021-04-02")),
        "{}",
        r.body
    );
    let ct = app
        .post(
            &format!("/api/v1/patients/{pid}/contacts"),
            &json!({"contactDate": "2024-05-10", "vitalStatus": "1", "followUpSource": "2",
                    "tumors": [{"tumorId": tid, "cancerStatus": "1"}]}),
        )
        .await;
    let r = patch(
        app,
        &format!("/api/v1/contacts/{}", ct.id()),
        1,
        MERGE,
        &json!({"followUpSource": "3"}),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["tumors"][0]["cancerStatus"], "1");
    assert_eq!(r.body["contactDate"], "2024-05-10");
}

async fn deletes_keep_history_and_report_tumors(app: &TestApp) {
    let pid = app.patient(&patient_body("810")).await;
    let tid = app.tumor(&pid, &breast_tumor()).await;
    let rx = app
        .post(
            &format!("/api/v1/tumors/{tid}/treatments"),
            &json!({"modality": "chemotherapy", "code": "03", "startDate": "2021-04-02"}),
        )
        .await
        .id();
    let ct = app
        .post(
            &format!("/api/v1/patients/{pid}/contacts"),
            &json!({"contactDate": "2024-05-10", "vitalStatus": "1", "followUpSource": "2",
                    "tumors": [{"tumorId": tid, "cancerStatus": "1"}]}),
        )
        .await
        .id();
    let sent =
        app.post("/api/v1/submissions", &json!({"recordType": "A", "naaccrVersion": "260"})).await;
    assert_eq!(sent.body["tumorCount"], 1, "{}", sent.body);

    // Roles, If-Match and versions are checked before anything goes.
    delete(app, &format!("/api/v1/treatments/{rx}"), Some(1), &app.viewer).await.problem(403);
    delete(app, &format!("/api/v1/treatments/{rx}"), None, &app.registrar).await.problem(428);
    delete(app, &format!("/api/v1/treatments/{rx}"), Some(5), &app.registrar).await.problem(412);
    let r = delete(app, &format!("/api/v1/treatments/{rx}"), Some(1), &app.registrar).await;
    assert_eq!(r.status, 204, "{}", r.body);
    app.get(&format!("/api/v1/treatments/{rx}")).await.problem(404);
    let h = history(app, &format!("/api/v1/treatments/{rx}")).await;
    assert!(h.contains(&("delete".into(), 1, "code".into(), json!("03"), Value::Null)), "{h:?}");
    assert_eq!(h[0], ("create".into(), 1, String::new(), Value::Null, Value::Null), "{h:?}");

    // A patient with tumors stays.
    let r = delete(app, &format!("/api/v1/patients/{pid}"), Some(1), &app.registrar).await;
    assert_eq!(r.problem(409), vec![("id".to_string(), "record.inUse".to_string())]);

    // A deleted tumor: its contact no longer reports on it, its history keeps its last values,
    // and the next batch reports it once.
    let r = delete(app, &format!("/api/v1/tumors/{tid}"), Some(1), &app.registrar).await;
    assert_eq!(r.status, 204, "{}", r.body);
    app.get(&format!("/api/v1/tumors/{tid}")).await.problem(404);
    let c = app.get(&format!("/api/v1/contacts/{ct}")).await;
    assert_eq!(
        (c.body["version"].clone(), c.body["tumors"].clone()),
        (json!(2), json!([])),
        "{}",
        c.body
    );
    let h = history(app, &format!("/api/v1/tumors/{tid}")).await;
    assert!(
        h.contains(&("delete".into(), 1, "primarySite".into(), json!("C504"), Value::Null)),
        "{h:?}"
    );
    assert_eq!(h[0].0, "create", "{h:?}");
    let next =
        app.post("/api/v1/submissions", &json!({"recordType": "I", "naaccrVersion": "260"})).await;
    assert_eq!(next.status, 201, "{}", next.body);
    let deleted = next.body["deleted"].as_array().expect("deleted").clone();
    assert_eq!(deleted.len(), 1, "{}", next.body);
    assert_eq!(deleted[0]["tumorId"], tid.as_str());
    assert_eq!(deleted[0]["patientIdNumber"], "00000810");
    assert_eq!(deleted[0]["keys"]["sequenceNumberHospital"], "00");
    let again = app.get(&format!("/api/v1/submissions/{}", next.id())).await;
    assert_eq!(again.body["deleted"].as_array().map(Vec::len), Some(1), "kept with the batch");
    let after =
        app.post("/api/v1/submissions", &json!({"recordType": "I", "naaccrVersion": "260"})).await;
    assert_eq!(after.body["deleted"], json!([]), "reported once");

    // The contact, then the patient.
    let r = delete(app, &format!("/api/v1/contacts/{ct}"), Some(2), &app.registrar).await;
    assert_eq!(r.status, 204, "{}", r.body);
    let p = app.get(&format!("/api/v1/patients/{pid}")).await;
    assert!(p.body["dateOfLastContact"].is_null(), "derived again: {}", p.body);
    let r = delete(app, &format!("/api/v1/patients/{pid}"), Some(1), &app.registrar).await;
    assert_eq!(r.status, 204, "{}", r.body);
    app.get(&format!("/api/v1/patients/{pid}")).await.problem(404);
    let h = history(app, &format!("/api/v1/patients/{pid}")).await;
    assert!(
        h.contains(&("delete".into(), 1, "nameLast".into(), json!("Testperson"), Value::Null)),
        "{h:?}"
    );
    assert_eq!(h.iter().filter(|e| e.0 == "create").count(), 1, "{h:?}");
    assert_eq!(h[0].0, "create", "{h:?}");
    let log = app.audit(&format!("entityId={pid}"), Some(&pid)).await;
    assert!(log.iter().any(|e| e["action"] == "delete"), "{log:?}");
}

async fn submissions_never_drop_a_case(app: &TestApp) {
    use oncoreg::service::{Actor, submissions};
    let pid = app.patient(&patient_body("820")).await;
    app.tumor(&pid, &breast_tumor()).await;
    let since = json!({"recordType": "I", "naaccrVersion": "260", "changedSinceLast": true});
    // A batch whose copy cannot be written is not recorded; the next one still carries the tumor.
    let req: oncoreg::model::SubmissionRequest =
        serde_json::from_value(since.clone()).expect("req");
    let dir = std::path::PathBuf::from(&app.settings.submissions.submissions_dir);
    let nowhere = std::path::PathBuf::from("/nonexistent-dir/batch.xml");
    let mut conn = app.pool.get().expect("connection");
    let today = chrono::NaiveDate::from_ymd_opt(2026, 6, 30).expect("date");
    let failed =
        submissions::create(&mut conn, None, &Actor::system("test"), &req, &dir, today, &[nowhere]);
    assert!(failed.is_err(), "the copy failed");
    drop(conn);
    let listed = app.get("/api/v1/submissions").await;
    assert_eq!(listed.body["items"], json!([]), "no batch recorded");
    let leftovers: Vec<_> =
        std::fs::read_dir(&dir).map(|d| d.flatten().collect()).unwrap_or_default();
    assert!(leftovers.is_empty(), "no file left: {leftovers:?}");
    let first = app.post("/api/v1/submissions", &since).await;
    assert_eq!(first.body["tumorCount"], 1, "{}", first.body);
    let none = app.post("/api/v1/submissions", &since).await;
    assert_eq!(none.body["tumorCount"], 0);

    // Voiding: admin only, with a reason, once; the tumors go again.
    let path = format!("/api/v1/submissions/{}/void", first.id());
    let r = app.post(&path, &json!({"reason": "not received"})).await;
    r.problem(403);
    let r = app.send(Method::POST, &path, Some(&app.admin), Some(&json!({"reason": " "}))).await;
    assert_eq!(r.problem(422), vec![("reason".to_string(), "text.length".to_string())]);
    // The contract's 500 characters count the text as sent, blanks around it included.
    let long = format!("\u{b}{}", "*".repeat(500));
    let r = app.send(Method::POST, &path, Some(&app.admin), Some(&json!({"reason": long}))).await;
    assert_eq!(r.problem(422), vec![("reason".to_string(), "text.length".to_string())]);
    let r = app
        .send(
            Method::POST,
            &path,
            Some(&app.admin),
            Some(&json!({"reason": "the central registry did not receive it"})),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.body["voidedAt"].is_string(), "{}", r.body);
    assert_eq!(r.body["voidReason"], "the central registry did not receive it");
    let r =
        app.send(Method::POST, &path, Some(&app.admin), Some(&json!({"reason": "again"}))).await;
    assert_eq!(r.problem(409), vec![("id".to_string(), "state".to_string())]);
    let again = app.post("/api/v1/submissions", &since).await;
    assert_eq!(
        again.body["tumorCount"], 1,
        "a voided batch's tumors are sent again: {}",
        again.body
    );

    // Re-importing a file just exported changes nothing.
    let a =
        app.post("/api/v1/submissions", &json!({"recordType": "A", "naaccrVersion": "260"})).await;
    let res = app
        .client
        .get(app.url(&format!("/api/v1/submissions/{}/file", a.id())))
        .bearer_auth(&app.viewer)
        .send()
        .await
        .expect("sent");
    let xml = res.bytes().await.expect("file").to_vec();
    let report = app.import("application/xml", xml).await;
    assert_eq!(
        (report.body["patientsUpdated"].clone(), report.body["patientsUnchanged"].clone()),
        (json!(0), json!(1)),
        "{}",
        report.body
    );
}

/// A registry's file: one patient with a tumor, its surgery and a last contact.
const IMPORTED: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<NaaccrData baseDictionaryUri="http://naaccr.org/naaccrxml/naaccr-dictionary-260.xml"
  recordType="A" specificationVersion="1.7" xmlns="http://naaccr.org/naaccrxml">
<Patient>
  <Item naaccrId="patientIdNumber">00000830</Item>
  <Item naaccrId="nameLast">Importperson</Item>
  <Item naaccrId="sex">2</Item>
  <Item naaccrId="dateOfBirth">19600101</Item>
  <Item naaccrId="vitalStatus">1</Item>
  <Item naaccrId="dateOfLastContact">20240510</Item>
  <Tumor>
    <Item naaccrId="primarySite">C504</Item>
    <Item naaccrId="histologicTypeIcdO3">8500</Item>
    <Item naaccrId="behaviorCodeIcdO3">3</Item>
    <Item naaccrId="laterality">2</Item>
    <Item naaccrId="dateOfDiagnosis">20230115</Item>
    <Item naaccrId="sequenceNumberHospital">00</Item>
    <Item naaccrId="rxSummSurgPrimSite">22</Item>
    <Item naaccrId="rxDateSurgery">20230210</Item>
  </Tumor>
</Patient>
</NaaccrData>
"#;

/// (action, by) of each entry, one page of `limit` at a time.
async fn paged_history(app: &TestApp, path: &str, limit: usize) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut cursor: Option<String> = None;
    for _ in 0..20 {
        let after = cursor.as_ref().map(|c| format!("&cursor={c}")).unwrap_or_default();
        let r = app.get(&format!("{path}/history?limit={limit}{after}")).await;
        assert_eq!(r.status, 200, "{}", r.body);
        let items = r.body["items"].as_array().expect("items").clone();
        assert!(items.len() <= limit, "{}", r.body);
        out.extend(items.iter().map(|e| {
            (e["action"].as_str().unwrap_or("").to_string(), e["by"].as_str().unwrap_or("").into())
        }));
        match r.body["nextCursor"].as_str() {
            Some(c) => cursor = Some(c.to_string()),
            None => return out,
        }
    }
    panic!("the history pages never end: {out:?}")
}

async fn imported_records_tell_who_created_them(app: &TestApp) {
    let report = app.import("application/xml", IMPORTED).await;
    assert_eq!(report.body["patientsCreated"], 1, "{}", report.body);
    let found = app.get("/api/v1/patients?patientIdNumber=00000830").await;
    let pid = found.body["items"][0]["id"].as_str().expect("patient").to_string();
    let tumors = app.get(&format!("/api/v1/patients/{pid}/tumors")).await;
    let tid = tumors.body["items"][0]["id"].as_str().expect("tumor").to_string();
    let rx = app.get(&format!("/api/v1/tumors/{tid}/treatments")).await;
    let rx = rx.body["items"][0]["id"].as_str().expect("treatment").to_string();
    let contacts = app.get(&format!("/api/v1/patients/{pid}/contacts")).await;
    let ct = contacts.body["items"][0]["id"].as_str().expect("contact").to_string();
    let by = app.get(&format!("/api/v1/tumors/{tid}/history")).await.body["items"][0]["by"].clone();
    let by = by.as_str().expect("creator").to_string();
    assert!(!by.is_empty() && by != "(not recorded)", "{by}");
    for path in [
        format!("/api/v1/patients/{pid}"),
        format!("/api/v1/tumors/{tid}"),
        format!("/api/v1/treatments/{rx}"),
        format!("/api/v1/contacts/{ct}"),
    ] {
        let h = history(app, &path).await;
        assert_eq!(
            h,
            vec![("create".into(), 1, String::new(), Value::Null, Value::Null)],
            "{path}"
        );
    }

    // Changed twice and deleted: every entry once, in order, on pages of one or of many.
    let path = format!("/api/v1/treatments/{rx}");
    let r = patch(app, &path, 1, MERGE, &json!({"code": "41"})).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let r = patch(app, &path, 2, MERGE, &json!({"code": "42"})).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let r = delete(app, &path, Some(3), &app.registrar).await;
    assert_eq!(r.status, 204, "{}", r.body);
    let one = paged_history(app, &path, 1).await;
    let actions: Vec<&str> = one.iter().map(|(a, _)| a.as_str()).collect();
    assert_eq!(actions[..3], ["create", "update", "update"], "{one:?}");
    assert!(actions[3..].iter().all(|a| *a == "delete") && actions.len() > 3, "{one:?}");
    assert_eq!(one[0].1, by, "the creator outlives the record");
    assert_eq!(paged_history(app, &path, 500).await, one);
}

both_backends!(
    patch_changes_only_what_it_names,
    deletes_keep_history_and_report_tumors,
    submissions_never_drop_a_case,
    imported_records_tell_who_created_them,
);
