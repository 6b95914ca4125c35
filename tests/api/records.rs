//! Creating, reading and correcting patients, tumors, treatments and contacts, and the date rules.

use serde_json::{Value, json};

use crate::both_backends;
use crate::common::{TestApp, breast_tumor, patient_body};

both_backends!(
    full_record_round_trip,
    date_rules_across_records,
    death_closes_the_record,
    stale_versions_change_nothing,
    the_whole_abstract_through_items,
    an_abstract_in_progress_is_saved,
);

async fn full_record_round_trip(app: &TestApp) {
    let pid = app.patient(&patient_body("4711")).await;
    let p = app.get(&format!("/api/v1/patients/{pid}")).await;
    assert_eq!(p.status, 200);
    assert_eq!(p.body["patientIdNumber"], "00004711", "zero-padded NAACCR #20");
    assert_eq!(p.body["version"], 1);
    assert_eq!(p.header("etag"), "\"1\"");
    assert_eq!(p.body["vitalStatus"], "1");
    assert!(p.body["dateOfLastContact"].is_null());

    let tid = app.tumor(&pid, &breast_tumor()).await;
    let t = app.get(&format!("/api/v1/tumors/{tid}")).await;
    assert_eq!(t.body["primarySite"], "C504", "stored without the dot");
    assert_eq!(t.body["histologicTypeIcdO3"], "8500");
    assert_eq!(t.body["behaviorCodeIcdO3"], "3");
    assert_eq!(t.body["patientId"], pid.as_str());
    // Without contacts, the diagnosis date stands as the date of last contact.
    let p = app.get(&format!("/api/v1/patients/{pid}")).await;
    assert_eq!(p.body["dateOfLastContact"], "2021-03-15");

    let rx = app
        .post(
            &format!("/api/v1/tumors/{tid}/treatments"),
            &json!({"modality": "chemotherapy", "code": "03", "startDate": "2021-04-02", "endDate": "2021-08"}),
        )
        .await;
    assert_eq!(rx.status, 201, "{}", rx.body);
    assert_eq!(rx.header("location"), format!("/api/v1/treatments/{}", rx.id()));
    let rx = app.get(&format!("/api/v1/treatments/{}", rx.id())).await;
    assert_eq!(rx.body["modality"], "chemotherapy");
    assert_eq!(rx.body["firstCourse"], true);
    assert_eq!(rx.body["endDate"], "2021-08");

    let c = app
        .post(
            &format!("/api/v1/patients/{pid}/contacts"),
            &json!({"contactDate": "2024-05-10", "vitalStatus": "1", "followUpSource": "2",
                    "nextFollowUpSource": "1", "tumors": [{"tumorId": tid, "cancerStatus": "1"}]}),
        )
        .await;
    assert_eq!(c.status, 201, "{}", c.body);
    let c2 = app
        .post(
            &format!("/api/v1/patients/{pid}/contacts"),
            &json!({"contactDate": "2025-06", "vitalStatus": "1", "followUpSource": "3",
                    "tumors": [{"tumorId": tid, "cancerStatus": "2"}]}),
        )
        .await;
    assert_eq!(c2.status, 201, "{}", c2.body);

    let p = app.get(&format!("/api/v1/patients/{pid}")).await;
    assert_eq!(p.body["dateOfLastContact"], "2025-06", "derived from the latest contact");
    assert_eq!(p.body["vitalStatus"], "1");
    assert_eq!(p.body["version"], 1, "derived state does not bump the patient's version");
    let t = app.get(&format!("/api/v1/tumors/{tid}")).await;
    assert_eq!(t.body["cancerStatus"], "2", "cancer status of the latest contact");

    let contacts = app.get(&format!("/api/v1/patients/{pid}/contacts")).await;
    assert_eq!(contacts.body["items"].as_array().map(Vec::len), Some(2));
    assert_eq!(contacts.body["items"][0]["tumors"][0]["tumorId"], tid.as_str());
    let tumors = app.get(&format!("/api/v1/patients/{pid}/tumors")).await;
    assert_eq!(tumors.body["items"].as_array().map(Vec::len), Some(1));
    let rxs = app.get(&format!("/api/v1/tumors/{tid}/treatments")).await;
    assert_eq!(rxs.body["items"].as_array().map(Vec::len), Some(1));

    // A correction: new version, new ETag.
    let mut body = breast_tumor();
    body["gradePathological"] = json!("3");
    let up = app.put(&format!("/api/v1/tumors/{tid}"), 1, &body).await;
    assert_eq!(up.status, 200, "{}", up.body);
    assert_eq!(up.body["version"], 2);
    assert_eq!(up.header("etag"), "\"2\"");
    assert_eq!(app.get(&format!("/api/v1/tumors/{tid}")).await.body["gradePathological"], "3");
}

