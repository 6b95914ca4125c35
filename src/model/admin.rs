use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A request for a new API token.
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TokenRequest {
    /// Who or what uses the token, e.g. a registrar's user name.
    #[schema(example = "jdoe", min_length = 1, max_length = 100, pattern = "^[A-Za-z0-9 ._@-]+$")]
    pub name: String,
    /// viewer (read), registrar (read and write) or admin (tokens, audit log).
    #[schema(example = "registrar", pattern = "^(viewer|registrar|admin)$")]
    pub role: String,
}

/// An API token without its secret.
#[derive(Clone, Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TokenInfo {
    pub id: String,
    pub name: String,
    pub role: String,
    pub created_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
}

/// A new token; `token` is shown only this once.
#[derive(Clone, Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct NewToken {
    #[serde(flatten)]
    pub info: TokenInfo,
    pub token: String,
}

/// One audit event: a request (or a step of a job or command) and the records it returned or
/// changed.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AuditEntry {
    pub id: String,
    pub at: DateTime<Utc>,
    pub actor_token_id: Option<String>,
    pub actor_name: String,
    /// The method and route (`GET /api/v1/patients/{id}`), or the job or command.
    pub operation: String,
    /// The HTTP status answered; absent for work outside a request.
    pub status: Option<i32>,
    /// The records the operation returned or changed, by action and kind.
    pub records: Vec<AuditRecords>,
}

/// Records of one kind that an operation touched one way.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AuditRecords {
    /// create, read, update, delete, search, disclose or reveal
    pub action: String,
    /// patient, tumor, treatment, contact, letter, submission, import, token, audit …
    pub entity: String,
    pub ids: Vec<String>,
    /// Who received a disclosure: `patient`, `physician`, `central registry`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<String>,
}

/// One entry of a record's history: a creation, a deletion, or one field an update changed.
#[derive(Clone, Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ChangeData {
    #[schema(value_type = String, format = DateTime)]
    pub at: DateTime<Utc>,
    /// The token's name that made the change.
    pub by: String,
    /// `create`, `update` or `delete`.
    pub action: String,
    /// The record's version after the change (its last version for a deletion).
    pub version: i32,
    /// The field (`primarySite`, `physicianManaging.name`, `items.tumorSizeSummary`); absent for a
    /// creation.
    pub field: Option<String>,
    pub old_value: Option<String>,
    pub new_value: Option<String>,
}
