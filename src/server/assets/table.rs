//! Every file of the site root, read once at start-up and answered from memory: its bytes, the
//! `.br` and `.gz` written beside it (if any), its content type and a strong ETag for each.

use std::collections::HashMap;
use std::io;
use std::path::{Path, PathBuf};

use axum::body::{Body, Bytes};
use axum::http::{HeaderMap, HeaderValue, Method, Response, StatusCode, header};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};

/// More than this is not a web page's site but a wrong site root (`.`, `/`): nothing is read.
/// This app's release site is under 1 MB in some 20 files.
const MAX_FILES: usize = 4096;
const MAX_BYTES: u64 = 64_000_000;

/// The site's files by URL path (`/pkg/stamps-connect.<hash>.css`, `/favicon.svg`).
pub struct AssetTable {
    files: HashMap<String, Asset>,
    /// `Cache-Control` of a 404 (and of the files not under the package directory).
    revalidate: HeaderValue,
}

struct Asset {
    content_type: HeaderValue,
    cache_control: HeaderValue,
    identity: Encoded,
    brotli: Option<Encoded>,
    gzip: Option<Encoded>,
}

/// One representation of a file: its bytes as sent, their ETag, and their `Content-Encoding`
/// (none for the file as it is).
struct Encoded {
    bytes: Bytes,
    etag: HeaderValue,
    content_encoding: Option<HeaderValue>,
}

#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Coding {
    // From least to most preferred when a browser accepts several equally.
    Identity,
    Gzip,
    Brotli,
}

impl AssetTable {
    /// Reads every file under `site_root`. Those under `/{pkg_dir}/` get `pkg_cache_control`,
    /// the others `revalidate`. A site root that is missing, cannot be listed, or holds more
    /// than [`MAX_FILES`] files or [`MAX_BYTES`] is an empty table (every path a 404, the
    /// reason logged); a file that cannot be read is logged and left out.
    pub fn load(
        site_root: &Path,
        pkg_dir: &str,
        pkg_cache_control: &'static str,
        revalidate: &'static str,
    ) -> Self {
        let mut listing = Listing::default();
        let listed = list_tree(site_root, "", &mut listing);
        if let Err(error) = &listed {
            let site_root = site_root.display();
            match error.kind() {
                io::ErrorKind::NotFound => tracing::warn!(
                    %site_root,
                    "no site root: every static file is a 404 (build with `cargo leptos build`)"
                ),
                _ => tracing::error!(
                    %site_root,
                    %error,
                    "site root not served: every static file is a 404"
                ),
            }
        }
        let files = if listed.is_ok() {
            listing.files
        } else {
            Vec::new()
        };
        let mut read = HashMap::new();
        for (url_path, path) in files {
            match std::fs::read(&path) {
                Ok(bytes) => {
                    read.insert(url_path, Bytes::from(bytes));
                }
                Err(error) => {
                    tracing::error!(path = %path.display(), %error, "not served: cannot read it");
                }
            }
        }
        let pkg_prefix = format!("/{}/", pkg_dir.trim_matches('/'));
        let variant = |path: &str, extension: &str, coding: &'static str| {
            read.get(&format!("{path}.{extension}"))
                .map(|bytes: &Bytes| Encoded::of(bytes.clone(), Some(coding)))
        };
        let mut files = HashMap::new();
        for (path, bytes) in &read {
            // `x.js.br` beside `x.js` is a variant of it, not a file of its own.
            let is_variant = [".br", ".gz"].iter().any(|extension| {
                path.strip_suffix(extension)
                    .is_some_and(|base| read.contains_key(base))
            });
            if is_variant {
                continue;
            }
            let cache_control = if path.starts_with(&pkg_prefix) {
                pkg_cache_control
            } else {
                revalidate
            };
            let asset = Asset {
                content_type: HeaderValue::from_static(content_type(path)),
                cache_control: HeaderValue::from_static(cache_control),
                identity: Encoded::of(bytes.clone(), None),
                brotli: variant(path, "br", "br"),
                gzip: variant(path, "gz", "gzip"),
            };
            files.insert(path.clone(), asset);
        }
        let total: usize = read.values().map(Bytes::len).sum();
        tracing::info!(
            site_root = %site_root.display(),
            files = files.len(),
            bytes = total,
            "static files loaded into memory"
        );
        Self {
            files,
            revalidate: HeaderValue::from_static(revalidate),
        }
    }

    /// The answer to a request the other routes did not take: the file, or a refusal of a
    /// method other than GET and HEAD; `None` for a path that is no file here.
    pub fn respond(
        &self,
        method: &Method,
        path: &str,
        headers: &HeaderMap,
    ) -> Option<Response<Body>> {
        if method != Method::GET && method != Method::HEAD {
            let mut response = empty(StatusCode::METHOD_NOT_ALLOWED, self.revalidate.clone());
            response
                .headers_mut()
                .insert(header::ALLOW, HeaderValue::from_static("GET, HEAD"));
            return Some(response);
        }
        let asset = self.find(path)?;
        let encoded = asset.negotiate(headers);
        if if_none_match(headers, &encoded.etag) {
            let mut response = empty(StatusCode::NOT_MODIFIED, asset.cache_control.clone());
            response
                .headers_mut()
                .insert(header::ETAG, encoded.etag.clone());
            return Some(response);
        }
        let body = if method == Method::HEAD {
            Body::empty()
        } else {
            Body::from(encoded.bytes.clone())
        };
        let mut response = Response::new(body);
        let out = response.headers_mut();
        out.insert(header::CONTENT_TYPE, asset.content_type.clone());
        out.insert(header::CONTENT_LENGTH, encoded.bytes.len().into());
        out.insert(header::ETAG, encoded.etag.clone());
        out.insert(header::CACHE_CONTROL, asset.cache_control.clone());
        out.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
        if let Some(content_encoding) = &encoded.content_encoding {
            out.insert(header::CONTENT_ENCODING, content_encoding.clone());
        }
        Some(response)
    }

    /// The file at the request's path, percent-decoded. Only paths read from the site root are
    /// in the table, so `..` (plain or encoded) finds nothing.
    fn find(&self, path: &str) -> Option<&Asset> {
        if !path.contains('%') {
            return self.files.get(path);
        }
        self.files.get(&percent_decode(path)?)
    }
}

