//! Integration tests: the real app over HTTP on SQLite and PostgreSQL, plus contract tests.

mod accounts;
mod architecture;
mod browser;
mod common;
mod corrections;
mod demo;
mod edits;
mod errors;
mod followup;
mod followup_office;
mod lists;
mod logs;
mod migrations;
mod mp_reference;
mod naaccr;
mod openapi;
mod phi;
mod readme;
mod records;
mod security;
mod served;
mod smtp;
mod standard_files;
mod startup;
mod stays_up;
mod web;
