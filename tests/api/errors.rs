//! Every error status with its problem body, and that a rejected request writes nothing.

use reqwest::Method;
use serde_json::json;

use crate::both_backends;
use crate::common::{Reply, TEST_BODY_LIMIT, TestApp, breast_tumor, patient_body};

both_backends!(
    malformed_requests_get_400,
    invalid_records_get_422_and_write_nothing,
    duplicates_get_409,
    unknown_things_get_404_or_405
);

async fn raw(app: &TestApp, path: &str, content_type: &str, body: Vec<u8>) -> Reply {
    app.post_raw(path, content_type, body).await
}

async fn patient_count(app: &TestApp) -> usize {
    let r = app.get("/api/v1/patients?limit=500").await;
    r.body["items"].as_array().map(Vec::len).unwrap_or(usize::MAX)
}

async fn malformed_requests_get_400(app: &TestApp) {
    let r =
        raw(app, "/api/v1/patients", "application/json", b"{\"patientIdNumber\": ".to_vec()).await;
    assert_eq!(r.problem(400), vec![("body".to_string(), "json.syntax".to_string())]);

    let r =
        raw(app, "/api/v1/patients", "application/json", br#"{"nameLast": 12345}"#.to_vec()).await;
    assert_eq!(r.problem(400), vec![("nameLast".to_string(), "json.type".to_string())]);
    assert!(!r.body.to_string().contains("12345"), "the value is not echoed");

    let r = raw(
        app,
        "/api/v1/patients",
        "application/json",
        br#"{"nameLast": "X", "primarysite": "C509"}"#.to_vec(),
    )
    .await;
    let errs = r.problem(400);
    assert_eq!(errs[0].1, "json.type");
    assert!(
        r.body["errors"][0]["message"]
            .as_str()
            .unwrap_or("")
            .contains("unknown field `primarysite`")
    );

    let r = raw(
        app,
        "/api/v1/patients",
        "application/json",
        br#"{"physicianManaging": {"npi": 5}}"#.to_vec(),
    )
    .await;
    assert_eq!(r.problem(400)[0].0, "physicianManaging.npi");

    let r = app.get("/api/v1/patients?limit=0").await;
    assert_eq!(r.problem(400), vec![("limit".to_string(), "range".to_string())]);
    let r = app.get("/api/v1/patients?limit=ten").await;
    assert_eq!(r.problem(400)[0].0, "query");
    let r = app.get("/api/v1/patients?cursor=%%%").await;
    assert_eq!(r.problem(400), vec![("cursor".to_string(), "cursor.invalid".to_string())]);
    let r = app.get("/api/v1/tumors?siteFrom=50.9&vitalStatus=&dxYearTo=1700").await;
    let errs = r.problem(400);
    for expected in
        [("siteFrom", "code.format"), ("vitalStatus", "code.unknown"), ("dxYearTo", "range")]
    {
        assert!(
            errs.contains(&(expected.0.to_string(), expected.1.to_string())),
            "{expected:?} in {errs:?}"
        );
    }
    let r = app.get("/api/v1/patients?cursor=").await;
    r.problem(400);
    // NUL never reaches the database (PostgreSQL text cannot hold it).
    app.get("/api/v1/patients/ab%00cd").await.problem(404);
    assert_eq!(app.get("/api/v1/patients?name=a%00").await.problem(400)[0].1, "text.control");
    let r =
        raw(app, "/api/v1/patients", "application/json", br#"{"nameLast": "a\u0000b"}"#.to_vec())
            .await;
    assert_eq!(r.problem(422), vec![("body".to_string(), "text.control".to_string())]);

    let r = raw(app, "/api/v1/patients", "text/plain", br#"{"nameLast": "X"}"#.to_vec()).await;
    r.problem(415);

    let big = format!("{{\"nameLast\": \"{}\"}}", "x".repeat(TEST_BODY_LIMIT + 1024));
    let res = reqwest::Client::new()
        .post(app.url("/api/v1/patients"))
        .bearer_auth(&app.registrar)
        .header("content-type", "application/json")
        .header("connection", "close")
        .body(big)
        .send()
        .await
        .expect("sent");
    Reply::from_response(res).await.problem(413);
    assert_eq!(patient_count(app).await, 0);
}

async fn invalid_records_get_422_and_write_nothing(app: &TestApp) {
    let mut body = patient_body("555");
    body["dateOfBirth"] = json!("1956-02-30");
    body["sexAssignedAtBirth"] = json!("3");
    body["race1"] = json!("1");
    body["socialSecurityNumber"] = json!("12-34");
    body["physicianManaging"]["npi"] = json!("1234567890");
    let r = app.post("/api/v1/patients", &body).await;
    let errs = r.problem(422);
    for expected in [
        ("dateOfBirth", "date.invalid"),
        ("sexAssignedAtBirth", "code.unknown"),
        ("race1", "code.unknown"),
        ("socialSecurityNumber", "code.format"),
        ("physicianManaging.npi", "code.checkDigit"),
    ] {
        assert!(
            errs.contains(&(expected.0.to_string(), expected.1.to_string())),
            "{expected:?} in {errs:?}"
        );
    }
    let text = r.body.to_string();
    assert!(
        !text.contains("1956") && !text.contains("12-34"),
        "no birth date or SSN in the error: {text}"
    );
    assert_eq!(patient_count(app).await, 0, "nothing written");

    // Only the patient id number is needed to store a patient: the rest can come later.
    let r = app.post("/api/v1/patients", &json!({})).await;
    assert_eq!(r.problem(422), vec![("patientIdNumber".to_string(), "required".to_string())]);

    let pid = app.patient(&patient_body("556")).await;
    let mut t = breast_tumor();
    t["primarySite"] = json!("C43.9");
    t["histologicTypeIcdO3"] = json!("7999");
    t["behaviorCodeIcdO3"] = json!("6");
    t["laterality"] = json!("7");
    t["classOfCase"] = json!("23");
    t["summaryStage2018"] = json!("5");
    t["sequenceNumberHospital"] = json!("89");
    let r = app.post(&format!("/api/v1/patients/{pid}/tumors"), &t).await;
    let errs = r.problem(422);
    for expected in [
        ("primarySite", "code.unknown"),
        ("histologicTypeIcdO3", "code.unknown"),
        ("behaviorCodeIcdO3", "code.notAllowed"),
        ("laterality", "code.unknown"),
        ("classOfCase", "code.unknown"),
        ("summaryStage2018", "code.unknown"),
        ("sequenceNumberHospital", "code.unknown"),
    ] {
        assert!(
            errs.contains(&(expected.0.to_string(), expected.1.to_string())),
            "{expected:?} in {errs:?}"
        );
    }
    let tumors = app.get(&format!("/api/v1/patients/{pid}/tumors")).await;
    assert_eq!(tumors.body["items"].as_array().map(Vec::len), Some(0), "nothing written");

    let tid = app.tumor(&pid, &breast_tumor()).await;
    let r = app
        .post(
            &format!("/api/v1/tumors/{tid}/treatments"),
            &json!({"modality": "chemotherapy", "code": "1"}),
        )
        .await;
    assert_eq!(r.problem(422), vec![("code".to_string(), "code.unknown".to_string())]);
    let r = app
        .post(
            &format!("/api/v1/tumors/{tid}/treatments"),
            &json!({"modality": "laser", "code": "1"}),
        )
        .await;
    assert_eq!(r.problem(422), vec![("modality".to_string(), "code.unknown".to_string())]);

    let other = app.patient(&patient_body("557")).await;
    let other_tumor = app.tumor(&other, &breast_tumor()).await;
    let r = app
        .post(
            &format!("/api/v1/patients/{pid}/contacts"),
            &json!({"contactDate": "2024-01-01", "vitalStatus": "1", "followUpSource": "2",
                    "tumors": [{"tumorId": other_tumor, "cancerStatus": "1"}, {"cancerStatus": "4"}]}),
        )
        .await;
    let errs = r.problem(422);
    assert!(errs.contains(&("tumors[1].tumorId".to_string(), "required".to_string())), "{errs:?}");
    assert!(
        errs.contains(&("tumors[1].cancerStatus".to_string(), "code.unknown".to_string())),
        "{errs:?}"
    );
    let r = app
        .post(
            &format!("/api/v1/patients/{pid}/contacts"),
            &json!({"contactDate": "2024-01-01", "vitalStatus": "1", "followUpSource": "2",
                    "tumors": [{"tumorId": other_tumor, "cancerStatus": "1"}]}),
        )
        .await;
    assert_eq!(
        r.problem(422),
        vec![("tumors[0].tumorId".to_string(), "reference.unknown".to_string())]
    );
    let contacts = app.get(&format!("/api/v1/patients/{pid}/contacts")).await;
    assert_eq!(contacts.body["items"].as_array().map(Vec::len), Some(0));
}

async fn duplicates_get_409(app: &TestApp) {
    app.patient(&patient_body("123")).await;
    let r = app.post("/api/v1/patients", &patient_body("00000123")).await;
    assert_eq!(r.problem(409), vec![("patientIdNumber".to_string(), "unique".to_string())]);
    let other = app.patient(&patient_body("124")).await;
    let r = app.put(&format!("/api/v1/patients/{other}"), 1, &patient_body("123")).await;
    r.problem(409);
    assert_eq!(patient_count(app).await, 2);
}

async fn unknown_things_get_404_or_405(app: &TestApp) {
    let r = app.get("/api/v1/patients/no-such-id").await;
    r.problem(404);
    let r = app.get("/api/v1/tumors/no-such-id/treatments").await;
    r.problem(404);
    let r = app.post("/api/v1/patients/no-such-id/tumors", &breast_tumor()).await;
    r.problem(404);
    let r = app.get("/api/v1/nothing-here").await;
    r.problem(404);
    let r = app.send(Method::DELETE, "/api/v1/patients", Some(&app.admin), None).await;
    r.problem(405);
    assert_eq!(r.header("allow"), "GET, POST");
    let r = app.send(Method::POST, "/api/v1/patients/abc", Some(&app.admin), None).await;
    r.problem(405);
    assert_eq!(r.header("allow"), "GET, PUT, DELETE, PATCH");
}

/// A request written byte for byte (no client normalizes its path); the status and the answer. On a
/// thread of its own: the test's runtime serves the app.
async fn raw_request(app: &TestApp, path: &str) -> (u16, String) {
    let addr = app.base.trim_start_matches("http://").to_string();
    let path = path.to_string();
    actix_web::rt::task::spawn_blocking(move || raw_blocking(&addr, &path)).await.expect("thread")
}

fn raw_blocking(addr: &str, path: &str) -> (u16, String) {
    use std::io::{Read, Write};
    let mut s = std::net::TcpStream::connect(addr).expect("connect");
    s.set_read_timeout(Some(std::time::Duration::from_secs(10))).expect("timeout");
    let head = format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
    // The server may answer and close before it reads a long head: a failed write is an answer too.
    let _ = s.write_all(head.as_bytes());
    let mut out = Vec::new();
    let _ = s.read_to_end(&mut out);
    let text = String::from_utf8_lossy(&out).to_string();
    let status = text.split(' ').nth(1).and_then(|c| c.parse().ok()).unwrap_or(0);
    (status, text)
}

/// Error answers from outside the handlers carry a problem body too: a path climbing out of the
/// documentation, a file the documentation does not have. A request head over the HTTP parser's
/// limit is refused with 400 before the application sees it (actix-http answers it without a body).
#[actix_web::test]
async fn error_answers_from_outside_the_handlers_are_problems() {
    let app = TestApp::sqlite().await;
    for path in
        ["/docs/../../etc/passwd", "/docs/%2e%2e/%2e%2e/etc/passwd", "/docs/no-such-file.js"]
    {
        let (status, text) = raw_request(&app, path).await;
        assert_eq!(status, 404, "{path}: {text}");
        assert!(
            text.to_ascii_lowercase().contains("content-type: application/problem+json"),
            "{text}"
        );
        assert!(text.contains("\"status\":404") && !text.contains("root:"), "{text}");
    }
    let (status, _) = raw_request(&app, &format!("/{}", "a".repeat(100_000))).await;
    assert_eq!(status, 400);
    // The service still answers.
    assert_eq!(app.get("/api/v1/patients").await.status, 200);
    app.stop().await;
}
