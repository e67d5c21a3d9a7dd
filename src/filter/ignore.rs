//! The ignore file (`.leakproofignore`): one fingerprint per line, as
//! printed with every finding; `#` starts a comment.

use std::collections::HashMap;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};

use super::FilterFileError;

/// Fingerprints whose findings are not reported.
#[derive(Debug)]
pub struct IgnoreList {
    /// The file, as shown to users.
    pub file: String,
    entries: HashMap<String, usize>,
    lines: Vec<usize>,
    used: Vec<AtomicBool>,
}

/// True if and only if `s` has the shape of a fingerprint.
pub fn is_fingerprint(s: &str) -> bool {
    s.len() == 32
        && s.bytes()
            .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
}

impl IgnoreList {
    /// Reads and parses an ignore file.
    pub fn load(path: &Path) -> Result<IgnoreList, FilterFileError> {
        let file = path.display().to_string();
        let text = crate::limits::read_text(path, crate::limits::IGNORE_FILE, "an ignore file")
            .map_err(|e| FilterFileError::new(&file, 0, e.to_string()))?;
        IgnoreList::parse(&file, &text)
    }

    /// Parses the text of an ignore file named `file`.
    pub fn parse(file: &str, text: &str) -> Result<IgnoreList, FilterFileError> {
        let mut entries = HashMap::new();
        let mut lines = Vec::new();
        for (i, raw) in text.lines().enumerate() {
            let entry = raw.split('#').next().unwrap_or("").trim();
            if entry.is_empty() {
                continue;
            }
            if !is_fingerprint(entry) {
                return Err(FilterFileError::new(
                    file,
                    i + 1,
                    format!(
                        "`{}` is not a fingerprint (32 lowercase hex digits, as printed with each finding)",
                        crate::finding::quoted(entry)
                    ),
                ));
            }
            entries.entry(entry.to_string()).or_insert_with(|| {
                lines.push(i + 1);
                lines.len() - 1
            });
        }
        let used = lines.iter().map(|_| AtomicBool::new(false)).collect();
        Ok(IgnoreList {
            file: file.to_string(),
            entries,
            lines,
            used,
        })
    }

    /// The 1-based line listing `fingerprint`, marking the entry used.
    pub fn check(&self, fingerprint: &str) -> Option<usize> {
        let &i = self.entries.get(fingerprint)?;
        self.used[i].store(true, Ordering::Relaxed);
        Some(self.lines[i])
    }

    /// Entries that matched nothing: `(line, fingerprint)`, by line.
    pub fn unused(&self) -> Vec<(usize, String)> {
        let mut out: Vec<(usize, String)> = self
            .entries
            .iter()
            .filter(|&(_, &i)| !self.used[i].load(Ordering::Relaxed))
            .map(|(fp, &i)| (self.lines[i], fp.clone()))
            .collect();
        out.sort();
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_check_and_unused() {
        let fp1 = "0123456789abcdef0123456789abcdef";
        let fp2 = "fedcba9876543210fedcba9876543210";
        let list =
            IgnoreList::parse("ign", &format!("# accepted\n{fp1}  # test key\n\n{fp2}\n")).unwrap();
        assert_eq!(list.check(fp1), Some(2));
        assert_eq!(list.check("00000000000000000000000000000000"), None);
        assert_eq!(list.unused(), vec![(4, fp2.to_string())]);
        let err = IgnoreList::parse("ign", "nope\n").unwrap_err();
        assert_eq!(
            err.to_string(),
            "ign:1: `nope` is not a fingerprint (32 lowercase hex digits, as printed with each finding)"
        );
    }
}
