//! The web pages over plain HTTP: what the browser walk cannot see precisely. Headers on every
//! page, the cookies' attributes (Secure behind TLS), the sign-in form's own CSRF check, lock-out
//! in the pages, idle sign-out, and no patient data in what the pages put in addresses.

use std::time::Duration;

use reqwest::header::{HeaderMap, LOCATION, SET_COOKIE};
use reqwest::redirect::Policy;

use crate::common::{TestApp, breast_tumor, patient_body};
use oncoreg::service::{Actor, Role, accounts};

const PASSWORD: &str = "a long enough passphrase";

fn client() -> reqwest::Client {
    reqwest::Client::builder().redirect(Policy::none()).build().expect("client")
}

fn cookies(h: &HeaderMap) -> Vec<String> {
    h.get_all(SET_COOKIE).iter().filter_map(|v| v.to_str().ok()).map(String::from).collect()
}

/// The `name=value` of a cookie the answer sets.
fn cookie(h: &HeaderMap, name: &str) -> String {
    cookies(h)
        .into_iter()
        .find(|c| c.starts_with(&format!("{name}=")))
        .and_then(|c| c.split(';').next().map(String::from))
        .unwrap_or_default()
}

fn hidden_csrf(html: &str) -> String {
    let at = html.find("name=\"csrf\" value=\"").expect("a csrf field") + 19;
    html[at..at + 64].to_string()
}

fn user(app: &TestApp, name: &str, role: Role) {
    let mut conn = app.pool.get().expect("connection");
    let now = chrono::Utc::now().naive_utc();
    accounts::create_user(&mut conn, &Actor::system("test"), name, role, PASSWORD, now)
        .expect("user");
}

/// Signs in through the form; returns the session cookie (`oncoreg_session=…`) and the answer's
/// headers.
async fn sign_in(
    app: &TestApp,
    name: &str,
    password: &str,
    extra: &[(&str, &str)],
) -> (u16, HeaderMap, String) {
    let c = client();
    let form = c.get(app.url("/sign-in")).send().await.expect("form");
    let form_cookie = cookie(form.headers(), "oncoreg_sign_in");
    let csrf = hidden_csrf(&form.text().await.expect("html"));
    let mut req = c.post(app.url("/sign-in")).header("Cookie", form_cookie).form(&[
        ("name", name),
        ("password", password),
        ("csrf", &csrf),
    ]);
    for (k, v) in extra {
        req = req.header(*k, *v);
    }
    let res = req.send().await.expect("sign-in");
    let status = res.status().as_u16();
    let headers = res.headers().clone();
    let session = cookie(&headers, "oncoreg_session");
    let body = res.text().await.expect("body");
    (status, headers, if session.is_empty() { body } else { session })
}

async fn pages_send_their_security_headers(app: &TestApp) {
    let c = client();
    let res = c.get(app.url("/")).send().await.expect("home");
    assert_eq!(res.status(), 303, "a page without a session sends to the sign-in form");
    assert_eq!(res.headers()[LOCATION], "/sign-in");
    let res = c.get(app.url("/sign-in")).send().await.expect("sign-in");
    assert_eq!(res.status(), 200);
    let h = res.headers();
    assert_eq!(h["content-security-policy"], oncoreg::web::CONTENT_SECURITY_POLICY);
    assert!(oncoreg::web::CONTENT_SECURITY_POLICY.contains("script-src 'self';"));
    assert!(!oncoreg::web::CONTENT_SECURITY_POLICY.contains("unsafe-inline"));
    assert_eq!(h["x-frame-options"], "DENY");
    assert_eq!(h["x-content-type-options"], "nosniff");
    assert_eq!(h["cache-control"], "no-store");
    let form_cookie = cookies(h).join("\n");
    assert!(
        form_cookie.contains("HttpOnly") && form_cookie.contains("SameSite=Strict"),
        "{form_cookie}"
    );
    let html = res.text().await.expect("html");
    assert!(!html.contains("<script>") && !html.contains("style="), "no inline script or style");
    // The vendored script and stylesheet are served by the binary itself.
    for (path, ctype) in
        [("/static/htmx-2.0.11.min.js", "text/javascript"), ("/static/oncoreg.css", "text/css")]
    {
        let r = c.get(app.url(path)).send().await.expect("asset");
        assert_eq!(r.status(), 200, "{path}");
        assert!(r.headers()["content-type"].to_str().expect("type").starts_with(ctype), "{path}");
    }
    // The API keeps its own answers: no page policy on JSON.
    let r = c.get(app.url("/health")).send().await.expect("health");
    assert_eq!(r.headers()["x-frame-options"], "DENY");
    assert!(r.headers().get("content-security-policy").is_none());
}

