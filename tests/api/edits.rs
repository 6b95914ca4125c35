//! Edits on every write, override flags, stored warnings, the catalogue and batch runs.

use chrono::NaiveDate;
use oncoreg::domain::edits::RuleSet;
use oncoreg::dto::TumorData;
use oncoreg::service::{Actor, Ctx, tumors};
use reqwest::Method;
use serde_json::{Value, json};

use crate::both_backends;
use crate::common::{TestApp, breast_tumor, patient_body};

both_backends!(edits_guard_every_write, batch_runs_report_failing_tumors);

fn rules(body: &Value) -> Vec<String> {
    body["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .filter_map(|e| e["rule"].as_str().map(str::to_string))
        .collect()
}

fn prostate() -> Value {
    json!({"primarySite": "C61.9", "histologicTypeIcdO3": "8140", "behaviorCodeIcdO3": "3", "laterality": "0",
           "dateOfDiagnosis": "2019-05-02", "sequenceNumberHospital": "00", "classOfCase": "14",
           "diagnosticConfirmation": "1", "gradeClinical": "2", "gradePathological": "2", "summaryStage2018": "1"})
}

async fn edits_guard_every_write(app: &TestApp) {
    // An error-level edit: no override can accept it.
    let woman = app.patient(&patient_body("900")).await;
    let r = app.post(&format!("/api/v1/patients/{woman}/tumors"), &prostate()).await;
    r.problem(422);
    let e = &r.body["errors"][0];
    assert_eq!(e["rule"], "edit.sex-site");
    assert_eq!(e["editId"], "sex-site");
    assert_eq!(e["severity"], "error");
    assert!(e["overrideFlag"].is_null());
    assert!(e["message"].as_str().unwrap_or("").contains("C61.9"), "{e}");
    assert_eq!(app.get(&format!("/api/v1/patients/{woman}/tumors")).await.body["items"], json!([]));

    // A review-level edit is refused until a reviewer sets its override flag.
    let mut liver_type = breast_tumor();
    liver_type["histologicTypeIcdO3"] = json!("8170");
    let r = app.post(&format!("/api/v1/patients/{woman}/tumors"), &liver_type).await;
    r.problem(422);
    assert!(rules(&r.body).contains(&"edit.site-morphology-seer".to_string()), "{}", r.body);
    let flag = r.body["errors"]
        .as_array()
        .and_then(|l| l.iter().find(|e| e["rule"] == "edit.site-morphology-seer"))
        .map(|e| e["overrideFlag"].clone());
    assert_eq!(flag, Some(json!("overRideSiteType")));
    liver_type["overRideSiteType"] = json!("1");
    let r = app.post(&format!("/api/v1/patients/{woman}/tumors"), &liver_type).await;
    assert_eq!(r.status, 201, "{}", r.body);
    assert_eq!(r.body["overRideSiteType"], "1");
    let tid = r.id();
    let findings = app.get(&format!("/api/v1/tumors/{tid}/edits")).await;
    assert_eq!(findings.status, 200);
    let accepted = findings.body["findings"]
        .as_array()
        .and_then(|l| l.iter().find(|f| f["editId"] == "site-morphology-seer"))
        .map(|f| f["overridden"].clone());
    assert_eq!(accepted, Some(json!(true)));
    let r = app.put(&format!("/api/v1/tumors/{tid}"), 1, &json!({"overRideSiteType": "yes"})).await;
    assert!(r.problem(422).contains(&("overRideSiteType".to_string(), "code.unknown".to_string())));

    // Setting an override flag on an update is audited like any change.
    let mut body = breast_tumor();
    body["overRideSiteType"] = json!("1");
    body["overRideHistology"] = json!("1");
    body["histologicTypeIcdO3"] = json!("8170");
    let r = app.put(&format!("/api/v1/tumors/{tid}"), 1, &body).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let log = app
        .send(Method::GET, &format!("/api/v1/audit?entityId={tid}"), Some(&app.admin), None)
        .await;
    let actions: Vec<&str> = log.body["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|e| e["action"].as_str())
        .collect();
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
    let warnings: Vec<&str> = t.body["warnings"]
        .as_array()
        .expect("warnings")
        .iter()
        .filter_map(|w| w["editId"].as_str())
        .collect();
    assert_eq!(warnings, vec!["treatment-code-date"]);

    // A patient change that would break an edit on an existing tumor is refused, naming the tumor.
    let mut man_body = patient_body("901");
    man_body["sexAssignedAtBirth"] = json!("1");
    let man = app.patient(&man_body).await;
    let prostate_id = app.tumor(&man, &prostate()).await;
    man_body["sexAssignedAtBirth"] = json!("2");
    let r = app.put(&format!("/api/v1/patients/{man}"), 1, &man_body).await;
    r.problem(422);
    assert_eq!(r.body["errors"][0]["rule"], "edit.sex-site");
    assert_eq!(r.body["errors"][0]["tumorId"], prostate_id.as_str());

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
