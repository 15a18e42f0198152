//! The respondent's language: a `lang` cookie set by the switch, else the browser's
//! `Accept-Language`, else Vietnamese.

use rocket::http::{Cookie, SameSite};
use rocket::request::{FromRequest, Outcome, Request};

use crate::survey::Lang;

/// Name of the cookie that remembers the language.
pub const COOKIE: &str = "lang";

/// The cookie that remembers `lang` for a year.
pub fn cookie(lang: Lang) -> Cookie<'static> {
    Cookie::build((COOKIE, lang.code()))
        .path("/")
        .same_site(SameSite::Lax)
        .http_only(true)
        .max_age(rocket::time::Duration::days(365))
        .build()
}

#[rocket::async_trait]
impl<'r> FromRequest<'r> for Lang {
    type Error = std::convert::Infallible;

    async fn from_request(request: &'r Request<'_>) -> Outcome<Self, Self::Error> {
        let from_cookie = request.cookies().get(COOKIE).and_then(|c| Lang::parse(c.value()));
        Outcome::Success(
            from_cookie
                .or_else(|| preferred(request.headers().get_one("Accept-Language")))
                .unwrap_or_default(),
        )
    }
}

/// The first of our languages in an `Accept-Language` header, by the order given (weights
/// are in practice descending).
fn preferred(header: Option<&str>) -> Option<Lang> {
    header?.split(',').filter_map(|part| Lang::parse(part.split(';').next()?.trim())).next()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn picks_the_first_supported_language() {
        assert_eq!(preferred(Some("fr-FR, en-GB;q=0.8, vi;q=0.5")), Some(Lang::En));
        assert_eq!(preferred(Some("vi-VN,vi;q=0.9")), Some(Lang::Vi));
        assert_eq!(preferred(Some("de")), None);
        assert_eq!(preferred(None), None);
    }
}
