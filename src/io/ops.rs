//! The stream operations behind `wasi:io/streams`, written once over the
//! resource table and shared by the async and the sync bindings.
//!
//! Every length here is guest-controlled: reads are capped at
//! [`MAX_READ`], and the `blocking-*-and-flush` calls trap above the spec's
//! 4096 bytes.

use super::stream::{InputStream, OutputStream, StreamError, StreamResult};
use bytes::Bytes;
use wasmtime::component::{Resource, ResourceTable};

/// The most bytes one read returns: a guest asking for more gets a short
/// read, not a huge allocation.
pub(crate) const MAX_READ: usize = 1 << 20;

/// The most bytes a `blocking-write-and-flush` or
/// `blocking-write-zeroes-and-flush` may carry (the spec's bound).
const MAX_BLOCKING_WRITE: u64 = 4096;

fn read_size(len: u64) -> usize {
    usize::try_from(len).unwrap_or(usize::MAX).min(MAX_READ)
}

fn into_vec(bytes: Bytes) -> Vec<u8> {
    Vec::from(bytes)
}

pub(crate) fn read(
    table: &mut ResourceTable,
    stream: &Resource<InputStream>,
    len: u64,
) -> StreamResult<Vec<u8>> {
    let stream = table.get_mut(stream)?;
    stream.read(read_size(len)).map(into_vec)
}

pub(crate) async fn blocking_read(
    table: &mut ResourceTable,
    stream: &Resource<InputStream>,
    len: u64,
) -> StreamResult<Vec<u8>> {
    let stream = table.get_mut(stream)?;
    let size = read_size(len);
    if size == 0 {
        return stream.read(0).map(into_vec);
    }
    stream.blocking_read(size).await.map(into_vec)
}

pub(crate) fn skip(
    table: &mut ResourceTable,
    stream: &Resource<InputStream>,
    len: u64,
) -> StreamResult<u64> {
    let stream = table.get_mut(stream)?;
    Ok(stream.skip(read_size(len))? as u64)
}

pub(crate) async fn blocking_skip(
    table: &mut ResourceTable,
    stream: &Resource<InputStream>,
    len: u64,
) -> StreamResult<u64> {
    let stream = table.get_mut(stream)?;
    let size = read_size(len);
    if size == 0 {
        return Ok(stream.skip(0)? as u64);
    }
    Ok(stream.blocking_skip(size).await? as u64)
}

pub(crate) fn check_write(
    table: &mut ResourceTable,
    stream: &Resource<OutputStream>,
) -> StreamResult<u64> {
    let stream = table.get_mut(stream)?;
    Ok(stream.check_write()? as u64)
}

pub(crate) fn write(
    table: &mut ResourceTable,
    stream: &Resource<OutputStream>,
    contents: Vec<u8>,
) -> StreamResult<()> {
    let stream = table.get_mut(stream)?;
    stream.write(Bytes::from(contents))
}

pub(crate) fn flush(
    table: &mut ResourceTable,
    stream: &Resource<OutputStream>,
) -> StreamResult<()> {
    table.get_mut(stream)?.flush()
}

pub(crate) fn write_zeroes(
    table: &mut ResourceTable,
    stream: &Resource<OutputStream>,
    len: u64,
) -> StreamResult<()> {
    let stream = table.get_mut(stream)?;
    // The same precondition as `write`: at most the permit. Checked here so
    // no stream sees a guest length beyond what it granted.
    let permit = stream.check_write()?;
    match usize::try_from(len) {
        Ok(len) if len <= permit => stream.write_zeroes(len),
        _ => Err(StreamError::trap(
            "write-zeroes beyond the permit of check-write",
        )),
    }
}

/// Waits until `stream` has completed its flush: `check-write` grants
/// again (a permit the guest never sees, so it is given back). A stream
/// that closed in the course of it counts as done, as the spec asks for the
/// blocking write calls.
async fn wait_flushed(stream: &mut OutputStream) -> StreamResult<()> {
    loop {
        match stream.check_write() {
            Ok(0) => stream.ready().await,
            Ok(_) => {
                stream.release_permit();
                return Ok(());
            }
            Err(StreamError::Closed) => return Ok(()),
            Err(e) => return Err(e),
        }
    }
}

/// Waits for a non-zero permit and returns it.
async fn wait_permit(stream: &mut OutputStream) -> StreamResult<usize> {
    loop {
        match stream.check_write()? {
            0 => stream.ready().await,
            n => return Ok(n),
        }
    }
}