async fn sign_in_sets_a_strict_session_cookie(app: &TestApp) {
    user(app, "rita", Role::Registrar);
    let (status, h, session) = sign_in(app, "rita", PASSWORD, &[]).await;
    assert_eq!(status, 303, "{session}");
    let set = cookies(&h).join("\n");
    assert!(
        set.contains("oncoreg_session=")
            && set.contains("HttpOnly")
            && set.contains("SameSite=Strict"),
        "{set}"
    );
    assert!(!set.contains("Secure"), "plain HTTP on loopback: no Secure flag");
    // Behind a TLS proxy (X-Forwarded-Proto), the cookie is Secure.
    let (_, h, _) = sign_in(app, "rita", PASSWORD, &[("X-Forwarded-Proto", "https")]).await;
    let set = cookies(&h).join("\n");
    assert!(set.contains("oncoreg_session=") && set.contains("Secure"), "{set}");

    // The session opens the pages; a made-up one does not.
    let c = client();
    let home = c.get(app.url("/")).header("Cookie", &session).send().await.expect("home");
    assert_eq!(home.status(), 200);
    let html = home.text().await.expect("html");
    assert!(html.contains("My queues") && html.contains("rita"));
    let forged =
        c.get(app.url("/")).header("Cookie", "oncoreg_session=00").send().await.expect("home");
    assert_eq!(forged.status(), 303);

    // A sign-in post without the form's own token (a cross-site post) is refused.
    let r = c
        .post(app.url("/sign-in"))
        .form(&[("name", "rita"), ("password", PASSWORD), ("csrf", "x")])
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), 403);

    // Sign-out ends the session for good (the form needs the session's token).
    let csrf = hidden_csrf(&html);
    let out = c
        .post(app.url("/sign-out"))
        .header("Cookie", &session)
        .form(&[("csrf", "wrong")])
        .send()
        .await
        .expect("out");
    assert_eq!(out.status(), 403, "sign-out without the token is refused");
    let out = c
        .post(app.url("/sign-out"))
        .header("Cookie", &session)
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .expect("out");
    assert_eq!(out.status(), 303);
    assert!(cookies(out.headers()).join("\n").contains("Max-Age=0"), "the cookie is removed");
    let after = c.get(app.url("/")).header("Cookie", &session).send().await.expect("home");
    assert_eq!(after.status(), 303, "the ended session opens nothing");
}

async fn the_pages_lock_an_account_after_five_failures(app: &TestApp) {
    user(app, "lou", Role::Registrar);
    for n in 1..=4 {
        let (status, _, body) = sign_in(app, "lou", "wrong password!", &[]).await;
        assert_eq!(status, 401, "failure {n}");
        assert!(body.contains("The user name or the password is wrong"));
        assert!(!body.contains("wrong password!"), "the password typed is not shown back");
    }
    let (status, _, body) = sign_in(app, "lou", "wrong password!", &[]).await;
    assert_eq!(status, 423, "the fifth failure locks");
    assert!(body.contains("locked until"), "{body}");
    let (status, _, _) = sign_in(app, "lou", PASSWORD, &[]).await;
    assert_eq!(status, 423, "the right password waits for the lock to run out");
    let (status, _, body) = sign_in(app, "nobody", "wrong password!", &[]).await;
    assert_eq!(status, 401, "an unknown name gets the same answer");
    assert!(body.contains("The user name or the password is wrong"));
}

