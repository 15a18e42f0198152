//! What every page handler needs, as one request guard: the application, the templates and
//! settings, the person's language and the client's address.

use std::net::IpAddr;

use rocket::http::Status;
use rocket::request::{FromRequest, Outcome, Request};
use rocket::response::content::RawHtml;
use serde::Serialize;

use super::{Templates, WebError};
use crate::app::App;
use crate::config::AppConfig;
use crate::kernel::net::client_address;
use crate::survey::Lang;

/// The client's address: the peer's, or what a trusted proxy says it is (see
/// [`client_address`]). `X-Real-IP` is never believed.
pub struct ClientAddress(pub String);

impl ClientAddress {
    /// The address of `request`'s client, if it came over the network.
    pub fn of(request: &Request<'_>) -> Option<IpAddr> {
        let peer = request.remote()?.ip();
        let trusted = request.rocket().state::<AppConfig>().map_or(&[][..], |c| &c.trusted_proxies);
        let forwarded: Vec<&str> = request.headers().get("X-Forwarded-For").collect();
        Some(client_address(peer, &forwarded, trusted))
    }

    /// Whether the client reached the site over https: as a trusted proxy says
    /// (`X-Forwarded-Proto`), or as this server serves.
    pub fn https(request: &Request<'_>) -> bool {
        let Some(peer) = request.remote().map(|r| r.ip()) else { return false };
        let trusted = request.rocket().state::<AppConfig>().map_or(&[][..], |c| &c.trusted_proxies);
        if trusted.iter().any(|n| n.contains(peer))
            && let Some(proto) = request.headers().get("X-Forwarded-Proto").last()
        {
            return proto.trim().eq_ignore_ascii_case("https");
        }
        request.rocket().config().tls_enabled()
    }
}

#[rocket::async_trait]
impl<'r> FromRequest<'r> for ClientAddress {
    type Error = std::convert::Infallible;

    async fn from_request(request: &'r Request<'_>) -> Outcome<Self, Self::Error> {
        let address = ClientAddress::of(request);
        Outcome::Success(ClientAddress(
            address.map_or_else(|| "unknown".into(), |ip| ip.to_string()),
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
