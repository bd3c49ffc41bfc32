//! Reading what hagen is given (templates, standard input, `hagen.toml`)
//! with a size limit that holds *before* the bytes are in memory.
//!
//! A limit checked after `read_to_end` protects nothing: `hagen validate
//! /dev/zero` grows until allocation fails, and a pipe that never ends
//! never returns. Every reader here stops after `limit + 1` bytes, so an
//! input over the limit costs at most that much memory and time, whatever
//! it is (a regular file, a pipe, a character device, a FIFO). A regular
//! file whose size is already known to be too large is refused without
//! reading it.
//!
//! Owns bounded reading only; the callers own the limits
//! ([`crate::template::parse::MAX_TEMPLATE_BYTES`], the configuration's
//! `MAX_FILE_BYTES`) and the wording of their errors.

use std::fs::File;
use std::io::{self, Read};
use std::path::Path;

use thiserror::Error;

/// Why bounded reading stopped without the whole input.
#[derive(Debug, Error)]
pub enum ReadError {
    /// The operating system refused (missing file, permissions, a directory).
    #[error("{0}")]
    Io(#[from] io::Error),
    /// The input holds more than `limit` bytes.
    #[error("{}", too_large(*size, *limit))]
    TooLarge {
        /// The input's size when known without reading it (a regular
        /// file); `None` when reading stopped at the limit (a pipe, a
        /// device, standard input).
        size: Option<u64>,
        /// The limit, in bytes.
        limit: usize,
    },
}

fn too_large(size: Option<u64>, limit: usize) -> String {
    match size {
        Some(n) => format!("it is {n} bytes, more than the {limit} bytes hagen reads"),
        None => format!("it is more than the {limit} bytes hagen reads (reading stopped there)"),
    }
}

/// Reads everything `reader` holds, refusing it as soon as it holds more
/// than `limit` bytes. Reads at most `limit + 1` bytes whatever the input.
pub fn read_limited(reader: impl Read, limit: usize) -> Result<Vec<u8>, ReadError> {
    let mut bytes = Vec::new();
    let cap = u64::try_from(limit).unwrap_or(u64::MAX).saturating_add(1);
    reader.take(cap).read_to_end(&mut bytes)?;
    if bytes.len() > limit {
        return Err(ReadError::TooLarge { size: None, limit });
    }
    Ok(bytes)
}

/// Reads the file at `path`, refusing it when it holds more than `limit`
/// bytes: at once for a regular file whose size says so, after `limit + 1`
/// bytes for anything else (`/dev/zero`, a FIFO, `/dev/stdin`).
pub fn read_file_limited(path: &Path, limit: usize) -> Result<Vec<u8>, ReadError> {
    let file = File::open(path)?;
    if let Ok(meta) = file.metadata()
        && meta.is_file()
        && meta.len() > u64::try_from(limit).unwrap_or(u64::MAX)
    {
        return Err(ReadError::TooLarge {
            size: Some(meta.len()),
            limit,
        });
    }
    read_limited(file, limit)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn input_up_to_the_limit_is_read_whole() {
        let bytes = read_limited(&b"abcd"[..], 4).unwrap();
        assert_eq!(bytes, b"abcd");
        assert_eq!(read_limited(&b""[..], 0).unwrap(), b"");
    }

    #[test]
    fn one_byte_over_the_limit_is_refused() {
        let e = read_limited(&b"abcde"[..], 4).unwrap_err();
        assert!(matches!(
            e,
            ReadError::TooLarge {
                size: None,
                limit: 4
            }
        ));
        assert_eq!(
            e.to_string(),
            "it is more than the 4 bytes hagen reads (reading stopped there)"
        );
    }

    /// A reader that never ends and counts what was taken from it.
    struct Endless {
        taken: u64,
    }

    impl Read for Endless {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            buf.fill(0);
            self.taken += buf.len() as u64;
            Ok(buf.len())
        }
    }

    #[test]
    fn an_endless_input_is_read_only_up_to_the_limit() {
        let mut endless = Endless { taken: 0 };
        let e = read_limited(&mut endless, 1000).unwrap_err();
        assert!(matches!(e, ReadError::TooLarge { size: None, .. }));
        assert_eq!(endless.taken, 1001);
    }

    #[test]
    fn a_regular_file_over_the_limit_is_refused_by_its_size() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("big.yaml");
        std::fs::write(&path, vec![b'x'; 101]).unwrap();
        let e = read_file_limited(&path, 100).unwrap_err();
        assert!(matches!(
            e,
            ReadError::TooLarge {
                size: Some(101),
                limit: 100
            }
        ));
        assert_eq!(
            e.to_string(),
            "it is 101 bytes, more than the 100 bytes hagen reads"
        );
        assert_eq!(read_file_limited(&path, 101).unwrap().len(), 101);
    }

    #[cfg(unix)]
    #[test]
    fn dev_zero_stops_at_the_limit() {
        let e = read_file_limited(Path::new("/dev/zero"), 1 << 20).unwrap_err();
        assert!(matches!(e, ReadError::TooLarge { size: None, .. }));
    }

    #[test]
    fn a_missing_file_is_an_io_error() {
        let e = read_file_limited(Path::new("/nonexistent/x.yaml"), 10).unwrap_err();
        assert!(matches!(e, ReadError::Io(_)));
    }
}
