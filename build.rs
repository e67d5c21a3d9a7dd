//! Records what `leakproof --version` prints besides the package version:
//! the commit the binary was built from and when it was built (Unix time;
//! the binary formats the date). Both degrade
//! cleanly: without git, or outside a git checkout (a source tarball, a
//! `cargo install` from the registry), the commit is left out; the date
//! honours `SOURCE_DATE_EPOCH` for reproducible builds.

use std::path::Path;
use std::process::Command;
use std::time::{SystemTime, UNIX_EPOCH};

/// Runs git in `dir`; `None` if git is missing or fails.
fn git(dir: &Path, args: &[&str]) -> Option<String> {
    let out = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .output()
        .ok()?;
    if !out.status.success() {
        return None;
    }
    let text = String::from_utf8(out.stdout).ok()?;
    let text = text.trim();
    (!text.is_empty()).then(|| text.to_string())
}

fn main() {
    let manifest = std::env::var("CARGO_MANIFEST_DIR").unwrap_or_else(|_| ".".to_string());
    let manifest = Path::new(&manifest);
    println!("cargo:rerun-if-env-changed=SOURCE_DATE_EPOCH");
    println!("cargo:rerun-if-changed=build.rs");

    // Only this crate's own checkout counts: a tarball unpacked inside some
    // other repository must not claim that repository's commit.
    let toplevel = git(manifest, &["rev-parse", "--show-toplevel"]);
    let ours = toplevel
        .is_some_and(|top| Path::new(&top).canonicalize().ok() == manifest.canonicalize().ok());
    let commit = if ours {
        git(manifest, &["rev-parse", "--short=12", "HEAD"])
    } else {
        None
    };
    if ours {
        // Rebuild when HEAD moves (a commit, a checkout, a rebase).
        for name in ["HEAD", "logs/HEAD"] {
            if let Some(path) = git(manifest, &["rev-parse", "--git-path", name]) {
                let path = manifest.join(path);
                if path.exists() {
                    println!("cargo:rerun-if-changed={}", path.display());
                }
            }
        }
    }
    let secs = std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|s| s.trim().parse::<i64>().ok())
        .unwrap_or_else(|| {
            SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map_or(0, |d| d.as_secs() as i64)
        });
    println!("cargo:rustc-env=LEAKPROOF_BUILD_EPOCH={secs}");
    println!(
        "cargo:rustc-env=LEAKPROOF_COMMIT={}",
        commit.unwrap_or_default()
    );
}
