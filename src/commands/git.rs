//! `leakproof git`: history, ranges, the staged index and unstaged changes.

use std::collections::{HashMap, HashSet};
use std::sync::Mutex;
use std::time::Instant;

use anyhow::{Context, Result};

use super::progress::Progress;
use super::scan::{Setup, finish, setup};
use crate::cli::GitCmd;
use crate::exit::ExitStatus;
use crate::pipeline::{CollectSink, Outcome};
use crate::source::git::{self, GitRepo};

/// What a git scan produced, before the report.
pub(super) struct Collected {
    /// Flags, config and acceptance in force.
    pub setup: Setup,
    /// Findings and notices.
    pub outcome: Outcome,
    /// Remarks for the summary.
    pub remarks: Vec<String>,
}

/// Scans what `cmd` selects into an outcome, each finding attributed to a
/// commit.
pub(super) fn collect(cmd: &GitCmd) -> Result<Collected> {
    collect_with(cmd, &|_| ())
}

/// [`collect`], `adjust`ing the setup resolved from flags and project
/// files first.
pub(super) fn collect_with(cmd: &GitCmd, adjust: &dyn Fn(&mut Setup)) -> Result<Collected> {
    git::tune_libgit2(cmd.whole_history());
    let repo = GitRepo::open(&cmd.repo)?;
    let root = repo
        .work_dir()
        .unwrap_or_else(|| repo.git_dir().to_path_buf());
    let mut setup = setup(&cmd.scan, &root, cmd.fingerprint_commit)?;
    adjust(&mut setup);
    setup.root = std::fs::canonicalize(&root)
        .ok()
        .map(|r| r.to_string_lossy().into_owned());
    let plan = if cmd.staged {
        repo.staged(setup.max_file_size)?
    } else if cmd.unstaged {
        repo.unstaged(setup.max_file_size)?
    } else if let Some(range) = &cmd.range {
        repo.range(range, setup.max_file_size)?
    } else if let Some(since) = &cmd.since {
        repo.range(&format!("{since}..HEAD"), setup.max_file_size)?
    } else {
        repo.history(cmd.branch.as_deref())?
    };
    // Paths in history are relative to the repository root already. A
    // history covers the whole project; a range, the index or the work
    // tree's changes only the files they touch.
    setup.scope.history = cmd.whole_history() && cmd.branch.is_none();
    setup.scope.targets = if cmd.whole_history() {
        vec![String::new()]
    } else {
        plan.blobs.iter().map(|b| b.path.clone()).collect()
    };
    let progress = Progress::start(
        &cmd.scan,
        &setup.scanner,
        "blobs",
        u64::try_from(plan.blobs.len()).ok(),
    );
    let shared = Mutex::new(Outcome::default());
    let git_dir = repo.git_dir();
    pool(setup.threads)?.install(|| {
        git::read(git_dir, &plan, setup.archives, || {
            CollectSink::new(&setup.scanner, &shared)
        });
    });
    progress.finish();
    let mut outcome = shared.into_inner().unwrap_or_else(|p| p.into_inner());
    let mut described: HashMap<String, crate::finding::Commit> = HashMap::new();
    for finding in &mut outcome.findings {
        if let Some(commit) = finding.commit.as_mut() {
            if !described.contains_key(&commit.commit) {
                let full = repo.describe(&commit.commit)?;
                described.insert(commit.commit.clone(), full);
            }
            if let Some(full) = described.get(&commit.commit) {
                **commit = full.clone();
            }
        }
    }
    // A secret that stays in a file across edits, or comes back, lives in
    // several blobs: report it once per fingerprint (rule, path, secret;
    // with --fingerprint-commit, the commit too), at the first commit in
    // ancestry order, whatever the commit dates say.
    let position = |f: &crate::finding::Finding| {
        let commit = f.commit.as_ref();
        let order = commit
            .and_then(|c| git2::Oid::from_str(&c.commit).ok())
            .and_then(|oid| plan.order.get(&oid).copied())
            .unwrap_or(u64::MAX);
        (order, commit.map_or(0, |c| c.time))
    };
    outcome
        .findings
        .sort_by_cached_key(|f| (position(f), f.path.clone(), f.line, f.column));
    let mut seen = HashSet::new();
    outcome
        .findings
        .retain(|f| seen.insert(f.fingerprint.clone()));
    if !plan.lineages.is_empty() {
        let mut seen = HashSet::new();
        outcome
            .suppressed
            .retain(|s| seen.insert((s.fingerprint.clone(), s.mechanism)));
    }
    // Entries naming a finding by commit and line name the commit that
    // introduced it, known only now.
    setup.scanner.accept_by_place(&mut outcome);
    let mut remarks = plan.remarks;
    // Trust: a pull request that edits the files which narrow the scan
    // must not pass quietly.
    let mut trusted: Vec<String> = vec![
        crate::config::FILE_NAME.to_string(),
        crate::config::IGNORE_FILE_NAME.to_string(),
        crate::config::GITLEAKS_FILE_NAME.to_string(),
        crate::gitleaks::ignore::IGNORE_FILE_NAME.to_string(),
    ];
    trusted.extend(
        cmd.scan
            .baseline
            .iter()
            .filter_map(|b| b.file_name())
            .map(|n| n.to_string_lossy().into_owned()),
    );
    if plan.blobs.iter().any(|b| b.added_lines.is_some()) {
        for name in &trusted {
            if plan
                .blobs
                .iter()
                .any(|b| b.path.rsplit('/').next() == Some(name.as_str()))
            {
                remarks.push(format!("warning: the scanned changes modify {name}, which can narrow what is reported: review it"));
            }
        }
    }
    if !cmd.staged && !cmd.unstaged {
        let noun = if plan.commits == 1 {
            "commit"
        } else {
            "commits"
        };
        remarks.insert(0, format!("{} {noun}", plan.commits));
    }
    Ok(Collected {
        setup,
        outcome,
        remarks,
    })
}

/// Runs `leakproof git`.
pub(super) fn run(cmd: &GitCmd) -> Result<ExitStatus> {
    let started = Instant::now();
    let Collected {
        setup,
        outcome,
        remarks,
    } = collect(cmd)?;
    // An object that cannot be read means history was not fully scanned:
    // fail closed, whatever --strict says. A corrupt archive is damaged
    // content, not a damaged repository: an error only under --strict, as
    // in `scan`.
    let unreadable = outcome.count_notices(crate::source::NoticeKind::Unreadable) > 0;
    let status = finish(&cmd.scan, &setup, outcome, started, remarks)?;
    Ok(if unreadable {
        ExitStatus::Error
    } else {
        status
    })
}

fn pool(threads: usize) -> Result<rayon::ThreadPool> {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .context("cannot start worker threads")
}
