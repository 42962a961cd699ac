//! `bench-probe`: the measurements of `bench/run.sh` that a shell cannot
//! take precisely. Each prints `key=value` lines for the script to read.
//!
//! ```text
//! bench-probe live-reload --bin target/release/site-gen --root DIR --data-dir DIR [--runs 10]
//! bench-probe startup --bin target/release/form-function --data-dir DIR [--runs 20]
//! bench-probe submissions --bin target/release/form-function --data-dir DIR [--count 1000] [--receipt-bytes 1048576]
//! bench-probe page-weight --dir PUBLIC [--top 10] [--limit 30000]
//! bench-probe criterion --file target/criterion/GROUP/BENCH/new/estimates.json
//! ```
//!
//! Only the standard library (HTTP/1.1 is spoken by hand over `TcpStream`)
//! and, for the submissions, the example payment report and receipt of
//! `help_forms::testing`.

use help_forms::spec::names;
use help_forms::testing::{Multipart, RECEIPT_FILE_NAME, png};
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitCode, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};
use time::OffsetDateTime;

type Result<T> = std::result::Result<T, String>;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some((command, rest)) = args.split_first() else {
        eprintln!("{USAGE}");
        return ExitCode::FAILURE;
    };
    let options = match Options::parse(rest) {
        Ok(options) => options,
        Err(e) => {
            eprintln!("bench-probe: {e}\n{USAGE}");
            return ExitCode::FAILURE;
        }
    };
    let result = match command.as_str() {
        "live-reload" => live_reload(&options),
        "startup" => startup(&options),
        "submissions" => submissions(&options),
        "page-weight" => page_weight(&options),
        "criterion" => criterion(&options),
        other => Err(format!("orden desconocida {other}\n{USAGE}")),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("bench-probe {command}: {e}");
            ExitCode::FAILURE
        }
    }
}

const USAGE: &str =
    "uso: bench-probe live-reload|startup|submissions|page-weight|criterion [--opción valor]…";

struct Options(BTreeMap<String, String>);

impl Options {
    fn parse(args: &[String]) -> Result<Options> {
        let mut map = BTreeMap::new();
        let mut it = args.iter();
        while let Some(flag) = it.next() {
            let name = flag
                .strip_prefix("--")
                .ok_or_else(|| format!("se esperaba --opción, no {flag}"))?;
            let value = it.next().ok_or_else(|| format!("{flag}: falta el valor"))?;
            map.insert(name.to_owned(), value.clone());
        }
        Ok(Options(map))
    }

    fn path(&self, name: &str) -> Result<PathBuf> {
        self.0
            .get(name)
            .map(PathBuf::from)
            .ok_or_else(|| format!("falta --{name}"))
    }

    fn number(&self, name: &str, default: usize) -> Result<usize> {
        self.0.get(name).map_or(Ok(default), |v| {
            v.parse().map_err(|e| format!("--{name}: {e}"))
        })
    }
}

// ---------------------------------------------------------------- helpers

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn median(values: &[f64]) -> f64 {
    let mut v = values.to_vec();
    v.sort_by(f64::total_cmp);
    match v.len() {
        0 => f64::NAN,
        n if n % 2 == 1 => v[n / 2],
        n => (v[n / 2 - 1] + v[n / 2]) / 2.0,
    }
}

fn max(values: &[f64]) -> f64 {
    values.iter().copied().fold(f64::NAN, f64::max)
}

fn min(values: &[f64]) -> f64 {
    values.iter().copied().fold(f64::NAN, f64::min)
}

/// A port nobody listens on right now.
fn free_port() -> Result<u16> {
    let listener = TcpListener::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
    listener
        .local_addr()
        .map(|a| a.port())
        .map_err(|e| e.to_string())
}

/// Kills the child when dropped, so no server outlives the probe.
struct Guard(Child);

