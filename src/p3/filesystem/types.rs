//! `wasi:filesystem/types@0.3.0`: every descriptor method, as the
//! descriptor's call of the core (`filesystem/calls.rs`, shared with 0.2)
//! on descriptors cloned out of the table, so the store is free while the
//! backend works; streams through `p3/stream.rs` and `readdir.rs`. Each
//! call observed when the context has an observer: an `async` one across
//! its wait, one that hands over a stream when it does (what flows
//! through the stream later is no call).

use super::convert::{FsResult, new_timestamp, stream_error};
use super::readdir;
use crate::filesystem::{Descriptor, WasiFilesystem, WasiFilesystemCtxView};
use crate::observe::Observer;
use crate::p3::bindings::filesystem::types as b;
use crate::p3::observe::observed;
use crate::p3::stream;
use wasmtime::component::{
    Access, Accessor, FutureReader, Resource, ResourceTableError, StreamReader,
};

/// The descriptor behind `fd`, cloned out of the table.
fn get<T>(
    accessor: &Accessor<T, WasiFilesystem>,
    fd: &Resource<Descriptor>,
) -> FsResult<Descriptor> {
    accessor.with(|mut a| Ok(a.get().table.get(fd)?.clone()))
}

/// The context's observer, the guest path of the mount `fd` lies in (for
/// the call's event: only when observed) and the descriptor behind `fd`
/// (cloned out of the table), in one visit of the store.
fn start<T>(
    accessor: &Accessor<T, WasiFilesystem>,
    fd: &Resource<Descriptor>,
) -> (
    Observer,
    Option<String>,
    Result<Descriptor, ResourceTableError>,
) {
    accessor.with(|mut a| {
        let view = a.get();
        let (observer, mount) = observed_mount(&view, fd);
        (observer, mount, view.table.get(fd).cloned())
    })
}

/// The context's observer, and the guest path of the mount `fd` lies in
/// when there is one.
fn observed_mount(
    view: &WasiFilesystemCtxView<'_>,
    fd: &Resource<Descriptor>,
) -> (Observer, Option<String>) {
    let observer = view.ctx.observer.clone();
    let mount = match (&observer, view.table.get(fd)) {
        (Some(_), Ok(desc)) => view.ctx.mount_of(desc).map(str::to_owned),
        _ => None,
    };
    (observer, mount)
}

impl b::Host for WasiFilesystemCtxView<'_> {
    fn convert_error_code(&mut self, err: super::FsError) -> wasmtime::Result<b::ErrorCode> {
        err.downcast()
    }
}

impl b::HostDescriptor for WasiFilesystemCtxView<'_> {
    fn drop(&mut self, fd: Resource<Descriptor>) -> wasmtime::Result<()> {
        observed!(
            &self.ctx.observer,
            "wasi:filesystem/types",
            "[resource-drop]descriptor",
            [rep = fd],
            self.table.delete(fd).map(drop).map_err(Into::into)
        )
    }
}

