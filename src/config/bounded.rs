//! Reading a file the user named (the configuration file, the key file) without
//! letting a wrong name hang or exhaust the process: only a regular file is read,
//! and at most one byte more than its limit.
//!
//! A FIFO would block `open` until a writer comes (for ever, inside
//! `evs_initialize`), a character device such as /dev/zero never ends, and a
//! huge file would be read whole before being found wrong. So the file is
//! opened with O_NONBLOCK (an `open` of a FIFO then returns at once), checked
//! with fstat on the open descriptor (no race with a rename between a stat and
//! the open), and read through `take(limit + 1)`.

use std::fs::OpenOptions;
use std::io::Read;
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;

/// Why a file was not read; `Display` completes "'PATH' ...".
#[derive(Debug)]
pub(crate) enum ReadError {
    Io(std::io::Error),
    NotRegular(&'static str),
    TooBig {
        limit: usize,
    },
    /// A secret that others may read or change: its mode.
    Exposed {
        mode: u32,
    },
}

impl std::fmt::Display for ReadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ReadError::Io(e) => write!(f, "cannot be read: {e}"),
            ReadError::NotRegular(kind) => write!(f, "is {kind}, not a regular file"),
            ReadError::TooBig { limit } => write!(f, "is larger than {limit} bytes"),
            ReadError::Exposed { mode } => write!(
                f,
                "can be read or written by group or others (mode {mode:04o}): a key must be private to its owner (chmod 0400 or 0600)"
            ),
        }
    }
}

/// The bytes of the regular file at `path`, if it holds at most `limit` bytes.
pub(crate) fn read_regular(path: &Path, limit: usize) -> Result<Vec<u8>, ReadError> {
    read(path, limit, false)
}

/// As `read_regular`, for a secret: refused if group or others may read or
/// write it (checked on the open descriptor, like the file's type).
pub(crate) fn read_private(path: &Path, limit: usize) -> Result<Vec<u8>, ReadError> {
    read(path, limit, true)
}

fn read(path: &Path, limit: usize, private: bool) -> Result<Vec<u8>, ReadError> {
    use std::os::unix::fs::PermissionsExt;
    let file = OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK | libc::O_CLOEXEC)
        .open(path)
        .map_err(ReadError::Io)?;
    let meta = file.metadata().map_err(ReadError::Io)?;
    let kind = meta.file_type();
    if !kind.is_file() {
        return Err(ReadError::NotRegular(describe(kind)));
    }
    let mode = meta.permissions().mode() & 0o7777;
    if private && mode & 0o066 != 0 {
        return Err(ReadError::Exposed { mode });
    }
    let mut bytes = Vec::new();
    file.take(limit as u64 + 1).read_to_end(&mut bytes).map_err(ReadError::Io)?;
    if bytes.len() > limit {
        return Err(ReadError::TooBig { limit });
    }
    Ok(bytes)
}

fn describe(kind: std::fs::FileType) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    if kind.is_dir() {
        "a directory"
    } else if kind.is_fifo() {
        "a FIFO"
    } else if kind.is_char_device() {
        "a character device"
    } else if kind.is_block_device() {
        "a block device"
    } else if kind.is_socket() {
        "a socket"
    } else {
        "a special file"
    }
}
