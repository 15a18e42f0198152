//! Cross-site requests never change anything: a request that is not GET or HEAD and that the
//! browser marks as coming from another site (`Sec-Fetch-Site`) or another origin (`Origin`)
//! is turned, before routing, into a request for a page that answers 403.

use rocket::fairing::{Fairing, Info, Kind};
use rocket::http::{Method, Status};
use rocket::{Data, Request, Route, get, routes};

/// Where refused requests are sent.
const REFUSED: &str = "/__refused/cross-site";

pub struct SameOriginOnly;

#[rocket::async_trait]
impl Fairing for SameOriginOnly {
    fn info(&self) -> Info {
        Info { name: "same-origin writes only", kind: Kind::Request }
    }

    async fn on_request(&self, request: &mut Request<'_>, _: &mut Data<'_>) {
        if matches!(request.method(), Method::Get | Method::Head) || same_origin(request) {
            return;
        }
        request.set_method(Method::Get);
        if let Ok(uri) = rocket::http::uri::Origin::parse(REFUSED) {
            request.set_uri(uri);
        }
    }
}

fn same_origin(request: &Request<'_>) -> bool {
    let headers = request.headers();
    if let Some(site) = headers.get_one("Sec-Fetch-Site") {
        // "none" is the user typing the address; same-site could be a sibling subdomain.
        return matches!(site, "same-origin" | "none");
    }
    match (headers.get_one("Origin"), request.host()) {
        (None, _) => true,
        (Some(origin), Some(host)) => {
            let origin = origin.split_once("://").map_or(origin, |(_, rest)| rest);
            origin.eq_ignore_ascii_case(&host.to_string())
        }
        (Some(_), None) => false,
    }
}

pub fn routes() -> Vec<Route> {
    routes![refused]
}

#[get("/__refused/cross-site")]
fn refused() -> Status {
    Status::Forbidden
}
