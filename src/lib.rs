//! dxsurvey: digital transformation and innovation maturity of Hanoi's enterprises and public
//! agencies. Questionnaires are data (`surveys/`); this library loads and checks them, scores
//! answers, stores responses and serves the web application.

pub mod answers;
pub mod reference;
pub mod scoring;
pub mod survey;
