//! oncoreg: a cancer registry service.
//!
//! Layers, inner to outer: `domain` (codes, dates, records, rules), `model` (the record model the
//! services, file formats and API share), `formats` (NAACCR files), `db` (storage), `service`
//! (use-cases), `api` (HTTP), with `server` wiring them for the command line.

pub mod api;
pub mod clock;
pub mod config;
pub mod db;
pub mod demo;
pub mod domain;
pub mod formats;
pub mod jobs;
pub mod mail;
pub mod model;
pub mod server;
pub mod service;
pub mod telemetry;
pub mod web;
