//! site-upload: incremental upload of a built site to its S3 bucket.
//!
//! Lists the bucket, compares each local file's sha256 with the `sha256`
//! metadata stored at upload time (and the expected Content-Type and
//! Cache-Control), uploads only what is new or changed, deletes what no longer
//! exists locally, and writes the CloudFront paths to invalidate.
//!
//! Progress and the summary go to stderr; the invalidation paths go to stdout
//! (one per line) unless `--invalidations FILE` is given.
//! Endpoint and credentials come from the usual AWS environment
//! (AWS_ENDPOINT_URL for a local server); S3_FORCE_PATH_STYLE=1 selects
//! path-style addressing.

mod plan;

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{Context, Result, bail};
use aws_sdk_s3::Client;
use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::types::{Delete, ObjectIdentifier};
use clap::Parser;
use sha2::{Digest, Sha256};
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use crate::plan::{LocalFile, Plan, Reason, RemoteObject, SHA256_METADATA};

#[derive(Parser, Debug)]
#[command(
    version,
    about = "Sube el sitio generado a S3 de forma incremental (solo archivos nuevos o modificados)"
)]
struct Args {
    /// Folder with the built site (e.g. public).
    dir: PathBuf,
    /// Destination bucket (SiteBucketName output of the stack). Without it
    /// (only with --dry-run) the plan is for an empty bucket: a stack not yet
    /// created.
    #[arg(long, required_unless_present = "dry_run")]
    bucket: Option<String>,
    /// Print the plan without uploading or deleting anything.
    #[arg(long)]
    dry_run: bool,
    /// Write the CloudFront paths to invalidate to FILE instead of stdout.
    #[arg(long, value_name = "FILE")]
    invalidations: Option<PathBuf>,
    /// Requests in flight at once.
    #[arg(long, default_value_t = 16, value_parser = clap::value_parser!(u16).range(1..=256))]
    concurrency: u16,
}

#[tokio::main]
async fn main() -> Result<()> {
    let args = Args::parse();
    if !args.dir.is_dir() {
        bail!("no existe la carpeta del sitio: {}", args.dir.display());
    }
    let limit = Arc::new(Semaphore::new(usize::from(args.concurrency)));

    let dir = args.dir.clone();
    let local = tokio::task::spawn_blocking(move || scan_site(&dir)).await??;
    let target = match &args.bucket {
        Some(bucket) => {
            let client = s3_client().await;
            let remote = list_bucket(&client, bucket).await?;
            let remote = fill_remote_metadata(&client, bucket, &local, remote, &limit).await?;
            Some((client, bucket.as_str(), remote))
        }
        None => None,
    };
    let empty = BTreeMap::new();
    let remote = target.as_ref().map_or(&empty, |(_, _, remote)| remote);
    let plan = plan::compute_plan(&local, remote);

    let mode = if args.dry_run {
        " [simulación: no se cambia nada]"
    } else {
        ""
    };
    let name = args
        .bucket
        .as_deref()
        .map_or("(bucket nuevo, vacío)".to_owned(), |b| format!("s3://{b}"));
    eprintln!(
        "{name}: {} archivos locales, {} objetos en el bucket{mode}",
        local.len(),
        remote.len()
    );
    if plan.is_empty() {
        eprintln!("Nada que hacer: el bucket ya está al día.");
    } else if let (false, Some((client, bucket, _))) = (args.dry_run, &target) {
        upload_all(client, bucket, &args.dir, &plan, &limit).await?;
        delete_all(client, bucket, &plan.deletes).await?;
    }
    report(&plan, args.dry_run);
    write_invalidations(&plan.invalidation_paths(), args.invalidations.as_deref())
}

/// hyper + rustls with ring, as the form function (no aws-lc in the build).
fn https_client() -> aws_sdk_s3::config::SharedHttpClient {
    use aws_smithy_http_client::tls::{Provider, rustls_provider::CryptoMode};
    aws_smithy_http_client::Builder::new()
        .tls_provider(Provider::Rustls(CryptoMode::Ring))
        .build_https()
}

async fn s3_client() -> Client {
    let shared = aws_config::from_env()
        .http_client(https_client())
        .load()
        .await;
    let force_path_style =
        std::env::var("S3_FORCE_PATH_STYLE").is_ok_and(|v| v == "1" || v == "true");
    let config = aws_sdk_s3::config::Builder::from(&shared)
        .force_path_style(force_path_style)
        .build();
    Client::from_conf(config)
}

