//! Database files private to their owner, for the phone's and the server's SQLite files.

use std::path::Path;

/// Makes the database file at `path` readable and writable by its owner only (0600)
/// before SQLite opens it: created with that mode if missing (whatever the process
/// umask), and narrowed if an older version left it, or its `-wal`/`-shm`/`-journal`
/// files, wider. SQLite's unix VFS creates `-wal` and `-shm` with the main file's mode,
/// so they follow. `:memory:` and URI names are left to SQLite. Elsewhere than unix it
/// does nothing.
///
/// Why: the phone's file is encrypted, but even its ciphertext, size and timing should
/// stay from other users of a shared machine; the server's holds password hashes, token
/// digests and every person's phone and e-mail.
#[cfg(unix)]
pub fn make_owner_only(path: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
    let name = path.as_os_str().to_string_lossy();
    if name.is_empty() || name == ":memory:" || name.starts_with("file:") {
        return Ok(());
    }
    match std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
    {
        Ok(_) => {}
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
        Err(e) => return Err(e),
    }
    for suffix in ["", "-wal", "-shm", "-journal"] {
        let mut file = path.as_os_str().to_owned();
        file.push(suffix);
        match std::fs::metadata(&file) {
            Ok(m) if m.permissions().mode() & 0o777 != 0o600 => {
                std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600))?
            }
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

#[cfg(not(unix))]
pub fn make_owner_only(_path: &Path) -> std::io::Result<()> {
    Ok(())
}
