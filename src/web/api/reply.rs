//! An API answer: a strong `ETag` over the body (`If-None-Match` gives 304 without it), gzip when
//! the client accepts it (`Accept-Encoding: gzip`), `Vary: Accept-Encoding`, and no caching
//! without revalidation. Rocket compresses nothing itself; this is done with `flate2`, off the
//! async threads (the constructors block: call them inside [`crate::web::blocking`]).

use std::io::{Read, Seek, Write};

use flate2::Compression;
use flate2::write::GzEncoder;
use rocket::http::{ContentType, Header, Status};
use rocket::request::{FromRequest, Outcome, Request};
use rocket::response::{self, Responder, Response};
use sha2::{Digest, Sha256};

/// What the client said about the answers it accepts and the one it has.
#[derive(Debug, Clone, Default)]
pub struct Conditions {
    /// `Accept-Encoding` allows gzip.
    pub gzip: bool,
    /// The entity tags of `If-None-Match`, as sent.
    pub if_none_match: Vec<String>,
}

impl Conditions {
    /// Whether the client's copy, tagged `etag` (its bare hex), is current.
    fn current(&self, etag: &str) -> bool {
        self.if_none_match.iter().flat_map(|h| h.split(',')).any(|tag| {
            let tag = tag.trim();
            let tag = tag.strip_prefix("W/").unwrap_or(tag).trim_matches('"');
            tag == "*" || tag.strip_suffix(GZIP_SUFFIX).unwrap_or(tag) == etag
        })
    }
}

/// Whether an `Accept-Encoding` value accepts gzip (named, or `*`, without `q=0`).
fn accepts_gzip(values: &[&str]) -> bool {
    values.iter().flat_map(|v| v.split(',')).any(|coding| {
        let mut parts = coding.split(';');
        let name = parts.next().unwrap_or_default().trim();
        let refused = parts.any(|p| {
            p.trim()
                .strip_prefix("q=")
                .is_some_and(|q| q.trim().parse::<f32>().is_ok_and(|q| q <= 0.0))
        });
        (name.eq_ignore_ascii_case("gzip") || name == "*") && !refused
    })
}

#[rocket::async_trait]
impl<'r> FromRequest<'r> for Conditions {
    type Error = std::convert::Infallible;

    async fn from_request(request: &'r Request<'_>) -> Outcome<Self, Self::Error> {
        let headers = request.headers();
        let encodings: Vec<&str> = headers.get("Accept-Encoding").collect();
        Outcome::Success(Conditions {
            gzip: accepts_gzip(&encodings),
            if_none_match: headers.get("If-None-Match").map(str::to_string).collect(),
        })
    }
}

/// The tag of a gzip body is the tag of its content with this suffix: a different
/// representation, the same content.
const GZIP_SUFFIX: &str = "-gzip";

/// The body of an answer.
enum Body {
    /// 304: the client's copy is current.
    None,
    Bytes(Vec<u8>),
    /// A file, or a pipe a compressing thread writes into.
    Stream(rocket::tokio::fs::File),
}

/// An answer ready to send.
pub struct Reply {
    content_type: ContentType,
    /// Bare hex of the content's hash.
    etag: String,
    gzip: bool,
    body: Body,
    /// The name to save it under, for files.
    file_name: Option<String>,
    /// When the figures were computed: `Last-Modified`.
    computed_at: Option<time::OffsetDateTime>,
}

/// The hex of the first 128 bits of a SHA-256.
fn tag(hasher: Sha256) -> String {
    hasher.finalize()[..16].iter().map(|b| format!("{b:02x}")).collect()
}

impl Reply {
    /// An answer of `body` (blocks: it hashes and may compress).
    pub fn bytes(body: Vec<u8>, content_type: ContentType, conditions: &Conditions) -> Reply {
        let etag = tag(Sha256::new_with_prefix(&body));
        Reply::tagged(body, etag, content_type, conditions)
    }

