//! Exit codes: 0 nothing reported, 1 findings (or `--exit-code`), 2 the scan
//! cannot be trusted.

/// How a run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitStatus {
    /// Nothing reported.
    Clean,
    /// Findings reported; carries the code to exit with.
    Findings(i32),
    /// Bad arguments, config or rule pack, missing target, or (with
    /// `--strict`) an unreadable file.
    Error,
}

impl ExitStatus {
    /// The process exit code.
    pub fn code(self) -> i32 {
        match self {
            ExitStatus::Clean => 0,
            ExitStatus::Findings(code) => code,
            ExitStatus::Error => 2,
        }
    }
}
