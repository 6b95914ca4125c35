//! Shared state of the HTTP workers: the pool, the clock, the settings and a short-lived token cache.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use actix_web::web;

use super::problem::ApiError;
use crate::clock::Clock;
use crate::config::Settings;
use crate::service::followup::FollowUpConfig;
use crate::service::{self, Actor, Ctx};

/// How long a verified token is trusted without asking the database again (a revoked token stops
/// working within this time).
const TOKEN_CACHE_TTL: Duration = Duration::from_secs(10);

pub struct AppState {
    pub store: service::Store,
    pub clock: Arc<dyn Clock>,
    pub settings: Settings,
    /// Follow-up policy, letter templates and letterhead, built from the settings.
    pub followup: Arc<FollowUpConfig>,
    /// Commits each request's audit event before its answer goes out.
    pub audit: service::audit::AuditWriter,
    tokens: Mutex<HashMap<String, (Actor, Instant)>>,
}

impl AppState {
    /// Panics when the follow-up settings do not load; `serve` checks them first and reports.
    pub fn new(
        store: impl Into<service::Store>,
        clock: Arc<dyn Clock>,
        settings: Settings,
    ) -> Self {
        let followup = FollowUpConfig::from_settings(&settings.followup)
            .expect("follow-up settings (policy, letter templates) load");
        Self::with_followup(store, clock, settings, Arc::new(followup))
    }

    pub fn with_followup(
        store: impl Into<service::Store>,
        clock: Arc<dyn Clock>,
        settings: Settings,
        followup: Arc<FollowUpConfig>,
    ) -> Self {
        let store = store.into();
        let audit = service::audit::AuditWriter::start(store.pool().clone());
        Self { store, clock, settings, followup, audit, tokens: Mutex::new(HashMap::new()) }
    }

    /// Today's date and the edit rule set, for a use-case.
    pub fn ctx(&self) -> Ctx {
        Ctx { today: self.clock.today(), rule_set: self.settings.rule_set() }
    }

    /// Runs blocking database work on actix's thread pool with a pooled connection.
    pub async fn db<T, F>(&self, f: F) -> Result<T, ApiError>
    where
        F: FnOnce(&mut service::Conn) -> service::Result<T> + Send + 'static,
        T: Send + 'static,
    {
        let store = self.store.clone();
        blocking(move || store.run(f)).await
    }

    /// As `db`, with a second connection to read on where the store has one (exports).
    pub async fn db_with_reader<T, F>(&self, f: F) -> Result<T, ApiError>
    where
        F: FnOnce(&mut service::Conn, Option<&mut service::Conn>) -> service::Result<T>
            + Send
            + 'static,
        T: Send + 'static,
    {
        let store = self.store.clone();
        blocking(move || store.run_with_reader(f)).await
    }

    pub async fn authenticate(&self, secret: String) -> Result<Option<Actor>, ApiError> {
        let key = service::auth::hash_token(&secret);
        if let Ok(cache) = self.tokens.lock()
            && let Some((actor, at)) = cache.get(&key)
            && at.elapsed() < TOKEN_CACHE_TTL
        {
            return Ok(Some(actor.clone()));
        }
        let actor = self.db(move |c| service::auth::authenticate(c, &secret)).await?;
        if let (Some(a), Ok(mut cache)) = (&actor, self.tokens.lock()) {
            if cache.len() > 10_000 {
                cache.clear();
            }
            cache.insert(key, (a.clone(), Instant::now()));
        }
        Ok(actor)
    }

    /// Forgets cached tokens (after a revocation).
    pub fn forget_tokens(&self) {
        if let Ok(mut cache) = self.tokens.lock() {
            cache.clear();
        }
    }
}

/// Runs a service call on actix's thread pool for blocking work.
async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> service::Result<T> + Send + 'static,
) -> Result<T, ApiError> {
    web::block(f)
        .await
        .map_err(|e| ApiError::Internal(format!("blocking task: {e}")))?
        .map_err(ApiError::from)
}
