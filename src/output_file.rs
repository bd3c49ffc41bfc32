//! Writing a result to a path the user named (`hagen synth -o`, `hagen
//! deploy --outputs-file`) without ever replacing something that is not a
//! file of ours.
//!
//! A regular file (or a path that does not exist yet) is written
//! atomically: a temporary file in the same directory, flushed, then
//! renamed over the path, so a failure leaves the old file and no partial
//! one. A character device (`/dev/null`, `/dev/stdout`) or a FIFO is
//! written through, as a shell redirect would; replacing it would, as root,
//! replace the device node itself. A symbolic link is followed to its
//! target, which is then handled by the same rules. Anything else (a
//! directory, a socket, a block device) is refused.
//!
//! Owns only the decision and the write; callers word the messages.

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// How many symbolic links are followed before giving up (the kernel's
/// own limit on Linux).
const MAX_LINKS: usize = 40;

/// What was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Written {
    /// A regular file at this path (after links), replaced atomically.
    File(PathBuf),
    /// A character device or FIFO at this path, written through.
    Stream(PathBuf),
}

impl Written {
    /// The path written, after symbolic links.
    pub fn path(&self) -> &Path {
        match self {
            Written::File(p) | Written::Stream(p) => p,
        }
    }
}

/// Writes `bytes` to `path` by the rules of this module's docs.
pub fn write_output(path: &Path, bytes: &[u8]) -> io::Result<Written> {
    let target = follow_links(path)?;
    match fs::metadata(&target) {
        Ok(meta) if meta.is_file() => {
            write_atomically(&target, bytes)?;
            Ok(Written::File(target))
        }
        Ok(meta) if is_stream(&meta) => {
            let mut f = fs::OpenOptions::new().write(true).open(&target)?;
            f.write_all(bytes)?;
            f.flush()?;
            Ok(Written::Stream(target))
        }
        Ok(meta) if meta.is_dir() => Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("{} is a directory; name a file", target.display()),
        )),
        Ok(_) => Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!(
                "{} is a special file (a socket or a block device), which hagen does not \
                 write to; name a regular file",
                target.display()
            ),
        )),
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            write_atomically(&target, bytes)?;
            Ok(Written::File(target))
        }
        Err(e) => Err(e),
    }
}

/// `path` with every symbolic link along the final component followed
/// (a link to a link to a file is the file); a dangling link gives the path
/// it points to, which is then created.
fn follow_links(path: &Path) -> io::Result<PathBuf> {
    let mut current = path.to_path_buf();
    for _ in 0..MAX_LINKS {
        match fs::symlink_metadata(&current) {
            Ok(meta) if meta.file_type().is_symlink() => {
                let target = fs::read_link(&current)?;
                current = if target.is_absolute() {
                    target
                } else {
                    current
                        .parent()
                        .map_or_else(|| target.clone(), |dir| dir.join(&target))
                };
            }
            _ => return Ok(current),
        }
    }
    Err(io::Error::new(
        io::ErrorKind::InvalidInput,
        format!(
            "{} is a chain of more than {MAX_LINKS} symbolic links (a loop?)",
            path.display()
        ),
    ))
}

#[cfg(unix)]
fn is_stream(meta: &fs::Metadata) -> bool {
    use std::os::unix::fs::FileTypeExt;
    let t = meta.file_type();
    t.is_char_device() || t.is_fifo()
}

#[cfg(not(unix))]
fn is_stream(_meta: &fs::Metadata) -> bool {
    false
}

