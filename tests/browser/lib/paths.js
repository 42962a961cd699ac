// Where things are: the repository, the Rust binaries, fixtures and artifacts.
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** tests/browser/ */
export const browserDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
/** The repository root (where site.toml and content/ are). */
export const repoRoot = path.resolve(browserDir, '..', '..');
/** Cargo's target directory (CARGO_TARGET_DIR is honoured, like cargo does). */
export const targetDir = process.env.CARGO_TARGET_DIR
  ? path.resolve(repoRoot, process.env.CARGO_TARGET_DIR)
  : path.join(repoRoot, 'target');
/** Screenshots and other outputs worth looking at (gitignored). */
export const artifactsDir = path.join(browserDir, 'artifacts');

/** A debug binary built by run.sh (`cargo build -p site-gen -p form-function --bins`). */
export function bin(name) {
  return path.join(targetDir, 'debug', name);
}

export function fixture(name) {
  return path.join(browserDir, 'fixtures', name);
}
