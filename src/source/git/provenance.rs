//! Commit metadata (author, date, summary) for the commits that findings
//! name, looked up only once a blob has a finding.

use git2::Oid;

use super::{GitError, GitRepo, read_err};
use crate::finding::Commit;

impl GitRepo {
    /// Author, date and summary of a commit given by its hex id.
    pub fn describe(&self, id: &str) -> Result<Commit, GitError> {
        let oid = Oid::from_str(id).map_err(read_err(format_args!("commit {id}")))?;
        let commit = self
            .repo
            .find_commit(oid)
            .map_err(read_err(format_args!("commit {id}")))?;
        let author = commit.author();
        Ok(Commit {
            commit: id.to_string(),
            author: format!(
                "{} <{}>",
                String::from_utf8_lossy(author.name_bytes()),
                String::from_utf8_lossy(author.email_bytes())
            ),
            date: crate::date::rfc3339(author.when().seconds(), author.when().offset_minutes()),
            message: String::from_utf8_lossy(commit.summary_bytes().unwrap_or_default())
                .into_owned(),
            time: commit.time().seconds(),
        })
    }
}
