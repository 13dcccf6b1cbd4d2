//! The dashboard's built files (`web/dist`) served from inside the binary.
//!
//! A release build embeds them at compile time, so the one binary is the
//! whole product; a debug build reads them from `web/dist` on disk at each
//! request (rust-embed's own behaviour), so `npm run build` shows without a
//! recompile. If `web/dist` did not exist when the binary was built there is
//! nothing to serve and [`available`] says so.

use axum::body::Body;
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};

use crate::ApiError;

#[derive(rust_embed::RustEmbed)]
#[folder = "../../web/dist/"]
#[allow_missing = true]
struct Dist;

/// Whether there is a dashboard to serve.
pub fn available() -> bool {
    Dist::get("index.html").is_some()
}

/// One file, or `index.html` for any path that is not a file (the
/// dashboard's routes live after `#`, but a bookmarked path still lands).
pub async fn serve(uri: Uri, headers: HeaderMap) -> Response {
    let path = uri.path().trim_start_matches('/');
    let (name, file) = match Dist::get(path) {
        Some(file) if !path.is_empty() => (path, file),
        // A missing asset (it has an extension) is a 404, not the page:
        // a script tag that gets HTML back fails in a confusing way.
        _ if path
            .rsplit('/')
            .next()
            .is_some_and(|last| last.contains('.')) =>
        {
            return ApiError::NotFound(format!("no such file: /{path}")).into_response();
        }
        _ => match Dist::get("index.html") {
            Some(file) => ("index.html", file),
            None => return ApiError::NotFound("no dashboard in this build".into()).into_response(),
        },
    };
    let etag = format!("\"{}\"", hex(&file.metadata.sha256_hash()));
    if headers
        .get(header::IF_NONE_MATCH)
        .is_some_and(|v| v.as_bytes() == etag.as_bytes())
    {
        return StatusCode::NOT_MODIFIED.into_response();
    }
    let mut resp = Response::new(Body::from(file.data.into_owned()));
    let h = resp.headers_mut();
    if let Ok(v) = HeaderValue::from_str(file.metadata.mimetype()) {
        h.insert(header::CONTENT_TYPE, v);
    }
    if let Ok(v) = HeaderValue::from_str(&etag) {
        h.insert(header::ETAG, v);
    }
    // Code-split chunks carry their content hash in the name: cache them
    // for good. Everything else is revalidated (cheap with the ETag).
    let cache = if name.starts_with("chunks/") {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    };
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    resp
}

fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes.iter().fold(String::with_capacity(64), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}
