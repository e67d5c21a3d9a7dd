//! `leakproof config init`.

use std::path::Path;

use anyhow::{Context, Result, bail};

use crate::exit::ExitStatus;

/// Runs `leakproof config init`.
pub(super) fn init(force: bool) -> Result<ExitStatus> {
    let path = Path::new(crate::config::FILE_NAME);
    if path.exists() && !force {
        bail!(
            "{} already exists (use --force to overwrite)",
            path.display()
        );
    }
    std::fs::write(path, crate::config::TEMPLATE)
        .with_context(|| format!("cannot write {}", path.display()))?;
    eprintln!("leakproof: wrote {}", path.display());
    Ok(ExitStatus::Clean)
}
