//! Pure part of the upload: what to send, with which headers, what to delete,
//! and which CloudFront paths to invalidate. No I/O here.

use std::collections::{BTreeMap, BTreeSet};

/// Object metadata key holding the hex sha256 of the content (`x-amz-meta-sha256`).
pub const SHA256_METADATA: &str = "sha256";

pub const CACHE_IMMUTABLE: &str = "public, max-age=31536000, immutable";
pub const CACHE_REVALIDATE: &str = "public, max-age=300, must-revalidate";

/// A file of the built site. `key` uses `/` separators and no leading `/`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalFile {
    pub key: String,
    pub size: u64,
    pub sha256: String,
}

/// An object in the bucket. The header fields come from a HEAD request and
/// are `None` when it was not made (or the object lacks them).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RemoteObject {
    pub size: u64,
    pub sha256: Option<String>,
    pub content_type: Option<String>,
    pub cache_control: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reason {
    New,
    Changed,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Upload {
    pub key: String,
    pub reason: Reason,
    pub size: u64,
    pub sha256: String,
    pub content_type: &'static str,
    pub cache_control: &'static str,
}

#[derive(Debug, Default, PartialEq, Eq)]
pub struct Plan {
    /// Assets first, HTML last: a new page never points at an asset not yet uploaded.
    pub uploads: Vec<Upload>,
    /// Deleted after the uploads, for the same reason.
    pub deletes: Vec<String>,
    pub unchanged: usize,
}

impl Plan {
    pub fn is_empty(&self) -> bool {
        self.uploads.is_empty() && self.deletes.is_empty()
    }

    /// Paths to invalidate in CloudFront for everything this plan changes.
    pub fn invalidation_paths(&self) -> Vec<String> {
        let changed = self.uploads.iter().map(|u| u.key.as_str());
        invalidation_paths(changed.chain(self.deletes.iter().map(String::as_str)))
    }
}

/// Whether a remote object must be looked at with HEAD before planning: only
/// when it could be unchanged (same size as the local file).
pub fn needs_head(local: &LocalFile, remote_size: u64) -> bool {
    local.size == remote_size
}

/// Decides, for every local file and remote object, whether to upload, delete
/// or leave it. A file is re-uploaded when its content hash or the headers it
/// should have (Content-Type, Cache-Control) differ from the object's.
pub fn compute_plan(local: &[LocalFile], remote: &BTreeMap<String, RemoteObject>) -> Plan {
    let mut plan = Plan::default();
    let mut local_keys = BTreeSet::new();
    for file in local {
        local_keys.insert(file.key.as_str());
        let content_type = content_type(&file.key);
        let cache_control = cache_control(&file.key);
        let reason = match remote.get(&file.key) {
            None => Some(Reason::New),
            Some(object) => {
                let same = object.size == file.size
                    && object.sha256.as_deref() == Some(file.sha256.as_str())
                    && object.content_type.as_deref() == Some(content_type)
                    && object.cache_control.as_deref() == Some(cache_control);
                (!same).then_some(Reason::Changed)
            }
        };
        match reason {
            None => plan.unchanged += 1,
            Some(reason) => plan.uploads.push(Upload {
                key: file.key.clone(),
                reason,
                size: file.size,
                sha256: file.sha256.clone(),
                content_type,
                cache_control,
            }),
        }
    }
    plan.uploads
        .sort_by(|a, b| (is_html(&a.key), &a.key).cmp(&(is_html(&b.key), &b.key)));
    plan.deletes = remote
        .keys()
        .filter(|key| !local_keys.contains(key.as_str()))
        .cloned()
        .collect();
    plan
}

fn extension(key: &str) -> Option<String> {
    let name = key.rsplit('/').next().unwrap_or(key);
    let (stem, ext) = name.rsplit_once('.')?;
    (!stem.is_empty()).then(|| ext.to_ascii_lowercase())
}

fn is_html(key: &str) -> bool {
    matches!(extension(key).as_deref(), Some("html" | "htm"))
}

/// Content-Type by file extension (case-insensitive); text types carry charset=utf-8.
pub fn content_type(key: &str) -> &'static str {
    match extension(key).as_deref() {
        Some("html" | "htm") => "text/html; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("js" | "mjs") => "text/javascript; charset=utf-8",
        Some("json" | "map") => "application/json",
        Some("webmanifest") => "application/manifest+json",
        Some("xml") => "application/xml",
        Some("rss") => "application/rss+xml",
        Some("atom") => "application/atom+xml",
        Some("txt") => "text/plain; charset=utf-8",
        Some("csv") => "text/csv; charset=utf-8",
        Some("md") => "text/markdown; charset=utf-8",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        Some("jpg" | "jpeg") => "image/jpeg",
        Some("gif") => "image/gif",
        Some("webp") => "image/webp",
        Some("avif") => "image/avif",
        Some("ico") => "image/x-icon",
        Some("woff") => "font/woff",
        Some("woff2") => "font/woff2",
        Some("ttf") => "font/ttf",
        Some("otf") => "font/otf",
        Some("pdf") => "application/pdf",
        Some("wasm") => "application/wasm",
        Some("mp4") => "video/mp4",
        Some("webm") => "video/webm",
        _ => "application/octet-stream",
    }
}

