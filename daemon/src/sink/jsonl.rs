//! The JSON Lines sink: one record per line, appended; fsync on commit.
//! The path `-` writes to stdout (commit flushes).
//!
//! Records are kept (shared with the other sinks, not copied) until `commit`,
//! which writes the batch and fsyncs. The file never holds half a batch: if
//! the write or the fsync fails (disk full, file gone), the file is cut back to
//! its length after the last good commit and reopened, and the next `commit`
//! retries the same batch. At open, a torn last line (a crash mid-write) is cut
//! off: it was never committed.

use super::{Prepared, Sink};
use anyhow::Context as _;
use std::fs::{File, OpenOptions};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// A JSON Lines file (or stdout).
pub struct JsonlSink {
    /// `None` for stdout.
    file: Option<FileTarget>,
    batch: Vec<Arc<Prepared>>,
}

/// Write the batch's lines to `out` through a buffer of its own (records larger than it go
/// straight through), so no copy of the whole batch is ever made.
fn write_lines(out: impl Write, batch: &[Arc<Prepared>]) -> std::io::Result<()> {
    let mut out = BufWriter::with_capacity(1 << 16, out);
    for record in batch {
        out.write_all(record.json.as_bytes())?;
        out.write_all(b"\n")?;
    }
    out.flush()
}

struct FileTarget {
    path: PathBuf,
    /// `None` after a failure, until the next commit reopens it.
    file: Option<File>,
    /// The file's length after the last good commit.
    committed: u64,
}

impl JsonlSink {
    /// Open `path` for appending (creating it and its folder), or stdout for `-`.
    pub fn open(path: &Path) -> anyhow::Result<JsonlSink> {
        let file = if path.as_os_str() == "-" {
            None
        } else {
            let (file, committed) = open_file(path)?;
            Some(FileTarget {
                path: path.to_path_buf(),
                file: Some(file),
                committed,
            })
        };
        Ok(JsonlSink {
            file,
            batch: Vec::new(),
        })
    }
}

/// Open for appending; cut a torn last line. Returns the file and its length.
fn open_file(path: &Path) -> anyhow::Result<(File, u64)> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("cannot create sink folder {}", dir.display()))?;
    }
    let mut file = OpenOptions::new()
        .create(true)
        .append(true)
        .read(true)
        .open(path)
        .with_context(|| format!("cannot open sink file {}", path.display()))?;
    let len = cut_torn_line(&mut file)
        .with_context(|| format!("cannot repair the end of sink file {}", path.display()))?;
    Ok((file, len))
}

/// Cut everything after the last newline (a line a crash tore); returns the new length.
fn cut_torn_line(file: &mut File) -> std::io::Result<u64> {
    use std::io::{Read, Seek, SeekFrom};
    let len = file.metadata()?.len();
    if len == 0 || !file.metadata()?.is_file() {
        return Ok(len);
    }
    let mut end = len;
    let mut chunk = vec![0u8; 64 * 1024];
    while end > 0 {
        let start = end.saturating_sub(chunk.len() as u64);
        let n = (end - start) as usize;
        file.seek(SeekFrom::Start(start))?;
        file.read_exact(&mut chunk[..n])?;
        if let Some(i) = chunk[..n].iter().rposition(|&b| b == b'\n') {
            let keep = start + i as u64 + 1;
            if keep != len {
                file.set_len(keep)?;
            }
            return Ok(keep);
        }
        end = start;
    }
    file.set_len(0)?;
    Ok(0)
}

impl FileTarget {
    fn commit(&mut self, batch: &[Arc<Prepared>]) -> anyhow::Result<()> {
        if self.file.is_none() {
            let (file, len) = open_file(&self.path)?;
            self.file = Some(file);
            self.committed = len;
        }
        let Some(file) = self.file.as_mut() else {
            unreachable!("opened above")
        };
        let written = write_lines(&*file, batch).and_then(|()| file.sync_data());
        match written {
            Ok(()) => {
                self.committed += batch.iter().map(|r| r.json.len() as u64 + 1).sum::<u64>();
                Ok(())
            }
            Err(e) => {
                // Leave no part of the batch behind; reopen on the next try.
                if let Err(cut) = file.set_len(self.committed) {
                    tracing::warn!(path = %self.path.display(), error = %cut, "cannot cut a failed batch off the sink file");
                }
                self.file = None;
                Err(e).with_context(|| format!("cannot write sink file {}", self.path.display()))
            }
        }
    }
}

