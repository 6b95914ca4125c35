//! Integration tests: the real app over HTTP on SQLite and PostgreSQL, plus contract tests.

mod architecture;
mod common;
mod errors;
mod lists;
mod migrations;
mod naaccr;
mod openapi;
mod records;
mod security;