impl Drop for Guard {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// One request with `Connection: close`; returns the status and the body.
fn request(port: u16, head: &str, body: &[u8]) -> std::io::Result<(u16, Vec<u8>)> {
    let mut stream = TcpStream::connect(("127.0.0.1", port))?;
    stream.set_read_timeout(Some(Duration::from_secs(30)))?;
    let mut message = Vec::with_capacity(head.len() + body.len() + 64);
    message.extend_from_slice(head.as_bytes());
    message.extend_from_slice(b"Connection: close\r\n\r\n");
    message.extend_from_slice(body);
    stream.write_all(&message)?;
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer)?;
    let status = answer
        .get(9..12)
        .and_then(|s| std::str::from_utf8(s).ok())
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let body_at = find(&answer, b"\r\n\r\n").map_or(answer.len(), |at| at + 4);
    Ok((status, answer[body_at..].to_vec()))
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

fn get(port: u16, path: &str) -> std::io::Result<(u16, Vec<u8>)> {
    request(
        port,
        &format!("GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"),
        b"",
    )
}

/// The numeric lines of `/proc/PID/status`: `VmRSS`, `VmHWM` (KiB), `Threads`…
fn proc_status(pid: u32) -> Result<BTreeMap<String, u64>> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/status")).map_err(|e| e.to_string())?;
    Ok(text
        .lines()
        .filter_map(|line| {
            let (key, value) = line.split_once(':')?;
            let value = value.trim();
            let kib = value
                .strip_suffix(" kB")
                .unwrap_or(value)
                .trim()
                .parse()
                .ok()?;
            Some((key.to_owned(), kib))
        })
        .collect())
}

/// User + system CPU time of a process (clock ticks of 10 ms).
fn proc_cpu(pid: u32) -> Result<Duration> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/stat")).map_err(|e| e.to_string())?;
    let after = text.rsplit_once(')').map(|(_, rest)| rest).unwrap_or("");
    let fields: Vec<&str> = after.split_whitespace().collect();
    let tick = |i: usize| {
        fields
            .get(i)
            .and_then(|f| f.parse::<u64>().ok())
            .unwrap_or(0)
    };
    // Fields 14 and 15 of stat(5); `after` starts at field 3.
    Ok(Duration::from_millis((tick(11) + tick(12)) * 10))
}

fn fresh_dir(dir: &Path) -> Result<()> {
    if dir.exists() {
        std::fs::remove_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    }
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))
}

// ------------------------------------------------------------ live-reload

/// `site-gen serve` on a site: time from writing an article to the
/// `reload` event on `/__livereload`, and to the rebuilt page.
fn live_reload(options: &Options) -> Result<()> {
    let bin = options.path("bin")?;
    let root = options.path("root")?;
    let data_dir = options.path("data-dir")?;
    let runs = options.number("runs", 10)?;
    fresh_dir(&data_dir)?;

    let article = first_article(&root.join("content"))?;
    let slug = article
        .file_stem()
        .and_then(|s| s.to_str())
        .ok_or("nombre de artículo no válido")?
        .to_owned();
    let original = std::fs::read_to_string(&article).map_err(|e| e.to_string())?;

    let started = Instant::now();
    let mut child = Command::new(&bin)
        .arg("--root")
        .arg(&root)
        .args(["serve", "--port", "0", "--data-dir"])
        .arg(&data_dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .map_err(|e| format!("{}: {e}", bin.display()))?;
    let stdout = child.stdout.take().ok_or("sin stdout")?;
    let guard = Guard(child);

    // "Sirviendo en http://127.0.0.1:PORT" once bound; "Sitio generado: N
    // páginas en X ms" after each build.
    let (lines_tx, lines_rx) = mpsc::channel::<String>();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout)
            .lines()
            .map_while(std::result::Result::ok)
        {
            if lines_tx.send(line).is_err() {
                break;
            }
        }
    });
    let mut builds: Vec<f64> = Vec::new();
    let port = loop {
        let line = lines_rx
            .recv_timeout(Duration::from_secs(300))
            .map_err(|_| "serve no arrancó")?;
        if let Some(ms) = build_ms(&line) {
            builds.push(ms);
        }
        if let Some(address) = line.strip_prefix("Sirviendo en http://") {
            break address
                .rsplit(':')
                .next()
                .and_then(|p| p.trim().parse::<u16>().ok())
                .ok_or("puerto ilegible")?;
        }
    };
    let first_build = builds.first().copied().unwrap_or(f64::NAN);
    println!("initial_ready_ms={:.0}", ms(started.elapsed()));
    println!("initial_build_ms={first_build:.0}");

    let events = subscribe(port)?;
    let mut to_event = Vec::new();
    let mut to_page = Vec::new();
    let mut build_times = Vec::new();
    let outcome = (|| -> Result<()> {
        for run in 0..runs {
            // Let the watcher and debounce settle between edits.
            std::thread::sleep(Duration::from_millis(400));
            while events.try_recv().is_ok() {}
            while let Ok(line) = lines_rx.try_recv() {
                let _ = build_ms(&line);
            }
            let marker = format!("Edición de prueba número {run}.");
            let text = format!("{}\n{marker}\n", original.trim_end());
            let written = Instant::now();
            std::fs::write(&article, text).map_err(|e| e.to_string())?;
            events
                .recv_timeout(Duration::from_secs(30))
                .map_err(|_| format!("ningún evento reload en 30 s (edición {run})"))?;
            let event = written.elapsed();
            let (status, body) = get(port, &format!("/{slug}/")).map_err(|e| e.to_string())?;
            let page = written.elapsed();
            if status != 200 || find(&body, marker.as_bytes()).is_none() {
                return Err(format!(
                    "la página /{slug}/ no muestra la edición {run} (HTTP {status})"
                ));
            }
            to_event.push(ms(event));
            to_page.push(ms(page));
            while let Ok(line) = lines_rx.recv_timeout(Duration::from_millis(50)) {
                if let Some(ms) = build_ms(&line) {
                    build_times.push(ms);
                }
            }
        }
        Ok(())
    })();
    let _ = std::fs::write(&article, &original);
    drop(guard);
    outcome?;
    println!("article=content/{slug}.md");
    println!("runs={runs}");
    println!("event_median_ms={:.1}", median(&to_event));
    println!("event_min_ms={:.1}", min(&to_event));
    println!("event_max_ms={:.1}", max(&to_event));
    println!("page_median_ms={:.1}", median(&to_page));
    println!("build_median_ms={:.1}", median(&build_times));
    println!(
        "event_all_ms={}",
        to_event
            .iter()
            .map(|v| format!("{v:.0}"))
            .collect::<Vec<_>>()
            .join(",")
    );
    Ok(())
}