impl Sink for JsonlSink {
    fn write(&mut self, record: &Arc<Prepared>) -> anyhow::Result<()> {
        self.batch.push(record.clone());
        Ok(())
    }

    fn rollback(&mut self) {
        self.batch.clear();
    }

    fn commit(&mut self) -> anyhow::Result<()> {
        match &mut self.file {
            _ if self.batch.is_empty() => {}
            Some(target) => target.commit(&self.batch)?,
            None => write_lines(std::io::stdout().lock(), &self.batch)
                .context("cannot write to stdout")?,
        }
        self.batch.clear();
        Ok(())
    }

    fn position(&self) -> Option<u64> {
        self.file.as_ref().map(|t| t.committed)
    }

    fn ids_since(&mut self, position: u64) -> anyhow::Result<Vec<String>> {
        use std::io::{BufRead, Read, Seek, SeekFrom};
        let Some(target) = &self.file else {
            return Ok(Vec::new());
        };
        let path = &target.path;
        let mut file = File::open(path)
            .with_context(|| format!("cannot read sink file {}", path.display()))?;
        let meta = file.metadata()?;
        if !meta.is_file() || meta.len() <= position {
            return Ok(Vec::new());
        }
        file.seek(SeekFrom::Start(position))?;
        // Up to the length seen now: a growing file must not be read on forever.
        let reader = std::io::BufReader::new(file.take(meta.len() - position));
        #[derive(serde::Deserialize)]
        struct IdOnly {
            id: String,
        }
        let mut ids = Vec::new();
        for line in reader.split(b'\n') {
            let line = line.with_context(|| format!("cannot read sink file {}", path.display()))?;
            if let Ok(r) = serde_json::from_slice::<IdOnly>(&line) {
                ids.push(r.id);
            }
        }
        Ok(ids)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::record::Record;

    fn record(id: &str) -> Record {
        Record {
            id: id.into(),
            source: Default::default(),
            ingested_at: String::new(),
            text: "t".into(),
            fields: Default::default(),
            pipeline: vec![],
        }
    }

    fn write(sink: &mut JsonlSink, id: &str) {
        sink.write(&Prepared::new(&record(id), false)).unwrap();
    }

    #[test]
    fn a_torn_last_line_is_cut_at_open() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("r.jsonl");
        std::fs::write(&p, "{\"id\":\"a\"}\n{\"id\":\"b").unwrap();
        let mut sink = JsonlSink::open(&p).unwrap();
        assert_eq!(sink.position(), Some(11));
        write(&mut sink, "c");
        sink.commit().unwrap();
        let text = std::fs::read_to_string(&p).unwrap();
        assert_eq!(text.lines().count(), 2);
        assert!(text
            .lines()
            .all(|l| serde_json::from_str::<serde_json::Value>(l).is_ok()));
    }

    #[test]
    fn a_failed_commit_leaves_nothing_and_the_retry_writes_the_batch_once() {
        let dir = tempfile::tempdir().unwrap();
        let real = dir.path().join("real.jsonl");
        let link = dir.path().join("r.jsonl");
        std::os::unix::fs::symlink("/dev/full", &link).unwrap();
        let mut sink = JsonlSink::open(&link).unwrap();
        write(&mut sink, "a");
        assert!(sink.commit().is_err(), "/dev/full is always full");
        // The disk frees up: the path now leads to a regular file.
        std::fs::remove_file(&link).unwrap();
        std::os::unix::fs::symlink(&real, &link).unwrap();
        sink.commit().unwrap();
        assert_eq!(std::fs::read_to_string(&real).unwrap().lines().count(), 1);
    }
}
