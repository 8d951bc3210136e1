//! Reading one input file safely: a regular file (a symbolic link is refused,
//! wherever it points), not empty, within the size limit (checked before
//! reading), decoded to text without NUL characters, hashed → a fresh [`Record`].
//!
//! Encoding: a UTF-8 or UTF-16 byte-order mark decides; otherwise valid UTF-8
//! is taken as is, and anything else is decoded as Windows-1258 (the legacy
//! Vietnamese code page), which the record notes in `source_encoding`.

use crate::record::Record;
use enrichd_plugin_api::Source;
use sha2::{Digest, Sha256};
use std::io::Read;
use std::path::Path;

/// Why an input could not be read.
#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    #[error("cannot read {path}: {cause}")]
    Io { path: String, cause: std::io::Error },
    #[error("{path} is a symbolic link; enrichd reads only regular files in the drop folder and follows no links")]
    Symlink { path: String },
    #[error("{path} is not a regular file")]
    NotAFile { path: String },
    #[error("{path} is empty")]
    Empty { path: String },
    #[error("{path} holds binary data (NUL characters), not text")]
    Binary { path: String },
    #[error("{path} is {bytes} bytes, over the limit of {limit} (max_file_bytes)")]
    TooLarge {
        path: String,
        bytes: u64,
        limit: u64,
    },
}

impl IngestError {
    /// Whether the file vanished before it could be read (moved away or deleted by someone else).
    pub fn is_not_found(&self) -> bool {
        matches!(self, IngestError::Io { cause, .. } if cause.kind() == std::io::ErrorKind::NotFound)
    }
}

/// Read `path` into a record with no plugin fields yet.
pub fn read(path: &Path, max_bytes: u64) -> Result<Record, IngestError> {
    Input::open(path)?.read(max_bytes)
}

/// An input file opened for reading, with its metadata taken from the open file (so the checks
/// and the read are about the same file, whatever is renamed meanwhile).
pub struct Input<'p> {
    path: &'p Path,
    file: std::fs::File,
    meta: std::fs::Metadata,
}

impl<'p> Input<'p> {
    /// Open `path` without following a symbolic link, without blocking (a FIFO does not hang
    /// the worker) and, where the daemon may, without updating its access time.
    pub fn open(path: &'p Path) -> Result<Input<'p>, IngestError> {
        use std::os::unix::fs::OpenOptionsExt as _;
        let shown = || path.display().to_string();
        let open = |flags| {
            std::fs::OpenOptions::new()
                .read(true)
                .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK | libc::O_NOCTTY | flags)
                .open(path)
        };
        // O_NOATIME is refused (EPERM) on files the daemon does not own.
        let file = match open(libc::O_NOATIME) {
            Err(e) if e.raw_os_error() == Some(libc::EPERM) => open(0),
            other => other,
        };
        let file = file.map_err(|cause| {
            // ELOOP: the last part of the path is a symbolic link (O_NOFOLLOW).
            let link = cause.raw_os_error() == Some(libc::ELOOP)
                && std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink());
            if link {
                IngestError::Symlink { path: shown() }
            } else {
                IngestError::Io {
                    path: shown(),
                    cause,
                }
            }
        })?;
        let meta = file.metadata().map_err(|cause| IngestError::Io {
            path: shown(),
            cause,
        })?;
        if !meta.is_file() {
            return Err(IngestError::NotAFile { path: shown() });
        }
        Ok(Input { path, file, meta })
    }

    /// The file's size in bytes when it was opened.
    pub fn size(&self) -> u64 {
        self.meta.len()
    }

    /// Read the file into a record with no plugin fields yet.
    pub fn read(self, max_bytes: u64) -> Result<Record, IngestError> {
        let Input { path, file, meta } = self;
        let shown = path.display().to_string();
        if meta.len() > max_bytes {
            return Err(IngestError::TooLarge {
                path: shown,
                bytes: meta.len(),
                limit: max_bytes,
            });
        }
        let mut bytes = Vec::with_capacity(meta.len() as usize);
        if let Err(cause) = file
            .take(max_bytes.saturating_add(1))
            .read_to_end(&mut bytes)
        {
            return Err(IngestError::Io { path: shown, cause });
        }
        if bytes.len() as u64 > max_bytes {
            return Err(IngestError::TooLarge {
                path: shown,
                bytes: bytes.len() as u64,
                limit: max_bytes,
            });
        }
        if bytes.is_empty() {
            return Err(IngestError::Empty { path: shown });
        }
        let sha256 = hex(&Sha256::digest(&bytes));
        let len = bytes.len() as u64;
        let (text, encoding) = decode(bytes);
        if text.contains('\0') {
            return Err(IngestError::Binary { path: shown });
        }
        let modified = meta
            .modified()
            .ok()
            .and_then(|t| jiff::Timestamp::try_from(t).ok())
            .map(|t| t.to_string());
        let mut fields = crate::record::Fields::new();
        if encoding != "UTF-8" {
            fields.insert(
                "source_encoding".into(),
                crate::record::RawJson::string(encoding),
            );
        }
        Ok(Record {
            id: sha256.clone(),
            source: Source {
                path: shown,
                name: path
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default(),
                bytes: len,
                sha256,
                modified,
            },
            ingested_at: jiff::Timestamp::now().to_string(),
            text,
            fields,
            pipeline: Vec::new(),
        })
    }
}

