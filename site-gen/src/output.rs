//! Writing a generated site to a folder.
//!
//! Files are written in place and stale files removed afterwards, instead
//! of deleting the folder: recreating thousands of folders is slow on some
//! disks. To avoid wiping the wrong folder, an existing non-empty folder is
//! only reused when it already holds a generated site (its `404.html` and
//! `sitemap.xml`).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use anyhow::{Context as _, bail};
use rayon::prelude::*;

use crate::generate::Site;

impl Site {
    /// Writes every file under `dir` and removes the files of a previous
    /// build that are no longer part of the site.
    pub fn write_to(&self, dir: &Path) -> anyhow::Result<()> {
        check_output_dir(dir)?;
        let folders: BTreeSet<PathBuf> = self
            .files
            .keys()
            .filter_map(|file| Path::new(file).parent().map(|parent| dir.join(parent)))
            .collect();
        for folder in &folders {
            std::fs::create_dir_all(folder)
                .with_context(|| format!("no se pudo crear {}", folder.display()))?;
        }
        self.files.par_iter().try_for_each(|(file, content)| {
            let path = dir.join(file);
            std::fs::write(&path, content)
                .with_context(|| format!("no se pudo escribir {}", path.display()))
        })?;
        remove_stale(dir, dir, self)?;
        Ok(())
    }
}

fn check_output_dir(dir: &Path) -> anyhow::Result<()> {
    let Ok(mut entries) = std::fs::read_dir(dir) else {
        return Ok(());
    };
    let is_empty = entries.next().is_none();
    let is_previous_build = dir.join("404.html").is_file() && dir.join("sitemap.xml").is_file();
    if !is_empty && !is_previous_build {
        bail!(
            "la carpeta de salida {} no está vacía y no contiene un sitio generado: elija otra con --out o vacíela",
            dir.display()
        );
    }
    Ok(())
}

/// Removes files that are not part of `site`, then empty folders.
fn remove_stale(root: &Path, dir: &Path, site: &Site) -> anyhow::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            remove_stale(root, &path, site)?;
            if std::fs::read_dir(&path)?.next().is_none() {
                std::fs::remove_dir(&path)?;
            }
        } else {
            let relative = path
                .strip_prefix(root)?
                .to_string_lossy()
                .replace('\\', "/");
            if !site.files.contains_key(&relative) {
                std::fs::remove_file(&path)
                    .with_context(|| format!("no se pudo borrar {}", path.display()))?;
            }
        }
    }
    Ok(())
}
