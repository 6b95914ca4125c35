//! The test application: a real HTTP server on a loopback port over a fresh SQLite file or a fresh
//! PostgreSQL database, with one token per role.

use std::sync::Arc;

use actix_web::{HttpServer, web};
use chrono::NaiveDate;
use diesel::{Connection, RunQueryDsl, pg::PgConnection};
use oncoreg::api::state::AppState;
use oncoreg::clock::FixedClock;
use oncoreg::config::Settings;
use oncoreg::db::{self, DatabaseUrl, Pool};
use oncoreg::service::{Actor, Role, admin};
use serde_json::Value;

pub const TEST_BODY_LIMIT: usize = 64 * 1024;
pub const TEST_IMPORT_LIMIT: usize = 512 * 1024;
/// What a gzip upload may expand to in the tests.
pub const TEST_IMPORT_EXPANDED_LIMIT: u64 = 4 * 1024 * 1024;

/// "Today" for every test: date rules are checked against it.
pub const TODAY: (i32, u32, u32) = (2026, 6, 30);

pub fn postgres_base() -> String {
    std::env::var("TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432".into())
}

pub struct TestApp {
    pub base: String,
    pub client: reqwest::Client,
    pub admin: String,
    pub registrar: String,
    pub viewer: String,
    /// The database the server runs on (for the `oncoreg` binary, in-process jobs and set-ups the
    /// API would refuse).
    pub db_url: String,
    pub pool: Pool,
    /// Settings the server runs with (submission directory, limits).
    pub settings: Settings,
    handle: actix_web::dev::ServerHandle,
    _files: tempfile::TempDir,
    _dir: Option<tempfile::TempDir>,
    pg_db: Option<String>,
}

/// A fresh, empty PostgreSQL database; returns its name and URL.
pub fn fresh_postgres() -> (String, String) {
    let base = postgres_base();
    let name = format!("oncoreg_test_{}", uuid::Uuid::now_v7().simple());
    let mut admin =
        PgConnection::establish(&format!("{base}/postgres")).expect("PostgreSQL reachable");
    diesel::sql_query(format!("CREATE DATABASE {name}"))
        .execute(&mut admin)
        .expect("create test db");
    (name.clone(), format!("{base}/{name}"))
}