    /// A JSON answer computed at `computed_at`, which it carries as `"computed_at"`: its tag
    /// is over the rest, so that figures computed afresh but unchanged keep their tag.
    pub fn live_json(
        mut body: serde_json::Map<String, serde_json::Value>,
        computed_at: time::OffsetDateTime,
        conditions: &Conditions,
    ) -> Reply {
        let etag = tag(Sha256::new_with_prefix(serde_json::to_vec(&body).unwrap_or_default()));
        body.insert("computed_at".into(), super::moment(computed_at).into());
        let bytes = serde_json::to_vec(&body).unwrap_or_default();
        Reply::tagged(bytes, etag, ContentType::JSON, conditions).computed(computed_at)
    }

    /// An answer of `body` whose entity tag is `etag`: no body when the client's copy is
    /// current, compressed when the client takes gzip.
    fn tagged(
        body: Vec<u8>,
        etag: String,
        content_type: ContentType,
        conditions: &Conditions,
    ) -> Reply {
        let gzip = conditions.gzip;
        let body = if conditions.current(&etag) {
            Body::None
        } else if gzip {
            Body::Bytes(gzipped(&body))
        } else {
            Body::Bytes(body)
        };
        Reply { content_type, etag, gzip, body, file_name: None, computed_at: None }
    }

    /// Says when the figures were computed (`Last-Modified`).
    pub fn computed(mut self, at: time::OffsetDateTime) -> Reply {
        self.computed_at = Some(at);
        self
    }

    /// An answer of an open file, streamed, saved under `name` (blocks: it reads the file once
    /// to hash it; a gzip body is compressed by a thread as it is sent).
    pub fn file(
        mut file: std::fs::File,
        content_type: ContentType,
        name: String,
        conditions: &Conditions,
    ) -> std::io::Result<Reply> {
        let mut hasher = Sha256::new();
        let mut buffer = vec![0u8; 64 * 1024];
        loop {
            match file.read(&mut buffer)? {
                0 => break,
                n => hasher.update(&buffer[..n]),
            }
        }
        file.rewind()?;
        let etag = tag(hasher);
        let gzip = conditions.gzip;
        let body = if conditions.current(&etag) {
            Body::None
        } else if gzip {
            Body::Stream(gzip_stream(file)?)
        } else {
            Body::Stream(rocket::tokio::fs::File::from_std(file))
        };
        Ok(Reply { content_type, etag, gzip, body, file_name: Some(name), computed_at: None })
    }

    /// The answer as a file saved under `name`.
    pub fn named(mut self, name: String) -> Reply {
        self.file_name = Some(name);
        self
    }

    /// The entity tag as sent.
    fn etag_header(&self) -> String {
        let suffix = if self.gzip { GZIP_SUFFIX } else { "" };
        format!("\"{}{suffix}\"", self.etag)
    }
}

/// `at` as an HTTP date (RFC 9110's IMF-fixdate): `Thu, 03 Dec 2026 20:25:42 GMT`.
fn http_date(at: time::OffsetDateTime) -> String {
    let at = at.to_offset(time::UtcOffset::UTC);
    let (weekday, month) = (at.weekday().to_string(), at.month().to_string());
    format!(
        "{}, {:02} {} {} {:02}:{:02}:{:02} GMT",
        &weekday[..3],
        at.day(),
        &month[..3],
        at.year(),
        at.hour(),
        at.minute(),
        at.second()
    )
}

fn gzipped(body: &[u8]) -> Vec<u8> {
    let mut encoder = GzEncoder::new(Vec::with_capacity(body.len() / 4), Compression::default());
    // Writing to a Vec cannot fail.
    let _ = encoder.write_all(body);
    encoder.finish().unwrap_or_default()
}

