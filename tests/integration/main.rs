//! Integration tests: the real binary on fixture trees.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod accept;
mod action;
mod archive;
mod ci;
mod corrupt;
mod decode;
mod differential;
mod exit_codes;
mod formats;
mod generic;
mod git;
mod gitleaks;
mod history;
mod hostile;
mod identity;
mod install_hook;
mod pre_commit;
mod readme;
mod reports;
mod rules;
mod scan;
mod terminal;
mod util;
mod walk;
