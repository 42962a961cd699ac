//! `site-gen build | serve | check`.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::Context;
use clap::{Parser, Subcommand};
use site_gen::{Diagnostics, Options, Overrides, ServeOptions, Sources, Theme, build, check};

/// Generador del centro de ayuda.
#[derive(Parser)]
#[command(name = "site-gen", version, about)]
struct Cli {
    /// Carpeta del sitio (donde están site.toml y content/).
    #[arg(long, global = true, default_value = ".", value_name = "DIR")]
    root: PathBuf,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Genera el sitio en una carpeta.
    Build {
        /// Carpeta de salida [por defecto: public/ dentro de --root].
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
        /// URL pública del sitio; reemplaza base_url de site.toml.
        #[arg(long, value_name = "URL")]
        base_url: Option<String>,
        /// URL de la API de formularios; reemplaza api_url de site.toml.
        #[arg(long, value_name = "URL")]
        api_url: Option<String>,
    },
    /// Sirve el sitio en 127.0.0.1 y lo recarga al cambiar el contenido.
    Serve {
        /// Puerto (0: uno libre).
        #[arg(long, default_value_t = 1111)]
        port: u16,
        /// Dónde guarda la API local los tickets (SQLite) y los comprobantes.
        #[arg(long, default_value = "data", value_name = "DIR")]
        data_dir: PathBuf,
    },
    /// Valida el sitio sin escribir nada.
    Check,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Build {
            out,
            base_url,
            api_url,
        } => {
            let out = out.unwrap_or_else(|| cli.root.join("public"));
            let options = Options {
                overrides: Overrides { base_url, api_url },
                ..Options::default()
            };
            let started = Instant::now();
            let sources = Sources::load(&cli.root, Theme::embedded())?;
            let summary = match build(&sources, &options, &out) {
                Ok(summary) => summary,
                Err(diagnostics) => return Ok(report(&diagnostics)),
            };
            println!(
                "Sitio generado en {}: {} páginas ({} archivos) en {} ms",
                out.display(),
                summary.pages,
                summary.files,
                started.elapsed().as_millis()
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Check => {
            let started = Instant::now();
            let sources = Sources::load(&cli.root, Theme::embedded())?;
            match check(&sources, &Options::default()) {
                Ok(summary) => {
                    println!(
                        "Sitio válido: {} páginas comprobadas en {} ms",
                        summary.pages,
                        started.elapsed().as_millis()
                    );
                    Ok(ExitCode::SUCCESS)
                }
                Err(diagnostics) => Ok(report(&diagnostics)),
            }
        }
        Command::Serve { port, data_dir } => {
            // The form API on the embedded local store, same origin as the pages.
            let site_toml = cli.root.join("site.toml");
            let text = std::fs::read_to_string(&site_toml)
                .with_context(|| format!("no se pudo leer {}", site_toml.display()))?;
            let config = form_api::ApiConfig {
                forms: form_api::site_forms(&text)?,
                site_url: String::new(),
                cors_origin: None,
            };
            let store = std::sync::Arc::new(form_api::LocalStore::open(&data_dir)?);
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .enable_all()
                .build()?;
            runtime.block_on(site_gen::serve(
                ServeOptions {
                    root: cli.root,
                    port,
                },
                form_api::router(store, config),
            ))?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn report(diagnostics: &Diagnostics) -> ExitCode {
    eprintln!("{diagnostics}");
    eprintln!("El sitio no se generó: {} errores.", diagnostics.len());
    ExitCode::FAILURE
}