/// A response without a body (404, 304, 405).
fn empty(status: StatusCode, cache_control: HeaderValue) -> Response<Body> {
    let mut response = Response::new(Body::empty());
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, cache_control);
    headers.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    response
}

impl Asset {
    /// The representation the browser prefers among those there are: by its q-values, brotli
    /// before gzip before the file as it is when they tie (as tower-http's `ServeDir` chooses).
    fn negotiate(&self, headers: &HeaderMap) -> &Encoded {
        let mut best = ((0, Coding::Identity), &self.identity);
        for (coding, quality) in accepted_codings(headers) {
            if let Some(encoded) = self.representation(coding)
                && quality > 0
                && (quality, coding) > best.0
            {
                best = ((quality, coding), encoded);
            }
        }
        best.1
    }

    fn representation(&self, coding: Coding) -> Option<&Encoded> {
        match coding {
            Coding::Brotli => self.brotli.as_ref(),
            Coding::Gzip => self.gzip.as_ref(),
            Coding::Identity => Some(&self.identity),
        }
    }
}

impl Encoded {
    /// A strong ETag: the first 128 bits of the bytes' SHA-256, so each representation has its
    /// own and every instance of the same build gives the same.
    fn of(bytes: Bytes, content_encoding: Option<&'static str>) -> Self {
        let digest = Sha256::digest(&bytes);
        let etag = format!("\"{}\"", URL_SAFE_NO_PAD.encode(&digest[..16]));
        Self {
            bytes,
            etag: HeaderValue::try_from(etag).expect("base64 is a valid header value"),
            content_encoding: content_encoding.map(HeaderValue::from_static),
        }
    }
}

/// The files found under the site root: URL path and file.
#[derive(Default)]
struct Listing {
    files: Vec<(String, PathBuf)>,
    bytes: u64,
}

/// Lists each file under `dir` with its URL path (`prefix` + `/` + its name). An error is `dir`
/// not being listable, or the listing going over [`MAX_FILES`] or [`MAX_BYTES`]; an entry that
/// cannot be listed is logged and left out.
fn list_tree(dir: &Path, prefix: &str, listing: &mut Listing) -> io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let path = entry.path();
        let Some(name) = entry.file_name().to_str().map(str::to_owned) else {
            tracing::warn!(path = %path.display(), "not served: the name is not UTF-8");
            continue;
        };
        let url_path = format!("{prefix}/{name}");
        // A symbolic link is followed to a file, never to a directory (no loops).
        if entry.file_type().is_ok_and(|kind| kind.is_dir()) {
            match list_tree(&path, &url_path, listing) {
                Err(error) if error.kind() != io::ErrorKind::FileTooLarge => {
                    tracing::error!(path = %path.display(), %error, "not served: cannot list it");
                }
                listed => listed?,
            }
            continue;
        }
        match std::fs::metadata(&path) {
            Ok(metadata) if metadata.is_file() => {
                listing.bytes += metadata.len();
                listing.files.push((url_path, path));
            }
            Ok(_) => tracing::warn!(path = %path.display(), "not served: not a file"),
            Err(error) => {
                tracing::error!(path = %path.display(), %error, "not served: cannot read it");
            }
        }
        if listing.files.len() > MAX_FILES || listing.bytes > MAX_BYTES {
            return Err(io::Error::new(
                io::ErrorKind::FileTooLarge,
                format!(
                    "more than {MAX_FILES} files or {} MB: not a site root",
                    MAX_BYTES / 1_000_000
                ),
            ));
        }
    }
    Ok(())
}

