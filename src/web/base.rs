//! The public address of the site, for links a respondent keeps (the resume link).

use rocket::request::{FromRequest, Outcome, Request};

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
            format!("http://{host}")
        });
        Outcome::Success(BaseUrl(base.trim_end_matches('/').to_string()))
    }
}