async fn pages_carry_no_patient_data_in_addresses(app: &TestApp) {
    user(app, "rita", Role::Registrar);
    let mut body = patient_body("7001");
    body["nameLast"] = serde_json::json!("Quillfeather");
    body["socialSecurityNumber"] = serde_json::json!("123456789");
    let pid = app.patient(&body).await;
    app.tumor(&pid, &breast_tumor()).await;
    let (_, _, session) = sign_in(app, "rita", PASSWORD, &[]).await;
    let c = client();
    let page = c
        .get(app.url(&format!("/patients/{pid}")))
        .header("Cookie", &session)
        .send()
        .await
        .expect("page");
    assert_eq!(page.status(), 200);
    let html = page.text().await.expect("html");
    assert!(html.contains("Quillfeather"));
    assert!(
        html.contains(
            "C50.4 Upper-outer quadrant of breast, 8500/3 Infiltrating duct carcinoma, NOS"
        ),
        "tumors in words"
    );
    assert!(!html.contains("123456789") && html.contains("***-**-6789"), "the SSN is masked");
    // Every link and form target on the page names records by id only.
    for attr in ["href=\"", "action=\""] {
        for part in html.split(attr).skip(1) {
            let target = part.split('"').next().unwrap_or("");
            assert!(!target.contains("Quillfeather") && !target.contains("7001"), "{target}");
        }
    }
    // The search is a form post: nothing searched for goes in the address.
    let search =
        c.get(app.url("/patients")).header("Cookie", &session).send().await.expect("search");
    let html = search.text().await.expect("html");
    assert!(html.contains("method=\"post\" action=\"/patients/search\""));
    let csrf = hidden_csrf(&html);
    let found = c
        .post(app.url("/patients/search"))
        .header("Cookie", &session)
        .form(&[("csrf", csrf.as_str()), ("name", "Quill")])
        .send()
        .await
        .expect("found");
    let html = found.text().await.expect("html");
    assert!(html.contains(&format!("/patients/{pid}")), "the search finds the patient");
}

async fn a_refused_new_tumor_writes_nothing(app: &TestApp) {
    user(app, "rita", Role::Registrar);
    let pid = app.patient(&patient_body("7002")).await;
    let (_, _, session) = sign_in(app, "rita", PASSWORD, &[]).await;
    let c = client();
    let form = c
        .get(app.url(&format!("/patients/{pid}/tumors/new")))
        .header("Cookie", &session)
        .send()
        .await
        .expect("form");
    let csrf = hidden_csrf(&form.text().await.expect("html"));
    let r = c
        .post(app.url(&format!("/patients/{pid}/tumors/new")))
        .header("Cookie", &session)
        .form(&[
            ("csrf", csrf.as_str()),
            ("primarySite", "C50.4"),
            ("dateOfDiagnosis", "2026-02-30"),
        ])
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), 422);
    let html = r.text().await.expect("html");
    assert!(html.contains("Nothing was saved"), "the refusal says so");
    assert!(html.contains("data-field=\"dateOfDiagnosis\""), "beside the date of diagnosis");
    assert!(html.contains("value=\"2026-02-30\""), "the registrar's input is kept");
    let tumors = app.get(&format!("/api/v1/patients/{pid}/tumors")).await;
    assert_eq!(tumors.body["items"].as_array().map(Vec::len), Some(0), "no tumor was written");
}

async fn an_idle_session_ends(app: &TestApp) {
    user(app, "ida", Role::Viewer);
    let (_, _, session) = sign_in(app, "ida", PASSWORD, &[]).await;
    let c = client();
    let r = c.get(app.url("/")).header("Cookie", &session).send().await.expect("home");
    assert_eq!(r.status(), 200);
    actix_web::rt::time::sleep(Duration::from_millis(2100)).await;
    let r = c.get(app.url("/")).header("Cookie", &session).send().await.expect("home");
    assert_eq!(r.status(), 303, "after the idle time the session has ended");
    let events =
        app.send(reqwest::Method::GET, "/api/v1/audit?limit=500", Some(&app.admin), None).await;
    let idle = events.body["items"]
        .as_array()
        .expect("items")
        .iter()
        .any(|e| e["operation"] == "sign-out (idle)" && e["actorName"] == "ida");
    assert!(idle, "the idle sign-out is audited");
}

macro_rules! on_both {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            fn idle(s: &mut oncoreg::config::Settings) {
                s.http.session_idle = oncoreg::config::IdleTime::parse("2s").expect("idle");
            }

            #[actix_web::test]
            async fn sqlite() {
                let app = crate::common::TestApp::sqlite_with(idle).await;
                super::$name(&app).await;
                app.stop().await;
            }

            #[actix_web::test]
            async fn postgres() {
                let app = crate::common::TestApp::postgres_with(idle).await;
                super::$name(&app).await;
                app.stop().await;
            }
        }
    )*};
}

on_both!(
    pages_send_their_security_headers,
    sign_in_sets_a_strict_session_cookie,
    the_pages_lock_an_account_after_five_failures,
    pages_carry_no_patient_data_in_addresses,
    an_idle_session_ends,
    a_refused_new_tumor_writes_nothing,
);
