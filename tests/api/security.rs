//! Authentication, roles and the audit trail.

use reqwest::Method;
use serde_json::json;

use crate::both_backends;
use crate::common::{TestApp, breast_tumor, patient_body};

both_backends!(tokens_and_roles_are_enforced, reads_and_writes_are_audited);

async fn tokens_and_roles_are_enforced(app: &TestApp) {
    let health = app.send(Method::GET, "/health", None, None).await;
    assert_eq!(health.status, 200);
    assert_eq!(health.body["status"], "ok");

    let r = app.send(Method::GET, "/api/v1/patients", None, None).await;
    r.problem(401);
    assert_eq!(r.header("www-authenticate"), "Bearer");
    let r = app.send(Method::GET, "/api/v1/patients", Some("ocr_not-a-token"), None).await;
    r.problem(401);
    let r = app.send(Method::POST, "/api/v1/patients", None, Some(&patient_body("1"))).await;
    r.problem(401);

    let r = app
        .send(Method::POST, "/api/v1/patients", Some(&app.viewer), Some(&patient_body("1")))
        .await;
    r.problem(403);
    let pid = app.patient(&patient_body("1")).await;
    let r =
        app.send(Method::GET, &format!("/api/v1/patients/{pid}"), Some(&app.viewer), None).await;
    assert_eq!(r.status, 200, "viewers read");
    let r = app
        .send(
            Method::POST,
            &format!("/api/v1/patients/{pid}/tumors"),
            Some(&app.viewer),
            Some(&breast_tumor()),
        )
        .await;
    r.problem(403);
    for path in ["/api/v1/audit", "/api/v1/tokens"] {
        app.send(Method::GET, path, Some(&app.registrar), None).await.problem(403);
        app.send(Method::GET, path, Some(&app.viewer), None).await.problem(403);
    }

    // Admins issue and revoke tokens; a new token works at once, a revoked one stops.
    let r = app
        .send(
            Method::POST,
            "/api/v1/tokens",
            Some(&app.admin),
            Some(&json!({"name": "jdoe", "role": "viewer"})),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let secret = r.body["token"].as_str().unwrap_or_default().to_string();
    let token_id = r.id();
    assert!(secret.starts_with("ocr_"));
    assert_eq!(app.send(Method::GET, "/api/v1/patients", Some(&secret), None).await.status, 200);
    let listed = app.send(Method::GET, "/api/v1/tokens", Some(&app.admin), None).await;
    assert!(!listed.body.to_string().contains(&secret), "secrets are never listed");
    let r = app
        .send(Method::DELETE, &format!("/api/v1/tokens/{token_id}"), Some(&app.admin), None)
        .await;
    assert_eq!(r.status, 204);
    app.send(Method::GET, "/api/v1/patients", Some(&secret), None).await.problem(401);
    // A token cannot revoke itself (another administrator's token can).
    let own = app.send(Method::GET, "/api/v1/tokens", Some(&app.admin), None).await;
    let admin_id = own.body.as_array().and_then(|items| {
        items
            .iter()
            .find(|t| t["name"] == "admin" && t["revokedAt"].is_null())
            .and_then(|t| t["id"].as_str())
    });
    let admin_id = admin_id.expect("the admin token is listed").to_string();
    let r = app
        .send(Method::DELETE, &format!("/api/v1/tokens/{admin_id}"), Some(&app.admin), None)
        .await;
    assert_eq!(r.problem(409), vec![("id".to_string(), "token.self".to_string())]);
    assert_eq!(app.send(Method::GET, "/api/v1/patients", Some(&app.admin), None).await.status, 200);
    let r = app
        .send(
            Method::POST,
            "/api/v1/tokens",
            Some(&app.admin),
            Some(&json!({"name": "x", "role": "superuser"})),
        )
        .await;
    assert_eq!(r.problem(422), vec![("role".to_string(), "code.unknown".to_string())]);
}

async fn reads_and_writes_are_audited(app: &TestApp) {
    let pid = app.patient(&patient_body("42")).await;
    let tid = app.tumor(&pid, &breast_tumor()).await;
    let path = format!("/api/v1/patients/{pid}");
    let read = app.send(Method::GET, &path, Some(&app.viewer), None).await;
    // No browser or proxy keeps a copy of patient data, nor of an error about it.
    assert_eq!(read.header("cache-control"), "no-store");
    app.get(&format!("/api/v1/tumors/{tid}")).await;
    assert_eq!(app.get("/api/v1/patients").await.header("cache-control"), "no-store");
    let missing = app.get("/api/v1/patients/00000000-0000-0000-0000-000000000000").await;
    assert_eq!((missing.status, missing.header("cache-control")), (404, "no-store"));
    let c = app
        .post(
            &format!("/api/v1/patients/{pid}/contacts"),
            &json!({"contactDate": "2024-01-01", "vitalStatus": "1", "followUpSource": "2"}),
        )
        .await;
    let cid = c.id();
    app.get(&format!("/api/v1/contacts/{cid}")).await;
    app.put(&format!("/api/v1/patients/{pid}"), 1, &patient_body("42")).await;
    // A rejected write leaves no audit entry.
    let mut bad = patient_body("42");
    bad["sexAssignedAtBirth"] = json!("7");
    app.put(&format!("/api/v1/patients/{pid}"), 2, &bad).await.problem(422);
    // A name typed into a code field is not repeated in the error.
    bad["sexAssignedAtBirth"] = json!("Leakyname");
    let leaky = app.put(&format!("/api/v1/patients/{pid}"), 2, &bad).await;
    assert_eq!(
        leaky.problem(422),
        vec![("sexAssignedAtBirth".to_string(), "code.unknown".to_string())]
    );
    assert!(!leaky.body.to_string().contains("Leakyname"), "{}", leaky.body);

    let entries: Vec<(String, String)> = app
        .audit(&format!("entityId={pid}&limit=500"), Some(&pid))
        .await
        .iter()
        .map(|e| {
            (
                e["action"].as_str().unwrap_or("").to_string(),
                e["actorName"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    assert_eq!(
        entries,
        vec![
            ("create".to_string(), "registrar".to_string()),
            ("read".to_string(), "viewer".to_string()),
            ("read".to_string(), "registrar".to_string()),
            ("update".to_string(), "registrar".to_string()),
        ]
    );
    for (entity, id, action) in
        [("tumor", &tid, "read"), ("contact", &cid, "create"), ("contact", &cid, "read")]
    {
        let touched = app.audit(&format!("entity={entity}&entityId={id}"), Some(id)).await;
        let actions: Vec<&str> = touched.iter().filter_map(|e| e["action"].as_str()).collect();
        assert!(actions.contains(&action), "{entity} {action} in {actions:?}");
    }
    let all = app
        .send(Method::GET, "/api/v1/audit?limit=500", Some(&app.admin), None)
        .await
        .body
        .to_string();
    for phi in ["Testperson", "Alpha", "1956-03-14", "123456789"] {
        assert!(!all.contains(phi), "the audit log holds ids, not patient data ({phi})");
    }
}
