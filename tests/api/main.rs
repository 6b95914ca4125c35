//! Integration tests: the real app over HTTP on SQLite and PostgreSQL, plus contract tests.

mod architecture;
mod common;
mod errors;
mod followup;
mod lists;
mod migrations;
mod openapi;
mod records;
mod security;
mod smtp;
