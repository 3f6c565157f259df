//! The one path resolver of every virtual backend.
//!
//! A guest path is walked one component at a time from the directory of
//! the descriptor it came with, asking the backend single-step questions
//! ([`FsBackend::lookup`], [`FsBackend::stat`], [`FsBackend::read_link`]).
//! The walk keeps the directories it went through on a stack, so `..` goes
//! back to where the walk came from and can never go above the starting
//! directory (`not-permitted`, as cap-std answers for the host backend).
//! Symlinks are expanded in place (relative to the directory holding
//! them); an absolute target is `not-permitted`, more than
//! [`MAX_SYMLINKS`] expansions are `loop`. A trailing slash asks for a
//! directory: a symlink in the last component is followed, and anything
//! else than a directory at the end is `not-directory`.
//!
//! The path itself was checked by the descriptor layer first (empty is
//! `no-entry`, absolute `not-permitted`, a NUL byte `invalid`).

use super::backend::{FsBackend, NodeId, NodeKind, VfsResult};
use crate::filesystem::ErrorCode;
use std::collections::VecDeque;

/// The most symlinks one resolution expands (as Linux and cap-std).
pub const MAX_SYMLINKS: usize = 40;

/// The last component of a path, for the operations that act on a name.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Last<'a> {
    /// An ordinary name.
    Name(&'a str),
    /// `.` (the parent itself).
    Dot,
    /// `..`.
    DotDot,
}

/// A walk in progress.
struct Walk<'b, B: ?Sized> {
    backend: &'b B,
    stack: Vec<NodeId>,
    queue: VecDeque<String>,
    expansions: usize,
    /// The path (or a symlink target at its end) ended with a slash: the
    /// end must be a directory, and a final symlink is followed.
    dir_required: bool,
}

impl<'b, B: FsBackend + ?Sized> Walk<'b, B> {
    fn new(backend: &'b B, start: NodeId) -> Self {
        Walk {
            backend,
            stack: vec![start],
            queue: VecDeque::new(),
            expansions: 0,
            dir_required: false,
        }
    }

    fn push_front(&mut self, path: &str) {
        for c in path.split('/').rev() {
            if !c.is_empty() {
                self.queue.push_front(c.to_owned());
            }
        }
    }

    fn top(&self) -> NodeId {
        *self.stack.last().unwrap_or(&NodeId(0))
    }

    /// Walks the queue; the last component's symlink is followed when
    /// `follow_last`. Returns the final node (the stack's top, or a
    /// non-directory past it).
    fn run(&mut self, follow_last: bool) -> VfsResult<NodeId> {
        match self.run_to(follow_last, false)? {
            Found::Node(node) => Ok(node),
            Found::Missing(..) => Err(ErrorCode::NoEntry),
        }
    }

    /// Walks the queue; with `create`, a missing last component (after
    /// symlinks are expanded) is returned as `Missing`.
    fn run_to(&mut self, follow_last: bool, create: bool) -> VfsResult<Found> {
        let mut last_node = None;
        while let Some(c) = self.queue.pop_front() {
            if let Some(node) = last_node.take() {
                // A non-directory with components after it.
                let _: NodeId = node;
                return Err(ErrorCode::NotDirectory);
            }
            match c.as_str() {
                "." => {}
                ".." => {
                    if self.stack.len() == 1 {
                        return Err(ErrorCode::NotPermitted);
                    }
                    self.stack.pop();
                }
                // As cap-std: `O_CREAT` through a symlink whose target ends
                // with a slash resolves the target's directories, then
                // fails with `is-directory` at its last name.
                _ if create && self.dir_required && self.queue.is_empty() => {
                    return Err(ErrorCode::IsDirectory);
                }
                name => {
                    let node = match self.backend.lookup(self.top(), name) {
                        Err(ErrorCode::NoEntry) if create && self.queue.is_empty() => {
                            if self.dir_required {
                                // `O_CREAT` of a name that must be a directory.
                                return Err(ErrorCode::IsDirectory);
                            }
                            return Ok(Found::Missing(self.top(), c));
                        }
                        other => other?,
                    };
                    let kind = self.backend.kind(node)?;
                    let is_last = self.queue.is_empty();
                    match kind {
                        NodeKind::Directory => self.stack.push(node),
                        NodeKind::Symlink if !is_last || follow_last || self.dir_required => {
                            self.expansions += 1;
                            if self.expansions > MAX_SYMLINKS {
                                return Err(ErrorCode::Loop);
                            }
                            let target = self.backend.read_link(node)?;
                            if target.starts_with('/') {
                                return Err(ErrorCode::NotPermitted);
                            }
                            if target.is_empty() {
                                return Err(ErrorCode::NoEntry);
                            }
                            if is_last && target.ends_with('/') {
                                self.dir_required = true;
                            }
                            self.push_front(&target);
                        }
                        _ => last_node = Some(node),
                    }
                }
            }
        }
        if self.dir_required && last_node.is_some() {
            return Err(ErrorCode::NotDirectory);
        }
        Ok(Found::Node(last_node.unwrap_or_else(|| self.top())))
    }
}

/// What a walk for `open-at` with `create` found.
pub(crate) enum Found {
    /// The object the path names.
    Node(NodeId),
    /// Nothing, but the directory that would hold it and its name.
    Missing(NodeId, String),
}

/// For `open-at` with `create`: the node `path` names (following a final
/// symlink when `follow`, as POSIX `O_CREAT` does, so a dangling link's
/// target is what gets created), or where to create it. A path ending with
/// a slash was refused before.
pub(crate) fn resolve_create<B: FsBackend + ?Sized>(
    backend: &B,
    start: NodeId,
    path: &str,
    follow: bool,
) -> VfsResult<Found> {
    let mut walk = Walk::new(backend, start);
    walk.push_front(path);
    walk.run_to(follow, true)
}

/// The node `path` names beneath `start`, following a symlink in the
/// last component when `follow` (or when the path ends with a slash).
pub(crate) fn resolve<B: FsBackend + ?Sized>(
    backend: &B,
    start: NodeId,
    path: &str,
    follow: bool,
) -> VfsResult<NodeId> {
    let mut walk = Walk::new(backend, start);
    walk.dir_required = path.ends_with('/');
    walk.push_front(path);
    walk.run(follow)
}

/// The directory holding the last component of `path` (its other
/// components resolved, symlinks followed), the last component, and
/// whether the path ended with a slash.
pub(crate) fn resolve_parent<'p, B: FsBackend + ?Sized>(
    backend: &B,
    start: NodeId,
    path: &'p str,
) -> VfsResult<(NodeId, Last<'p>, bool)> {
    let trimmed = path.trim_end_matches('/');
    let trailing = trimmed.len() != path.len();
    if trimmed.is_empty() {
        // `/`-only paths were refused before; this is unreachable in
        // practice but answers like the root itself.
        return Ok((start, Last::Dot, trailing));
    }
    let (parent, name) = match trimmed.rfind('/') {
        Some(i) => (&trimmed[..i], &trimmed[i + 1..]),
        None => ("", trimmed),
    };
    let mut walk = Walk::new(backend, start);
    walk.push_front(parent);
    let dir = walk.run(true)?;
    if backend.kind(dir)? != NodeKind::Directory {
        return Err(ErrorCode::NotDirectory);
    }
    let last = match name {
        "." => Last::Dot,
        // `..` of the starting directory would name something outside.
        ".." if walk.stack.len() == 1 => return Err(ErrorCode::NotPermitted),
        ".." => Last::DotDot,
        name => Last::Name(name),
    };
    Ok((dir, last, trailing))
}
