//! Just enough HTTP/1.1 for the harness: keep-alive connections, form posts, and the status,
//! `Location` and length of each answer. Written out rather than taken from a crate so that the
//! product's build pulls nothing in for it.

use std::io;

use rocket::tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use rocket::tokio::net::TcpStream;

/// What came back.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub location: Option<String>,
    pub body: Vec<u8>,
}

/// One keep-alive connection to the server at `host` (`address:port`).
pub struct Connection {
    host: String,
    stream: Option<BufReader<TcpStream>>,
}

impl Connection {
    pub fn new(host: &str) -> Connection {
        Connection { host: host.to_string(), stream: None }
    }

    pub async fn get(&mut self, path: &str) -> io::Result<Reply> {
        self.send("GET", path, None).await
    }

    pub async fn post(&mut self, path: &str, fields: &[(String, String)]) -> io::Result<Reply> {
        self.send("POST", path, Some(&encode(fields))).await
    }

    async fn send(&mut self, method: &str, path: &str, body: Option<&str>) -> io::Result<Reply> {
        let result = self.exchange(method, path, body).await;
        if result.is_err() {
            // A broken connection is not reused.
            self.stream = None;
        }
        result
    }

    async fn exchange(
        &mut self,
        method: &str,
        path: &str,
        body: Option<&str>,
    ) -> io::Result<Reply> {
        if self.stream.is_none() {
            self.stream = Some(BufReader::new(TcpStream::connect(&self.host).await?));
        }
        let host = self.host.clone();
        let stream = self.stream.as_mut().ok_or_else(|| io::Error::other("no connection"))?;
        let mut request = format!(
            "{method} {path} HTTP/1.1\r\nHost: {host}\r\nOrigin: http://{host}\r\nSec-Fetch-Site: same-origin\r\n"
        );
        if let Some(body) = body {
            request.push_str(&format!(
                "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n{body}",
                body.len()
            ));
        } else {
            request.push_str("\r\n");
        }
        stream.get_mut().write_all(request.as_bytes()).await?;

        let mut line = String::new();
        stream.read_line(&mut line).await?;
        let status = line
            .split_whitespace()
            .nth(1)
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| io::Error::other(format!("not an HTTP answer: {line:?}")))?;
        let (mut length, mut chunked, mut close, mut location) = (0usize, false, false, None);
        loop {
            line.clear();
            if stream.read_line(&mut line).await? == 0 {
                return Err(io::ErrorKind::UnexpectedEof.into());
            }
            let header = line.trim_end();
            if header.is_empty() {
                break;
            }
            let Some((name, value)) = header.split_once(':') else { continue };
            let value = value.trim();
            match name.to_ascii_lowercase().as_str() {
                "content-length" => length = value.parse().unwrap_or(0),
                "transfer-encoding" => chunked = value.eq_ignore_ascii_case("chunked"),
                "connection" => close = value.eq_ignore_ascii_case("close"),
                "location" => location = Some(value.to_string()),
                _ => {}
            }
        }
        let body =
            if chunked { read_chunked(stream).await? } else { read_exact(stream, length).await? };
        if close {
            self.stream = None;
        }
        Ok(Reply { status, location, body })
    }
}

async fn read_exact(stream: &mut BufReader<TcpStream>, length: usize) -> io::Result<Vec<u8>> {
    let mut body = vec![0; length];
    stream.read_exact(&mut body).await?;
    Ok(body)
}

async fn read_chunked(stream: &mut BufReader<TcpStream>) -> io::Result<Vec<u8>> {
    let mut body = Vec::new();
    let mut line = String::new();
    loop {
        line.clear();
        stream.read_line(&mut line).await?;
        let size = usize::from_str_radix(line.trim().split(';').next().unwrap_or(""), 16)
            .map_err(|_| io::Error::other(format!("bad chunk size {line:?}")))?;
        let mut chunk = read_exact(stream, size + 2).await?;
        chunk.truncate(size);
        body.extend_from_slice(&chunk);
        if size == 0 {
            return Ok(body);
        }
    }
}

/// `application/x-www-form-urlencoded`.
pub fn encode(fields: &[(String, String)]) -> String {
    let escape = |s: &str| {
        s.bytes()
            .map(|b| {
                if b.is_ascii_alphanumeric() || b"-_.".contains(&b) {
                    (b as char).to_string()
                } else {
                    format!("%{b:02X}")
                }
            })
            .collect::<String>()
    };
    fields.iter().map(|(k, v)| format!("{}={}", escape(k), escape(v))).collect::<Vec<_>>().join("&")
}
