//! A URL-encoded form body as ordered (name, value) pairs, decoded strictly: invalid UTF-8 or
//! a body over the `form` limit is refused with a 4xx before any handler runs.

use rocket::data::{self, Data, FromData, ToByteUnit};
use rocket::http::{ContentType, RawStr, Status};
use rocket::request::Request;

/// Most fields a form of ours can have (the largest page has fewer than 100 questions).
const MAX_FIELDS: usize = 1_000;

/// The decoded fields of a form, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormFields(pub Vec<(String, String)>);

impl FormFields {
    /// The first value of field `name`; empty when the form lacks it.
    pub fn get(&self, name: &str) -> &str {
        self.0.iter().find(|(n, _)| n == name).map_or("", |(_, v)| v.as_str())
    }
}

/// Why a form body was refused.
#[derive(Debug)]
pub enum FormError {
    NotAForm,
    TooLarge,
    NotUtf8,
    Io(std::io::Error),
}

#[rocket::async_trait]
impl<'r> FromData<'r> for FormFields {
    type Error = FormError;

    async fn from_data(request: &'r Request<'_>, data: Data<'r>) -> data::Outcome<'r, Self> {
        if request.content_type() != Some(&ContentType::Form) {
            return data::Outcome::Error((Status::UnsupportedMediaType, FormError::NotAForm));
        }
        let limit = request.limits().get("form").unwrap_or_else(|| 64.kibibytes());
        let body = match data.open(limit).into_bytes().await {
            Ok(body) if body.is_complete() => body.into_inner(),
            Ok(_) => return data::Outcome::Error((Status::PayloadTooLarge, FormError::TooLarge)),
            Err(e) => return data::Outcome::Error((Status::BadRequest, FormError::Io(e))),
        };
        match decode(&body) {
            Some(fields) => data::Outcome::Success(FormFields(fields)),
            None => data::Outcome::Error((Status::BadRequest, FormError::NotUtf8)),
        }
    }
}

/// Decodes `application/x-www-form-urlencoded`; `None` if anything is not UTF-8 or there are
/// absurdly many fields.
pub fn decode(body: &[u8]) -> Option<Vec<(String, String)>> {
    let body = std::str::from_utf8(body).ok()?;
    let mut fields = Vec::new();
    for pair in body.split('&').filter(|p| !p.is_empty()) {
        let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
        let name = RawStr::new(name).url_decode().ok()?;
        let value = RawStr::new(value).url_decode().ok()?;
        fields.push((name.into_owned(), value.into_owned()));
        if fields.len() > MAX_FIELDS {
            return None;
        }
    }
    Some(fields)
}

#[cfg(test)]
mod tests {
    use super::decode;

    #[test]
    fn decodes_in_order_with_plus_and_percent() {
        let fields = decode(b"a=1&b=H%C3%A0+N%E1%BB%99i&a=2&empty=&flag").unwrap();
        let pairs: Vec<(&str, &str)> =
            fields.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect();
        assert_eq!(pairs, [("a", "1"), ("b", "Hà Nội"), ("a", "2"), ("empty", ""), ("flag", "")]);
    }

    #[test]
    fn refuses_invalid_utf8_raw_or_percent_encoded() {
        assert_eq!(decode(b"a=%FF%FE"), None);
        assert_eq!(decode(b"a=\xff"), None);
        assert_eq!(decode(b"%C3=1"), None);
    }
}
