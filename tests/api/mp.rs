//! The multiple-primary calculator over HTTP: answers with the rule path, names each bad item.

use serde_json::json;

use crate::common::TestApp;

fn tumor(date: &str, site: &str, hist: &str, beh: &str, lat: &str) -> serde_json::Value {
    json!({"dateOfDiagnosis": date, "primarySite": site, "histologicTypeIcdO3": hist,
           "behaviorCodeIcdO3": beh, "laterality": lat})
}

async fn the_calculator_answers_with_the_rule_path(app: &TestApp) {
    let both_breasts = json!({
        "tumor1": tumor("2021-03-15", "C50.4", "8500", "3", "1"),
        "tumor2": tumor("2021-06", "C504", "8500", "3", "2"),
    });
    let r = app.post("/api/v1/mp/compare", &both_breasts).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["result"], "multiple");
    assert_eq!(r.body["module"], "str_2018_and_later_breast");
    assert_eq!(r.body["step"], "M7");
    assert!(r.body["reason"].as_str().unwrap_or("").contains("both sides"), "{}", r.body);

    let prostate = json!({
        "tumor1": tumor("2023-03-18", "C619", "8140", "3", "0"),
        "tumor2": tumor("2015", "C61.9", "8140", "3", "0"),
    });
    let r = app.post("/api/v1/mp/compare", &prostate).await;
    assert_eq!(
        (r.body["result"].as_str(), r.body["step"].as_str()),
        (Some("single"), Some("M3")),
        "{}",
        r.body
    );
    assert_eq!(
        r.body["module"], "str_2023_and_later_other_sites",
        "the later diagnosis picks the rules"
    );

    let unknown_side = json!({
        "tumor1": tumor("2021-03-15", "C504", "8500", "3", "9"),
        "tumor2": tumor("2021-06-01", "C504", "8500", "3", "1"),
    });
    let r = app.post("/api/v1/mp/compare", &unknown_side).await;
    assert_eq!(r.body["result"], "questionable", "{}", r.body);

    // Every bad or missing item is named, nothing else happens.
    let bad = json!({
        "tumor1": {"dateOfDiagnosis": "2021-02-30", "primarySite": "C99.9", "histologicTypeIcdO3": "85",
                   "behaviorCodeIcdO3": "3", "laterality": "1"},
    });
    let r = app.post("/api/v1/mp/compare", &bad).await;
    let fields: Vec<String> = r.problem(422).into_iter().map(|(f, _)| f).collect();
    for f in
        ["tumor1.dateOfDiagnosis", "tumor1.primarySite", "tumor1.histologicTypeIcdO3", "tumor2"]
    {
        assert!(fields.contains(&f.to_string()), "{f} is named: {fields:?}");
    }
    let r = app
        .post(
            "/api/v1/mp/compare",
            &json!({"tumor1": {"primarySite": "C504"}, "tumor2": {}, "extra": 1}),
        )
        .await;
    r.problem(400);
    let r = app.send(reqwest::Method::POST, "/api/v1/mp/compare", None, Some(&both_breasts)).await;
    assert_eq!(r.status, 401, "a token is needed");
    let r = app
        .send(reqwest::Method::POST, "/api/v1/mp/compare", Some(&app.viewer), Some(&both_breasts))
        .await;
    assert_eq!(r.status, 200, "a viewer may ask");
}

crate::both_backends!(the_calculator_answers_with_the_rule_path);

fn colon(date: &str, seq: &str, accession: &str) -> serde_json::Value {
    json!({
        "primarySite": "C18.7", "histologicTypeIcdO3": "8140", "behaviorCodeIcdO3": "3",
        "laterality": "0", "dateOfDiagnosis": date, "dateOf1stContact": date,
        "sequenceNumberHospital": seq, "classOfCase": "14", "diagnosticConfirmation": "1",
        "gradeClinical": "2", "gradePathological": "2", "summaryStage2018": "1",
        "reportingFacility": "0006100001", "accessionNumberHosp": accession
    })
}

fn edit_ids(tumor: &serde_json::Value) -> Vec<String> {
    tumor["findings"]
        .as_array()
        .map(|fs| fs.iter().filter_map(|f| f["editId"].as_str().map(String::from)).collect())
        .unwrap_or_default()
}

