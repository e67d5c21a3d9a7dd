//! Integration tests: the real binary on fixture trees.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod accept;
mod action;
mod exit_codes;
mod formats;
mod git;
mod install_hook;
mod rules;
mod scan;
mod util;
mod walk;
