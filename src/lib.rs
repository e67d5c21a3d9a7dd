//! leakproof: a fast secret scanner for source trees, git history, CI and
//! pre-commit hooks.
//!
//! ```text
//!  source ──► blob ──► detect ──► filter ──► report ──► exit code
//!  (files,     (bytes +   (keyword      (allowlists,   (text, json,
//!   stdin,     origin)    prefilter,    inline allow,  sarif, github
//!   git)                  regex,        baseline)      annotations)
//!                         entropy,
//!                         validators)
//! ```
//!
//! Modules follow that flow: [`source`] yields blobs, [`detect`] finds
//! candidates in bytes, [`filter`] drops what the user accepted,
//! [`pipeline`] ties them together for every source, and [`report`] writes
//! the result. [`rules`] loads the TOML packs that drive [`detect`].
//! [`der`] knows the DER shapes of private keys, for binary key files
//! ([`source`]) and hex-encoded keys ([`detect`]). [`gitleaks`] reads
//! gitleaks' configuration format and maps its rule ids;
//! [`detect_secrets`] reads detect-secrets' baseline for `config migrate`.

pub mod cli;
pub mod commands;
pub mod config;
pub mod date;
pub mod der;
pub mod detect;
pub mod detect_secrets;
pub mod exit;
pub mod filter;
pub mod finding;
pub mod gitleaks;
pub mod limits;
pub mod pipeline;
pub mod report;
pub mod rules;
pub mod source;
