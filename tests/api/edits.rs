//! Edits on every write (stored as findings, never refusing it), override flags, the catalogue and
//! batch runs.

use chrono::NaiveDate;
use oncoreg::domain::edits::RuleSet;
use oncoreg::model::TumorData;
use oncoreg::service::{Actor, Ctx, tumors};
use reqwest::Method;
use serde_json::{Value, json};

use crate::both_backends;
use crate::common::{TestApp, breast_tumor, patient_body};

both_backends!(edits_flag_but_never_refuse, batch_runs_report_failing_tumors);

fn prostate() -> Value {
    json!({"primarySite": "C61.9", "histologicTypeIcdO3": "8140", "behaviorCodeIcdO3": "3", "laterality": "0",
           "dateOfDiagnosis": "2019-05-02", "sequenceNumberHospital": "00", "classOfCase": "14",
           "diagnosticConfirmation": "1", "gradeClinical": "2", "gradePathological": "2", "summaryStage2018": "1",
           "dateOf1stContact": "2019-05-02", "accessionNumberHosp": "201900001"})
}

/// The edit ids of a record's stored findings, with their severities.
fn findings(body: &Value) -> Vec<(String, String)> {
    body["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            (
                f["editId"].as_str().unwrap_or("").to_string(),
                f["severity"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

fn has(body: &Value, edit: &str) -> bool {
    findings(body).iter().any(|(id, _)| id == edit)
}

async fn edits_flag_but_never_refuse(app: &TestApp) {
    // An error-level edit: the tumor is stored with its finding and status errors.
    let woman = app.patient(&patient_body("900")).await;
    let r = app.post(&format!("/api/v1/patients/{woman}/tumors"), &prostate()).await;
    assert_eq!(r.status, 201, "{}", r.body);
    assert_eq!(r.body["editStatus"], "errors", "{}", r.body);
    let f = r.body["findings"]
        .as_array()
        .and_then(|l| l.iter().find(|f| f["editId"] == "sex-site"))
        .cloned()
        .expect("sex-site finding");
    assert_eq!(f["severity"], "error");
    assert!(f["message"].as_str().unwrap_or("").contains("C61.9"), "{f}");
    let prostate_of_woman = r.id();
    let listed = app.get("/api/v1/tumors?editStatus=errors").await;
    let ids: Vec<&str> = listed.body["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|t| t["id"].as_str())
        .collect();
    assert_eq!(ids, vec![prostate_of_woman.as_str()]);
    let p = app.get(&format!("/api/v1/patients/{woman}")).await;
    assert_eq!(p.body["editStatus"], "errors", "the patient's status counts its tumors'");
    let clean = app.get("/api/v1/patients?editStatus=clean").await;
    assert_eq!(clean.body["items"], json!([]));
    app.get("/api/v1/tumors?editStatus=bad").await.problem(400);

    // A review-level edit is stored as a warning until a reviewer sets its override flag.
    let mut liver_type = breast_tumor();
    liver_type["histologicTypeIcdO3"] = json!("8170");
    liver_type["sequenceNumberHospital"] = json!("02");
    let man = app
        .patient(&{
            let mut b = patient_body("902");
            b["sexAssignedAtBirth"] = json!("1");
            b
        })
        .await;
    let r = app.post(&format!("/api/v1/patients/{man}/tumors"), &liver_type).await;
    assert_eq!(r.status, 201, "{}", r.body);
    assert!(has(&r.body, "site-morphology-seer"), "{}", r.body);
    assert_eq!(r.body["editStatus"], "warnings");
    let tid = r.id();
    liver_type["overRideSiteType"] = json!("1");
    let r = app.put(&format!("/api/v1/tumors/{tid}"), 1, &liver_type).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["overRideSiteType"], "1");
    let findings_now = app.get(&format!("/api/v1/tumors/{tid}/edits")).await;
    let accepted = findings_now.body["findings"]
        .as_array()
        .and_then(|l| l.iter().find(|f| f["editId"] == "site-morphology-seer"))
        .map(|f| f["overridden"].clone());
    assert_eq!(accepted, Some(json!(true)));
    // A value that cannot be a value is still refused, naming the field.
    let r = app.put(&format!("/api/v1/tumors/{tid}"), 2, &json!({"overRideSiteType": "yes"})).await;
    assert!(r.problem(422).contains(&("overRideSiteType".to_string(), "code.unknown".to_string())));

    // Setting an override flag on an update is audited like any change.
    let log = app.audit(&format!("entityId={tid}"), Some(&tid)).await;
    let actions: Vec<&str> = log.iter().filter_map(|e| e["action"].as_str()).collect();
    assert!(actions.contains(&"update"), "{actions:?}");

    // A warning is stored and returned; the write succeeds.
    let r = app
        .post(
            &format!("/api/v1/tumors/{tid}/treatments"),
            &json!({"modality": "chemotherapy", "code": "02"}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let t = app.get(&format!("/api/v1/tumors/{tid}")).await;
    assert!(has(&t.body, "treatment-code-date"), "{}", t.body);

    // A patient change that breaks an edit on an existing tumor is stored; the tumor says so.
    let mut man_body = patient_body("901");
    man_body["sexAssignedAtBirth"] = json!("1");
    let man = app.patient(&man_body).await;
    let prostate_id = app.tumor(&man, &prostate()).await;
    assert_eq!(app.get(&format!("/api/v1/tumors/{prostate_id}")).await.body["editStatus"], "clean");
    man_body["sexAssignedAtBirth"] = json!("2");
    let r = app.put(&format!("/api/v1/patients/{man}"), 1, &man_body).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["editStatus"], "errors");
    let t = app.get(&format!("/api/v1/tumors/{prostate_id}")).await;
    assert!(has(&t.body, "sex-site"), "{}", t.body);
    assert_eq!(t.body["editStatus"], "errors");

    // The catalogue.
    let cat = app.get("/api/v1/edits").await;
    let sex_site =
        cat.body.as_array().and_then(|l| l.iter().find(|d| d["id"] == "sex-site")).cloned();
    assert_eq!(sex_site.map(|d| d["severity"].clone()), Some(json!("error")));
    assert!(cat.body.as_array().is_some_and(|l| l.len() >= 30));
}

async fn batch_runs_report_failing_tumors(app: &TestApp) {
    let clean = app.patient(&patient_body("950")).await;
    app.tumor(&clean, &breast_tumor()).await;
    // A tumor stored under the IARC rule set, which has no NAACCR laterality edit: an unpaired code
    // (0) on the breast, which the NAACCR set refuses.
    let other = app.patient(&patient_body("951")).await;
    let mut unpaired = breast_tumor();
    unpaired["laterality"] = json!("0");
    let data: TumorData = serde_json::from_value(unpaired).expect("tumor body");
    let mut conn = app.pool.get().expect("connection");
    let iarc =
        Ctx { today: NaiveDate::from_ymd_opt(2026, 6, 30).expect("date"), rule_set: RuleSet::Iarc };
    let stored = tumors::create(&mut conn, &Actor::system("setup"), &other, &data, iarc)
        .expect("stored under IARC");
    let failing_id = stored.id.clone().unwrap_or_default();

    let r = app.post("/api/v1/edits/run", &json!({"ruleSet": "naaccr"})).await;
    assert_eq!(r.status, 201, "{}", r.body);
    assert_eq!(r.body["tumorsChecked"], 2);
    assert_eq!(r.body["tumorsFailing"], 1);
    let lat = r.body["counts"]
        .as_array()
        .and_then(|l| l.iter().find(|c| c["editId"] == "laterality-site"))
        .cloned();
    assert_eq!(lat.map(|c| c["count"].clone()), Some(json!(1)));
    let run = r.id();
    let page = app.get(&format!("/api/v1/edits/runs/{run}/failures?limit=1")).await;
    assert_eq!(page.body["items"][0]["tumorId"], failing_id.as_str());
    assert_eq!(page.body["items"][0]["patientId"], other.as_str());
    assert!(page.body["nextCursor"].is_null());
    assert_eq!(app.get(&format!("/api/v1/edits/runs/{run}")).await.body["tumorsFailing"], 1);

    // Filters: a facility with no tumors checks nothing; bad input is refused.
    let r = app.post("/api/v1/edits/run", &json!({"facility": "9999999999"})).await;
    assert_eq!(r.body["tumorsChecked"], 0);
    let r = app.post("/api/v1/edits/run", &json!({"ruleSet": "seer", "dxYearFrom": 1200})).await;
    let errs = r.problem(422);
    assert!(errs.contains(&("ruleSet".to_string(), "code.unknown".to_string())));
    assert!(errs.contains(&("dxYearFrom".to_string(), "range".to_string())));
    let r = app.send(Method::POST, "/api/v1/edits/run", Some(&app.viewer), Some(&json!({}))).await;
    r.problem(403);
    app.get("/api/v1/edits/runs/nope").await.problem(404);
}