/// What `Accept-Encoding` asks for: each coding this table has, with its q-value in thousandths.
/// A coding with a q-value that does not parse is left out.
fn accepted_codings(headers: &HeaderMap) -> impl Iterator<Item = (Coding, u16)> + '_ {
    headers
        .get_all(header::ACCEPT_ENCODING)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .filter_map(|item| {
            let mut parts = item.split(';').map(str::trim);
            let name = parts.next()?;
            let coding = [
                ("br", Coding::Brotli),
                ("gzip", Coding::Gzip),
                ("x-gzip", Coding::Gzip),
                ("identity", Coding::Identity),
            ]
            .into_iter()
            .find(|(known, _)| name.eq_ignore_ascii_case(known))?
            .1;
            let quality = match parts.find_map(|param| {
                param
                    .strip_prefix("q=")
                    .or_else(|| param.strip_prefix("Q="))
            }) {
                Some(q) => quality(q)?,
                None => 1000,
            };
            Some((coding, quality))
        })
}

/// A q-value (`0`, `0.5`, `1.000`) in thousandths.
fn quality(q: &str) -> Option<u16> {
    let value: f32 = q.parse().ok()?;
    (0.0..=1.0)
        .contains(&value)
        .then(|| (value * 1000.0).round() as u16)
}

/// Whether `If-None-Match` lists `etag` (or is `*`): the browser's copy is current.
fn if_none_match(headers: &HeaderMap, etag: &HeaderValue) -> bool {
    let etag = etag.as_bytes();
    headers
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .flat_map(|value| value.as_bytes().split(|&byte| byte == b','))
        .map(<[u8]>::trim_ascii)
        .any(|tag| tag == b"*" || tag.strip_prefix(b"W/").unwrap_or(tag) == etag)
}

/// `%2e` → `.`; `None` for a malformed escape or bytes that are not UTF-8.
fn percent_decode(path: &str) -> Option<String> {
    let hex = |byte: u8| char::from(byte).to_digit(16);
    let mut bytes = path.bytes();
    let mut decoded = Vec::with_capacity(path.len());
    while let Some(byte) = bytes.next() {
        if byte == b'%' {
            let (high, low) = (hex(bytes.next()?)?, hex(bytes.next()?)?);
            decoded.push(u8::try_from(high * 16 + low).ok()?);
        } else {
            decoded.push(byte);
        }
    }
    String::from_utf8(decoded).ok()
}

/// The content types of the files a Leptos site has (as `mime_guess` gives them).
fn content_type(path: &str) -> &'static str {
    let extension = path.rsplit_once('.').map_or("", |(_, extension)| extension);
    match extension.to_ascii_lowercase().as_str() {
        "js" | "mjs" => "text/javascript",
        "wasm" => "application/wasm",
        "css" => "text/css",
        "html" | "htm" => "text/html",
        "svg" => "image/svg+xml",
        "ico" => "image/x-icon",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "avif" => "image/avif",
        "json" | "map" => "application/json",
        "webmanifest" => "application/manifest+json",
        "txt" => "text/plain",
        "xml" => "text/xml",
        "woff" => "font/woff",
        "woff2" => "font/woff2",
        "ttf" => "font/ttf",
        "otf" => "font/otf",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_decoding() {
        assert_eq!(
            percent_decode("/pkg/%2e%2e/x").as_deref(),
            Some("/pkg/../x")
        );
        assert_eq!(percent_decode("/a%20b").as_deref(), Some("/a b"));
        assert_eq!(percent_decode("/a%2"), None);
        assert_eq!(percent_decode("/a%zz"), None);
        assert_eq!(percent_decode("/a%ff"), None, "not UTF-8");
    }

    #[test]
    fn q_values() {
        assert_eq!(quality("1"), Some(1000));
        assert_eq!(quality("0.5"), Some(500));
        assert_eq!(quality("0"), Some(0));
        assert_eq!(quality("2"), None);
        assert_eq!(quality("x"), None);
    }
}