/// Decode input bytes (UTF-8 without a copy); returns the text and the encoding's name.
fn decode(bytes: Vec<u8>) -> (String, &'static str) {
    if let Some((enc, bom)) = encoding_rs::Encoding::for_bom(&bytes) {
        let (text, _) = enc.decode_without_bom_handling(&bytes[bom..]);
        return (text.into_owned(), enc.name());
    }
    match crate::utf8::into_string(bytes) {
        Ok(s) => (s, "UTF-8"),
        Err(bytes) => {
            let (text, _) = encoding_rs::WINDOWS_1258.decode_without_bom_handling(&bytes);
            (text.into_owned(), encoding_rs::WINDOWS_1258.name())
        }
    }
}

fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes.iter().fold(String::with_capacity(64), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf8_bom_is_stripped_and_utf16_decoded() {
        assert_eq!(
            decode("\u{feff}Hà Nội".as_bytes().to_vec()),
            ("Hà Nội".to_string(), "UTF-8")
        );
        let mut utf16 = vec![0xff, 0xfe];
        utf16.extend("Hà".encode_utf16().flat_map(|u| u.to_le_bytes()));
        assert_eq!(decode(utf16), ("Hà".to_string(), "UTF-16LE"));
    }

    #[test]
    fn invalid_utf8_is_read_as_windows_1258() {
        // "Hà" in Windows-1258: H, a, combining grave (0xCC)
        let (text, enc) = decode(vec![b'H', b'a', 0xcc]);
        assert_eq!(enc, "windows-1258");
        assert_eq!(text, "Ha\u{300}");
    }

    #[test]
    fn empty_binary_and_symlinked_inputs_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let empty = dir.path().join("empty.txt");
        std::fs::write(&empty, "").unwrap();
        assert!(matches!(read(&empty, 100), Err(IngestError::Empty { .. })));
        let bin = dir.path().join("bin.txt");
        std::fs::write(&bin, b"PK\x03\x04\0\0data").unwrap();
        assert!(matches!(read(&bin, 100), Err(IngestError::Binary { .. })));
        let link = dir.path().join("link.txt");
        std::os::unix::fs::symlink("/etc/hostname", &link).unwrap();
        assert!(matches!(read(&link, 100), Err(IngestError::Symlink { .. })));
    }

    #[test]
    fn a_fifo_or_a_directory_is_refused_without_waiting_for_a_writer() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("pipe.txt");
        let c_path = std::ffi::CString::new(fifo.as_os_str().as_encoded_bytes()).unwrap();
        assert_eq!(unsafe { libc::mkfifo(c_path.as_ptr(), 0o600) }, 0);
        assert!(matches!(
            read(&fifo, 100),
            Err(IngestError::NotAFile { .. })
        ));
        let sub = dir.path().join("sub.txt");
        std::fs::create_dir(&sub).unwrap();
        assert!(matches!(read(&sub, 100), Err(IngestError::NotAFile { .. })));
        let gone = dir.path().join("gone.txt");
        assert!(read(&gone, 100).is_err_and(|e| e.is_not_found()));
    }

    #[test]
    fn over_the_limit_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("big.txt");
        std::fs::write(&p, "x".repeat(100)).unwrap();
        assert!(matches!(read(&p, 10), Err(IngestError::TooLarge { .. })));
        let r = read(&p, 100).unwrap();
        assert_eq!(r.source.bytes, 100);
        assert_eq!(r.id.len(), 64);
        assert_eq!(r.source.name, "big.txt");
    }
}