fn build_ms(line: &str) -> Option<f64> {
    let rest = line.strip_prefix("Sitio generado:")?;
    let value = rest.rsplit_once(" en ")?.1.strip_suffix(" ms")?;
    value.trim().parse().ok()
}

fn first_article(content: &Path) -> Result<PathBuf> {
    let mut names: Vec<PathBuf> = std::fs::read_dir(content)
        .map_err(|e| format!("{}: {e}", content.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .collect();
    names.sort();
    names
        .into_iter()
        .next()
        .ok_or_else(|| "content/ sin artículos".into())
}

/// Connects to `/__livereload`; each `reload` event is sent on the channel
/// (with the instant it was read).
fn subscribe(port: u16) -> Result<mpsc::Receiver<Instant>> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).map_err(|e| e.to_string())?;
    stream
        .write_all(
            format!(
                "GET /__livereload HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAccept: text/event-stream\r\n\r\n"
            )
            .as_bytes(),
        )
        .map_err(|e| e.to_string())?;
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut buffer: Vec<u8> = Vec::new();
        let mut chunk = [0u8; 4096];
        let needle = b"event: reload";
        loop {
            match stream.read(&mut chunk) {
                Ok(0) | Err(_) => return,
                Ok(n) => {
                    let now = Instant::now();
                    buffer.extend_from_slice(&chunk[..n]);
                    while let Some(at) = find(&buffer, needle) {
                        if tx.send(now).is_err() {
                            return;
                        }
                        buffer.drain(..at + needle.len());
                    }
                    // Keep a tail in case the event name was split.
                    if buffer.len() > needle.len() {
                        buffer.drain(..buffer.len() - needle.len());
                    }
                }
            }
        }
    });
    Ok(rx)
}

// ---------------------------------------------------------------- startup

fn spawn_function(bin: &Path, port: u16, data_dir: &Path) -> Result<Child> {
    Command::new(bin)
        .env("PORT", port.to_string())
        .env("DATA_DIR", data_dir)
        .env_remove("RECEIPTS_BUCKET")
        .env_remove("TICKETS_TABLE")
        .env_remove("AWS_LAMBDA_RUNTIME_API")
        .env_remove("SITE_ORIGIN")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("{}: {e}", bin.display()))
}

/// Polls until the function answers a lookup; returns when it did.
fn wait_answer(port: u16, deadline: Duration) -> Result<Instant> {
    let started = Instant::now();
    loop {
        if let Ok((status, _)) = get(port, "/api/tickets/1?clave=00") {
            if status != 0 {
                return Ok(Instant::now());
            }
        }
        if started.elapsed() > deadline {
            return Err("la función no respondió".into());
        }
        std::thread::sleep(Duration::from_micros(200));
    }
}