/// Every regular file under `root` as a key (`/`-separated, relative) with its
/// size and sha256, sorted by key. Symlinks are followed.
fn scan_site(root: &Path) -> Result<Vec<LocalFile>> {
    let mut files = Vec::new();
    let mut pending = vec![root.to_path_buf()];
    while let Some(dir) = pending.pop() {
        for entry in
            std::fs::read_dir(&dir).with_context(|| format!("leyendo {}", dir.display()))?
        {
            let path = entry?.path();
            let meta =
                std::fs::metadata(&path).with_context(|| format!("leyendo {}", path.display()))?;
            if meta.is_dir() {
                pending.push(path);
            } else if meta.is_file() {
                let key = object_key(root, &path)?;
                files.push(LocalFile {
                    key,
                    size: meta.len(),
                    sha256: sha256_file(&path)?,
                });
            }
        }
    }
    files.sort_by(|a, b| a.key.cmp(&b.key));
    Ok(files)
}

fn object_key(root: &Path, path: &Path) -> Result<String> {
    let relative = path.strip_prefix(root)?;
    let parts: Option<Vec<&str>> = relative
        .components()
        .map(|c| c.as_os_str().to_str())
        .collect();
    match parts {
        Some(parts) => Ok(parts.join("/")),
        None => bail!("nombre de archivo no UTF-8: {}", path.display()),
    }
}

fn sha256_file(path: &Path) -> Result<String> {
    let mut file =
        std::fs::File::open(path).with_context(|| format!("abriendo {}", path.display()))?;
    let mut hasher = Sha256::new();
    let mut buffer = vec![0; 64 * 1024];
    loop {
        let read = file.read(&mut buffer)?;
        if read == 0 {
            break;
        }
        hasher.update(&buffer[..read]);
    }
    Ok(hex::encode(hasher.finalize()))
}

/// All objects of the bucket with their sizes (headers not yet known).
async fn list_bucket(client: &Client, bucket: &str) -> Result<BTreeMap<String, RemoteObject>> {
    let mut objects = BTreeMap::new();
    let mut token = None;
    loop {
        let page = client
            .list_objects_v2()
            .bucket(bucket)
            .set_continuation_token(token)
            .send()
            .await
            .with_context(|| format!("listando s3://{bucket}"))?;
        for object in page.contents() {
            if let Some(key) = object.key() {
                let size = u64::try_from(object.size().unwrap_or(0)).unwrap_or(0);
                objects.insert(
                    key.to_owned(),
                    RemoteObject {
                        size,
                        ..Default::default()
                    },
                );
            }
        }
        token = page.next_continuation_token().map(str::to_owned);
        if token.is_none() {
            return Ok(objects);
        }
    }
}

/// HEAD the objects that may be unchanged (same size as the local file) to read
/// their sha256 metadata, Content-Type and Cache-Control.
async fn fill_remote_metadata(
    client: &Client,
    bucket: &str,
    local: &[LocalFile],
    mut remote: BTreeMap<String, RemoteObject>,
    limit: &Arc<Semaphore>,
) -> Result<BTreeMap<String, RemoteObject>> {
    let mut tasks = JoinSet::new();
    for file in local {
        let Some(object) = remote.get(&file.key) else {
            continue;
        };
        if !plan::needs_head(file, object.size) {
            continue;
        }
        let (client, bucket, key, limit) = (
            client.clone(),
            bucket.to_owned(),
            file.key.clone(),
            limit.clone(),
        );
        tasks.spawn(async move {
            let _permit = limit.acquire_owned().await?;
            let head = client
                .head_object()
                .bucket(&bucket)
                .key(&key)
                .send()
                .await
                .with_context(|| format!("consultando s3://{bucket}/{key}"))?;
            let sha256 = head
                .metadata()
                .and_then(|m| m.get(SHA256_METADATA))
                .cloned();
            let content_type = head.content_type().map(str::to_owned);
            let cache_control = head.cache_control().map(str::to_owned);
            anyhow::Ok((key, sha256, content_type, cache_control))
        });
    }
    while let Some(result) = tasks.join_next().await {
        let (key, sha256, content_type, cache_control) = result??;
        if let Some(object) = remote.get_mut(&key) {
            object.sha256 = sha256;
            object.content_type = content_type;
            object.cache_control = cache_control;
        }
    }
    Ok(remote)
}

