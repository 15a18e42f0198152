//! dxsurvey's black-box tests: the real binary, a real SQLite file, real HTTP through Rocket.
//! One test binary, one module per feature; every test gets its own database.

// Tests say what they expect by panicking.
#![allow(clippy::unwrap_used)]

mod access;
mod agencies;
mod api;
mod backups;
mod browser;
mod browser_flow;
mod browser_walks;
mod calibration;
mod change;
mod changelog;
mod checks;
mod cli;
mod disclosure;
mod disclosure_pages;
mod end_to_end;
mod experiment;
mod fieldwork;
mod fieldwork_admin;
mod helpers;
mod hostile;
mod invited;
mod labelled;
mod letters;
mod mail;
mod placeholders;
mod prefill;
mod production;
mod proxy;
mod reliability;
mod reports;
mod respond;
mod sessions;
mod staff_forms;
mod statistics;
mod store;
mod third_questionnaire;
mod vsic;
mod web;