pub(crate) async fn blocking_write_and_flush(
    table: &mut ResourceTable,
    stream: &Resource<OutputStream>,
    contents: Vec<u8>,
) -> StreamResult<()> {
    if contents.len() as u64 > MAX_BLOCKING_WRITE {
        return Err(StreamError::trap(
            "blocking-write-and-flush of more than 4096 bytes",
        ));
    }
    let stream = table.get_mut(stream)?;
    if stream.write_all_flushed_now(&contents)? {
        return Ok(());
    }
    let mut bytes = Bytes::from(contents);
    while !bytes.is_empty() {
        let permit = wait_permit(stream).await?;
        let chunk = bytes.split_to(permit.min(bytes.len()));
        stream.write(chunk)?;
    }
    stream.flush()?;
    wait_flushed(stream).await
}

pub(crate) async fn blocking_write_zeroes_and_flush(
    table: &mut ResourceTable,
    stream: &Resource<OutputStream>,
    len: u64,
) -> StreamResult<()> {
    if len > MAX_BLOCKING_WRITE {
        return Err(StreamError::trap(
            "blocking-write-zeroes-and-flush of more than 4096 bytes",
        ));
    }
    let stream = table.get_mut(stream)?;
    let mut left = len as usize;
    while left > 0 {
        let permit = wait_permit(stream).await?;
        let n = permit.min(left);
        stream.write_zeroes(n)?;
        left -= n;
    }
    stream.flush()?;
    wait_flushed(stream).await
}

pub(crate) async fn blocking_flush(
    table: &mut ResourceTable,
    stream: &Resource<OutputStream>,
) -> StreamResult<()> {
    let stream = table.get_mut(stream)?;
    stream.flush()?;
    // Unlike the write calls, a flush that finds the stream closed reports
    // it: nothing was delivered.
    loop {
        match stream.check_write()? {
            0 => stream.ready().await,
            _ => {
                stream.release_permit();
                return Ok(());
            }
        }
    }
}

pub(crate) fn splice(
    table: &mut ResourceTable,
    dst: &Resource<OutputStream>,
    src: &Resource<InputStream>,
    len: u64,
) -> StreamResult<u64> {
    let permit = table.get_mut(dst)?.check_write()?;
    let size = read_size(len).min(permit);
    let read = table.get_mut(src)?.read(size);
    splice_into(table.get_mut(dst)?, read)
}

pub(crate) async fn blocking_splice(
    table: &mut ResourceTable,
    dst: &Resource<OutputStream>,
    src: &Resource<InputStream>,
    len: u64,
) -> StreamResult<u64> {
    let permit = wait_permit(table.get_mut(dst)?).await?;
    let size = read_size(len).min(permit);
    let read = if size == 0 {
        table.get_mut(src)?.read(0)
    } else {
        table.get_mut(src)?.blocking_read(size).await
    };
    splice_into(table.get_mut(dst)?, read)
}

/// Writes what a splice read into `dst`; the permit it waited for goes
/// back unused when there is nothing to write (the source was empty, at its
/// end, or failed).
fn splice_into(dst: &mut OutputStream, read: StreamResult<Bytes>) -> StreamResult<u64> {
    match read {
        Ok(bytes) if !bytes.is_empty() => {
            let n = bytes.len();
            dst.write(bytes)?;
            Ok(n as u64)
        }
        other => {
            dst.release_permit();
            other.map(|_| 0)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::io::pipe::{MemoryInputPipe, MemoryOutputPipe};

    /// Two handles of one memory pipe (a program's cached stdout and a
    /// second `get-stdout`): the permit a blocking call waited for is
    /// given back, so the other handle can write, and a splice that finds
    /// its source at the end leaves no permit behind either.
    #[test]
    fn blocking_calls_leave_no_permit_behind() {
        let pipe = MemoryOutputPipe::new(64);
        let mut table = ResourceTable::new();
        let first = table.push(Box::new(pipe.clone()) as OutputStream).unwrap();
        let second = table.push(Box::new(pipe.clone()) as OutputStream).unwrap();
        let input = table
            .push(Box::new(MemoryInputPipe::new("in")) as InputStream)
            .unwrap();
        crate::runtime::block_on(async {
            blocking_write_and_flush(&mut table, &first, b"one ".to_vec())
                .await
                .unwrap();
            blocking_flush(&mut table, &first).await.unwrap();
            assert_eq!(table.get_mut(&second).unwrap().check_write().unwrap(), 60);
            table.get_mut(&second).unwrap().release_permit();
            assert_eq!(
                blocking_splice(&mut table, &second, &input, 8)
                    .await
                    .unwrap(),
                2
            );
            let end = blocking_splice(&mut table, &second, &input, 8).await;
            assert!(matches!(end, Err(StreamError::Closed)));
            assert_eq!(splice(&mut table, &second, &input, 8).ok(), None);
            blocking_write_and_flush(&mut table, &first, b" two".to_vec())
                .await
                .unwrap();
        });
        assert_eq!(&pipe.contents()[..], b"one in two");
    }
}
