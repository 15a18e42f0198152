//! Use cases: each rule of the product written once, called by the web handlers, the command
//! line and the reports alike. A use case checks its policy, runs its transaction and writes
//! its audit entry; its callers parse input, call it, and render or print what it returns.

pub mod register;
pub mod respond;
pub mod waves;