/// Uploads assets first, then HTML pages (the plan's order), each group concurrently.
async fn upload_all(
    client: &Client,
    bucket: &str,
    root: &Path,
    plan: &Plan,
    limit: &Arc<Semaphore>,
) -> Result<()> {
    let (pages, assets): (Vec<_>, Vec<_>) = plan
        .uploads
        .iter()
        .partition(|u| u.content_type.starts_with("text/html"));
    for group in [assets, pages] {
        let mut tasks = JoinSet::new();
        for upload in group {
            let (client, bucket, upload, limit) = (
                client.clone(),
                bucket.to_owned(),
                upload.clone(),
                limit.clone(),
            );
            let path = root.join(&upload.key);
            tasks.spawn(async move {
                let _permit = limit.acquire_owned().await?;
                let body = tokio::fs::read(&path)
                    .await
                    .with_context(|| format!("leyendo {}", path.display()))?;
                client
                    .put_object()
                    .bucket(&bucket)
                    .key(&upload.key)
                    .body(ByteStream::from(body))
                    .content_type(upload.content_type)
                    .cache_control(upload.cache_control)
                    .metadata(SHA256_METADATA, &upload.sha256)
                    .send()
                    .await
                    .with_context(|| format!("subiendo s3://{bucket}/{}", upload.key))?;
                anyhow::Ok(())
            });
        }
        while let Some(result) = tasks.join_next().await {
            result??;
        }
    }
    Ok(())
}

async fn delete_all(client: &Client, bucket: &str, keys: &[String]) -> Result<()> {
    for chunk in keys.chunks(1000) {
        let objects = chunk
            .iter()
            .map(|key| ObjectIdentifier::builder().key(key).build())
            .collect::<Result<Vec<_>, _>>()?;
        let delete = Delete::builder()
            .set_objects(Some(objects))
            .quiet(true)
            .build()?;
        let output = client
            .delete_objects()
            .bucket(bucket)
            .delete(delete)
            .send()
            .await
            .with_context(|| format!("borrando objetos de s3://{bucket}"))?;
        if let Some(error) = output.errors().first() {
            bail!(
                "no se pudo borrar s3://{bucket}/{}: {}",
                error.key().unwrap_or("?"),
                error.message().unwrap_or("error desconocido")
            );
        }
    }
    Ok(())
}

/// One line per action, then a summary (stderr). In a dry run the verbs say
/// what would happen.
fn report(plan: &Plan, dry_run: bool) {
    let (upload_verb, delete_verb) = if dry_run {
        ("subiría", "borraría")
    } else {
        ("subido", "borrado")
    };
    for upload in &plan.uploads {
        let reason = match upload.reason {
            Reason::New => "nuevo",
            Reason::Changed => "modificado",
        };
        eprintln!(
            "{upload_verb:<9} {} ({reason}, {} bytes, {}, {})",
            upload.key, upload.size, upload.content_type, upload.cache_control
        );
    }
    for key in &plan.deletes {
        eprintln!("{delete_verb:<9} {key}");
    }
    let new = plan
        .uploads
        .iter()
        .filter(|u| u.reason == Reason::New)
        .count();
    let changed = plan.uploads.len() - new;
    let (uploads, deletes) = (plan.uploads.len(), plan.deletes.len());
    if dry_run {
        eprintln!(
            "Plan (simulación): {uploads} para subir ({new} nuevos, {changed} modificados), \
             {deletes} para borrar, {} sin cambios",
            plan.unchanged
        );
    } else {
        eprintln!(
            "Resumen: {uploads} subidos ({new} nuevos, {changed} modificados), {deletes} borrados, {} sin cambios",
            plan.unchanged
        );
    }
}

fn write_invalidations(paths: &[String], file: Option<&Path>) -> Result<()> {
    let text: String = paths.iter().map(|p| format!("{p}\n")).collect();
    match file {
        Some(file) => {
            std::fs::write(file, text)
                .with_context(|| format!("escribiendo {}", file.display()))?;
            eprintln!("{} rutas para invalidar en {}", paths.len(), file.display());
        }
        None => std::io::stdout().lock().write_all(text.as_bytes())?,
    }
    Ok(())
}
