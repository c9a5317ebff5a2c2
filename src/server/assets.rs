//! The browser's files under the site root. With cargo-leptos' `hash-files`, the JS, WASM and
//! CSS carry a content hash in their names (listed in a hash file next to the server binary), so
//! caches may keep them for a year; cargo-leptos' `--precompress` writes `.br` and `.gz` beside
//! each file, served to browsers that accept them. A build writes them all before the server
//! starts, and hashed names never change while it runs: they are read into memory once, at
//! start-up ([`table`]), and served from there.

mod table;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use axum::Router;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, header};
use axum::response::Response;
use leptos::config::{LeptosOptions, errors::LeptosConfigError, get_configuration};
use tower::ServiceExt;
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeaderLayer;

use table::AssetTable;

const IMMUTABLE: &str = "public, max-age=31536000, immutable";
/// Names that do not change with their content: a cache must ask again each time.
const REVALIDATE: &str = "no-cache";

/// Leptos' options from the environment. cargo-leptos sets `LEPTOS_HASH_FILES` when it runs the
/// server, but not for a binary started on its own (as `scripts/serve` and the end-to-end tests
/// do): then the names are hashed if the build left its hash file next to the binary.
pub fn leptos_options() -> Result<LeptosOptions, LeptosConfigError> {
    let mut options = get_configuration(None)?.leptos_options;
    if std::env::var_os("LEPTOS_HASH_FILES").is_none() {
        options.hash_files = hash_file(&options).is_file();
    }
    Ok(options)
}

#[derive(Debug, thiserror::Error)]
#[error(
    "cannot read the asset hash file {path}: {why} (build with `cargo leptos build --release`)"
)]
pub struct HashFileError {
    path: PathBuf,
    why: String,
}

/// The stylesheet's URL path, with its hash when the build hashes file names.
pub fn stylesheet_href(options: &LeptosOptions) -> Result<String, HashFileError> {
    let name = &options.output_name;
    let pkg = options.site_pkg_dir_route_base();
    if !options.hash_files {
        return Ok(format!("{pkg}{name}.css"));
    }
    let path = hash_file(options);
    let fail = |why: String| HashFileError {
        path: path.clone(),
        why,
    };
    let hashes = std::fs::read_to_string(&path).map_err(|error| fail(error.to_string()))?;
    // Lines of `ext: hash`, as cargo-leptos writes them.
    let hash = hashes
        .lines()
        .filter_map(|line| line.split_once(':'))
        .find(|(ext, _)| ext.trim() == "css")
        .map(|(_, hash)| hash.trim())
        .ok_or_else(|| fail("it has no css line".to_owned()))?;
    Ok(format!("{pkg}{name}.{hash}.css"))
}

/// Where Leptos looks for the hash file: next to the running binary (an absolute
/// `hash_file` is taken as is).
fn hash_file(options: &LeptosOptions) -> PathBuf {
    let exe_dir = std::env::current_exe()
        .ok()
        .and_then(|exe| exe.parent().map(PathBuf::from))
        .unwrap_or_default();
    exe_dir.join(options.hash_file.as_ref())
}

/// Serves the site root: `/pkg/…` cached for a year when its names are hashed, everything else
/// (and any error) revalidated each time; the `.br` or `.gz` beside a file to browsers that
/// accept it.
///
/// With hashed names (a build, which writes every file before the server starts), the files are
/// read into memory here and served from there, each with a strong `ETag`. Without (`cargo leptos
/// watch` with `LEPTOS_HASH_FILES=false`), the build rewrites files under the same names while
/// the server runs, so they are read from disk on each request.
///
/// A path that is no file is handed to `not_found` (the app's page that says so).
pub fn routes<S>(options: &LeptosOptions, not_found: Router) -> Router<S>
where
    S: Clone + Send + Sync + 'static,
{
    if !options.hash_files {
        return from_disk(options, not_found);
    }
    let table = AssetTable::load(
        Path::new(options.site_root.as_ref()),
        &options.site_pkg_dir,
        IMMUTABLE,
        REVALIDATE,
    );
    Router::new()
        .fallback(serve)
        .with_state((Arc::new(table), not_found))
}

async fn serve(
    State((table, not_found)): State<(Arc<AssetTable>, Router)>,
    request: Request,
) -> Response {
    let path = request.uri().path();
    if let Some(answer) = table.respond(request.method(), path, request.headers()) {
        return answer;
    }
    match not_found.oneshot(request).await {
        Ok(response) => response,
        Err(never) => match never {},
    }
}

/// Every file read from disk, none kept by a cache.
fn from_disk<S>(options: &LeptosOptions, not_found: Router) -> Router<S>
where
    S: Clone + Send + Sync + 'static,
{
    let serve_dir = ServeDir::new(options.site_root.as_ref())
        .precompressed_br()
        .precompressed_gzip()
        .not_found_service(not_found);
    Router::new()
        .fallback_service(serve_dir)
        .layer(SetResponseHeaderLayer::overriding(
            header::CACHE_CONTROL,
            HeaderValue::from_static(REVALIDATE),
        ))
        .layer(SetResponseHeaderLayer::appending(
            header::VARY,
            HeaderValue::from_static("accept-encoding"),
        ))
}
