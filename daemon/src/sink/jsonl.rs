//! The JSON Lines sink: one record per line, appended; fsync on commit.
//! The path `-` writes to stdout (commit flushes).

use super::Sink;
use crate::record::Record;
use anyhow::Context as _;
use std::fs::{File, OpenOptions};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

enum Target {
    File {
        file: BufWriter<File>,
        path: PathBuf,
    },
    Stdout(BufWriter<std::io::Stdout>),
}

/// A JSON Lines file (or stdout).
pub struct JsonlSink {
    target: Target,
}

impl JsonlSink {
    /// Open `path` for appending (creating it and its folder), or stdout for `-`.
    pub fn open(path: &Path) -> anyhow::Result<JsonlSink> {
        if path.as_os_str() == "-" {
            return Ok(JsonlSink {
                target: Target::Stdout(BufWriter::new(std::io::stdout())),
            });
        }
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
        end_with_newline(&mut file)
            .with_context(|| format!("cannot repair the end of sink file {}", path.display()))?;
        Ok(JsonlSink {
            target: Target::File {
                file: BufWriter::with_capacity(1 << 16, file),
                path: path.to_path_buf(),
            },
        })
    }
}

/// A line torn by a crash or a full disk must not glue itself to the next record.
fn end_with_newline(file: &mut File) -> std::io::Result<()> {
    use std::io::{Read, Seek, SeekFrom};
    let len = file.metadata()?.len();
    if len == 0 {
        return Ok(());
    }
    file.seek(SeekFrom::Start(len - 1))?;
    let mut last = [0u8; 1];
    file.read_exact(&mut last)?;
    if last[0] != b'\n' {
        file.write_all(b"\n")?;
    }
    Ok(())
}

impl Sink for JsonlSink {
    fn write(&mut self, record: &Record) -> anyhow::Result<()> {
        let line = record
            .to_json_line()
            .context("record cannot be serialised")?;
        let w: &mut dyn Write = match &mut self.target {
            Target::File { file, .. } => file,
            Target::Stdout(out) => out,
        };
        w.write_all(line.as_bytes())
            .and_then(|()| w.write_all(b"\n"))
            .context("cannot write to the JSON Lines sink")
    }

    fn commit(&mut self) -> anyhow::Result<()> {
        match &mut self.target {
            Target::File { file, path } => file
                .flush()
                .and_then(|()| file.get_ref().sync_data())
                .with_context(|| format!("cannot fsync sink file {}", path.display())),
            Target::Stdout(out) => out.flush().context("cannot write to stdout"),
        }
    }

    fn position(&self) -> Option<u64> {
        match &self.target {
            Target::File { file, .. } => file.get_ref().metadata().ok().map(|m| m.len()),
            Target::Stdout(_) => None,
        }
    }

    fn ids_since(&mut self, position: u64) -> anyhow::Result<Vec<String>> {
        use std::io::{BufRead, Seek, SeekFrom};
        let Target::File { path, .. } = &self.target else {
            return Ok(Vec::new());
        };
        let mut reader = std::io::BufReader::new(
            File::open(path)
                .with_context(|| format!("cannot read sink file {}", path.display()))?,
        );
        reader.seek(SeekFrom::Start(position))?;
        let mut ids = Vec::new();
        for line in reader.split(b'\n') {
            let line = line.with_context(|| format!("cannot read sink file {}", path.display()))?;
            // A torn line is not a record: its input was not delivered.
            #[derive(serde::Deserialize)]
            struct IdOnly {
                id: String,
            }
            if let Ok(r) = serde_json::from_slice::<IdOnly>(&line) {
                ids.push(r.id);
            }
        }
        Ok(ids)
    }
}