impl<T: Send + 'static> b::HostDescriptorWithStore<T> for WasiFilesystem {
    fn read_via_stream(
        mut host: Access<T, Self>,
        fd: Resource<Descriptor>,
        offset: u64,
    ) -> wasmtime::Result<(StreamReader<u8>, FutureReader<Result<(), b::ErrorCode>>)> {
        let (observer, mount) = observed_mount(&host.get(), &fd);
        observed!(&observer, "wasi:filesystem/types", "[method]descriptor.read-via-stream", [self_ = fd, offset, mount = mount], -> wasmtime::Result<stream::ByteStream<b::ErrorCode>> {
            let opened = host.get().table.get(&fd)?.read_via_stream(offset);
            match opened {
                Ok(input) => stream::input(host, input, stream_error),
                Err(e) => failed_input(host, e),
            }
        })
    }

    fn write_via_stream(
        mut host: Access<T, Self>,
        fd: Resource<Descriptor>,
        data: StreamReader<u8>,
        offset: u64,
    ) -> wasmtime::Result<FutureReader<Result<(), b::ErrorCode>>> {
        let (observer, mount) = observed_mount(&host.get(), &fd);
        observed!(&observer, "wasi:filesystem/types", "[method]descriptor.write-via-stream", [self_ = fd, data, offset, mount = mount], -> wasmtime::Result<FutureReader<Result<(), b::ErrorCode>>> {
            let opened = host.get().table.get(&fd)?.write_via_stream(offset);
            match opened {
                Ok(output) => stream::output(host, data, output, stream_error),
                Err(e) => failed_output(host, data, e),
            }
        })
    }

    fn append_via_stream(
        mut host: Access<T, Self>,
        fd: Resource<Descriptor>,
        data: StreamReader<u8>,
    ) -> wasmtime::Result<FutureReader<Result<(), b::ErrorCode>>> {
        let (observer, mount) = observed_mount(&host.get(), &fd);
        observed!(&observer, "wasi:filesystem/types", "[method]descriptor.append-via-stream", [self_ = fd, data, mount = mount], -> wasmtime::Result<FutureReader<Result<(), b::ErrorCode>>> {
            let opened = host.get().table.get(&fd)?.append_via_stream();
            match opened {
                Ok(output) => stream::output(host, data, output, stream_error),
                Err(e) => failed_output(host, data, e),
            }
        })
    }

    fn read_directory(
        mut host: Access<T, Self>,
        fd: Resource<Descriptor>,
    ) -> wasmtime::Result<(
        StreamReader<b::DirectoryEntry>,
        FutureReader<Result<(), b::ErrorCode>>,
    )> {
        let (observer, mount) = observed_mount(&host.get(), &fd);
        observed!(&observer, "wasi:filesystem/types", "[method]descriptor.read-directory", [self_ = fd, mount = mount], -> wasmtime::Result<readdir::Listing> {
            let dir = host.get().table.get(&fd)?.clone();
            if let Err(e) = dir.check_read_directory() {
                let code = super::convert::error_code(e.downcast()?);
                let entries = StreamReader::new(&mut host, std::iter::empty())?;
                let result =
                    FutureReader::new(
                        &mut host,
                        async move { Ok::<_, wasmtime::Error>(Err(code)) },
                    )?;
                return Ok((entries, result));
            }
            readdir::stream(host, dir)
        })
    }

    async fn advise(
        accessor: &Accessor<T, Self>,
        fd: Resource<Descriptor>,
        offset: u64,
        length: u64,
        advice: b::Advice,
    ) -> FsResult<()> {
        let (observer, mount, this) = start(accessor, &fd);
        observed!(&observer, "wasi:filesystem/types", "[method]descriptor.advise", [self_ = fd, offset, length, advice, mount = mount], async -> FsResult<()> {
            Ok(this?.advise(offset, length, advice.into()).await?)
        })
    }

    async fn sync_data(accessor: &Accessor<T, Self>, fd: Resource<Descriptor>) -> FsResult<()> {
        let (observer, mount, this) = start(accessor, &fd);
        observed!(&observer, "wasi:filesystem/types", "[method]descriptor.sync-data", [self_ = fd, mount = mount], async -> FsResult<()> {
            Ok(this?.sync_data().await?)
        })
    }

    async fn get_flags(
        accessor: &Accessor<T, Self>,
        fd: Resource<Descriptor>,
    ) -> FsResult<b::DescriptorFlags> {
        let (observer, mount, this) = start(accessor, &fd);
        observed!(&observer, "wasi:filesystem/types", "[method]descriptor.get-flags", [self_ = fd, mount = mount], -> FsResult<b::DescriptorFlags> {
            Ok(this?.get_flags()?.into())
        })
    }

    async fn get_type(
        accessor: &Accessor<T, Self>,
        fd: Resource<Descriptor>,
    ) -> FsResult<b::DescriptorType> {
        let (observer, mount, this) = start(accessor, &fd);
        observed!(&observer, "wasi:filesystem/types", "[method]descriptor.get-type", [self_ = fd, mount = mount], async -> FsResult<b::DescriptorType> {
            Ok(this?.get_type().await?.into())
        })
    }

    async fn set_size(
        accessor: &Accessor<T, Self>,
        fd: Resource<Descriptor>,
        size: u64,
    ) -> FsResult<()> {
        let (observer, mount, this) = start(accessor, &fd);
        observed!(&observer, "wasi:filesystem/types", "[method]descriptor.set-size", [self_ = fd, size, mount = mount], async -> FsResult<()> {
            Ok(this?.set_size(size).await?)
        })
    }

    async fn set_times(
        accessor: &Accessor<T, Self>,
        fd: Resource<Descriptor>,
        atime: b::NewTimestamp,
        mtime: b::NewTimestamp,
    ) -> FsResult<()> {
        let (observer, mount, this) = start(accessor, &fd);
        observed!(&observer, "wasi:filesystem/types", "[method]descriptor.set-times", [self_ = fd, data_access_timestamp = atime, data_modification_timestamp = mtime, mount = mount], async -> FsResult<()> {
            let (atime, mtime) = (new_timestamp(atime)?, new_timestamp(mtime)?);
            Ok(this?.set_times(atime, mtime).await?)
        })
    }

    async fn sync(accessor: &Accessor<T, Self>, fd: Resource<Descriptor>) -> FsResult<()> {
        let (observer, mount, this) = start(accessor, &fd);
        observed!(&observer, "wasi:filesystem/types", "[method]descriptor.sync", [self_ = fd, mount = mount], async -> FsResult<()> {
            Ok(this?.sync().await?)
        })
    }

    async fn create_directory_at(
        accessor: &Accessor<T, Self>,
        fd: Resource<Descriptor>,
        path: String,
    ) -> FsResult<()> {
        let (observer, mount, this) = start(accessor, &fd);
        observed!(&observer, "wasi:filesystem/types", "[method]descriptor.create-directory-at", [self_ = fd, path, mount = mount], async -> FsResult<()> {
            Ok(this?.create_directory_at(path).await?)
        })
    }

    async fn stat(
        accessor: &Accessor<T, Self>,
        fd: Resource<Descriptor>,
    ) -> FsResult<b::DescriptorStat> {
        let (observer, mount, this) = start(accessor, &fd);
        observed!(&observer, "wasi:filesystem/types", "[method]descriptor.stat", [self_ = fd, mount = mount], async -> FsResult<b::DescriptorStat> {
            Ok(this?.stat().await?.into())
        })
    }

    async fn stat_at(
        accessor: &Accessor<T, Self>,
        fd: Resource<Descriptor>,
        path_flags: b::PathFlags,
        path: String,
    ) -> FsResult<b::DescriptorStat> {
        let (observer, mount, this) = start(accessor, &fd);
        observed!(&observer, "wasi:filesystem/types", "[method]descriptor.stat-at", [self_ = fd, path_flags, path, mount = mount], async -> FsResult<b::DescriptorStat> {
            Ok(this?.stat_at(path_flags.into(), path).await?.into())
        })
    }

    async fn set_times_at(
        accessor: &Accessor<T, Self>,
        fd: Resource<Descriptor>,
        path_flags: b::PathFlags,
        path: String,
        atime: b::NewTimestamp,
        mtime: b::NewTimestamp,
    ) -> FsResult<()> {
        let (observer, mount, this) = start(accessor, &fd);
        observed!(&observer, "wasi:filesystem/types", "[method]descriptor.set-times-at", [self_ = fd, path_flags, path, data_access_timestamp = atime, data_modification_timestamp = mtime, mount = mount], async -> FsResult<()> {
            let (atime, mtime) = (new_timestamp(atime)?, new_timestamp(mtime)?);
            Ok(this?
                .set_times_at(path_flags.into(), path, atime, mtime)
                .await?)
        })
    }

    async fn link_at(
        accessor: &Accessor<T, Self>,
        fd: Resource<Descriptor>,
        old_path_flags: b::PathFlags,
        old_path: String,
        new_descriptor: Resource<Descriptor>,
        new_path: String,
    ) -> FsResult<()> {
        let (observer, mount, this) = start(accessor, &fd);
        observed!(&observer, "wasi:filesystem/types", "[method]descriptor.link-at", [self_ = fd, old_path_flags, old_path, new_descriptor, new_path, mount = mount], async -> FsResult<()> {
            let new = get(accessor, &new_descriptor)?;
            Ok(this?
                .link_at(old_path_flags.into(), old_path, &new, new_path)
                .await?)
        })
    }

    async fn open_at(
        accessor: &Accessor<T, Self>,
        fd: Resource<Descriptor>,
        path_flags: b::PathFlags,
        path: String,
        open_flags: b::OpenFlags,
        flags: b::DescriptorFlags,
    ) -> FsResult<Resource<Descriptor>> {
        let (observer, mount, this) = start(accessor, &fd);
        observed!(&observer, "wasi:filesystem/types", "[method]descriptor.open-at", [self_ = fd, path_flags, path, open_flags, flags, mount = mount], async -> FsResult<Resource<Descriptor>> {
            let opened = this?
                .open_at(path_flags.into(), path, open_flags.into(), flags.into())
                .await?;
            Ok(accessor.with(|mut a| a.get().table.push(opened))?)
        })
    }

    async fn readlink_at(
        accessor: &Accessor<T, Self>,
        fd: Resource<Descriptor>,
        path: String,
    ) -> FsResult<String> {
        let (observer, mount, this) = start(accessor, &fd);
        observed!(&observer, "wasi:filesystem/types", "[method]descriptor.readlink-at", [self_ = fd, path, mount = mount], async -> FsResult<String> {
            Ok(this?.readlink_at(path).await?)
        })
    }

    async fn remove_directory_at(
        accessor: &Accessor<T, Self>,
        fd: Resource<Descriptor>,
        path: String,
    ) -> FsResult<()> {
        let (observer, mount, this) = start(accessor, &fd);
        observed!(&observer, "wasi:filesystem/types", "[method]descriptor.remove-directory-at", [self_ = fd, path, mount = mount], async -> FsResult<()> {
            Ok(this?.remove_directory_at(path).await?)
        })
    }

    async fn rename_at(
        accessor: &Accessor<T, Self>,
        fd: Resource<Descriptor>,
        old_path: String,
        new_descriptor: Resource<Descriptor>,
        new_path: String,
    ) -> FsResult<()> {
        let (observer, mount, this) = start(accessor, &fd);
        observed!(&observer, "wasi:filesystem/types", "[method]descriptor.rename-at", [self_ = fd, old_path, new_descriptor, new_path, mount = mount], async -> FsResult<()> {
            let new = get(accessor, &new_descriptor)?;
            Ok(this?.rename_at(old_path, &new, new_path).await?)
        })
    }

    async fn symlink_at(
        accessor: &Accessor<T, Self>,
        fd: Resource<Descriptor>,
        old_path: String,
        new_path: String,
    ) -> FsResult<()> {
        let (observer, mount, this) = start(accessor, &fd);
        observed!(&observer, "wasi:filesystem/types", "[method]descriptor.symlink-at", [self_ = fd, old_path, new_path, mount = mount], async -> FsResult<()> {
            Ok(this?.symlink_at(old_path, new_path).await?)
        })
    }

    async fn unlink_file_at(
        accessor: &Accessor<T, Self>,
        fd: Resource<Descriptor>,
        path: String,
    ) -> FsResult<()> {
        let (observer, mount, this) = start(accessor, &fd);
        observed!(&observer, "wasi:filesystem/types", "[method]descriptor.unlink-file-at", [self_ = fd, path, mount = mount], async -> FsResult<()> {
            Ok(this?.unlink_file_at(path).await?)
        })
    }

    async fn is_same_object(
        accessor: &Accessor<T, Self>,
        fd: Resource<Descriptor>,
        other: Resource<Descriptor>,
    ) -> wasmtime::Result<bool> {
        let (observer, mount, this) = start(accessor, &fd);
        observed!(&observer, "wasi:filesystem/types", "[method]descriptor.is-same-object", [self_ = fd, other, mount = mount], async -> wasmtime::Result<bool> {
            let other = accessor.with(|mut a| a.get().table.get(&other).cloned())?;
            this?.is_same_object(&other).await
        })
    }

    async fn metadata_hash(
        accessor: &Accessor<T, Self>,
        fd: Resource<Descriptor>,
    ) -> FsResult<b::MetadataHashValue> {
        let (observer, mount, this) = start(accessor, &fd);
        observed!(&observer, "wasi:filesystem/types", "[method]descriptor.metadata-hash", [self_ = fd, mount = mount], async -> FsResult<b::MetadataHashValue> {
            Ok(this?.metadata_hash().await?.into())
        })
    }

    async fn metadata_hash_at(
        accessor: &Accessor<T, Self>,
        fd: Resource<Descriptor>,
        path_flags: b::PathFlags,
        path: String,
    ) -> FsResult<b::MetadataHashValue> {
        let (observer, mount, this) = start(accessor, &fd);
        observed!(&observer, "wasi:filesystem/types", "[method]descriptor.metadata-hash-at", [self_ = fd, path_flags, path, mount = mount], async -> FsResult<b::MetadataHashValue> {
            Ok(this?
                .metadata_hash_at(path_flags.into(), path)
                .await?
                .into())
        })
    }
}

/// The answer of a `read-via-stream` the descriptor refused: an empty
/// stream, and the refusal in its future (or a trap).
fn failed_input<T: 'static>(
    mut host: Access<T, WasiFilesystem>,
    err: crate::filesystem::FsError,
) -> wasmtime::Result<stream::ByteStream<b::ErrorCode>> {
    let code = super::convert::error_code(err.downcast()?);
    let data = StreamReader::new(&mut host, std::iter::empty())?;
    let result = FutureReader::new(
        &mut host,
        async move { Ok::<_, wasmtime::Error>(Err(code)) },
    )?;
    Ok((data, result))
}

/// The answer of a `write-via-stream`/`append-via-stream` the descriptor
/// refused: the guest's stream is closed unread, the refusal is in the
/// future (or a trap).
fn failed_output<T: 'static>(
    mut host: Access<T, WasiFilesystem>,
    mut data: StreamReader<u8>,
    err: crate::filesystem::FsError,
) -> wasmtime::Result<FutureReader<Result<(), b::ErrorCode>>> {
    data.close(&mut host)?;
    let code = super::convert::error_code(err.downcast()?);
    FutureReader::new(
        &mut host,
        async move { Ok::<_, wasmtime::Error>(Err(code)) },
    )
}
