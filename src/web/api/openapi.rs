//! The API's description, OpenAPI 3.1: `docs/openapi.json`, compiled in. A test checks it
//! against the routes mounted under `/api/` (tests/suite/api.rs).

use rocket::get;
use rocket::http::ContentType;

use super::{Anyone, Api, Problem, Reply, blocking};

/// The description as written.
pub const OPENAPI: &str = include_str!("../../../docs/openapi.json");

/// The description, for anyone (it holds no data).
#[get("/api/v1/openapi.json")]
pub async fn openapi(api: Api<'_, Anyone>) -> Result<Reply, Problem> {
    let conditions = api.conditions;
    Ok(blocking(move || Reply::bytes(OPENAPI.as_bytes().to_vec(), ContentType::JSON, &conditions))
        .await?)
}