/// A new tumor is compared with the patient's others: the answer, the rule and the suggested
/// sequence number come back with it; a same primary is a review finding, and both stay stored.
async fn a_new_tumor_is_compared_with_the_patients_others(app: &TestApp) {
    let pid = app.patient(&crate::common::patient_body("5150")).await;
    let first = app
        .post(&format!("/api/v1/patients/{pid}/tumors"), &colon("2020-02-03", "00", "202000011"))
        .await;
    assert_eq!(first.status, 201, "{}", first.body);
    let mp = &first.body["multiplePrimaries"];
    assert_eq!(mp["result"], "new primary", "{mp}");
    assert_eq!(mp["suggestedSequenceNumber"], "00");
    assert_eq!(mp["rules"], "seer");
    let a = first.id();

    // The same sigmoid colon adenocarcinoma, abstracted again three months later.
    let again = app
        .post(&format!("/api/v1/patients/{pid}/tumors"), &colon("2020-05-04", "00", "202000012"))
        .await;
    assert_eq!(again.status, 201, "stored, never refused or merged: {}", again.body);
    let mp = &again.body["multiplePrimaries"];
    assert_eq!(mp["result"], "same primary", "{mp}");
    assert_eq!(mp["samePrimaryAs"], a.as_str());
    assert_eq!(mp["suggestedSequenceNumber"], "00", "the primary's own number");
    let c = &mp["comparisons"][0];
    assert_eq!(
        (c["tumorId"].as_str(), c["result"].as_str()),
        (Some(a.as_str()), Some("single")),
        "{c}"
    );
    assert_eq!(c["module"], "str_2018_and_later_colon");
    assert!(
        !c["step"].as_str().unwrap_or("").is_empty()
            && !c["reason"].as_str().unwrap_or("").is_empty(),
        "{c}"
    );
    assert!(c["site"].as_str().unwrap_or("").contains("Sigmoid colon"), "{c}");
    assert!(edit_ids(&again.body).contains(&"multiple-primary-same".to_string()), "{}", again.body);
    assert_eq!(again.body["editStatus"], "warnings");
    let b = again.id();

    // A lung tumor a year later: a new primary, the second; numbered 01 it is too low.
    let mut lung = crate::common::breast_tumor();
    lung["primarySite"] = json!("C34.1");
    lung["histologicTypeIcdO3"] = json!("8070");
    lung["laterality"] = json!("1");
    lung["dateOfDiagnosis"] = json!("2021-06-07");
    lung["dateOf1stContact"] = json!("2021-06-07");
    lung["sequenceNumberHospital"] = json!("01");
    lung["items"] = json!({"sequenceNumberCentral": "01"});
    lung["accessionNumberHosp"] = json!("202100013");
    let third = app.post(&format!("/api/v1/patients/{pid}/tumors"), &lung).await;
    assert_eq!(third.status, 201, "{}", third.body);
    let mp = &third.body["multiplePrimaries"];
    assert_eq!(
        (mp["result"].as_str(), mp["suggestedSequenceNumber"].as_str()),
        (Some("new primary"), Some("02")),
        "{mp}"
    );
    assert_eq!(mp["comparisons"].as_array().map(Vec::len), Some(2));
    let low: Vec<&serde_json::Value> = third.body["findings"]
        .as_array()
        .map(|fs| fs.iter().filter(|f| f["editId"] == "sequence-primaries").collect())
        .unwrap_or_default();
    let on = |field: &str| low.iter().any(|f| f["fields"][0] == field);
    assert!(on("sequenceNumberHospital") && on("sequenceNumberCentral"), "{}", third.body);

    // A read of one tumor answers the same; the stored tumors are all there.
    let read = app.get(&format!("/api/v1/tumors/{b}")).await;
    assert_eq!(read.body["multiplePrimaries"]["samePrimaryAs"], a.as_str(), "{}", read.body);
    let list = app.get(&format!("/api/v1/patients/{pid}/tumors")).await;
    assert_eq!(list.body["items"].as_array().map(Vec::len), Some(3));

    // The registrar reviews the pair and keeps both: the override accepts the finding.
    let version = again.body["version"].as_i64().unwrap_or(1);
    let mut body = colon("2020-05-04", "00", "202000012");
    body["overRideSiteLatSeqno"] = json!("1");
    let r = app.put(&format!("/api/v1/tumors/{b}"), version, &body).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let same = r.body["findings"]
        .as_array()
        .and_then(|fs| fs.iter().find(|f| f["editId"] == "multiple-primary-same").cloned());
    assert_eq!(same.map(|f| f["overridden"].clone()), Some(json!(true)), "{}", r.body);

    // The batch check lists the pair (marked reviewed), with the rule path, the earlier first.
    let r = app.get("/api/v1/mp/check").await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["rules"], "seer");
    assert_eq!(r.body["patientsChecked"], 1);
    assert_eq!(r.body["pairsCompared"], 3);
    assert_eq!(r.body["samePrimary"], 1, "{}", r.body);
    let pair = &r.body["pairs"][0];
    assert_eq!(
        (pair["tumor1"]["id"].as_str(), pair["tumor2"]["id"].as_str()),
        (Some(a.as_str()), Some(b.as_str())),
        "{pair}"
    );
    assert_eq!(pair["result"], "single");
    assert_eq!(pair["reviewed"], true);
    assert_eq!(
        (pair["patientName"].as_str(), pair["patientIdNumber"].as_str()),
        (Some("Testperson, Alpha"), Some("00005150")),
        "{pair}"
    );
    assert_eq!(pair["tumor1"]["diagnosisYear"], 2020);
    assert!(pair["tumor1"]["morphology"].as_str().unwrap_or("").starts_with("8140/3 "), "{pair}");
    // Only the 2021 tumors: the lung tumor's pairs are two primaries, nothing to list.
    let r = app.get("/api/v1/mp/check?dxYearFrom=2021&dxYearTo=2021").await;
    assert_eq!(
        (r.body["samePrimary"].as_u64(), r.body["pairs"].as_array().map(Vec::len)),
        (Some(0), Some(0)),
        "{}",
        r.body
    );
    let r = app.get("/api/v1/mp/check?facility=0009999999").await;
    assert_eq!(r.body["patientsChecked"], 0, "{}", r.body);

    // Bad filters are named; a viewer may check; without a token, no.
    let r = app.get("/api/v1/mp/check?limit=0&rules=who&dxYearFrom=1700").await;
    let fields: Vec<String> = r.problem(400).into_iter().map(|(f, _)| f).collect();
    for f in ["limit", "rules", "dxYearFrom"] {
        assert!(fields.contains(&f.to_string()), "{f} named: {fields:?}");
    }
    let r = app.get("/api/v1/mp/check?dxYearFrom=2022&dxYearTo=2020").await;
    assert_eq!(r.problem(422), vec![("dxYearTo".to_string(), "order".to_string())]);
    let r = app.get("/api/v1/mp/check?unknown=1").await;
    r.problem(400);
    let r = app.send(reqwest::Method::GET, "/api/v1/mp/check", Some(&app.viewer), None).await;
    assert_eq!(r.status, 200);
    let r = app.send(reqwest::Method::GET, "/api/v1/mp/check", None, None).await;
    assert_eq!(r.status, 401);
    // The listed tumors' reads are audited.
    let events = app.audit(&format!("entityId={a}"), Some(&a)).await;
    assert!(
        events.iter().any(|e| e["action"] == "read"
            && e["operation"].as_str().is_some_and(|o| o.contains("mp/check"))),
        "the check's read of the tumor is audited: {events:?}"
    );

    // The same check from the command line: the pairs tab-separated, the counts on stderr, exit 3.
    let cli = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_oncoreg"))
            .env("ONCOREG_DATABASE_URL", &app.settings.database.database_url)
            .args(["mp", "check"])
            .args(args)
            .output()
            .expect("run")
    };
    let out = cli(&[]);
    let (stdout, stderr) =
        (String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert_eq!(out.status.code(), Some(3), "{stderr}");
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 2, "a header and the pair: {stdout}");
    assert!(
        lines[1].starts_with("single\t") && lines[1].contains(&a) && lines[1].contains(&b),
        "{stdout}"
    );
    assert!(stderr.contains("1 same primary"), "{stderr}");
    let out = cli(&["--json"]);
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(report["samePrimary"], 1);
    let out = cli(&["--dx-year-from", "2021"]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let out = cli(&["--rules", "who"]);
    assert_eq!(out.status.code(), Some(2), "clap refuses an unknown rule set");
}

