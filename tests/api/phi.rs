//! No submitted value of a patient's identifying items comes back in an error, a problem body, an
//! import report or a log line; the SSN is shown masked unless a registrar asks for it.
//!
//! The echo test walks the committed OpenAPI document: every write (and every query parameter of
//! every read) gets PHI-shaped values in each of its fields, against the served binary logging at
//! debug level.

use std::collections::BTreeSet;

use reqwest::Method;
use serde_json::{Map, Value, json};

use crate::both_backends;
use crate::common::{TestApp, breast_tumor, patient_body};

both_backends!(the_ssn_is_masked_unless_a_registrar_asks);

/// Values shaped like a name, an SSN (with and without dashes), a birth date (two forms), a
/// telephone number, a street address and a note: none may come back in an error or a log.
const MARKERS: [&str; 8] = [
    "Qzxleakname",
    "987-65-4329",
    "987654329",
    "1931-02-03",
    "19310203",
    "206-555-7719",
    "77 Leakstreet Way",
    "Leaky note about Qzxleak",
];

fn schema<'a>(spec: &'a Value, s: &'a Value) -> &'a Value {
    match s["$ref"].as_str() {
        Some(r) => &spec["components"]["schemas"][r.trim_start_matches("#/components/schemas/")],
        None => s,
    }
}

/// Bodies that each carry `marker` in one field (nested objects one level down, and the item map).
fn bodies(spec: &Value, body: &Value, marker: &str) -> Vec<Value> {
    let s = schema(spec, body);
    let mut out = Vec::new();
    for (name, prop) in s["properties"].as_object().cloned().unwrap_or_default() {
        let prop = schema(spec, &prop);
        let nested: Option<Map<String, Value>> =
            prop["properties"].as_object().cloned().or_else(|| {
                prop["oneOf"].as_array().and_then(|o| {
                    o.iter().find_map(|v| schema(spec, v)["properties"].as_object().cloned())
                })
            });
        if name == "items" {
            for item in ["sexAssignedAtBirth", "dateOfBirth", "socialSecurityNumber", "nameLast"] {
                out.push(json!({ "items": { item: marker } }));
            }
        } else if let Some(fields) = nested {
            for inner in fields.keys() {
                out.push(json!({ name.clone(): { inner.clone(): marker } }));
            }
        } else {
            out.push(json!({ name: marker }));
        }
    }
    out
}

