//! Checks on guest paths before they reach cap-std.
//!
//! cap-std resolves every path beneath its directory handle (absolute paths,
//! `..` above the base and symlinks that leave it all fail). The checks here
//! add what the spec asks beyond that, and make trailing slashes explicit:
//!
//! * a path that ends with a slash names a directory, so, as in POSIX, a
//!   symlink in its last component is resolved (and a file there is
//!   `not-directory`). Resolution is done by cap-std's sandboxed lookup,
//!   never by the OS on its own, so a trailing slash cannot lead out of the
//!   sandbox: a link to a directory outside is `not-permitted` with or
//!   without `symlink-follow`;
//! * operations that never follow their last component (unlink, rmdir,
//!   rename, link) refuse a trailing slash after a symlink with
//!   `not-directory` instead of letting the OS act on the link's target.

use super::FsResult;
use crate::filesystem::{ErrorCode, PathFlags};
use std::path::Path;

/// Validates a guest path: empty is `no-entry`, absolute (`/...`) is
/// `not-permitted` as the spec says, a NUL byte is `invalid`. Windows-style
/// names (`CON`, `NUL`, `C:`, backslashes) are ordinary names.
pub(crate) fn check(path: &str) -> FsResult<&Path> {
    if path.is_empty() {
        return Err(ErrorCode::NoEntry.into());
    }
    if path.starts_with('/') {
        return Err(ErrorCode::NotPermitted.into());
    }
    if path.contains('\0') {
        return Err(ErrorCode::Invalid.into());
    }
    Ok(Path::new(path))
}

/// Validates a symlink's target before the new link's path is resolved:
/// the rules of [`check`] (empty `no-entry`, absolute `not-permitted`, NUL
/// `invalid`). Linux answers `symlink("", "file/")` with `no-entry`, not
/// `not-directory`, so the target comes first; a target may name anything
/// else, `..` included, since it is resolved, inside the sandbox, only
/// when the link is followed.
pub(crate) fn check_symlink_target(target: &str) -> FsResult<()> {
    check(target).map(drop)
}

/// `link-at` (and preview 1's `path_link`) with `symlink-follow` is
/// `invalid`: wasmtime answers so, and programs written against it check
/// it (DESIGN.md). The link is always made to the old path itself.
pub(crate) fn refuse_link_follow(flags: PathFlags) -> FsResult<()> {
    if flags.contains(PathFlags::SYMLINK_FOLLOW) {
        return Err(ErrorCode::Invalid.into());
    }
    Ok(())
}

/// Whether a lookup of `path` resolves a symlink in its last component:
/// when asked to, or when the path ends with a slash (see the module docs).
pub(crate) fn follows(flags: PathFlags, path: &str) -> bool {
    flags.contains(PathFlags::SYMLINK_FOLLOW) || has_trailing_slash(path)
}

/// Whether `path` is one name of the directory itself (no slash, not `.`
/// or `..`): a lookup that does not follow it is a single `fstatat`.
pub(crate) fn is_one_name(path: &str) -> bool {
    !path.is_empty() && !path.contains('/') && path != "." && path != ".."
}

/// Whether the path ends with a slash (so the OS would resolve its last
/// component as a directory, following a symlink there).
pub(crate) fn has_trailing_slash(path: &str) -> bool {
    path.ends_with('/')
}

/// For `rename-at` to a `new` path ending with a slash: when the object at
/// `old` is not a directory and `new`'s parent is a directory, fails with
/// `not-directory`, as POSIX `rename` does once both parents resolved
/// (cap-std drops the slash, and would answer `is-directory` or rename).
/// Blocking (an `lstat` and a `stat`, only for such a path).
pub(crate) fn refuse_non_directory_to_slash(
    dir: &cap_std::fs::Dir,
    old: &str,
    new_dir: &cap_std::fs::Dir,
    new: &str,
) -> FsResult<()> {
    let (old, new) = (old.trim_end_matches('/'), new.trim_end_matches('/'));
    // `.` and `..` are not names: the rename itself answers for them.
    let special = |p: &str| matches!(p.rsplit('/').next(), Some("." | ".."));
    if old.is_empty() || new.is_empty() || special(old) || special(new) {
        return Ok(());
    }
    match dir.symlink_metadata(old) {
        Ok(meta) if !meta.is_dir() => {}
        _ => return Ok(()),
    }
    let parent = new.rfind('/').map_or("", |i| &new[..i]);
    if parent.is_empty() || new_dir.metadata(parent).is_ok_and(|m| m.is_dir()) {
        return Err(ErrorCode::NotDirectory.into());
    }
    Ok(())
}

/// For `link-at` of an `old` path ending with a slash whose last component
/// is a symlink: the slash makes POSIX follow it, so the answer is what
/// the target is: missing `no-entry`, a directory `not-permitted` (no hard
/// links to directories), anything else `not-directory`; a target outside
/// the preopen is the host's refusal. Blocking (one `lstat` and one `stat`
/// when, and only when, there is a trailing slash).
pub(crate) fn refuse_link_through_slash(dir: &cap_std::fs::Dir, old: &str) -> FsResult<()> {
    let base = old.trim_end_matches('/');
    if base.len() == old.len() || base.is_empty() {
        return Ok(());
    }
    match dir.symlink_metadata(base) {
        Ok(meta) if meta.file_type().is_symlink() => {}
        _ => return Ok(()),
    }
    match dir.metadata(base) {
        Ok(meta) if meta.is_dir() => Err(ErrorCode::NotPermitted.into()),
        Ok(_) => Err(ErrorCode::NotDirectory.into()),
        Err(e) => Err(e.into()),
    }
}

/// For an operation that must not follow a symlink in the last component of
/// `path`: if the path ends with a slash and its last component is a
/// symlink, fails with `code` instead of letting the OS follow the link.
/// Blocking (one `lstat` when, and only when, there is a trailing slash).
pub(crate) fn refuse_slash_through_symlink(
    dir: &cap_std::fs::Dir,
    path: &str,
    code: ErrorCode,
) -> FsResult<()> {
    if !has_trailing_slash(path) {
        return Ok(());
    }
    let base = path.trim_end_matches('/');
    if base.is_empty() {
        return Ok(());
    }
    match dir.symlink_metadata(base) {
        Ok(meta) if meta.file_type().is_symlink() => Err(code.into()),
        // Anything else: the operation itself reports what it finds.
        _ => Ok(()),
    }
}
