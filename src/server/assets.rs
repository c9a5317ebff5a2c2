//! The browser's files under the site root. With cargo-leptos' `hash-files`, the JS, WASM and
//! CSS carry a content hash in their names (listed in a hash file next to the server binary), so
//! caches may keep them for a year; cargo-leptos' `--precompress` writes `.br` and `.gz` beside
//! each file, served to browsers that accept them.

use std::path::PathBuf;

use axum::Router;
use axum::http::{HeaderValue, Response, StatusCode, header};
use leptos::config::{LeptosOptions, errors::LeptosConfigError, get_configuration};
use tower::ServiceBuilder;
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeaderLayer;

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

/// Serves the site root: `/pkg/…` for a year when its names are hashed, everything else (and
/// any error) revalidated each time; `.br`/`.gz` variants to browsers that accept them.
pub fn routes<S>(options: &LeptosOptions) -> Router<S>
where
    S: Clone + Send + Sync + 'static,
{
    let site_root = PathBuf::from(options.site_root.as_ref());
    let pkg_cache = if options.hash_files {
        IMMUTABLE
    } else {
        REVALIDATE
    };
    let pkg_dir = options.site_pkg_dir.trim_matches('/');
    let pkg = ServiceBuilder::new()
        .layer(cache_control(pkg_cache))
        .service(precompressed(site_root.join(pkg_dir)));
    Router::new()
        .nest_service(&format!("/{pkg_dir}"), pkg)
        .fallback_service(precompressed(site_root))
        .layer(cache_control(REVALIDATE))
        .layer(SetResponseHeaderLayer::appending(
            header::VARY,
            HeaderValue::from_static("accept-encoding"),
        ))
}

fn precompressed(dir: PathBuf) -> ServeDir {
    ServeDir::new(dir).precompressed_br().precompressed_gzip()
}

/// `value` for the file (or its 304); an error, a 404 above all, is never kept.
fn cache_control<B>(
    value: &'static str,
) -> SetResponseHeaderLayer<impl Fn(&Response<B>) -> Option<HeaderValue> + Clone> {
    SetResponseHeaderLayer::if_not_present(header::CACHE_CONTROL, move |response: &Response<B>| {
        let status = response.status();
        let value = if status.is_success() || status == StatusCode::NOT_MODIFIED {
            value
        } else {
            REVALIDATE
        };
        Some(HeaderValue::from_static(value))
    })
}