pub fn drop_postgres(name: &str) {
    if let Ok(mut admin) = PgConnection::establish(&format!("{}/postgres", postgres_base())) {
        let _ = diesel::sql_query(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            .execute(&mut admin);
    }
}

impl TestApp {
    pub async fn sqlite() -> Self {
        Self::sqlite_with(|_| {}).await
    }

    pub async fn postgres() -> Self {
        Self::postgres_with(|_| {}).await
    }

    /// A SQLite app whose settings `configure` adjusts first.
    pub async fn sqlite_with(configure: impl FnOnce(&mut Settings)) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let url = dir.path().join("oncoreg.db").display().to_string();
        Self::start(&url, Some(dir), None, configure).await
    }

    /// A PostgreSQL app whose settings `configure` adjusts first.
    pub async fn postgres_with(configure: impl FnOnce(&mut Settings)) -> Self {
        let (name, url) = fresh_postgres();
        Self::start(&url, None, Some(name), configure).await
    }

    async fn start(
        url: &str,
        dir: Option<tempfile::TempDir>,
        pg_db: Option<String>,
        configure: impl FnOnce(&mut Settings),
    ) -> Self {
        let mut settings = Settings::for_database(url);
        configure(&mut settings);
        // Small enough that an oversized test body fits in socket buffers, so the client reads the 413.
        settings.http.body_limit = TEST_BODY_LIMIT;
        let files = tempfile::tempdir().expect("temp dir");
        settings.submissions.submissions_dir =
            files.path().join("submissions").display().to_string();
        settings.monthly_export.export_dir = files.path().join("exports").display().to_string();
        settings.http.import_limit = TEST_IMPORT_LIMIT;
        settings.imports.import_expanded_limit = TEST_IMPORT_EXPANDED_LIMIT;
        let pool = db::pool(&DatabaseUrl::parse(url), Some(4)).expect("pool");
        {
            let mut conn = pool.get().expect("connection");
            db::run_migrations(&mut conn).expect("migrations");
        }
        let token = |role: Role| {
            let mut conn = pool.get().expect("connection");
            admin::create_token(&mut conn, &Actor::system("test"), role.as_str(), role)
                .expect("token")
                .token
        };
        let (admin, registrar, viewer) =
            (token(Role::Admin), token(Role::Registrar), token(Role::Viewer));
        let (y, m, d) = TODAY;
        let clock = Arc::new(FixedClock(NaiveDate::from_ymd_opt(y, m, d).expect("date")));
        let state = web::Data::new(AppState::new(pool.clone(), clock, settings.clone()));
        let server = HttpServer::new(move || oncoreg::api::app(state.clone()))
            .workers(1)
            .bind("127.0.0.1:0")
            .expect("bind");
        let addr = server.addrs()[0];
        let server = server.run();
        let handle = server.handle();
        actix_web::rt::spawn(server);
        Self {
            base: format!("http://{addr}"),
            // The server closes a connection idle for 5 s (actix's keep-alive); a test that works
            // longer between requests (the jobs of simulated months) must not reuse it.
            client: reqwest::Client::builder()
                .pool_idle_timeout(std::time::Duration::from_secs(2))
                .build()
                .expect("client"),
            admin,
            registrar,
            viewer,
            db_url: url.to_string(),
            pool: pool.clone(),
            settings,
            handle,
            _files: files,
            _dir: dir,
            pg_db,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    /// The audit log (`query` as for `GET /api/v1/audit`) as one object per group of records an
    /// event touched: `action`, `entity`, `ids` (and `to`) with the event's `actorName`,
    /// `operation` and `status`. Only groups naming `id`, when given.
    pub async fn audit(&self, query: &str, id: Option<&str>) -> Vec<Value> {
        let r = self
            .send(reqwest::Method::GET, &format!("/api/v1/audit?{query}"), Some(&self.admin), None)
            .await;
        assert_eq!(r.status, 200, "{}", r.body);
        let mut out = Vec::new();
        for e in r.body["items"].as_array().cloned().unwrap_or_default() {
            for mut t in e["records"].as_array().cloned().unwrap_or_default() {
                let named = id.is_none_or(|id| {
                    t["ids"].as_array().is_some_and(|ids| ids.iter().any(|i| i == id))
                });
                if named {
                    for k in ["actorName", "operation", "status"] {
                        t[k] = e[k].clone();
                    }
                    out.push(t);
                }
            }
        }
        out
    }

    pub async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        token: Option<&str>,
        body: Option<&Value>,
    ) -> Reply {
        let mut req = self.client.request(method, self.url(path));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        if let Some(b) = body {
            req = req.json(b);
        }
        Reply::from_response(req.send().await.expect("request sent")).await
    }

    pub async fn get(&self, path: &str) -> Reply {
        self.send(reqwest::Method::GET, path, Some(&self.registrar), None).await
    }

    pub async fn post(&self, path: &str, body: &Value) -> Reply {
        self.send(reqwest::Method::POST, path, Some(&self.registrar), Some(body)).await
    }

    /// Posts a file to `POST /api/v1/imports` as the registrar.
    pub async fn import(&self, content_type: &str, body: impl Into<reqwest::Body>) -> Reply {
        self.post_raw("/api/v1/imports", content_type, body).await
    }

    /// Posts a body as it is (any bytes, any content type) as the registrar.
    pub async fn post_raw(
        &self,
        path: &str,
        content_type: &str,
        body: impl Into<reqwest::Body>,
    ) -> Reply {
        let res = self
            .client
            .post(self.url(path))
            .bearer_auth(&self.registrar)
            .header("content-type", content_type)
            .body(body)
            .send()
            .await
            .expect("sent");
        Reply::from_response(res).await
    }

    pub async fn put(&self, path: &str, version: i64, body: &Value) -> Reply {
        let res = self
            .client
            .put(self.url(path))
            .bearer_auth(&self.registrar)
            .header("If-Match", format!("\"{version}\""))
            .json(body)
            .send()
            .await
            .expect("request sent");
        Reply::from_response(res).await
    }

    /// Creates a patient and returns its id.
    pub async fn patient(&self, body: &Value) -> String {
        let r = self.post("/api/v1/patients", body).await;
        assert_eq!(r.status, 201, "{}", r.body);
        r.id()
    }

    pub async fn tumor(&self, patient_id: &str, body: &Value) -> String {
        let r = self.post(&format!("/api/v1/patients/{patient_id}/tumors"), body).await;
        assert_eq!(r.status, 201, "{}", r.body);
        r.id()
    }

    pub async fn stop(self) {
        self.handle.stop(false).await;
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(name) = &self.pg_db {
            drop_postgres(name);
        }
    }
}

pub struct Reply {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub body: Value,
}

impl Reply {
    pub async fn from_response(res: reqwest::Response) -> Self {
        let status = res.status().as_u16();
        let headers = res.headers().clone();
        let text = res.text().await.unwrap_or_default();
        let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
        Self { status, headers, body }
    }

    pub fn id(&self) -> String {
        self.body["id"].as_str().expect("id in body").to_string()
    }

    pub fn header(&self, name: &str) -> &str {
        self.headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or("")
    }

    /// Asserts an RFC 9457 problem with this status and returns the (field, rule) pairs it lists.
    pub fn problem(&self, status: u16) -> Vec<(String, String)> {
        assert_eq!(self.status, status, "{}", self.body);
        assert_eq!(self.header("content-type"), "application/problem+json");
        assert_eq!(self.body["status"], status);
        assert!(self.body["type"].as_str().is_some_and(|t| t.starts_with("urn:oncoreg:problem:")));
        assert!(self.body["title"].is_string());
        self.body["errors"]
            .as_array()
            .expect("errors list")
            .iter()
            .map(|e| {
                (
                    e["field"].as_str().unwrap_or("").to_string(),
                    e["rule"].as_str().unwrap_or("").to_string(),
                )
            })
            .collect()
    }
}

pub fn patient_body(number: &str) -> Value {
    serde_json::json!({
        "patientIdNumber": number,
        "nameLast": "Testperson",
        "nameFirst": "Alpha",
        "dateOfBirth": "1956-03-14",
        "sexAssignedAtBirth": "2",
        "race1": "01",
        "spanishHispanicOrigin": "0",
        "socialSecurityNumber": "123456789",
        "addrCurrentCity": "Seattle",
        "addrCurrentState": "WA",
        "addrCurrentPostalCode": "98101",
        "countyAtDx": "033",
        "physicianManaging": {"name": "Dr. Synthetic", "npi": "1234567893", "email": "dr@example.org"}
    })
}

pub fn breast_tumor() -> Value {
    serde_json::json!({
        "primarySite": "C50.4",
        "histologicTypeIcdO3": "8500",
        "behaviorCodeIcdO3": "3",
        "laterality": "2",
        "dateOfDiagnosis": "2021-03-15",
        "dateOf1stContact": "2021-03-15",
        "sequenceNumberHospital": "00",
        "classOfCase": "14",
        "diagnosticConfirmation": "1",
        "gradeClinical": "2",
        "gradePathological": "2",
        "summaryStage2018": "1",
        "reportingFacility": "0006100001",
        "accessionNumberHosp": "202100017"
    })
}

/// Runs each named test function against SQLite and against PostgreSQL.
#[macro_export]
macro_rules! both_backends {
    ($($name:ident),* $(,)?) => {
        $(
            mod $name {
                #[actix_web::test]
                async fn sqlite() {
                    let app = $crate::common::TestApp::sqlite().await;
                    super::$name(&app).await;
                    app.stop().await;
                }

                #[actix_web::test]
                async fn postgres() {
                    let app = $crate::common::TestApp::postgres().await;
                    super::$name(&app).await;
                    app.stop().await;
                }
            }
        )*
    };
}
