//! Use cases: each rule of the product written once, called by the web handlers, the command
//! line and the reports alike. A use case checks its policy, runs its transaction and writes
//! its audit entry; its callers parse input, call it, and render or print what it returns.

pub mod access;
pub mod accounts;
pub mod areas;
pub mod audit;
pub mod benchmarks;
pub mod calibration;
pub mod cases;
pub mod experiments;
pub mod figures;
pub mod followup;
pub mod invitations;
pub mod letters;
pub mod limits;
pub mod mail;
pub mod publish;
pub mod register;
pub mod respond;
pub mod sample;
pub mod signin;
pub mod tokens;
pub mod waves;

/// Who asks, for the audit log: a staff member's e-mail and address, or the command line.
#[derive(Debug, Clone)]
pub struct Actor {
    pub name: String,
    pub address: Option<String>,
}

impl Actor {
    pub fn new(name: &str, address: &str) -> Actor {
        Actor { name: name.into(), address: Some(address.into()) }
    }

    /// Whoever runs a command on the server.
    pub fn command_line() -> Actor {
        Actor { name: "command line".into(), address: None }
    }
}
