//! The HTTP API: thin handlers (body → service → body), problem+json errors and the OpenAPI contract.

mod access_log;
mod admin;
mod contacts;
mod corrections;
mod docs;
mod edits;
pub mod extract;
mod followup;
mod imports;
mod jobs;
mod letters;
mod mp;
mod params;
mod patients;
pub mod problem;
mod settings;
pub mod state;
pub(crate) mod submissions;
mod treatments;
mod tumors;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceFactory, ServiceRequest, ServiceResponse};
use actix_web::http::Method;
use actix_web::{App, HttpRequest, HttpResponse, get, web};
use serde::Serialize;
use utoipa::{OpenApi, ToSchema};
use utoipa_actix_web::{AppExt, UtoipaApp, scope};
use utoipa_swagger_ui::SwaggerUi;

use problem::ApiError;
use state::AppState;

pub const SPEC_PATH: &str = "/api/v1/openapi.json";

#[derive(Serialize, ToSchema)]
pub struct Health {
    /// `ok` when the database answers.
    pub status: String,
}

/// Liveness and database reachability; needs no token.
#[utoipa::path(
    tag = "health", operation_id = "get_health",
    responses(
        (status = 200, body = Health),
        (status = 503, description = "The database does not answer", body = problem::Problem, content_type = "application/problem+json"),
    )
)]
#[get("/health")]
async fn health(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    state.db(crate::service::Store::ping).await.map_err(|_| ApiError::Unavailable)?;
    Ok(HttpResponse::Ok().json(Health { status: "ok".into() }))
}

fn routes<T>(app: UtoipaApp<T>) -> UtoipaApp<T>
where
    T: ServiceFactory<ServiceRequest, Config = (), Error = actix_web::Error, InitError = ()>,
{
    app.openapi(docs::ApiDoc::openapi()).service(health).service(
        scope::scope("/api/v1")
            .service(patients::list_patients)
            .service(patients::search_patients)
            .service(patients::create_patient)
            .service(patients::get_patient)
            .service(patients::update_patient)
            .service(corrections::patch_patient)
            .service(corrections::delete_patient)
            .service(corrections::get_patient_history)
            .service(tumors::list_tumors)
            .service(tumors::list_patient_tumors)
            .service(tumors::create_tumor)
            .service(tumors::get_tumor)
            .service(tumors::update_tumor)
            .service(corrections::patch_tumor)
            .service(corrections::delete_tumor)
            .service(corrections::get_tumor_history)
            .service(treatments::list_treatments)
            .service(treatments::create_treatment)
            .service(treatments::get_treatment)
            .service(treatments::update_treatment)
            .service(corrections::patch_treatment)
            .service(corrections::delete_treatment)
            .service(corrections::get_treatment_history)
            .service(contacts::list_contacts)
            .service(contacts::create_contact)
            .service(contacts::get_contact)
            .service(contacts::update_contact)
            .service(corrections::patch_contact)
            .service(corrections::delete_contact)
            .service(corrections::get_contact_history)
            .service(submissions::list_submissions)
            .service(submissions::create_submission)
            .service(submissions::get_submission)
            .service(submissions::get_submission_file)
            .service(submissions::void_submission)
            .service(imports::create_import)
            .service(imports::list_imports)
            .service(imports::get_import)
            .service(imports::get_import_report)
            .service(imports::cancel_import)
            .service(admin::list_tokens)
            .service(admin::create_token)
            .service(admin::revoke_token)
            .service(admin::list_audit)
            .service(edits::list_edits)
            .service(edits::get_tumor_edits)
            .service(edits::create_edit_run)
            .service(edits::get_edit_run)
            .service(edits::list_edit_run_failures)
            .service(followup::list_followup_tasks)
            .service(followup::get_followup_task)
            .service(followup::assign_followup_task)
            .service(followup::create_followup_task_contact)
            .service(followup::close_followup_task)
            .service(letters::list_letters)
            .service(letters::get_print_batch)
            .service(letters::get_letter)
            .service(letters::get_letter_pdf)
            .service(letters::mark_letter_printed)
            .service(letters::record_letter_reply)
            .service(letters::cancel_letter)
            .service(letters::hold_letter)
            .service(letters::release_letter)
            .service(letters::correct_letter_recipient)
            .service(settings::get_registry_settings)
            .service(settings::put_registry_settings)
            .service(jobs::list_job_runs)
            .service(jobs::get_followup_rate)
            .service(jobs::list_followup_rate_patients)
            .service(mp::compare_tumors)
            .service(mp::check_primaries),
    )
}

/// The OpenAPI document, generated from the handlers.
pub fn openapi() -> utoipa::openapi::OpenApi {
    routes(App::new().into_utoipa_app()).split_for_parts().1
}

