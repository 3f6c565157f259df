//! What a host directory descriptor has just learned about one of its
//! names, so the `metadata-hash-at` that follows can be answered without a
//! second lookup.
//!
//! libc on `wasm32-wasip2` (and 0.3) asks `metadata-hash-at` for every
//! entry a listing returns (for `d_ino`) and after every `stat-at` (for
//! `st_ino`), with the same name. The hash is the object's identity
//! (`stat::identity_hash`), which both the listing (`d_ino` from the
//! directory read, as native `readdir` reports it) and the `stat-at` just
//! made already know. [`Recent`] keeps that one answer.
//!
//! wasi-libc's `stat` asks the other way round: `metadata-hash-at` of the
//! name first (not following a final link), then `stat-at`. A
//! `metadata-hash-at` that has to look the name up opens it with `O_PATH`
//! (what cap-std's own `stat` does for a path of several components) and
//! keeps that handle here, so the `stat-at` that follows asks the object
//! for its metadata (`fstat`, fresh: sizes and times are the object's now)
//! instead of looking the name up again, which takes two system calls off
//! every such `stat`. A directory descriptor keeps at most one handle.
//!
//! An answer is only given back while no name anywhere may have changed
//! what it refers to: every rename, unlink and directory removal made
//! through a host directory moves [`GENERATION`] on, and an answer learned
//! before that is not used. Changes made by other processes are not seen,
//! as with any two calls the guest makes in turn (see DESIGN.md, "Answers a
//! listing or stat-at already knows").

use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

/// Moves on with every change of what a host name refers to (rename,
/// unlink, directory removal), in any context of the process.
static GENERATION: AtomicU64 = AtomicU64::new(0);

/// The current generation: read before a lookup whose answer is kept.
pub(crate) fn generation() -> u64 {
    GENERATION.load(Ordering::Acquire)
}

/// Records that a name may now refer to another object (or none): called
/// after the change is made.
pub(crate) fn names_changed() {
    GENERATION.fetch_add(1, Ordering::AcqRel);
}

/// Which path flags a kept answer holds for.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Holds {
    /// Both: the name was looked at without following it, and it is not a
    /// symbolic link.
    Either,
    /// Only a lookup that follows a final symbolic link.
    Following,
    /// Only a lookup that does not follow a final symbolic link (an entry
    /// that is a symbolic link).
    NotFollowing,
}

/// The one answer a directory descriptor keeps (shared by its clones).
#[derive(Default)]
pub(crate) struct Recent {
    seen: Mutex<Seen>,
}

#[derive(Default)]
struct Seen {
    /// The path as the guest gave it (its buffer is reused).
    name: String,
    /// `None` when nothing is kept.
    holds: Option<Holds>,
    generation: u64,
    dev: u64,
    ino: u64,
    /// An `O_PATH` handle to the object, and which lookups it answers
    /// (given once, apart from the identity in `holds`).
    handle: Option<(Holds, cap_std::fs::File)>,
}

impl Holds {
    /// Whether an answer that holds so fits a lookup that follows a final
    /// symbolic link or not (`follow`).
    fn fits(self, follow: bool) -> bool {
        match self {
            Holds::Either => true,
            Holds::Following => follow,
            Holds::NotFollowing => !follow,
        }
    }
}

impl Recent {
    /// Keeps `(dev, ino)` as the object `name` referred to at `generation`
    /// (read before the lookup), for lookups as `holds` says.
    pub(crate) fn remember(&self, name: &str, holds: Holds, generation: u64, dev: u64, ino: u64) {
        self.keep(name, holds, generation, (dev, ino), None);
    }

    /// [`Recent::remember`] of `identity` (`(dev, ino)`), also keeping
    /// `handle`, an `O_PATH` handle to the object the lookup found, for
    /// [`Recent::take_handle`]. A handle kept before is closed (outside
    /// the lock).
    pub(crate) fn keep(
        &self,
        name: &str,
        holds: Holds,
        generation: u64,
        identity: (u64, u64),
        handle: Option<cap_std::fs::File>,
    ) {
        let Ok(mut seen) = self.seen.lock() else {
            return;
        };
        seen.name.clear();
        seen.name.push_str(name);
        seen.holds = Some(holds);
        seen.generation = generation;
        (seen.dev, seen.ino) = identity;
        let old = std::mem::replace(&mut seen.handle, handle.map(|h| (holds, h)));
        drop(seen);
        drop(old);
    }

