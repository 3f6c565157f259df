//! `read-directory` in 0.3: the backend's listing ([`ReaddirStream`]) as a
//! `stream<directory-entry>`, with the future that reports how it ended.
//!
//! The producer hands the guest what the listing has at hand (a host
//! directory's batch, a virtual directory's entries), at most as many as
//! the guest reads at once, and waits only for the next host batch. The
//! listing is opened lazily, on the guest's first read (what can be
//! refused without I/O, a file or a directory the guest may not read, is
//! refused at once, in the future); the guest dropping the stream drops
//! the listing (and its host descriptors) with it.

use super::convert::error_code;
use crate::filesystem::{Descriptor, DirectoryEntry, FsError, FsResult, ReaddirStream};
use crate::p3::bindings::filesystem::types as b;
use futures::channel::oneshot;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use wasmtime::component::{
    Destination, FutureReader, StreamProducer, StreamReader, StreamResult, VecBuffer,
};
use wasmtime::{AsContextMut, StoreContextMut};

/// The most entries handed over in one step.
const MOST: usize = 256;

/// A listing step in progress: opening the listing or awaiting its next
/// entry; it gives the listing back.
type Step = Pin<
    Box<
        dyn Future<
                Output = (
                    FsResult<ReaddirStream>,
                    Option<FsResult<Option<DirectoryEntry>>>,
                ),
            > + Send,
    >,
>;

/// A listing's stream for the guest and the future of its outcome.
pub(super) type Listing = (
    StreamReader<b::DirectoryEntry>,
    FutureReader<Result<(), b::ErrorCode>>,
);

/// The stream of `dir`'s entries and its result future.
pub(super) fn stream<T: 'static>(
    mut store: impl AsContextMut<Data = T>,
    dir: Descriptor,
) -> wasmtime::Result<Listing> {
    let (tx, rx) = oneshot::channel();
    let open: Step = Box::pin(async move { (dir.read_directory().await, None) });
    let producer = Entries {
        listing: None,
        step: Some(open),
        done: Some(tx),
    };
    let entries = StreamReader::new(&mut store, producer)?;
    let result = FutureReader::new(&mut store, async move {
        Ok::<_, wasmtime::Error>(match rx.await {
            Ok(Ok(())) | Err(_) => Ok(()),
            Ok(Err(code)) => Err(code),
        })
    })?;
    Ok((entries, result))
}

/// The producer of a listing's entries.
struct Entries {
    /// The listing, between steps.
    listing: Option<ReaddirStream>,
    /// The step under way, if any (it holds the listing).
    step: Option<Step>,
    /// Where the outcome goes.
    done: Option<oneshot::Sender<Result<(), b::ErrorCode>>>,
}

impl Entries {
    /// Ends the stream (after `taken`, if any) with `outcome`; a trap
    /// traps.
    fn end(
        &mut self,
        outcome: Result<(), FsError>,
        taken: Vec<b::DirectoryEntry>,
        dst: &mut Destination<'_, b::DirectoryEntry, VecBuffer<b::DirectoryEntry>>,
    ) -> Poll<wasmtime::Result<StreamResult>> {
        self.listing = None;
        let outcome = match outcome {
            Ok(()) => Ok(()),
            Err(e) => match e.downcast() {
                Ok(code) => Err(error_code(code)),
                Err(trap) => return Poll::Ready(Err(trap)),
            },
        };
        if let Some(tx) = self.done.take() {
            let _ = tx.send(outcome);
        }
        if !taken.is_empty() {
            dst.set_buffer(VecBuffer::from(taken));
        }
        Poll::Ready(Ok(StreamResult::Dropped))
    }
}

impl<T> StreamProducer<T> for Entries {
    type Item = b::DirectoryEntry;
    type Buffer = VecBuffer<b::DirectoryEntry>;

    fn poll_produce<'a>(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        mut store: StoreContextMut<'a, T>,
        mut dst: Destination<'a, Self::Item, Self::Buffer>,
        finish: bool,
    ) -> Poll<wasmtime::Result<StreamResult>> {
        let me = self.get_mut();
        let want = match dst.remaining(&mut store) {
            Some(0) => return Poll::Ready(Ok(StreamResult::Completed)),
            Some(n) => n.min(MOST),
            None => MOST,
        };
        let mut taken = Vec::new();
        // The step under way (opening, or waiting for a batch) first.
        if let Some(step) = me.step.as_mut() {
            match step.as_mut().poll(cx) {
                Poll::Pending if finish => return Poll::Ready(Ok(StreamResult::Cancelled)),
                Poll::Pending => return Poll::Pending,
                Poll::Ready((listing, first)) => {
                    me.step = None;
                    match listing {
                        Ok(listing) => me.listing = Some(listing),
                        Err(e) => return me.end(Err(e), taken, &mut dst),
                    }
                    match first {
                        None => {}
                        Some(Ok(Some(entry))) => taken.push(entry.into()),
                        Some(Ok(None)) => return me.end(Ok(()), taken, &mut dst),
                        Some(Err(e)) => return me.end(Err(e), taken, &mut dst),
                    }
                }
            }
        }
        let Some(listing) = me.listing.as_mut() else {
            return Poll::Ready(Ok(StreamResult::Dropped));
        };
        while taken.len() < want {
            match listing.next_now() {
                Some(Ok(Some(entry))) => taken.push(entry.into()),
                Some(Ok(None)) => return me.end(Ok(()), taken, &mut dst),
                Some(Err(e)) => return me.end(Err(e), taken, &mut dst),
                None => break,
            }
        }
        if !taken.is_empty() {
            dst.set_buffer(VecBuffer::from(taken));
            return Poll::Ready(Ok(StreamResult::Completed));
        }
        // Nothing at hand: wait for the next batch.
        let Some(mut listing) = me.listing.take() else {
            return Poll::Ready(Ok(StreamResult::Dropped));
        };
        me.step = Some(Box::pin(async move {
            let next = listing.next().await;
            (Ok(listing), Some(next))
        }));
        // Poll the new step at once (it registers the waker).
        Pin::new(me).poll_produce(cx, store, dst, finish)
    }
}