#[actix_web::test]
async fn no_submitted_value_is_echoed_in_errors_reports_or_logs() {
    let mut served = crate::served::Served::new();
    let (registrar, admin) = (served.token("registrar"), served.token("admin"));
    served.serve(&[], &[("RUST_LOG", "debug")]).await;
    let base = served.base.clone();
    let client = reqwest::Client::new();
    let send = |method: Method, path: String, token: &str, ctype: &str, body: Option<Value>| {
        let mut r = client.request(method, format!("{base}{path}")).bearer_auth(token);
        r = r.header("If-Match", "\"1\"");
        if let Some(b) = body {
            r = r.header("content-type", ctype).body(b.to_string());
        }
        async move {
            let res = r.send().await.expect("sent");
            let status = res.status().as_u16();
            (status, res.text().await.unwrap_or_default())
        }
    };
    // A record of each kind, for the paths that name one.
    let created = |path: &str, body: Value| {
        let f = send(Method::POST, path.to_string(), &registrar, "application/json", Some(body));
        async move {
            let (status, text) = f.await;
            assert_eq!(status, 201, "{text}");
            serde_json::from_str::<Value>(&text).expect("json")["id"]
                .as_str()
                .unwrap_or("")
                .to_string()
        }
    };
    let pid = created("/api/v1/patients", patient_body("4242")).await;
    let tid = created(&format!("/api/v1/patients/{pid}/tumors"), breast_tumor()).await;
    let trid = created(
        &format!("/api/v1/tumors/{tid}/treatments"),
        json!({"modality": "chemotherapy", "code": "03", "startDate": "2021-04-02"}),
    )
    .await;
    let cid = created(
        &format!("/api/v1/patients/{pid}/contacts"),
        json!({"contactDate": "2024-01-01", "vitalStatus": "1", "followUpSource": "2"}),
    )
    .await;
    let ids = |path: &str| -> String {
        let id = if path.starts_with("/api/v1/patients/") {
            &pid
        } else if path.starts_with("/api/v1/tumors/") {
            &tid
        } else if path.starts_with("/api/v1/treatments/") {
            &trid
        } else if path.starts_with("/api/v1/contacts/") {
            &cid
        } else {
            "00000000-0000-7000-8000-000000000000"
        };
        path.replace("{id}", id)
    };

    let spec: Value = serde_json::from_str(
        &std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/openapi/openapi.json"))
            .expect("spec"),
    )
    .expect("json");
    let mut echoed = BTreeSet::new();
    let mut tried = 0;
    let mut refused = 0;
    for (path, item) in spec["paths"].as_object().cloned().unwrap_or_default() {
        for (method, op) in item.as_object().cloned().unwrap_or_default() {
            let token =
                if path.contains("/tokens") || path.contains("/settings") || path.contains("/void")
                {
                    &admin
                } else {
                    &registrar
                };
            let m = Method::from_bytes(method.to_uppercase().as_bytes()).expect("method");
            let url = ids(&path);
            // Query parameters of every operation.
            for p in op["parameters"].as_array().cloned().unwrap_or_default() {
                if p["in"] != "query" {
                    continue;
                }
                for marker in MARKERS {
                    let q =
                        format!("{url}?{}={}", p["name"].as_str().unwrap_or(""), urlencode(marker));
                    let body = (m != Method::GET).then(|| json!({}));
                    let (status, text) = send(m.clone(), q, token, "application/json", body).await;
                    tried += 1;
                    refused += usize::from(status >= 400);
                    if status >= 400 && text.contains(marker) {
                        echoed.insert(format!("{method} {path} ?{}: {text}", p["name"]));
                    }
                }
            }
            // Bodies of every write.
            let content = &op["requestBody"]["content"];
            for ctype in ["application/json", "application/merge-patch+json"] {
                let Some(media) = content.get(ctype) else { continue };
                for marker in MARKERS {
                    for body in bodies(&spec, &media["schema"], marker) {
                        let (status, text) =
                            send(m.clone(), url.clone(), token, ctype, Some(body.clone())).await;
                        tried += 1;
                        refused += usize::from(status >= 400);
                        if status >= 400 && text.contains(marker) {
                            echoed.insert(format!("{method} {path} {body}: {text}"));
                        }
                    }
                }
            }
        }
    }
    eprintln!("PHI echo: {tried} requests, {refused} refused");
    assert!(tried > 1_000, "every field of every write was tried: {tried}");
    assert!(refused > tried / 2, "most were refused, so their errors were read: {refused}/{tried}");
    assert!(
        echoed.is_empty(),
        "values echoed in errors:\n{}",
        echoed.into_iter().collect::<Vec<_>>().join("\n")
    );

    // An import with the same values in items that cannot hold them: the report names the item
    // and the rule, never the value.
    let items: String = [
        ("sexAssignedAtBirth", MARKERS[0]),
        ("dateOfBirth", MARKERS[3]),
        ("socialSecurityNumber", MARKERS[1]),
        ("race1", MARKERS[5]),
        ("addrAtDxPostalCode", MARKERS[6]),
        ("birthplaceState", MARKERS[7]),
    ]
    .iter()
    .map(|(id, v)| format!(r#"<Item naaccrId="{id}">{v}</Item>"#))
    .collect();
    let file = format!(
        r#"<?xml version="1.0"?><NaaccrData baseDictionaryUri="http://naaccr.org/naaccrxml/naaccr-dictionary-260.xml" recordType="A" specificationVersion="1.8" xmlns="http://naaccr.org/naaccrxml"><Patient><Item naaccrId="patientIdNumber">00777777</Item>{items}</Patient></NaaccrData>"#
    );
    let res = client
        .post(format!("{base}/api/v1/imports"))
        .bearer_auth(&registrar)
        .header("content-type", "application/xml")
        .body(file)
        .send()
        .await
        .expect("sent");
    let report: Value = res.json().await.expect("report");
    let id = report["id"].as_str().unwrap_or("").to_string();
    assert!(
        report["records"].as_array().is_some_and(|r| !r.is_empty()),
        "problems reported: {report}"
    );
    let (_, kept) =
        send(Method::GET, format!("/api/v1/imports/{id}/report"), &registrar, "", None).await;
    for marker in MARKERS {
        assert!(!report.to_string().contains(marker), "{marker} in the import report: {report}");
        assert!(!kept.contains(marker), "{marker} in the kept report");
    }

    let logs = served.stop();
    assert!(logs.contains("/api/v1/patients"), "requests were logged");
    for marker in MARKERS.iter().chain(["Qzxleak", "9876543", "Testperson", "1956-03-14"].iter()) {
        assert!(!logs.contains(marker), "the log holds {marker}");
    }
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Lists and reads show `***-**-6789`; a registrar reveals the number (audited as a reveal), a
/// viewer may not; sending the masked value back keeps the number, another masked value is refused;
/// histories mask it; a submission file of record type A carries it in full.
async fn the_ssn_is_masked_unless_a_registrar_asks(app: &TestApp) {
    let pid = app.patient(&patient_body("4343")).await;
    let path = format!("/api/v1/patients/{pid}");
    let read = app.get(&path).await;
    assert_eq!(read.body["socialSecurityNumber"], "***-**-6789");
    let list = app.get("/api/v1/patients").await;
    assert_eq!(list.body["items"][0]["socialSecurityNumber"], "***-**-6789");
    let listed = list.body.to_string();
    assert!(!listed.contains("\"123456789\""), "{listed}");
    let reveal = format!("{path}?reveal=socialSecurityNumber");
    let full = app.send(Method::GET, &reveal, Some(&app.registrar), None).await;
    assert_eq!(full.body["socialSecurityNumber"], "123456789", "{}", full.body);
    app.send(Method::GET, &reveal, Some(&app.viewer), None).await.problem(403);
    app.send(Method::GET, &format!("{path}?reveal=nameLast"), Some(&app.registrar), None)
        .await
        .problem(400);
    let audit = app.audit(&format!("entityId={pid}"), Some(&pid)).await;
    let reveals: Vec<&Value> = audit.iter().filter(|t| t["action"] == "reveal").collect();
    assert_eq!(reveals.len(), 1, "{audit:?}");
    assert_eq!(reveals[0]["actorName"], "registrar");
    // What was read goes back unchanged: the stored number stays.
    let mut body = read.body.clone();
    body["nameFirst"] = json!("Gamma");
    let r = app.put(&path, 1, &body).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let full = app.send(Method::GET, &reveal, Some(&app.registrar), None).await;
    assert_eq!(full.body["socialSecurityNumber"], "123456789");
    body["socialSecurityNumber"] = json!("***-**-1111");
    let r = app.put(&path, 2, &body).await;
    assert_eq!(
        r.problem(422),
        vec![("socialSecurityNumber".to_string(), "ssn.masked".to_string())]
    );
    body["socialSecurityNumber"] = json!("987654320");
    assert_eq!(app.put(&path, 2, &body).await.status, 200);
    let history = app.get(&format!("{path}/history")).await;
    let text = history.body.to_string();
    assert!(!text.contains("123456789") && !text.contains("987654320"), "{text}");
    assert!(text.contains("***-**-6789") && text.contains("***-**-4320"), "{text}");
    // The A record of a submission carries the number (the standard asks for it).
    app.tumor(&pid, &breast_tumor()).await;
    let batch = app
        .post(
            "/api/v1/submissions",
            &json!({"recordType": "A", "naaccrVersion": "260", "includeFailing": true}),
        )
        .await;
    assert_eq!(batch.status, 201, "{}", batch.body);
    let file = app
        .client
        .get(app.url(&format!("/api/v1/submissions/{}/file", batch.id())))
        .bearer_auth(&app.registrar)
        .send()
        .await
        .expect("file")
        .bytes()
        .await
        .expect("bytes");
    assert!(String::from_utf8_lossy(&file).contains("987654320"), "the A record keeps the SSN");
}
