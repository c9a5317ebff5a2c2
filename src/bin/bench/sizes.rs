//! What the browser downloads for the flow's first page: the HTML and every file it references,
//! raw and compressed as served (the `.gz`/`.br` files the build wrote, or the same compression
//! applied here to what has none).

use std::io::Write;
use std::path::Path;

#[derive(Clone)]
pub struct Asset {
    pub name: String,
    pub raw: usize,
    pub gzip: usize,
    pub brotli: usize,
}

impl Asset {
    pub fn is_code(&self) -> bool {
        self.name.ends_with(".js") || self.name.ends_with(".wasm")
    }
}

/// The page itself, then each local file it links, preloads or loads (`"/…"` attribute values).
pub fn of_page(html: &str, site_root: &Path) -> Vec<Asset> {
    let mut assets = vec![Asset::of(
        "the page (HTML)".to_owned(),
        html.as_bytes(),
        None,
    )];
    let mut seen = Vec::new();
    for path in html
        .split("\"/")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
    {
        let file = site_root.join(path);
        if seen.contains(&path) || !file.is_file() {
            continue;
        }
        seen.push(path);
        let bytes = std::fs::read(&file).expect("a file the page links is readable");
        assets.push(Asset::of(format!("/{path}"), &bytes, Some(&file)));
    }
    assets
}

impl Asset {
    fn of(name: String, bytes: &[u8], file: Option<&Path>) -> Self {
        let shipped = |extension: &str| {
            let path =
                file?.with_extension(format!("{}.{extension}", file?.extension()?.to_str()?));
            std::fs::metadata(path).ok().map(|meta| meta.len() as usize)
        };
        Self {
            raw: bytes.len(),
            gzip: shipped("gz").unwrap_or_else(|| gzip(bytes)),
            brotli: shipped("br").unwrap_or_else(|| brotli(bytes)),
            name,
        }
    }
}

fn gzip(bytes: &[u8]) -> usize {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    encoder.write_all(bytes).expect("writing to memory");
    encoder.finish().expect("writing to memory").len()
}

/// Quality 11, window 22: what the build's precompression uses.
fn brotli(bytes: &[u8]) -> usize {
    let mut out = Vec::new();
    let params = brotli::enc::BrotliEncoderParams::default();
    brotli::BrotliCompress(&mut &bytes[..], &mut out, &params).expect("writing to memory");
    out.len()
}
