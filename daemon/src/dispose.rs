//! What happens to an input file once it is done: moved to `processed/`,
//! deleted or kept after success; moved to `failed/` with `NAME.error.json`
//! beside it after a failure.

use crate::config::OnSuccess;
use anyhow::Context as _;
use serde::Serialize;
use std::path::{Path, PathBuf};

/// The content of `NAME.error.json`.
#[derive(Debug, Serialize)]
pub struct ErrorReport<'a> {
    /// The input's file name.
    pub file: &'a str,
    /// Where it was when it failed.
    pub path: String,
    /// `ingest`, `plugin:<name>` or `sink`.
    pub stage: &'a str,
    /// Why.
    pub error: &'a str,
    /// How many times the file was tried: 1, or more when the daemon died with it in flight.
    pub attempts: u32,
    /// When (RFC 3339, UTC).
    pub at: String,
    /// The record id (hash of the input), when the input could be read.
    pub id: Option<&'a str>,
}

/// Move `path` into `dir`, keeping its name; a name already taken there gets a numeric suffix.
/// Nothing in `dir` is ever overwritten, even by another daemon moving into the same shared
/// folder at the same moment: the file is hard-linked under the new name (which fails if the
/// name exists), then unlinked. A name that already holds this very file (same device and
/// inode: a move that died between the link and the unlink) is taken as the target, and only
/// the unlink is redone, so a crash there never leaves a second copy. Where hard links are not
/// supported, it is renamed after a check. Returns the new path.
pub fn move_into(path: &Path, dir: &Path) -> anyhow::Result<PathBuf> {
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let name = path
        .file_name()
        .with_context(|| format!("{} has no file name", path.display()))?;
    let mut target = dir.join(name);
    let mut n = 1;
    loop {
        match std::fs::hard_link(path, &target) {
            Ok(()) => {
                std::fs::remove_file(path).with_context(|| {
                    format!(
                        "cannot remove {} after linking it to {}",
                        path.display(),
                        target.display()
                    )
                })?;
                return Ok(target);
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                if same_file(path, &target) {
                    std::fs::remove_file(path).with_context(|| {
                        format!(
                            "cannot remove {} (already linked to {})",
                            path.display(),
                            target.display()
                        )
                    })?;
                    return Ok(target);
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(e).with_context(|| format!("cannot move {}", path.display()))
            }
            Err(_) if !target.exists() => {
                std::fs::rename(path, &target).with_context(|| {
                    format!("cannot move {} to {}", path.display(), target.display())
                })?;
                return Ok(target);
            }
            Err(_) => {}
        }
        target = dir.join(format!("{}.{n}", name.to_string_lossy()));
        n += 1;
    }
}

/// Whether `a` and `b` are the same file (one inode under two names).
fn same_file(a: &Path, b: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (std::fs::symlink_metadata(a), std::fs::symlink_metadata(b)) {
        (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
        _ => false,
    }
}

/// After the record is durably delivered.
pub fn succeeded(path: &Path, on_success: OnSuccess, processed: &Path) -> anyhow::Result<()> {
    match on_success {
        OnSuccess::Move => move_into(path, processed).map(|_| ()),
        OnSuccess::Delete => {
            std::fs::remove_file(path).with_context(|| format!("cannot delete {}", path.display()))
        }
        OnSuccess::Keep => Ok(()),
    }
}

/// After a failure: the input goes to `failed/`, its report beside it (written atomically).
pub fn failed(path: &Path, failed_dir: &Path, report: &ErrorReport<'_>) -> anyhow::Result<PathBuf> {
    let target = move_into(path, failed_dir)?;
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let json = serde_json::to_vec_pretty(report).context("cannot serialise the error report")?;
    let tmp = failed_dir.join(format!(".{name}.error.json.tmp"));
    let dest = failed_dir.join(format!("{name}.error.json"));
    std::fs::write(&tmp, json)
        .and_then(|()| std::fs::rename(&tmp, &dest))
        .with_context(|| format!("cannot write {}", dest.display()))?;
    Ok(target)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_taken_name_gets_a_suffix_and_nothing_is_overwritten() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("processed");
        for body in ["one", "two"] {
            let p = dir.path().join("a.txt");
            std::fs::write(&p, body).unwrap();
            move_into(&p, &out).unwrap();
        }
        assert_eq!(std::fs::read_to_string(out.join("a.txt")).unwrap(), "one");
        assert_eq!(std::fs::read_to_string(out.join("a.txt.1")).unwrap(), "two");
    }

    #[test]
    fn a_move_cut_short_between_link_and_unlink_is_finished_without_a_second_copy() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("processed");
        std::fs::create_dir(&out).unwrap();
        let p = dir.path().join("a.txt");
        std::fs::write(&p, "one").unwrap();
        // The daemon was killed after the link: the file is in both folders.
        std::fs::hard_link(&p, out.join("a.txt")).unwrap();
        assert_eq!(move_into(&p, &out).unwrap(), out.join("a.txt"));
        assert!(!p.exists());
        assert_eq!(std::fs::read_dir(&out).unwrap().count(), 1);
    }
}
