//! OpenAPI pieces shared by the handlers: document info, the bearer scheme and the error responses.

use std::collections::BTreeMap;

use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{ContentBuilder, Ref, RefOr, Response, ResponseBuilder};
use utoipa::{Modify, OpenApi};

use super::problem::{FieldError, Problem};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "oncoreg",
        description = "Cancer registry service: patients, ICD-O-3 coded tumors, treatment and follow-up. \
                       Field names are NAACCR XML item ids. Errors are RFC 9457 problem+json.",
        license(name = "Apache-2.0")
    ),
    components(schemas(Problem, FieldError)),
    modifiers(&BearerAuth),
    tags(
        (name = "patients", description = "Patients and their identity"),
        (name = "tumors", description = "Primary tumors coded in ICD-O-3"),
        (name = "treatments", description = "Treatment of a tumor"),
        (name = "contacts", description = "Follow-up contacts"),
        (name = "edits", description = "Coding checks: catalogue, findings, batch runs"),
        (name = "submissions", description = "NAACCR XML submission batches for a central registry"),
        (name = "imports", description = "NAACCR XML and v18 flat file imports"),
        (name = "admin", description = "API tokens and the audit log"),
        (name = "followup", description = "The annual follow-up worklist"),
        (name = "letters", description = "Follow-up reminder letters: outbox, PDFs, printing, replies"),
        (name = "jobs", description = "Runs of the scheduled jobs"),
        (name = "reports", description = "Follow-up rate (CoC worksheet)"),
        (name = "mp", description = "Multiple primaries: the rules' calculator and the batch check"),
        (name = "health", description = "Liveness"),
    )
)]
pub struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

fn problem(description: &str) -> RefOr<Response> {
    RefOr::T(
        ResponseBuilder::new()
            .description(description)
            .content(
                "application/problem+json",
                ContentBuilder::new().schema(Some(Ref::from_schema_name("Problem"))).build(),
            )
            .build(),
    )
}

fn responses(codes: &[(&str, &str)]) -> BTreeMap<String, RefOr<Response>> {
    codes.iter().map(|(code, text)| ((*code).to_string(), problem(text))).collect()
}

const BAD_REQUEST: (&str, &str) =
    ("400", "Malformed request: bad JSON, wrong type, bad cursor or header");
const UNAUTHORIZED: (&str, &str) = ("401", "Missing or invalid bearer token");
const FORBIDDEN: (&str, &str) = ("403", "The token's role may not do this");
const NOT_FOUND: (&str, &str) = ("404", "No such record");
const UNAVAILABLE: (&str, &str) =
    ("503", "The database is busy; retry after the Retry-After delay");

/// Errors of a read.
pub struct ReadErrors;

impl utoipa::IntoResponses for ReadErrors {
    fn responses() -> BTreeMap<String, RefOr<Response>> {
        responses(&[BAD_REQUEST, UNAUTHORIZED, FORBIDDEN, NOT_FOUND, UNAVAILABLE])
    }
}

/// Errors of a read whose query names a day: a well-formed date that is no calendar day is 422.
pub struct DatedReadErrors;

impl utoipa::IntoResponses for DatedReadErrors {
    fn responses() -> BTreeMap<String, RefOr<Response>> {
        let mut r = ReadErrors::responses();
        r.extend(responses(&[("422", "A date parameter names no calendar day (2026-02-30)")]));
        r
    }
}

/// Errors of a read whose query names a range: a range that ends before it starts is 422.
pub struct RangeReadErrors;

impl utoipa::IntoResponses for RangeReadErrors {
    fn responses() -> BTreeMap<String, RefOr<Response>> {
        let mut r = ReadErrors::responses();
        r.extend(responses(&[("422", "A range ends before it starts; the field is named")]));
        r
    }
}

/// Errors of a create.
pub struct CreateErrors;

impl utoipa::IntoResponses for CreateErrors {
    fn responses() -> BTreeMap<String, RefOr<Response>> {
        responses(&[
            BAD_REQUEST,
            UNAUTHORIZED,
            FORBIDDEN,
            NOT_FOUND,
            ("409", "Conflicts with another record (duplicate patient id number)"),
            ("413", "Body over the size limit"),
            ("415", "Body is not application/json"),
            ("422", "Invalid codes or dates; each failing field and rule is listed"),
            UNAVAILABLE,
        ])
    }
}

/// Errors of an action on a record in a given state (cancel a running import).
pub struct StateErrors;

impl utoipa::IntoResponses for StateErrors {
    fn responses() -> BTreeMap<String, RefOr<Response>> {
        let mut r = ReadErrors::responses();
        r.extend(responses(&[("409", "The record is not in a state that allows this")]));
        r
    }
}

/// Errors of an update.
pub struct UpdateErrors;

impl utoipa::IntoResponses for UpdateErrors {
    fn responses() -> BTreeMap<String, RefOr<Response>> {
        let mut r = CreateErrors::responses();
        r.extend(responses(&[
            ("412", "The record changed since it was read (stale If-Match)"),
            ("428", "If-Match is required"),
        ]));
        r
    }
}

/// Errors of a merge patch.
pub struct PatchErrors;

impl utoipa::IntoResponses for PatchErrors {
    fn responses() -> BTreeMap<String, RefOr<Response>> {
        let mut r = UpdateErrors::responses();
        r.extend(responses(&[("415", "Body is not application/merge-patch+json")]));
        r
    }
}

/// Errors of a deletion.
pub struct DeleteErrors;

impl utoipa::IntoResponses for DeleteErrors {
    fn responses() -> BTreeMap<String, RefOr<Response>> {
        responses(&[
            BAD_REQUEST,
            UNAUTHORIZED,
            FORBIDDEN,
            NOT_FOUND,
            ("409", "Other records still need this one (a patient's tumors, sent letters)"),
            ("412", "The record changed since it was read (stale If-Match)"),
            ("428", "If-Match is required"),
            UNAVAILABLE,
        ])
    }
}

/// Errors of an import.
pub struct ImportErrors;

impl utoipa::IntoResponses for ImportErrors {
    fn responses() -> BTreeMap<String, RefOr<Response>> {
        responses(&[
            BAD_REQUEST,
            UNAUTHORIZED,
            FORBIDDEN,
            ("409", "Another import is running (rule import.running): wait or cancel it"),
            ("413", "File over the import size limit"),
            ("415", "Body is not application/xml, application/gzip or text/plain"),
            (
                "422",
                "The file was refused before any patient was stored; the fatal reason is given",
            ),
            UNAVAILABLE,
        ])
    }
}