/// `file`, gzipped by a thread into a pipe whose reading end is returned: the file is never
/// held in memory, compressed or not. A client that goes away closes the pipe, and the thread
/// stops at its next write.
fn gzip_stream(mut file: std::fs::File) -> std::io::Result<rocket::tokio::fs::File> {
    let (reader, writer) = std::io::pipe()?;
    std::thread::Builder::new().name("gzip".into()).spawn(move || {
        let mut encoder = GzEncoder::new(writer, Compression::default());
        let mut buffer = vec![0u8; 64 * 1024];
        loop {
            match file.read(&mut buffer) {
                Ok(0) => break,
                Ok(n) => {
                    if encoder.write_all(&buffer[..n]).is_err() {
                        return;
                    }
                }
                Err(e) => {
                    tracing::error!("reading a file to compress failed: {e}");
                    return;
                }
            }
        }
        let _ = encoder.finish();
    })?;
    let reader = std::fs::File::from(std::os::fd::OwnedFd::from(reader));
    Ok(rocket::tokio::fs::File::from_std(reader))
}

impl<'r> Responder<'r, 'static> for Reply {
    fn respond_to(self, _: &'r Request<'_>) -> response::Result<'static> {
        let mut response = Response::build();
        response
            .header(Header::new("ETag", self.etag_header()))
            .header(Header::new("Vary", "Accept-Encoding"))
            .header(Header::new("Cache-Control", "private, no-cache"));
        if let Some(at) = self.computed_at {
            response.header(Header::new("Last-Modified", http_date(at)));
        }
        match self.body {
            Body::None => {
                response.status(Status::NotModified);
                return response.ok();
            }
            Body::Bytes(bytes) => {
                response.sized_body(bytes.len(), std::io::Cursor::new(bytes));
            }
            Body::Stream(file) => {
                response.streamed_body(file);
            }
        }
        response.header(self.content_type);
        if self.gzip {
            response.header(Header::new("Content-Encoding", "gzip"));
        }
        if let Some(name) = self.file_name {
            let disposition = format!("attachment; filename=\"{name}\"");
            response.header(Header::new("Content-Disposition", disposition));
        }
        response.ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_http_dates() {
        let at = time::OffsetDateTime::from_unix_timestamp(1_796_329_542).unwrap();
        assert_eq!(http_date(at), "Thu, 03 Dec 2026 20:25:42 GMT");
    }

    #[test]
    fn gzip_is_accepted_unless_refused() {
        assert!(accepts_gzip(&["gzip"]));
        assert!(accepts_gzip(&["deflate, gzip;q=0.5"]));
        assert!(accepts_gzip(&["br", "*"]));
        assert!(!accepts_gzip(&["gzip;q=0"]));
        assert!(!accepts_gzip(&["deflate, br"]));
        assert!(!accepts_gzip(&[]));
    }

    #[test]
    fn a_copy_is_current_by_its_tag_with_or_without_gzip() {
        let conditions = |tags: &[&str]| Conditions {
            gzip: false,
            if_none_match: tags.iter().map(|t| (*t).to_string()).collect(),
        };
        assert!(conditions(&["\"abc\""]).current("abc"));
        assert!(conditions(&["\"x\", \"abc-gzip\""]).current("abc"));
        assert!(conditions(&["W/\"abc\""]).current("abc"));
        assert!(conditions(&["*"]).current("abc"));
        assert!(!conditions(&["\"abd\""]).current("abc"));
        assert!(!conditions(&[]).current("abc"));
    }

    #[test]
    fn a_body_is_gzipped_or_withheld_when_current() {
        let body = b"{\"figures\":[]}".repeat(100);
        let plain = Reply::bytes(body.clone(), ContentType::JSON, &Conditions::default());
        let Body::Bytes(sent) = &plain.body else { panic!("a body") };
        assert_eq!(sent, &body);
        let zipped = Conditions { gzip: true, ..Conditions::default() };
        let gz = Reply::bytes(body.clone(), ContentType::JSON, &zipped);
        let Body::Bytes(sent) = &gz.body else { panic!("a body") };
        let mut back = Vec::new();
        flate2::read::GzDecoder::new(&sent[..]).read_to_end(&mut back).unwrap();
        assert_eq!(back, body);
        assert_eq!(gz.etag, plain.etag);
        assert_ne!(gz.etag_header(), plain.etag_header());
        let again = Conditions { gzip: true, if_none_match: vec![plain.etag_header()] };
        assert!(matches!(Reply::bytes(body, ContentType::JSON, &again).body, Body::None));
    }
}