/// Time from spawning `form-function` (local store, fresh data folder) to
/// its first answered request.
fn startup(options: &Options) -> Result<()> {
    let bin = options.path("bin")?;
    let data_dir = options.path("data-dir")?;
    let runs = options.number("runs", 20)?;
    let mut cold = Vec::new();
    let mut warm = Vec::new();
    for _ in 0..runs {
        for (existing, times) in [(false, &mut cold), (true, &mut warm)] {
            if !existing {
                fresh_dir(&data_dir)?;
            }
            let port = free_port()?;
            let spawned = Instant::now();
            let guard = Guard(spawn_function(&bin, port, &data_dir)?);
            let answered = wait_answer(port, Duration::from_secs(10))?;
            times.push(ms(answered - spawned));
            drop(guard);
        }
    }
    println!("runs={runs}");
    println!("new_data_median_ms={:.1}", median(&cold));
    println!("new_data_max_ms={:.1}", max(&cold));
    println!("existing_data_median_ms={:.1}", median(&warm));
    println!("existing_data_max_ms={:.1}", max(&warm));
    Ok(())
}

// ------------------------------------------------------------ submissions

/// Sends `count` payment reports with a receipt to a local `form-function`
/// and reads its memory afterwards.
fn submissions(options: &Options) -> Result<()> {
    let bin = options.path("bin")?;
    let data_dir = options.path("data-dir")?;
    let count = options.number("count", 1000)?;
    let receipt_bytes = options.number("receipt-bytes", 1024 * 1024)?;
    fresh_dir(&data_dir)?;
    let port = free_port()?;
    let guard = Guard(spawn_function(&bin, port, &data_dir)?);
    let pid = guard.0.id();
    wait_answer(port, Duration::from_secs(10))?;
    let idle = proc_status(pid)?;
    let cpu_before = proc_cpu(pid)?;

    let png = png(receipt_bytes);
    let mut multipart = Multipart::payment_report(OffsetDateTime::now_utc()).receipt(
        RECEIPT_FILE_NAME,
        "image/png",
        &png,
    );
    let content_type = multipart.content_type();
    let started = Instant::now();
    let mut failures = 0;
    let mut first_error = String::new();
    for i in 0..count {
        let key = format!("{:08x}-0000-4000-8000-{:012x}", 0xbe_c0_00u32, i);
        multipart = multipart.set(names::IDEMPOTENCY, &key);
        let body = multipart.body();
        let head = format!(
            "POST /api/reportes-de-pago HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAccept: application/json\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\n",
            body.len()
        );
        match request(port, &head, &body) {
            Ok((201, _)) => {}
            Ok((status, answer)) => {
                failures += 1;
                if first_error.is_empty() {
                    first_error = format!("HTTP {status}: {}", String::from_utf8_lossy(&answer));
                }
            }
            Err(e) => {
                failures += 1;
                if first_error.is_empty() {
                    first_error = e.to_string();
                }
            }
        }
    }
    let elapsed = started.elapsed();
    let cpu = proc_cpu(pid)?.saturating_sub(cpu_before);
    std::thread::sleep(Duration::from_millis(200));
    let after = proc_status(pid)?;
    drop(guard);
    if failures > 0 {
        return Err(format!(
            "{failures} envíos fallaron; el primero: {first_error}"
        ));
    }
    let _ = std::fs::remove_dir_all(&data_dir);
    let kib = |map: &BTreeMap<String, u64>, key: &str| map.get(key).copied().unwrap_or(0);
    println!("count={count}");
    println!("receipt_bytes={}", png.len());
    println!("idle_rss_kib={}", kib(&idle, "VmRSS"));
    println!("rss_kib={}", kib(&after, "VmRSS"));
    println!("peak_rss_kib={}", kib(&after, "VmHWM"));
    println!("threads={}", kib(&after, "Threads"));
    println!("wall_s={:.2}", elapsed.as_secs_f64());
    println!("per_submission_wall_ms={:.2}", ms(elapsed) / count as f64);
    println!("per_submission_cpu_ms={:.2}", ms(cpu) / count as f64);
    Ok(())
}

// ------------------------------------------------------------ page-weight

