//! What every page handler needs, as one request guard: the application, the templates and
//! settings, the person's language and the client's address.

use rocket::http::Status;
use rocket::request::{FromRequest, Outcome, Request};
use rocket::response::content::RawHtml;
use serde::Serialize;

use super::{Templates, WebError};
use crate::app::App;
use crate::config::AppConfig;
use crate::survey::Lang;

/// The client's address.
pub struct ClientAddress(pub String);

#[rocket::async_trait]
impl<'r> FromRequest<'r> for ClientAddress {
    type Error = std::convert::Infallible;

    async fn from_request(request: &'r Request<'_>) -> Outcome<Self, Self::Error> {
        Outcome::Success(ClientAddress(
            request.client_ip().map_or_else(|| "unknown".into(), |ip| ip.to_string()),
        ))
    }
}

/// The context of a page: what its handler reads and renders with.
pub struct Page<'r> {
    pub app: &'r App,
    pub templates: &'r Templates,
    pub config: &'r AppConfig,
    pub lang: Lang,
    pub address: String,
}

impl Page<'_> {
    /// Renders template `name` in the person's language.
    pub fn render<C: Serialize>(&self, name: &str, context: &C) -> Result<String, WebError> {
        Ok(self.templates.render(name, self.lang, context)?)
    }

    /// Renders template `name` as an HTML answer.
    pub fn html<C: Serialize>(&self, name: &str, context: &C) -> Result<RawHtml<String>, WebError> {
        Ok(RawHtml(self.render(name, context)?))
    }

    /// A message of `messages.toml` in the person's language.
    pub fn word(&self, key: &str) -> String {
        self.templates.word(key, self.lang).to_string()
    }
}

#[rocket::async_trait]
impl<'r> FromRequest<'r> for Page<'r> {
    type Error = ();

    async fn from_request(request: &'r Request<'_>) -> Outcome<Self, ()> {
        let state = (
            request.rocket().state::<App>(),
            request.rocket().state::<Templates>(),
            request.rocket().state::<AppConfig>(),
        );
        let (Some(app), Some(templates), Some(config)) = state else {
            return Outcome::Error((Status::InternalServerError, ()));
        };
        let lang = request.guard::<Lang>().await.succeeded().unwrap_or_default();
        let ClientAddress(address) = request
            .guard::<ClientAddress>()
            .await
            .succeeded()
            .unwrap_or(ClientAddress("unknown".into()));
        Outcome::Success(Page { app, templates, config, lang, address })
    }
}
