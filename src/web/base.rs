//! The public address of the site, for links a respondent keeps (the resume link).

use rocket::request::{FromRequest, Outcome, Request};

use super::ClientAddress;
use crate::config::AppConfig;

/// `scheme://host`, without a trailing slash.
pub struct BaseUrl(pub String);

#[rocket::async_trait]
impl<'r> FromRequest<'r> for BaseUrl {
    type Error = std::convert::Infallible;

    async fn from_request(request: &'r Request<'_>) -> Outcome<Self, Self::Error> {
        let configured = request.rocket().state::<AppConfig>().and_then(|c| c.public_url.clone());
        let base = configured.unwrap_or_else(|| {
            let host = request.host().map_or_else(|| "localhost".to_string(), |h| h.to_string());
            let scheme = if ClientAddress::https(request) { "https" } else { "http" };
            format!("{scheme}://{host}")
        });
        Outcome::Success(BaseUrl(base.trim_end_matches('/').to_string()))
    }
}
