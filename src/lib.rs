//! oncoreg: a cancer registry service.
pub mod domain;
pub mod export;