/// Writes `bytes` to a regular file `path` atomically: a temporary file in
/// the same directory (so the rename cannot cross file systems), flushed to
/// disk, then renamed over `path`. On any error `path` is left as it was
/// and no temporary file remains.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let name = path
        .file_name()
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "the path names no file"))?;
    let mut prefix = std::ffi::OsString::from(".");
    prefix.push(name);
    prefix.push(".");
    let mut tmp = tempfile::Builder::new()
        .prefix(&prefix)
        .suffix(".tmp")
        .tempfile_in(dir)?;
    tmp.write_all(bytes)?;
    tmp.as_file().sync_all()?;
    // Temporary files are private (0600); a template is not a secret, so
    // give it the permissions of the file it replaces, or the usual 0644.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = fs::metadata(path).map_or(0o644, |m| m.permissions().mode() & 0o7777);
        tmp.as_file()
            .set_permissions(fs::Permissions::from_mode(mode))?;
    }
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> = fs::read_dir(dir)
            .expect("list")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }

    #[test]
    fn an_atomic_write_replaces_the_file_and_keeps_its_mode() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("stack.yaml");
        fs::write(&path, "old").expect("write");
        assert_eq!(
            write_output(&path, b"new").expect("replace"),
            Written::File(path.clone())
        );
        assert_eq!(fs::read_to_string(&path).expect("read"), "new");
        assert_eq!(
            names(dir.path()),
            ["stack.yaml"],
            "no temporary file is left"
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(&path).expect("meta").permissions().mode();
            assert_eq!(mode & 0o777, 0o644);
        }
    }

    #[test]
    fn an_atomic_write_into_a_missing_directory_fails_cleanly() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("missing").join("stack.yaml");
        assert!(write_output(&path, b"x").is_err());
        assert!(!path.exists());
    }

    #[test]
    fn dash_o_dev_null_writes_through_and_leaves_the_device() {
        #[cfg(unix)]
        {
            use std::os::unix::fs::FileTypeExt;
            let written = write_output(Path::new("/dev/null"), b"template").expect("write");
            assert_eq!(written, Written::Stream(PathBuf::from("/dev/null")));
            let meta = fs::metadata("/dev/null").expect("still there");
            assert!(meta.file_type().is_char_device(), "still a device");
        }
    }

    #[test]
    fn dash_o_a_symlink_writes_its_target_and_keeps_the_link() {
        #[cfg(unix)]
        {
            let dir = tempfile::tempdir().expect("tempdir");
            let real = dir.path().join("real.yaml");
            fs::write(&real, "old").expect("write");
            let link = dir.path().join("link.yaml");
            std::os::unix::fs::symlink("real.yaml", &link).expect("symlink");
            write_output(&link, b"new").expect("write");
            assert_eq!(fs::read_to_string(&real).expect("read"), "new");
            assert!(
                fs::symlink_metadata(&link)
                    .expect("link")
                    .file_type()
                    .is_symlink(),
                "the link is still a link"
            );
            // A dangling link creates its target.
            let dangling = dir.path().join("dangling.yaml");
            std::os::unix::fs::symlink("created.yaml", &dangling).expect("symlink");
            write_output(&dangling, b"x").expect("write");
            assert_eq!(
                fs::read_to_string(dir.path().join("created.yaml")).expect("read"),
                "x"
            );
        }
    }

    #[test]
    fn dash_o_a_fifo_writes_through() {
        #[cfg(unix)]
        {
            let dir = tempfile::tempdir().expect("tempdir");
            let fifo = dir.path().join("pipe");
            let status = std::process::Command::new("mkfifo")
                .arg(&fifo)
                .status()
                .expect("mkfifo runs");
            assert!(status.success(), "mkfifo");
            let reader = {
                let fifo = fifo.clone();
                std::thread::spawn(move || fs::read(&fifo).expect("read the fifo"))
            };
            assert_eq!(
                write_output(&fifo, b"through").expect("write"),
                Written::Stream(fifo.clone())
            );
            assert_eq!(reader.join().expect("reader"), b"through");
            assert_eq!(names(dir.path()), ["pipe"], "the fifo is not replaced");
        }
    }

    #[test]
    fn dash_o_a_directory_or_a_socket_is_refused() {
        let dir = tempfile::tempdir().expect("tempdir");
        let err = write_output(dir.path(), b"x").expect_err("a directory");
        assert!(err.to_string().contains("is a directory"), "{err}");
        #[cfg(unix)]
        {
            let sock = dir.path().join("sock");
            let _listener = std::os::unix::net::UnixListener::bind(&sock).expect("bind");
            let err = write_output(&sock, b"x").expect_err("a socket");
            assert!(err.to_string().contains("special file"), "{err}");
        }
    }

    #[test]
    fn a_symlink_loop_is_refused() {
        #[cfg(unix)]
        {
            let dir = tempfile::tempdir().expect("tempdir");
            let a = dir.path().join("a");
            let b = dir.path().join("b");
            std::os::unix::fs::symlink("b", &a).expect("symlink");
            std::os::unix::fs::symlink("a", &b).expect("symlink");
            let err = write_output(&a, b"x").expect_err("a loop");
            assert!(err.to_string().contains("symbolic links"), "{err}");
        }
    }
}
