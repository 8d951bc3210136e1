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
/// folder at the same moment: the file is renamed with `RENAME_NOREPLACE` (one atomic step that
/// fails if the name exists) where the file system supports it; elsewhere it is hard-linked
/// under the new name (which fails if the name exists), then unlinked. A name that already holds
/// this very file (same device and inode: a link-then-unlink move that died between the two) is
/// taken as the target, and only the unlink is redone, so a crash there never leaves a second
/// copy. Where neither is supported, it is renamed after a check. `dir` is created when
/// missing. Returns the new path.
pub fn move_into(path: &Path, dir: &Path) -> anyhow::Result<PathBuf> {
    let name = path
        .file_name()
        .with_context(|| format!("{} has no file name", path.display()))?;
    let mut target = dir.join(name);
    let mut n = 1;
    let mut made_dir = false;
    loop {
        match place(path, &target) {
            Ok(Placed::Moved) => return Ok(target),
            Ok(Placed::Taken) => {}
            // The folder is made on the first move that misses it, not looked for every time.
            Err(_) if !made_dir && !dir.is_dir() => {
                std::fs::create_dir_all(dir)
                    .with_context(|| format!("cannot create {}", dir.display()))?;
                made_dir = true;
                continue;
            }
            Err(e) => return Err(e),
        }
        target = dir.join(format!("{}.{n}", name.to_string_lossy()));
        n += 1;
    }
}

/// What one attempt to put a file under a name did.
enum Placed {
    /// The file is now under the name.
    Moved,
    /// Another file holds the name; nothing changed.
    Taken,
}

/// Put `path` at `target` unless another file holds that name.
fn place(path: &Path, target: &Path) -> anyhow::Result<Placed> {
    match rename_noreplace(path, target) {
        Some(Ok(())) => return Ok(Placed::Moved),
        // Taken, but perhaps by this very file (see `move_into`): the link below tells.
        Some(Err(e)) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
        Some(Err(e)) => {
            return Err(e)
                .with_context(|| format!("cannot move {} to {}", path.display(), target.display()))
        }
        None => {}
    }
    link_then_unlink(path, target)
}

/// `path` renamed to `target` unless `target` exists, in one step (`renameat2` with
/// `RENAME_NOREPLACE`). `None` where the kernel or file system does not support it.
fn rename_noreplace(path: &Path, target: &Path) -> Option<std::io::Result<()>> {
    #[cfg(target_os = "linux")]
    {
        use std::ffi::CString;
        use std::os::unix::ffi::OsStrExt;
        let (Ok(from), Ok(to)) = (
            CString::new(path.as_os_str().as_bytes()),
            CString::new(target.as_os_str().as_bytes()),
        ) else {
            return None;
        };
        // SAFETY: both are NUL-terminated paths that live across the call.
        let rc = unsafe {
            libc::renameat2(
                libc::AT_FDCWD,
                from.as_ptr(),
                libc::AT_FDCWD,
                to.as_ptr(),
                libc::RENAME_NOREPLACE,
            )
        };
        if rc == 0 {
            return Some(Ok(()));
        }
        let e = std::io::Error::last_os_error();
        match e.raw_os_error() {
            Some(libc::EINVAL | libc::ENOSYS | libc::EOPNOTSUPP) => None,
            _ => Some(Err(e)),
        }
    }
    #[cfg(not(target_os = "linux"))]
    {
        let _ = (path, target);
        None
    }
}

/// The move where `RENAME_NOREPLACE` is not available: hard-link `path` as `target`, then
/// unlink `path`.
fn link_then_unlink(path: &Path, target: &Path) -> anyhow::Result<Placed> {
    match std::fs::hard_link(path, target) {
        Ok(()) => {
            std::fs::remove_file(path).with_context(|| {
                format!(
                    "cannot remove {} after linking it to {}",
                    path.display(),
                    target.display()
                )
            })?;
            Ok(Placed::Moved)
        }
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            if !same_file(path, target) {
                return Ok(Placed::Taken);
            }
            std::fs::remove_file(path).with_context(|| {
                format!(
                    "cannot remove {} (already linked to {})",
                    path.display(),
                    target.display()
                )
            })?;
            Ok(Placed::Moved)
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            Err(e).with_context(|| format!("cannot move {}", path.display()))
        }
        Err(_) if !target.exists() => {
            std::fs::rename(path, target).with_context(|| {
                format!("cannot move {} to {}", path.display(), target.display())
            })?;
            Ok(Placed::Moved)
        }
        Err(_) => Ok(Placed::Taken),
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
    fn the_link_fallback_leaves_a_taken_name_alone_and_moves_onto_its_own_link() {
        let dir = tempfile::tempdir().unwrap();
        let (a, b) = (dir.path().join("a.txt"), dir.path().join("b.txt"));
        std::fs::write(&a, "mine").unwrap();
        std::fs::write(&b, "theirs").unwrap();
        assert!(matches!(link_then_unlink(&a, &b).unwrap(), Placed::Taken));
        assert_eq!(std::fs::read_to_string(&b).unwrap(), "theirs");
        assert!(a.exists());
        let c = dir.path().join("c.txt");
        assert!(matches!(link_then_unlink(&a, &c).unwrap(), Placed::Moved));
        assert!(!a.exists());
        std::fs::hard_link(&c, &a).unwrap();
        assert!(matches!(link_then_unlink(&a, &c).unwrap(), Placed::Moved));
        assert!(!a.exists());
        assert_eq!(std::fs::read_to_string(&c).unwrap(), "mine");
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
