//! gitleaks compatibility: its configuration format and its rule ids, so
//! a team coming from gitleaks keeps its files and habits.

pub mod config;
pub mod ids;
