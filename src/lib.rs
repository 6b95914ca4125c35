//! oncoreg: a cancer registry service.
//!
//! Layers, inner to outer: `domain` (codes, dates, records, rules), `dto` (JSON shapes), `db` (storage),
//! `service` (use-cases), `api` (HTTP), with `server` wiring them for the command line.

pub mod api;
pub mod clock;
pub mod config;
pub mod db;
pub mod demo;
pub mod domain;
pub mod dto;
pub mod export;
pub mod jobs;
pub mod mail;
pub mod server;
pub mod service;
pub mod telemetry;