/// A fingerprinted asset has `.` + at least 8 hex digits right before its
/// extension, e.g. `estilo.3fa9c2d1.css`: its content never changes under that name.
pub fn is_fingerprinted(key: &str) -> bool {
    let name = key.rsplit('/').next().unwrap_or(key);
    let Some((stem, _ext)) = name.rsplit_once('.') else {
        return false;
    };
    match stem.rsplit_once('.') {
        Some((_, hash)) => hash.len() >= 8 && hash.bytes().all(|b| b.is_ascii_hexdigit()),
        None => false,
    }
}

/// Long-lived and immutable for fingerprinted assets; short and revalidated for
/// HTML (never immutable, whatever its name) and everything else.
pub fn cache_control(key: &str) -> &'static str {
    if !is_html(key) && is_fingerprinted(key) {
        CACHE_IMMUTABLE
    } else {
        CACHE_REVALIDATE
    }
}

/// CloudFront invalidation paths for changed keys: `/key`, plus the folder URL
/// (`/dir/`, or `/` at the root) for every `index.html`. Sorted, no duplicates,
/// percent-encoded outside unreserved characters and `/` (so `*` is no wildcard).
pub fn invalidation_paths<'a>(keys: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    let mut paths = BTreeSet::new();
    for key in keys {
        paths.insert(format!("/{}", percent_encode(key)));
        if key == "index.html" {
            paths.insert("/".to_owned());
        } else if let Some(dir) = key.strip_suffix("/index.html") {
            paths.insert(format!("/{}/", percent_encode(dir)));
        }
    }
    paths.into_iter().collect()
}