/// The declared routes, to tell an unknown path (404) from an undeclared method (405).
#[derive(Clone)]
struct RouteTable(Vec<(Vec<String>, Vec<&'static str>)>);

impl RouteTable {
    fn new(api: &utoipa::openapi::OpenApi) -> Self {
        let mut routes = Vec::new();
        for (path, item) in &api.paths.paths {
            let segments = path.split('/').map(str::to_string).collect();
            let mut methods = Vec::new();
            for (m, op) in [
                ("GET", &item.get),
                ("POST", &item.post),
                ("PUT", &item.put),
                ("DELETE", &item.delete),
                ("PATCH", &item.patch),
            ] {
                if op.is_some() {
                    methods.push(m);
                }
            }
            routes.push((segments, methods));
        }
        routes.push((vec![String::new(), "docs".into()], vec!["GET"]));
        Self(routes)
    }

    fn allowed(&self, path: &str) -> Option<Vec<&'static str>> {
        let parts: Vec<&str> = path.split('/').collect();
        self.0.iter().find_map(|(segments, methods)| {
            let matches = segments.len() == parts.len()
                && segments
                    .iter()
                    .zip(&parts)
                    .all(|(s, p)| s == p || (s.starts_with('{') && !p.is_empty()));
            matches.then(|| methods.clone())
        })
    }
}

/// PostgreSQL text cannot hold NUL, and no identifier or filter contains one: refused at the edge.
async fn reject_nul(
    req: ServiceRequest,
    next: actix_web::middleware::Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<actix_web::body::BoxBody>, actix_web::Error> {
    use actix_web::ResponseError;
    if req.uri().path().contains("%00") {
        // No record id holds one.
        return Ok(req.into_response(ApiError::NotFound("resource").error_response()));
    }
    // Control characters (%00–%1F) have no place in an id or a filter.
    let q = req.query_string().as_bytes();
    let control = q
        .windows(3)
        .any(|w| w[0] == b'%' && (w[1] == b'0' || w[1] == b'1') && w[2].is_ascii_hexdigit());
    if control {
        let e =
            ApiError::bad_request("query", "text.control", "control characters are not allowed");
        return Ok(req.into_response(e.error_response()));
    }
    Ok(next.call(req).await?.map_into_boxed_body())
}

/// Commits one audit event per authenticated request (who, the route, the status, the records its
/// services noted) before the answer goes out; an event that cannot be written withholds the
/// answer (503).
async fn audit_request(
    req: ServiceRequest,
    next: actix_web::middleware::Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<actix_web::body::BoxBody>, actix_web::Error> {
    use actix_web::HttpMessage;
    let audit = extract::RequestAudit::default();
    req.extensions_mut().insert(audit.clone());
    let state = req.app_data::<web::Data<AppState>>().cloned();
    let method = req.method().to_string();
    let res = next.call(req).await?.map_into_boxed_body();
    let (Some(actor), Some(state)) = (audit.actor(), state) else {
        return Ok(res);
    };
    let status = res.status();
    // Nothing was returned or changed by a request that failed.
    let records =
        if status.is_success() || status.is_redirection() { audit.sink.take() } else { Vec::new() };
    let route = res.request().match_pattern().unwrap_or_else(|| "(no route)".into());
    let event = crate::service::audit::event(
        &actor,
        &format!("{method} {route}"),
        Some(status.as_u16()),
        records,
    );
    let committed = match event {
        Ok(row) => state.audit.commit(row).await,
        Err(e) => Err(e),
    };
    match committed {
        Ok(()) => Ok(res),
        Err(_) => {
            let (req, _) = res.into_parts();
            let answer = actix_web::ResponseError::error_response(&ApiError::Unavailable);
            Ok(ServiceResponse::new(req, answer))
        }
    }
}

/// Every error answer is problem+json: one that left a handler's neighbours without a body gets one.
async fn problem_bodies(
    req: ServiceRequest,
    next: actix_web::middleware::Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<actix_web::body::BoxBody>, actix_web::Error> {
    let res = next.call(req).await?.map_into_boxed_body();
    let status = res.status();
    let bare = !res.headers().contains_key(actix_web::http::header::CONTENT_TYPE);
    if (status.is_client_error() || status.is_server_error()) && bare {
        let (req, _) = res.into_parts();
        return Ok(ServiceResponse::new(req, problem::bare_status(status)));
    }
    Ok(res)
}

async fn fallback(
    req: HttpRequest,
    table: web::Data<RouteTable>,
) -> Result<HttpResponse, ApiError> {
    if req.path() == "/docs" && req.method() == Method::GET {
        return Ok(HttpResponse::PermanentRedirect()
            .insert_header(("Location", "/docs/"))
            .finish());
    }
    match table.allowed(req.path()) {
        Some(methods) => Err(ApiError::MethodNotAllowed(methods)),
        None => Err(ApiError::NotFound("resource")),
    }
}

/// The application: API routes, spec, Swagger UI, error handlers and the 404/405 fallback.
pub fn app(
    state: web::Data<AppState>,
) -> App<
    impl ServiceFactory<
        ServiceRequest,
        Config = (),
        Response = ServiceResponse<impl MessageBody>,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    let limit = state.settings.http.body_limit;
    // The spec is served ahead of the /api/v1 scope, which would otherwise claim its path.
    let api = openapi();
    let table = web::Data::new(RouteTable::new(&api));
    let app = App::new().service(SwaggerUi::new("/docs/{_:.*}").url(SPEC_PATH, api));
    let (app, _) = routes(app.into_utoipa_app()).split_for_parts();
    app.app_data(state)
        .app_data(table)
        .app_data(web::PayloadConfig::new(limit))
        .app_data(web::QueryConfig::default().error_handler(|err, _| {
            ApiError::bad_request("query", "query.invalid", extract::scrub(&err.to_string())).into()
        }))
        .app_data(web::PathConfig::default().error_handler(|err, _| {
            ApiError::bad_request("path", "path.invalid", extract::scrub(&err.to_string())).into()
        }))
        .configure(crate::web::routes)
        .default_service(web::to(fallback))
        .wrap(actix_web::middleware::from_fn(audit_request))
        .wrap(actix_web::middleware::from_fn(problem_bodies))
        .wrap(actix_web::middleware::from_fn(reject_nul))
        // Answers carry patient data: no browser or proxy may keep a copy (a handler may say
        // otherwise for what it serves).
        .wrap(actix_web::middleware::DefaultHeaders::new().add(("Cache-Control", "no-store")))
        .wrap(actix_web::middleware::from_fn(crate::web::security_headers))
        // Outermost: it logs every answer, the ones the layers inside refused too.
        .wrap(actix_web::middleware::from_fn(access_log::access_log))
}
