//! dxsurvey: digital transformation and innovation maturity of Hanoi's enterprises and public
//! agencies. Questionnaires are data (`surveys/`); this library loads and checks them, scores
//! answers, stores responses and serves the web application.

pub mod advice;
pub mod answers;
pub mod app;
pub mod assessment;
pub mod auth;
pub mod catalog;
pub mod cli;
pub mod config;
pub mod demo;
pub mod export;
pub mod figures;
pub mod frame;
pub mod kernel;
pub mod metrics;
pub mod policy;
pub mod profile;
pub mod reference;
pub mod register;
pub mod report;
pub mod response;
pub mod sampling;
pub mod scoring;
pub mod secret;
pub mod service;

pub mod stats;
pub mod store;
pub mod survey;
pub mod web;