/// The stored findings of a record as (edit id, fields) pairs.
fn findings(body: &Value) -> Vec<(String, Vec<String>)> {
    body["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            let fields = f["fields"].as_array().expect("fields");
            (
                f["editId"].as_str().unwrap_or("").to_string(),
                fields.iter().filter_map(|x| x.as_str().map(str::to_string)).collect(),
            )
        })
        .collect()
}

fn flags(body: &Value, edit: &str, field: &str) -> bool {
    findings(body).iter().any(|(e, fs)| e == edit && fs.iter().any(|f| f == field))
}

/// Dates out of order are stored and flagged (edit `date-order`); a date in the future cannot be
/// a value and is refused.
async fn date_rules_across_records(app: &TestApp) {
    let pid = app.patient(&patient_body("100")).await;

    let mut early = breast_tumor();
    early["dateOfDiagnosis"] = json!("1950");
    early["sequenceNumberHospital"] = json!("03");
    let r = app.post(&format!("/api/v1/patients/{pid}/tumors"), &early).await;
    assert_eq!(r.status, 201, "{}", r.body);
    assert!(flags(&r.body, "date-order", "dateOfDiagnosis"), "{}", r.body);
    assert_eq!(r.body["editStatus"], "errors");
    let msg = r.body.to_string();
    assert!(!msg.contains("1956-03-14"), "dates are not echoed: {msg}");

    let mut future = breast_tumor();
    future["dateOfDiagnosis"] = json!("2026-07-01");
    let r = app.post(&format!("/api/v1/patients/{pid}/tumors"), &future).await;
    assert_eq!(r.problem(422), vec![("dateOfDiagnosis".to_string(), "date.future".to_string())]);

    let mut first = breast_tumor();
    first["sequenceNumberHospital"] = json!("01");
    let tid = app.tumor(&pid, &first).await;

    // Same month as "today" at month precision cannot be called future.
    let this_month = json!({"primarySite": "C18.7", "histologicTypeIcdO3": "8140", "behaviorCodeIcdO3": "3",
        "laterality": "0", "dateOfDiagnosis": "2026-06", "sequenceNumberHospital": "02", "classOfCase": "14",
        "gradeClinical": "9", "gradePathological": "9"});
    let r = app.post(&format!("/api/v1/patients/{pid}/tumors"), &this_month).await;
    assert_eq!(r.status, 201, "{}", r.body);

    let r = app
        .post(
            &format!("/api/v1/tumors/{tid}/treatments"),
            &json!({"modality": "surgery", "code": "22", "startDate": "2021-02-01"}),
        )
        .await;
    assert_eq!(r.status, 201, "a treatment before the diagnosis is stored: {}", r.body);
    let t = app.get(&format!("/api/v1/tumors/{tid}")).await;
    assert!(flags(&t.body, "date-order", "rxDateSurgery"), "{}", t.body);
    let treatment = r.id();
    // Correcting the date clears the finding.
    let r = app
        .put(
            &format!("/api/v1/treatments/{treatment}"),
            1,
            &json!({"modality": "surgery", "code": "22", "startDate": "2021-05-01", "endDate": "2021-04-01"}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let t = app.get(&format!("/api/v1/tumors/{tid}")).await;
    assert!(
        findings(&t.body).iter().any(|(e, _)| e == "date-order"),
        "the end before the start is flagged: {}",
        t.body
    );
    let r = app
        .put(
            &format!("/api/v1/treatments/{treatment}"),
            2,
            &json!({"modality": "surgery", "code": "22", "startDate": "2021-03"}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let t = app.get(&format!("/api/v1/tumors/{tid}")).await;
    assert!(!findings(&t.body).iter().any(|(e, _)| e == "date-order"), "{}", t.body);

    let r = app
        .post(
            &format!("/api/v1/patients/{pid}/contacts"),
            &json!({"contactDate": "2020-12-01", "vitalStatus": "1", "followUpSource": "2",
                    "tumors": [{"tumorId": tid, "cancerStatus": "1"}]}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let t = app.get(&format!("/api/v1/tumors/{tid}")).await;
    assert!(flags(&t.body, "date-order", "dateOfDiagnosis"), "{}", t.body);

    // Moving the birth date after a recorded diagnosis is stored and flagged on the tumors.
    let p = app.get(&format!("/api/v1/patients/{pid}")).await;
    let mut body = patient_body("100");
    body["dateOfBirth"] = json!("2022-01-01");
    let r = app
        .put(&format!("/api/v1/patients/{pid}"), p.body["version"].as_i64().unwrap_or(0), &body)
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["editStatus"], "errors");
    let t = app.get(&format!("/api/v1/tumors/{tid}")).await;
    let text = t.body["findings"].to_string();
    assert!(text.contains("before the date of birth"), "{text}");
    assert!(!text.contains("2022") && !text.contains("1956"), "dates are not echoed: {text}");
}

/// A death is recorded before its cause is coded; what follows it is flagged, not refused.
async fn death_closes_the_record(app: &TestApp) {
    let pid = app.patient(&patient_body("200")).await;
    let tid = app.tumor(&pid, &breast_tumor()).await;
    let death = json!({"contactDate": "2023-02-10", "vitalStatus": "0", "followUpSource": "7",
                       "tumors": [{"tumorId": tid, "cancerStatus": "2"}]});
    let r = app.post(&format!("/api/v1/patients/{pid}/contacts"), &death).await;
    assert_eq!(r.status, 201, "a death without its cause is recorded: {}", r.body);
    let death_id = r.id();
    let p = app.get(&format!("/api/v1/patients/{pid}")).await;
    assert_eq!(p.body["vitalStatus"], "0");
    assert_eq!(p.body["dateOfLastContact"], "2023-02-10");
    assert!(flags(&p.body, "vital-status-cause-of-death", "causeOfDeath"), "{}", p.body);
    assert_eq!(p.body["editStatus"], "errors");
    let mut coded = death.clone();
    coded["causeOfDeath"] = json!("C50.9");
    let r = app.put(&format!("/api/v1/contacts/{death_id}"), 1, &coded).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["causeOfDeath"], "C509");
    let p = app.get(&format!("/api/v1/patients/{pid}")).await;
    assert!(!flags(&p.body, "vital-status-cause-of-death", "causeOfDeath"), "{}", p.body);

    let later = json!({"contactDate": "2024-01-01", "vitalStatus": "1", "followUpSource": "2"});
    let r = app.post(&format!("/api/v1/patients/{pid}/contacts"), &later).await;
    assert_eq!(r.status, 201, "{}", r.body);
    let p = app.get(&format!("/api/v1/patients/{pid}")).await;
    assert!(p.body["findings"].to_string().contains("after the date of death"), "{}", p.body);

    let r = app
        .post(
            &format!("/api/v1/tumors/{tid}/treatments"),
            &json!({"modality": "radiation", "code": "1", "startDate": "2023-03-01"}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let t = app.get(&format!("/api/v1/tumors/{tid}")).await;
    assert!(flags(&t.body, "date-order", "rxDateRadiation"), "{}", t.body);

    let mut second = breast_tumor();
    second["dateOfDiagnosis"] = json!("2023-05-01");
    second["sequenceNumberHospital"] = json!("02");
    let r = app.post(&format!("/api/v1/patients/{pid}/tumors"), &second).await;
    assert_eq!(r.status, 201, "{}", r.body);
    assert!(flags(&r.body, "date-order", "dateOfDiagnosis"), "{}", r.body);

    let alive_with_cause = json!({"contactDate": "2022-01-01", "vitalStatus": "1", "followUpSource": "2", "causeOfDeath": "C509"});
    let r = app.post(&format!("/api/v1/patients/{pid}/contacts"), &alive_with_cause).await;
    assert_eq!(r.status, 201, "{}", r.body);
    let p = app.get(&format!("/api/v1/patients/{pid}")).await;
    assert!(
        p.body["findings"].to_string().contains("alive but has a cause of death"),
        "{}",
        p.body
    );
}

async fn stale_versions_change_nothing(app: &TestApp) {
    let pid = app.patient(&patient_body("300")).await;
    let path = format!("/api/v1/patients/{pid}");
    let mut body = patient_body("300");
    body["nameFirst"] = json!("Beta");
    let first = app.put(&path, 1, &body).await;
    assert_eq!(first.status, 200, "{}", first.body);
    assert_eq!(first.body["version"], 2);

    body["nameFirst"] = json!("Gamma");
    let stale = app.put(&path, 1, &body).await;
    assert_eq!(stale.problem(412), vec![("If-Match".to_string(), "version".to_string())]);
    let now = app.get(&path).await;
    assert_eq!(now.body["nameFirst"], "Beta", "the stale write changed nothing");
    assert_eq!(now.body["version"], 2);

    let missing = app
        .client
        .put(app.url(&path))
        .bearer_auth(&app.registrar)
        .json(&body)
        .send()
        .await
        .expect("sent");
    let missing = crate::common::Reply::from_response(missing).await;
    missing.problem(428);

    let bad = app
        .client
        .put(app.url(&path))
        .bearer_auth(&app.registrar)
        .header("If-Match", "yesterday")
        .json(&body)
        .send()
        .await
        .expect("sent");
    let bad = crate::common::Reply::from_response(bad).await;
    assert_eq!(bad.problem(400), vec![("If-Match".to_string(), "header.format".to_string())]);
}

/// Every NAACCR item of a tumor without a typed field is written and read through `items`:
/// tumor size, nodes, AJCC TNM, a site-specific data item. A bad code is refused naming the item;
/// the values go out in an abstract.
async fn the_whole_abstract_through_items(app: &TestApp) {
    let pid = app.patient(&patient_body("600")).await;
    let mut body = breast_tumor();
    body["items"] = json!({
        "tumorSizeSummary": "015", "regionalNodesExamined": "12", "regionalNodesPositive": "02",
        "tnmClinT": "c1", "tnmClinN": "c0", "tnmClinM": "c0", "estrogenReceptorSummary": "1",
        "rxSummSurgicalMargins": "0", "textDxProcPe": "Core biopsy, left breast & axilla"
    });
    let r = app.post(&format!("/api/v1/patients/{pid}/tumors"), &body).await;
    assert_eq!(r.status, 201, "{}", r.body);
    let tid = r.id();
    let t = app.get(&format!("/api/v1/tumors/{tid}")).await;
    assert_eq!(t.body["items"]["tumorSizeSummary"], "015");
    assert_eq!(t.body["items"]["tnmClinT"], "c1");
    assert_eq!(t.body["items"]["estrogenReceptorSummary"], "1");
    assert_eq!(t.body["editStatus"], "clean", "{}", t.body);

    // A code not in the item's list, a typed item, a patient item: refused, each named.
    let mut bad = body.clone();
    bad["items"]["tnmClinT"] = json!("cQ9");
    bad["items"]["primarySite"] = json!("C509");
    bad["items"]["nameLast"] = json!("Roe");
    bad["items"]["tumorSizeSummary"] = json!("15");
    let r = app.put(&format!("/api/v1/tumors/{tid}"), 1, &bad).await;
    let errs = r.problem(422);
    for want in [
        ("items.tnmClinT", "code.unknown"),
        ("items.primarySite", "item.typed"),
        ("items.nameLast", "item.level"),
        ("items.tumorSizeSummary", "item.value"),
    ] {
        assert!(errs.contains(&(want.0.to_string(), want.1.to_string())), "{want:?} in {errs:?}");
    }
    assert!(!r.body.to_string().contains("cQ9"), "the value is not echoed: {}", r.body);
    assert_eq!(
        app.get(&format!("/api/v1/tumors/{tid}")).await.body["version"],
        1,
        "nothing written"
    );

    // A PUT without items keeps them; with items it replaces them.
    let r = app.put(&format!("/api/v1/tumors/{tid}"), 1, &breast_tumor()).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["items"]["tumorSizeSummary"], "015");
    let mut fewer = breast_tumor();
    fewer["items"] = json!({"tumorSizeSummary": "021"});
    let r = app.put(&format!("/api/v1/tumors/{tid}"), 2, &fewer).await;
    assert_eq!(r.body["items"], json!({"tumorSizeSummary": "021"}));
    let r = app.put(&format!("/api/v1/tumors/{tid}"), 3, &body).await;
    assert_eq!(r.status, 200, "{}", r.body);

    // Patient items too.
    let p = app.get(&format!("/api/v1/patients/{pid}")).await;
    let mut pb = patient_body("600");
    pb["items"] = json!({"nameAlias": "Testalias", "birthplaceCountry": "USA"});
    let r = app
        .put(&format!("/api/v1/patients/{pid}"), p.body["version"].as_i64().unwrap_or(0), &pb)
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["items"]["nameAlias"], "Testalias");

    // In an abstract (A) they go out under their NAACCR ids.
    let s =
        app.post("/api/v1/submissions", &json!({"recordType": "A", "naaccrVersion": "260"})).await;
    assert_eq!(s.status, 201, "{}", s.body);
    assert_eq!(s.body["tumorCount"], 1, "{}", s.body);
    let res = app
        .client
        .get(app.url(&format!("/api/v1/submissions/{}/file", s.id())))
        .bearer_auth(&app.viewer)
        .send()
        .await
        .expect("sent");
    let xml = res.text().await.expect("file");
    for item in [
        r#"<Item naaccrId="tumorSizeSummary">015</Item>"#,
        r#"<Item naaccrId="regionalNodesPositive">02</Item>"#,
        r#"<Item naaccrId="tnmClinT">c1</Item>"#,
        r#"<Item naaccrId="estrogenReceptorSummary">1</Item>"#,
        r#"<Item naaccrId="textDxProcPe">Core biopsy, left breast &amp; axilla</Item>"#,
        r#"<Item naaccrId="nameAlias">Testalias</Item>"#,
    ] {
        assert!(xml.contains(item), "{item} in the file");
    }
    // Nothing is invented: no source gave a no-patient-contact flag, so none is written.
    assert!(!xml.contains("noPatientContactFlag"), "no invented flag");
}

/// A registrar saves a 2021 abstract before the grades and stage are known: it is stored with
/// its findings, errors status, and left out of a submission batch until completed.
async fn an_abstract_in_progress_is_saved(app: &TestApp) {
    let pid = app.patient(&patient_body("610")).await;
    let partial = json!({"primarySite": "C50.4", "histologicTypeIcdO3": "8500", "behaviorCodeIcdO3": "3",
        "dateOfDiagnosis": "2021-03-15", "classOfCase": "14", "sequenceNumberHospital": "00"});
    let r = app.post(&format!("/api/v1/patients/{pid}/tumors"), &partial).await;
    assert_eq!(r.status, 201, "{}", r.body);
    assert_eq!(r.body["editStatus"], "errors");
    let ids: Vec<&str> = r.body["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter_map(|f| f["editId"].as_str())
        .collect();
    for want in ["grade", "required-core", "required-analytic-2018"] {
        assert!(ids.contains(&want), "{want} in {ids:?}");
    }
    let tid = r.id();
    let s =
        app.post("/api/v1/submissions", &json!({"recordType": "I", "naaccrVersion": "260"})).await;
    assert_eq!(
        (s.body["tumorCount"].clone(), s.body["excludedCount"].clone()),
        (json!(0), json!(1)),
        "{}",
        s.body
    );
    // Completed later: clean, and sent with the next batch of changes.
    let r = app.put(&format!("/api/v1/tumors/{tid}"), 1, &breast_tumor()).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["editStatus"], "clean", "{}", r.body);
    let s = app
        .post(
            "/api/v1/submissions",
            &json!({"recordType": "I", "naaccrVersion": "260", "changedSinceLast": true}),
        )
        .await;
    assert_eq!(s.body["tumorCount"], 1, "{}", s.body);
}
