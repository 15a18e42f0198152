//! The API's per-client limit as a request guard: the first guard of every `/api/` route, so
//! that a client over its limit costs no session lookup and no computation.

use rocket::http::Status;
use rocket::request::{FromRequest, Outcome, Request};

use super::ClientAddress;
use crate::app::App;

/// One API call, within the client's limit (`api_calls_per_minute`).
pub struct ApiCall;

#[rocket::async_trait]
impl<'r> FromRequest<'r> for ApiCall {
    type Error = u64;

    async fn from_request(request: &'r Request<'_>) -> Outcome<Self, u64> {
        let (Some(app), Some(client)) =
            (request.rocket().state::<App>(), ClientAddress::of(request))
        else {
            return Outcome::Success(ApiCall);
        };
        match app.limits.api_calls.check(client) {
            Ok(()) => Outcome::Success(ApiCall),
            Err(seconds) => Outcome::Error((Status::TooManyRequests, seconds)),
        }
    }
}
