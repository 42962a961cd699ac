//! Writing the site to a folder, page by page as the build renders them.
//!
//! Files are written in place and stale files removed afterwards, instead
//! of deleting the folder: recreating thousands of folders is slow on some
//! disks. To avoid wiping the wrong folder, an existing non-empty folder is
//! only reused when it already holds a generated site (its `404.html` and
//! `sitemap.xml`). Nothing is written when the sources have errors (see
//! [`run`](crate::generate::run) for the order of the steps).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::generate::{Options, Sink, Sources, Summary, run};

/// Builds the site into `dir`, writing each file as soon as it is made,
/// and removes the files of a previous build that are no longer part of
/// the site.
pub fn build(sources: &Sources, options: &Options, dir: &Path) -> Result<Summary, Diagnostics> {
    let mut folder = Folder {
        dir: dir.to_owned(),
    };
    run(sources, options, None, &mut folder).map(|built| built.summary)
}

struct Folder {
    dir: PathBuf,
}

fn failure(path: &Path, message: impl std::fmt::Display) -> Diagnostic {
    Diagnostic::without_line(path.display().to_string(), message.to_string())
}

impl Sink for Folder {
    fn begin(&mut self, files: &BTreeSet<String>) -> Result<(), Diagnostic> {
        check_output_dir(&self.dir)?;
        let folders: BTreeSet<PathBuf> = files
            .iter()
            .filter_map(|file| Path::new(file).parent().map(|parent| self.dir.join(parent)))
            .collect();
        // One folder per article: thousands of system calls, spread over the threads.
        folders.par_iter().try_for_each(|folder| {
            std::fs::create_dir_all(folder)
                .map_err(|e| failure(folder, format!("no se pudo crear la carpeta: {e}")))
        })
    }

    fn put(&self, file: &str, content: String) -> Result<(), Diagnostic> {
        let path = self.dir.join(file);
        std::fs::write(&path, content)
            .map_err(|e| failure(&path, format!("no se pudo escribir: {e}")))
    }

    fn finish(&mut self, files: &BTreeSet<String>) -> Result<(), Diagnostic> {
        remove_stale(&self.dir, &self.dir, files)
    }
}

fn check_output_dir(dir: &Path) -> Result<(), Diagnostic> {
    let Ok(mut entries) = std::fs::read_dir(dir) else {
        return Ok(());
    };
    let is_empty = entries.next().is_none();
    let is_previous_build = dir.join("404.html").is_file() && dir.join("sitemap.xml").is_file();
    if !is_empty && !is_previous_build {
        return Err(failure(
            dir,
            "la carpeta de salida no está vacía y no contiene un sitio generado: elija otra con --out o vacíela",
        ));
    }
    Ok(())
}

/// Removes files that are not among `files`, then empty folders; the
/// entries of a folder are visited in parallel (a site is one wide folder).
fn remove_stale(root: &Path, dir: &Path, files: &BTreeSet<String>) -> Result<(), Diagnostic> {
    let entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| failure(dir, e))?
        .map(|entry| entry.map(|e| e.path()).map_err(|e| failure(dir, e)))
        .collect::<Result<_, _>>()?;
    entries.into_par_iter().try_for_each(|path| {
        if path.is_dir() {
            remove_stale(root, &path, files)?;
            let is_empty = std::fs::read_dir(&path)
                .map_err(|e| failure(&path, e))?
                .next()
                .is_none();
            if is_empty {
                std::fs::remove_dir(&path)
                    .map_err(|e| failure(&path, format!("no se pudo borrar: {e}")))?;
            }
        } else {
            let relative = path
                .strip_prefix(root)
                .unwrap_or(&path)
                .to_string_lossy()
                .replace('\\', "/");
            if !files.contains(&relative) {
                std::fs::remove_file(&path)
                    .map_err(|e| failure(&path, format!("no se pudo borrar: {e}")))?;
            }
        }
        Ok(())
    })
}