/// Each HTML page's own bytes plus the local stylesheets and scripts it
/// links (each file once per page); images and icons are not counted.
fn page_weight(options: &Options) -> Result<()> {
    let dir = options.path("dir")?;
    let top = options.number("top", 10)?;
    // 30 KB read strictly: 30,000 bytes, not 30 KiB.
    let limit = options.number("limit", 30_000)?;
    let mut pages = Vec::new();
    collect_html(&dir, &mut pages)?;
    let mut rows: Vec<(usize, usize, usize, String, String)> = Vec::new();
    for page in &pages {
        let html = std::fs::read_to_string(page).map_err(|e| format!("{}: {e}", page.display()))?;
        let mut assets = Vec::new();
        for (tag, attribute) in [
            ("<link rel=\"stylesheet\"", "href=\""),
            ("<script", "src=\""),
        ] {
            for (at, _) in html.match_indices(tag) {
                let rest = &html[at..];
                let end = rest.find('>').unwrap_or(rest.len());
                let Some(start) = rest[..end].find(attribute) else {
                    continue;
                };
                let value = &rest[start + attribute.len()..end];
                let value = &value[..value.find('"').unwrap_or(value.len())];
                if let Some(local) = value.strip_prefix('/').filter(|v| !v.starts_with('/')) {
                    if !assets.contains(&local.to_owned()) {
                        assets.push(local.to_owned());
                    }
                }
            }
        }
        let asset_bytes: usize = assets
            .iter()
            .map(|a| std::fs::metadata(dir.join(a)).map_or(0, |m| m.len() as usize))
            .sum();
        let relative = page
            .strip_prefix(&dir)
            .map_or_else(|_| page.display().to_string(), |p| p.display().to_string());
        rows.push((
            html.len() + asset_bytes,
            html.len(),
            asset_bytes,
            relative,
            assets.join(","),
        ));
    }
    rows.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.3.cmp(&b.3)));
    let over = rows.iter().filter(|r| r.0 > limit).count();
    let totals: Vec<f64> = rows.iter().map(|r| r.0 as f64).collect();
    println!("pages={}", rows.len());
    println!("over_limit={over}");
    println!("max_bytes={}", rows.first().map_or(0, |r| r.0));
    println!("median_bytes={:.0}", median(&totals));
    // total, HTML, CSS + JS (bytes), the page's path, its CSS and JS files.
    for (total, html, asset_bytes, path, assets) in rows.iter().take(top) {
        println!("page={total} {html} {asset_bytes} {path} {assets}");
    }
    Ok(())
}

fn collect_html(dir: &Path, out: &mut Vec<PathBuf>) -> Result<()> {
    for entry in std::fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))? {
        let path = entry.map_err(|e| e.to_string())?.path();
        if path.is_dir() {
            collect_html(&path, out)?;
        } else if path.extension().is_some_and(|e| e == "html") {
            out.push(path);
        }
    }
    Ok(())
}

// -------------------------------------------------------------- criterion

/// Mean and median point estimates (ns) of a criterion `estimates.json`.
fn criterion(options: &Options) -> Result<()> {
    let file = options.path("file")?;
    let text = std::fs::read_to_string(&file).map_err(|e| format!("{}: {e}", file.display()))?;
    for key in ["mean", "median"] {
        let value = point_estimate(&text, key)
            .ok_or_else(|| format!("{}: sin {key}.point_estimate", file.display()))?;
        println!("{key}_ns={value:.0}");
    }
    Ok(())
}

fn point_estimate(json: &str, key: &str) -> Option<f64> {
    let at = json.find(&format!("\"{key}\":"))?;
    let rest = &json[at..];
    let value_at = rest.find("\"point_estimate\":")? + "\"point_estimate\":".len();
    let value = &rest[value_at..];
    let end = value
        .find(|c: char| !(c.is_ascii_digit() || matches!(c, '.' | 'e' | 'E' | '-' | '+')))
        .unwrap_or(value.len());
    value[..end].parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The receipts the submissions send.
    #[test]
    fn png_has_the_requested_size_and_signature() {
        for size in [4096, 100_000, 1024 * 1024] {
            let png = png(size);
            assert_eq!(png.len(), size, "size {size}");
            assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"));
            assert!(png.ends_with(&[0xAE, 0x42, 0x60, 0x82]), "IEND crc");
        }
    }

    /// The submissions' payment date, as the date field sends it.
    #[test]
    fn dates_are_iso() {
        let date = help_forms::testing::payment_date(OffsetDateTime::now_utc());
        assert_eq!(date.len(), 10);
        assert_eq!(&date[4..5], "-");
    }

    #[test]
    fn criterion_estimates_are_read() {
        let json = r#"{"mean":{"confidence_interval":{"confidence_level":0.95,"lower_bound":1.0,"upper_bound":2.0},"point_estimate":1523.5,"standard_error":3.1},"median":{"confidence_interval":{"confidence_level":0.95,"lower_bound":1.0,"upper_bound":2.0},"point_estimate":1.4e3,"standard_error":3.1}}"#;
        assert_eq!(point_estimate(json, "mean"), Some(1523.5));
        assert_eq!(point_estimate(json, "median"), Some(1400.0));
    }

    #[test]
    fn serve_build_lines_are_read() {
        assert_eq!(
            build_ms("Sitio generado: 1016 páginas en 183 ms"),
            Some(183.0)
        );
    }
}
