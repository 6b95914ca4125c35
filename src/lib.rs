//! oncoreg: a cancer registry service.
pub mod db;
pub mod domain;
pub mod dto;
pub mod service;