/// A file from another system holding one primary twice: both records are stored and the import
/// report says which tumor is the same primary as which, with the rule.
async fn an_import_reports_a_tumor_that_is_the_same_primary(app: &TestApp) {
    let tumor = |date: &str, seq: &str, acc: &str| {
        format!(
            "<Tumor><Item naaccrId=\"primarySite\">C187</Item>\
             <Item naaccrId=\"histologicTypeIcdO3\">8140</Item>\
             <Item naaccrId=\"behaviorCodeIcdO3\">3</Item><Item naaccrId=\"laterality\">0</Item>\
             <Item naaccrId=\"dateOfDiagnosis\">{date}</Item>\
             <Item naaccrId=\"sequenceNumberHospital\">{seq}</Item>\
             <Item naaccrId=\"accessionNumberHosp\">{acc}</Item></Tumor>"
        )
    };
    let xml = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<NaaccrData xmlns=\"http://naaccr.org/naaccrxml\" \
         baseDictionaryUri=\"http://naaccr.org/naaccrxml/naaccr-dictionary-250.xml\" recordType=\"A\" \
         specificationVersion=\"1.7\"><Patient><Item naaccrId=\"patientIdNumber\">00006160</Item>\
         <Item naaccrId=\"nameLast\">Testperson</Item><Item naaccrId=\"dateOfBirth\">19560314</Item>\
         <Item naaccrId=\"sex\">2</Item>{}{}</Patient></NaaccrData>",
        tumor("20200203", "01", "202000021"),
        tumor("20200504", "02", "202000022")
    );
    let r = app.import("application/xml", xml).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["tumorsCreated"], 2, "both kept: {}", r.body);
    let problems = r.body["records"][0]["problems"].as_array().cloned().unwrap_or_default();
    let same = problems
        .iter()
        .find(|p| p["rule"] == "edit.multiple-primary-same")
        .unwrap_or_else(|| panic!("the report names the same primary: {}", r.body));
    assert_eq!(
        (same["tumor"].as_u64(), same["outcome"].as_str()),
        (Some(1), Some("reported")),
        "{same}"
    );
    let message = same["message"].as_str().unwrap_or("");
    assert!(message.contains("Sigmoid colon (C18.7)"), "{same}");
    assert!(message.contains("sequence number 00"), "the primary's suggested number: {same}");
    let r = app.get("/api/v1/mp/check").await;
    assert_eq!(r.body["samePrimary"], 1, "{}", r.body);
}

