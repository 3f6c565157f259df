//! The dispatch between backends: a `match` on [`super::Descriptor`] that
//! calls the [`crate::filesystem::vfs::FileOps`] or [`crate::filesystem::vfs::DirectoryOps`]
//! implementation of the variant (the host directory's, or the node
//! backends'), with the spec's error for the wrong kind of descriptor.
//! Each arm is compiled for its concrete type: no virtual call.

/// `$e` with `$f` bound to the file of a descriptor; `is-directory` for a
/// directory.
macro_rules! on_file {
    ($d:expr, $f:ident => $e:expr) => {
        match $d {
            $crate::filesystem::Descriptor::File($f) => $e,
            $crate::filesystem::Descriptor::VirtualFile($f) => $e,
            $crate::filesystem::Descriptor::Dir(_)
            | $crate::filesystem::Descriptor::VirtualDir(_) => {
                Err($crate::filesystem::ErrorCode::IsDirectory.into())
            }
        }
    };
}

/// `$e` with `$d` bound to the directory of a descriptor; `not-directory`
/// for a file.
macro_rules! on_dir {
    ($x:expr, $d:ident => $e:expr) => {
        match $x {
            $crate::filesystem::Descriptor::Dir($d) => $e,
            $crate::filesystem::Descriptor::VirtualDir($d) => $e,
            $crate::filesystem::Descriptor::File(_)
            | $crate::filesystem::Descriptor::VirtualFile(_) => {
                Err($crate::filesystem::ErrorCode::NotDirectory.into())
            }
        }
    };
}

/// `$fe` with `$f` bound to a file, or `$de` with `$d` bound to a
/// directory.
macro_rules! on_any {
    ($x:expr, $f:ident => $fe:expr, $d:ident => $de:expr) => {
        match $x {
            $crate::filesystem::Descriptor::File($f) => $fe,
            $crate::filesystem::Descriptor::VirtualFile($f) => $fe,
            $crate::filesystem::Descriptor::Dir($d) => $de,
            $crate::filesystem::Descriptor::VirtualDir($d) => $de,
        }
    };
}

/// `$e` with `$o` and `$n` bound to two directories of the same backend
/// kind (`link-at`, `rename-at`): `not-directory` when either is a file,
/// `cross-device` for a host directory and a virtual one (the
/// implementation then checks that both lie in one mount).
macro_rules! on_dir_pair {
    ($old:expr, $new:expr, ($o:ident, $n:ident) => $e:expr) => {{
        use $crate::filesystem::{Descriptor, ErrorCode};
        match (&$old, &$new) {
            (Descriptor::Dir($o), Descriptor::Dir($n)) => $e,
            (Descriptor::VirtualDir($o), Descriptor::VirtualDir($n)) => $e,
            (Descriptor::File(_) | Descriptor::VirtualFile(_), _)
            | (_, Descriptor::File(_) | Descriptor::VirtualFile(_)) => {
                Err(ErrorCode::NotDirectory.into())
            }
            _ => Err(ErrorCode::CrossDevice.into()),
        }
    }};
}

pub(crate) use {on_any, on_dir, on_dir_pair, on_file};
