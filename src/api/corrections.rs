//! Corrections of the four kinds of record: `PATCH` with an RFC 7396 merge patch (only the fields
//! sent change), `DELETE`, and `GET …/history` (who changed which field when, from what to what).

use actix_web::{HttpResponse, delete, get, patch, web};

use super::docs::{DeleteErrors, PatchErrors, ReadErrors};
use super::extract::{Auth, IfMatch, MergePatch};
use super::params::PageParams;
use super::patients::ok_versioned;
use super::problem::ApiError;
use super::state::AppState;
use crate::model::{ChangeData, ContactData, Page, PatientData, Stamped, TreatmentData, TumorData};
use crate::service::{changes, contacts, patients, treatments, tumors};

type Reply = Result<HttpResponse, ApiError>;

/// The handlers of one kind: the service call of a patch and of a deletion are the only parts that
/// differ (contacts also move the follow-up tasks on).
macro_rules! corrections {
    (
        $tag:literal, $entity:literal, $path:literal, $history_path:literal, $data:ty,
        $patch_fn:ident = $patch_id:literal, $delete_fn:ident = $delete_id:literal,
        $history_fn:ident = $history_id:literal,
        |$state:ident, $c:ident, $actor:ident, $id:ident, $version:ident, $body:ident, $ctx:ident,
         $cfg:ident|
        patch: $patch:expr, delete: $delete:expr $(,)?
    ) => {
        #[doc = concat!("Correct some fields of a ", $entity, " (RFC 7396 merge patch: what is left out stays, null removes); send the ETag read in `If-Match`.")]
        #[utoipa::path(
            tag = $tag, operation_id = $patch_id,
            params(
                ("id" = String, Path, description = "Record id"),
                ("If-Match" = String, Header, pattern = r#"^(W/)?"[1-9][0-9]{0,8}"$"#, description = "ETag of the version being corrected"),
            ),
            request_body(content = $data, content_type = "application/merge-patch+json"),
            responses((status = 200, body = $data, headers(("ETag" = String))), PatchErrors),
            security(("bearer" = []))
        )]
        #[patch($path)]
        pub async fn $patch_fn(
            $state: web::Data<AppState>,
            Auth($actor): Auth,
            $id: web::Path<String>,
            IfMatch($version): IfMatch,
            MergePatch($body): MergePatch,
        ) -> Reply {
            let $ctx = $state.ctx();
            // The follow-up configuration: a contact's correction moves its tasks on.
            let $cfg = $state.followup.clone();
            let out = $state.db(move |$c| { let _ = &$cfg; $patch }).await?;
            Ok(ok_versioned(out.record_version(), &out))
        }

        #[doc = concat!("Delete a ", $entity, " recorded by mistake; its last values stay in its history. Send the ETag read in `If-Match`.")]
        #[utoipa::path(
            tag = $tag, operation_id = $delete_id,
            params(
                ("id" = String, Path, description = "Record id"),
                ("If-Match" = String, Header, pattern = r#"^(W/)?"[1-9][0-9]{0,8}"$"#, description = "ETag of the version being deleted"),
            ),
            responses((status = 204, description = "Deleted"), DeleteErrors),
            security(("bearer" = []))
        )]
        #[delete($path)]
        pub async fn $delete_fn(
            $state: web::Data<AppState>,
            Auth($actor): Auth,
            $id: web::Path<String>,
            IfMatch($version): IfMatch,
        ) -> Reply {
            // A patient's deletion needs no edits: it has no records left to review.
            #[allow(unused_variables)]
            let $ctx = $state.ctx();
            $state.db(move |$c| $delete).await?;
            Ok(HttpResponse::NoContent().finish())
        }

        #[doc = concat!("The history of a ", $entity, ": its creation, every field each change set (old and new value, who, when) and its deletion, oldest first.")]
        #[utoipa::path(
            tag = $tag, operation_id = $history_id,
            params(("id" = String, Path, description = "Record id"), PageParams),
            responses((status = 200, body = Page<ChangeData>), ReadErrors),
            security(("bearer" = []))
        )]
        #[get($history_path)]
        pub async fn $history_fn(
            state: web::Data<AppState>,
            Auth(actor): Auth,
            id: web::Path<String>,
            q: web::Query<PageParams>,
        ) -> Reply {
            let page = q.page()?;
            let out =
                state.db(move |c| changes::history(c, &actor, $entity, &id, &page)).await?;
            Ok(HttpResponse::Ok().json(out))
        }
    };
}

corrections!(
    "patients", "patient", "/patients/{id}", "/patients/{id}/history", PatientData,
    patch_patient = "patch_patient", delete_patient = "delete_patient",
    get_patient_history = "get_patient_history",
    |state, c, actor, id, version, body, ctx, cfg|
    patch: patients::patch(c, &actor, &id, version, &body, ctx),
    delete: patients::delete(c, &actor, &id, version),
);

corrections!(
    "tumors", "tumor", "/tumors/{id}", "/tumors/{id}/history", TumorData,
    patch_tumor = "patch_tumor", delete_tumor = "delete_tumor",
    get_tumor_history = "get_tumor_history",
    |state, c, actor, id, version, body, ctx, cfg|
    patch: tumors::patch(c, &actor, &id, version, &body, ctx),
    delete: tumors::delete(c, &actor, &id, version, ctx),
);

corrections!(
    "treatments", "treatment", "/treatments/{id}", "/treatments/{id}/history", TreatmentData,
    patch_treatment = "patch_treatment", delete_treatment = "delete_treatment",
    get_treatment_history = "get_treatment_history",
    |state, c, actor, id, version, body, ctx, cfg|
    patch: treatments::patch(c, &actor, &id, version, &body, ctx),
    delete: treatments::delete(c, &actor, &id, version, ctx),
);

corrections!(
    "contacts", "contact", "/contacts/{id}", "/contacts/{id}/history", ContactData,
    patch_contact = "patch_contact", delete_contact = "delete_contact",
    get_contact_history = "get_contact_history",
    |state, c, actor, id, version, body, ctx, cfg|
    patch: contacts::patch(c, &actor, &id, version, &body, ctx, &cfg.policy),
    delete: contacts::delete(c, &actor, &id, version, ctx),
);