crate::both_backends!(
    a_new_tumor_is_compared_with_the_patients_others,
    an_import_reports_a_tumor_that_is_the_same_primary
);

/// A registry on the IARC rule set counts primaries by the IARC/IACR rules: one organ, one
/// histological group, one primary, whatever the years between.
async fn the_iarc_rule_set_counts_by_the_iarc_rules(app: &TestApp) {
    let pid = app.patient(&crate::common::patient_body("7100")).await;
    let mut early = colon("2008-01-10", "01", "200800001");
    early["primarySite"] = json!("C18.2");
    for k in ["gradeClinical", "gradePathological", "summaryStage2018"] {
        early.as_object_mut().map(|o| o.remove(k));
    }
    early["grade"] = json!("2");
    app.tumor(&pid, &early).await;
    let r = app
        .post(&format!("/api/v1/patients/{pid}/tumors"), &colon("2018-05-02", "02", "201800002"))
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let mp = &r.body["multiplePrimaries"];
    assert_eq!(
        (mp["rules"].as_str(), mp["result"].as_str()),
        (Some("iarc"), Some("same primary")),
        "{mp}"
    );
    assert_eq!(mp["comparisons"][0]["step"], "Rule 3");
    let r = app.get("/api/v1/mp/check").await;
    assert_eq!(
        (r.body["rules"].as_str(), r.body["samePrimary"].as_u64()),
        (Some("iarc"), Some(1)),
        "{}",
        r.body
    );
    let r = app.get("/api/v1/mp/check?rules=seer").await;
    assert_eq!(r.body["samePrimary"], 0, "SEER: ten years apart, two primaries: {}", r.body);
    let r = app
        .post(
            "/api/v1/mp/compare",
            &json!({
                "tumor1": tumor("2008-01-10", "C18.2", "8140", "3", "0"),
                "tumor2": tumor("2018-05-02", "C18.7", "8140", "3", "0"),
            }),
        )
        .await;
    assert_eq!(
        (r.body["rules"].as_str(), r.body["result"].as_str()),
        (Some("iarc"), Some("single")),
        "{}",
        r.body
    );
}

mod the_iarc_rule_set_counts_by_the_iarc_rules {
    fn iarc(s: &mut oncoreg::config::Settings) {
        s.edits.edit_rule_set = "iarc".into();
    }

    #[actix_web::test]
    async fn sqlite() {
        let app = crate::common::TestApp::sqlite_with(iarc).await;
        super::the_iarc_rule_set_counts_by_the_iarc_rules(&app).await;
        app.stop().await;
    }

    #[actix_web::test]
    async fn postgres() {
        let app = crate::common::TestApp::postgres_with(iarc).await;
        super::the_iarc_rule_set_counts_by_the_iarc_rules(&app).await;
        app.stop().await;
    }
}