    /// The handle kept for `name`, if there is one for a lookup that
    /// follows a final symbolic link or not (`follow`) and no name has
    /// changed since. It is given once.
    pub(crate) fn take_handle(&self, name: &str, follow: bool) -> Option<cap_std::fs::File> {
        let mut seen = self.seen.lock().ok()?;
        if seen.name != name || seen.generation != generation() {
            return None;
        }
        if !seen.handle.as_ref()?.0.fits(follow) {
            return None;
        }
        seen.handle.take().map(|(_, handle)| handle)
    }

    /// The `(dev, ino)` kept for `name`, if there is one for a lookup that
    /// follows a final symbolic link or not (`follow`) and no name has
    /// changed since. The answer is given once.
    pub(crate) fn recall(&self, name: &str, follow: bool) -> Option<(u64, u64)> {
        let mut seen = self.seen.lock().ok()?;
        if seen.name != name || seen.generation != generation() {
            return None;
        }
        if !seen.holds?.fits(follow) {
            return None;
        }
        seen.holds = None;
        Some((seen.dev, seen.ino))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Remembers `(dev, ino)` for `name` and recalls it with `follow`,
    /// again if another test changed a name in between (the generation
    /// is process-wide): `None` only when the rules refuse the answer.
    fn round_trip(r: &Recent, name: &str, holds: Holds, follow: bool) -> Option<(u64, u64)> {
        for _ in 0..1000 {
            let generation = generation();
            r.remember(name, holds, generation, 1, 2);
            let answer = r.recall(name, follow);
            if answer.is_some() || super::generation() == generation {
                return answer;
            }
        }
        panic!("names kept changing");
    }

    #[test]
    fn an_answer_is_given_once_for_the_same_name() {
        let r = Recent::default();
        assert_eq!(round_trip(&r, "a/b", Holds::Either, true), Some((1, 2)));
        assert_eq!(r.recall("a/b", true), None, "given twice");
        r.remember("a/b", Holds::Either, generation(), 1, 2);
        assert_eq!(r.recall("a/c", false), None, "another name");
    }

    #[test]
    fn an_answer_holds_only_for_the_flags_it_was_learned_with() {
        let r = Recent::default();
        assert_eq!(round_trip(&r, "l", Holds::NotFollowing, true), None);
        assert_eq!(
            round_trip(&r, "l", Holds::NotFollowing, false),
            Some((1, 2))
        );
        assert_eq!(round_trip(&r, "l", Holds::Following, false), None);
        assert_eq!(round_trip(&r, "l", Holds::Following, true), Some((1, 2)));
        assert_eq!(round_trip(&r, "f", Holds::Either, false), Some((1, 2)));
        assert_eq!(round_trip(&r, "f", Holds::Either, true), Some((1, 2)));
    }

    /// A handle to an object of this process's own folder, `O_PATH`.
    fn handle() -> cap_std::fs::File {
        let dir = cap_std::fs::Dir::open_ambient_dir(".", cap_std::ambient_authority())
            .expect("the current folder");
        dir.open(".").expect("a handle")
    }

    #[test]
    fn a_handle_is_given_once_for_the_same_name_and_flags() {
        let r = Recent::default();
        for _ in 0..1000 {
            let generation = generation();
            r.keep(
                "a/b",
                Holds::NotFollowing,
                generation,
                (1, 2),
                Some(handle()),
            );
            assert!(
                r.take_handle("a/b", true).is_none(),
                "a link's own handle for a following lookup"
            );
            assert!(r.take_handle("a/c", false).is_none(), "another name");
            let taken = r.take_handle("a/b", false);
            if taken.is_some() {
                assert!(r.take_handle("a/b", false).is_none(), "given twice");
                // The identity is still there for `metadata-hash-at`.
                assert_eq!(r.recall("a/b", false), Some((1, 2)));
                return;
            }
            assert_ne!(super::generation(), generation, "refused without a reason");
        }
        panic!("names kept changing");
    }

    #[test]
    fn a_new_answer_drops_the_kept_handle() {
        let r = Recent::default();
        r.keep("a/b", Holds::Either, generation(), (1, 2), Some(handle()));
        r.remember("a/b", Holds::Either, generation(), 1, 2);
        assert!(r.take_handle("a/b", true).is_none());
        r.keep("x", Holds::Either, generation(), (1, 2), Some(handle()));
        names_changed();
        assert!(
            r.take_handle("x", true).is_none(),
            "a handle from before a rename"
        );
    }

    #[test]
    fn a_name_change_anywhere_drops_the_answer() {
        let r = Recent::default();
        r.remember("x", Holds::Either, generation(), 1, 2);
        names_changed();
        assert_eq!(r.recall("x", false), None, "an answer from before a rename");
    }
}
