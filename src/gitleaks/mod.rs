//! gitleaks compatibility: its configuration format, its rule ids, its
//! ignore file and its reports used as baselines, so a team coming from
//! gitleaks keeps its files and habits.

pub mod config;
pub mod ids;
pub mod ignore;