fn percent_encode(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for byte in path.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~/".contains(&byte) {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn local(key: &str, sha: &str, size: u64) -> LocalFile {
        LocalFile {
            key: key.into(),
            size,
            sha256: sha.into(),
        }
    }

    fn remote_for(file: &LocalFile) -> RemoteObject {
        RemoteObject {
            size: file.size,
            sha256: Some(file.sha256.clone()),
            content_type: Some(content_type(&file.key).into()),
            cache_control: Some(cache_control(&file.key).into()),
        }
    }

    #[test]
    fn content_types_by_extension() {
        assert_eq!(content_type("index.html"), "text/html; charset=utf-8");
        assert_eq!(content_type("guia/PAGINA.HTM"), "text/html; charset=utf-8");
        assert_eq!(
            content_type("css/estilo.3fa9c2d1.css"),
            "text/css; charset=utf-8"
        );
        assert_eq!(content_type("js/app.js"), "text/javascript; charset=utf-8");
        assert_eq!(content_type("img/logo.SVG"), "image/svg+xml");
        assert_eq!(content_type("img/foto.jpeg"), "image/jpeg");
        assert_eq!(content_type("fonts/a.woff2"), "font/woff2");
        assert_eq!(content_type("sitemap.xml"), "application/xml");
        assert_eq!(content_type("robots.txt"), "text/plain; charset=utf-8");
        assert_eq!(content_type("favicon.ico"), "image/x-icon");
        assert_eq!(content_type("search.json"), "application/json");
        assert_eq!(content_type("LICENSE"), "application/octet-stream");
        assert_eq!(content_type(".htaccess"), "application/octet-stream");
        assert_eq!(content_type("dir.v2/README"), "application/octet-stream");
    }

    #[test]
    fn fingerprint_detection() {
        assert!(is_fingerprinted("estilo.3fa9c2d1.css"));
        assert!(is_fingerprinted("assets/app.3FA9C2D1aa.js"));
        assert!(is_fingerprinted("img/logo.0123456789abcdef.png"));
        assert!(
            !is_fingerprinted("estilo.3fa9c2d.css"),
            "7 hex digits are not enough"
        );
        assert!(!is_fingerprinted("estilo.3fa9c2dz.css"), "not hex");
        assert!(!is_fingerprinted("estilo.css"));
        assert!(!is_fingerprinted("3fa9c2d1.css"), "hash must follow a dot");
        assert!(
            !is_fingerprinted("app.3fa9c2d1.min.js"),
            "hash must sit right before the extension"
        );
        assert!(
            !is_fingerprinted("v.3fa9c2d1/estilo.css"),
            "folders do not count"
        );
    }

    #[test]
    fn cache_control_rules() {
        assert_eq!(cache_control("css/estilo.3fa9c2d1.css"), CACHE_IMMUTABLE);
        assert_eq!(cache_control("img/logo.0123abcd.svg"), CACHE_IMMUTABLE);
        assert_eq!(cache_control("css/estilo.css"), CACHE_REVALIDATE);
        assert_eq!(cache_control("index.html"), CACHE_REVALIDATE);
        assert_eq!(
            cache_control("pagina.3fa9c2d1.html"),
            CACHE_REVALIDATE,
            "HTML is never immutable"
        );
        assert_eq!(cache_control("robots.txt"), CACHE_REVALIDATE);
    }

    #[test]
    fn plan_uploads_new_and_changed_and_deletes_missing() {
        let same = local("css/estilo.3fa9c2d1.css", "aa", 10);
        let changed = local("guia/index.html", "bb", 20);
        let new = local("index.html", "cc", 30);
        let new_asset = local("img/logo.png", "dd", 40);
        let mut remote = BTreeMap::new();
        remote.insert(same.key.clone(), remote_for(&same));
        remote.insert(
            changed.key.clone(),
            RemoteObject {
                sha256: Some("old".into()),
                ..remote_for(&changed)
            },
        );
        remote.insert(
            "viejo.html".to_owned(),
            RemoteObject {
                size: 5,
                ..Default::default()
            },
        );

        let plan = compute_plan(&[same, changed, new, new_asset], &remote);

        let uploads: Vec<_> = plan
            .uploads
            .iter()
            .map(|u| (u.key.as_str(), u.reason))
            .collect();
        assert_eq!(
            uploads,
            [
                ("img/logo.png", Reason::New),
                ("guia/index.html", Reason::Changed),
                ("index.html", Reason::New)
            ],
            "assets first, then HTML"
        );
        assert_eq!(plan.deletes, ["viejo.html"]);
        assert_eq!(plan.unchanged, 1);
        assert_eq!(plan.uploads[0].content_type, "image/png");
        assert_eq!(plan.uploads[0].cache_control, CACHE_REVALIDATE);
    }

    #[test]
    fn plan_is_empty_when_everything_matches() {
        let files = [local("index.html", "aa", 1), local("a/b.css", "bb", 2)];
        let remote = files
            .iter()
            .map(|f| (f.key.clone(), remote_for(f)))
            .collect();
        let plan = compute_plan(&files, &remote);
        assert!(plan.is_empty());
        assert_eq!(plan.unchanged, 2);
        assert!(plan.invalidation_paths().is_empty());
    }

    #[test]
    fn plan_reuploads_when_headers_or_size_differ() {
        let file = local("index.html", "aa", 1);
        let cases = [
            RemoteObject {
                cache_control: Some(CACHE_IMMUTABLE.into()),
                ..remote_for(&file)
            },
            RemoteObject {
                content_type: Some("text/plain".into()),
                ..remote_for(&file)
            },
            RemoteObject {
                sha256: None,
                ..remote_for(&file)
            },
            RemoteObject {
                size: 2,
                ..remote_for(&file)
            },
        ];
        for object in cases {
            let remote = BTreeMap::from([(file.key.clone(), object.clone())]);
            let plan = compute_plan(std::slice::from_ref(&file), &remote);
            assert_eq!(plan.uploads.len(), 1, "{object:?}");
            assert_eq!(plan.uploads[0].reason, Reason::Changed);
        }
    }

    #[test]
    fn head_only_when_sizes_match() {
        let file = local("a.html", "aa", 10);
        assert!(needs_head(&file, 10));
        assert!(!needs_head(&file, 11));
    }

    #[test]
    fn invalidation_paths_add_folders_for_index_pages() {
        let paths = invalidation_paths([
            "index.html",
            "facturacion-y-pagos/reportar-pago/index.html",
            "css/estilo.3fa9c2d1.css",
            "viejo.html",
        ]);
        assert_eq!(
            paths,
            [
                "/",
                "/css/estilo.3fa9c2d1.css",
                "/facturacion-y-pagos/reportar-pago/",
                "/facturacion-y-pagos/reportar-pago/index.html",
                "/index.html",
                "/viejo.html",
            ]
        );
    }

    #[test]
    fn invalidation_paths_are_percent_encoded_and_deduplicated() {
        let paths = invalidation_paths(["guía/index.html", "a b*.txt", "guía/index.html"]);
        assert_eq!(
            paths,
            ["/a%20b%2A.txt", "/gu%C3%ADa/", "/gu%C3%ADa/index.html"]
        );
    }

    #[test]
    fn plan_invalidates_uploads_and_deletes() {
        let file = local("ayuda/index.html", "aa", 1);
        let remote = BTreeMap::from([("viejo.css".to_owned(), RemoteObject::default())]);
        let plan = compute_plan(&[file], &remote);
        assert_eq!(
            plan.invalidation_paths(),
            ["/ayuda/", "/ayuda/index.html", "/viejo.css"]
        );
    }
}
