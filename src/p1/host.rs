//! The generated `wasi_snapshot_preview1` trait, implemented on
//! [`WasiP1Ctx`] by dispatching to the function families.

use super::WasiP1Ctx;
use super::bindings::types::*;
use super::bindings::wasi_snapshot_preview1::WasiSnapshotPreview1;
use super::{args, clocks, fd, path, poll, proc, sock};
use wiggle::{GuestMemory, GuestPtr};

/// An iovec list as (address, count).
fn list<T>(iovs: GuestPtr<[T]>) -> (u32, u32) {
    (iovs.offset_base(), iovs.len())
}

impl WasiSnapshotPreview1 for WasiP1Ctx {
    fn args_get(
        &mut self,
        mem: &mut GuestMemory<'_>,
        argv: GuestPtr<GuestPtr<u8>>,
        argv_buf: GuestPtr<u8>,
    ) -> Result<(), Error> {
        args::args_get(self, mem, argv, argv_buf)
    }

    fn args_sizes_get(&mut self, _mem: &mut GuestMemory<'_>) -> Result<(Size, Size), Error> {
        args::args_sizes_get(self)
    }

    fn environ_get(
        &mut self,
        mem: &mut GuestMemory<'_>,
        environ: GuestPtr<GuestPtr<u8>>,
        environ_buf: GuestPtr<u8>,
    ) -> Result<(), Error> {
        args::environ_get(self, mem, environ, environ_buf)
    }

    fn environ_sizes_get(&mut self, _mem: &mut GuestMemory<'_>) -> Result<(Size, Size), Error> {
        args::environ_sizes_get(self)
    }

    fn clock_res_get(
        &mut self,
        _mem: &mut GuestMemory<'_>,
        id: Clockid,
    ) -> Result<Timestamp, Error> {
        clocks::res_get(self, id)
    }

    fn clock_time_get(
        &mut self,
        _mem: &mut GuestMemory<'_>,
        id: Clockid,
        _precision: Timestamp,
    ) -> Result<Timestamp, Error> {
        clocks::time_get(self, id)
    }

    async fn fd_advise(
        &mut self,
        _mem: &mut GuestMemory<'_>,
        fd: Fd,
        offset: Filesize,
        len: Filesize,
        advice: Advice,
    ) -> Result<(), Error> {
        fd::advise(self, fd, offset, len, advice).await
    }

    async fn fd_allocate(
        &mut self,
        _mem: &mut GuestMemory<'_>,
        fd: Fd,
        _offset: Filesize,
        _len: Filesize,
    ) -> Result<(), Error> {
        fd::allocate(self, fd)
    }

    fn fd_close(&mut self, _mem: &mut GuestMemory<'_>, fd: Fd) -> Result<(), Error> {
        fd::close(self, fd)
    }

    async fn fd_datasync(&mut self, _mem: &mut GuestMemory<'_>, fd: Fd) -> Result<(), Error> {
        fd::sync(self, fd, true).await
    }

    fn fd_fdstat_get(&mut self, _mem: &mut GuestMemory<'_>, fd: Fd) -> Result<Fdstat, Error> {
        fd::fdstat_get(self, fd)
    }

    fn fd_fdstat_set_flags(
        &mut self,
        _mem: &mut GuestMemory<'_>,
        fd: Fd,
        flags: Fdflags,
    ) -> Result<(), Error> {
        fd::fdstat_set_flags(self, fd, flags)
    }

    fn fd_fdstat_set_rights(
        &mut self,
        _mem: &mut GuestMemory<'_>,
        fd: Fd,
        _fs_rights_base: Rights,
        _fs_rights_inheriting: Rights,
    ) -> Result<(), Error> {
        fd::fdstat_set_rights(self, fd)
    }

    async fn fd_filestat_get(
        &mut self,
        _mem: &mut GuestMemory<'_>,
        fd: Fd,
    ) -> Result<Filestat, Error> {
        fd::filestat_get(self, fd).await
    }

    async fn fd_filestat_set_size(
        &mut self,
        _mem: &mut GuestMemory<'_>,
        fd: Fd,
        size: Filesize,
    ) -> Result<(), Error> {
        fd::filestat_set_size(self, fd, size).await
    }

    async fn fd_filestat_set_times(
        &mut self,
        _mem: &mut GuestMemory<'_>,
        fd: Fd,
        atim: Timestamp,
        mtim: Timestamp,
        fst_flags: Fstflags,
    ) -> Result<(), Error> {
        fd::filestat_set_times(self, fd, atim, mtim, fst_flags).await
    }

    async fn fd_pread(
        &mut self,
        mem: &mut GuestMemory<'_>,
        fd: Fd,
        iovs: IovecArray,
        offset: Filesize,
    ) -> Result<Size, Error> {
        fd::read(self, mem, fd, list(iovs), Some(offset)).await
    }

    fn fd_prestat_get(&mut self, _mem: &mut GuestMemory<'_>, fd: Fd) -> Result<Prestat, Error> {
        fd::prestat_get(self, fd)
    }

    fn fd_prestat_dir_name(
        &mut self,
        mem: &mut GuestMemory<'_>,
        fd: Fd,
        path: GuestPtr<u8>,
        path_len: Size,
    ) -> Result<(), Error> {
        fd::prestat_dir_name(self, mem, fd, path, path_len)
    }

    async fn fd_pwrite(
        &mut self,
        mem: &mut GuestMemory<'_>,
        fd: Fd,
        ciovs: CiovecArray,
        offset: Filesize,
    ) -> Result<Size, Error> {
        fd::write(self, mem, fd, list(ciovs), Some(offset)).await
    }

    async fn fd_read(
        &mut self,
        mem: &mut GuestMemory<'_>,
        fd: Fd,
        iovs: IovecArray,
    ) -> Result<Size, Error> {
        fd::read(self, mem, fd, list(iovs), None).await
    }

    async fn fd_readdir(
        &mut self,
        mem: &mut GuestMemory<'_>,
        fd: Fd,
        buf: GuestPtr<u8>,
        buf_len: Size,
        cookie: Dircookie,
    ) -> Result<Size, Error> {
        fd::readdir(self, mem, fd, buf, buf_len, cookie).await
    }

    fn fd_renumber(&mut self, _mem: &mut GuestMemory<'_>, from: Fd, to: Fd) -> Result<(), Error> {
        fd::renumber(self, from, to)
    }

    async fn fd_seek(
        &mut self,
        _mem: &mut GuestMemory<'_>,
        fd: Fd,
        offset: Filedelta,
        whence: Whence,
    ) -> Result<Filesize, Error> {
        fd::seek(self, fd, offset, whence).await
    }

    async fn fd_sync(&mut self, _mem: &mut GuestMemory<'_>, fd: Fd) -> Result<(), Error> {
        fd::sync(self, fd, false).await
    }

    fn fd_tell(&mut self, _mem: &mut GuestMemory<'_>, fd: Fd) -> Result<Filesize, Error> {
        fd::tell(self, fd)
    }

    async fn fd_write(
        &mut self,
        mem: &mut GuestMemory<'_>,
        fd: Fd,
        ciovs: CiovecArray,
    ) -> Result<Size, Error> {
        fd::write(self, mem, fd, list(ciovs), None).await
    }

    async fn path_create_directory(
        &mut self,
        mem: &mut GuestMemory<'_>,
        dirfd: Fd,
        path: GuestPtr<str>,
    ) -> Result<(), Error> {
        path::create_directory(self, mem, dirfd, path).await
    }

    async fn path_filestat_get(
        &mut self,
        mem: &mut GuestMemory<'_>,
        dirfd: Fd,
        flags: Lookupflags,
        path: GuestPtr<str>,
    ) -> Result<Filestat, Error> {
        path::filestat_get(self, mem, dirfd, flags, path).await
    }

    async fn path_filestat_set_times(
        &mut self,
        mem: &mut GuestMemory<'_>,
        dirfd: Fd,
        flags: Lookupflags,
        path: GuestPtr<str>,
        atim: Timestamp,
        mtim: Timestamp,
        fst_flags: Fstflags,
    ) -> Result<(), Error> {
        path::filestat_set_times(self, mem, dirfd, flags, path, atim, mtim, fst_flags).await
    }

    async fn path_link(
        &mut self,
        mem: &mut GuestMemory<'_>,
        src_fd: Fd,
        src_flags: Lookupflags,
        src_path: GuestPtr<str>,
        target_fd: Fd,
        target_path: GuestPtr<str>,
    ) -> Result<(), Error> {
        path::link(
            self,
            mem,
            src_fd,
            src_flags,
            src_path,
            target_fd,
            target_path,
        )
        .await
    }

    async fn path_open(
        &mut self,
        mem: &mut GuestMemory<'_>,
        dirfd: Fd,
        dirflags: Lookupflags,
        path: GuestPtr<str>,
        oflags: Oflags,
        fs_rights_base: Rights,
        _fs_rights_inheriting: Rights,
        fdflags: Fdflags,
    ) -> Result<Fd, Error> {
        path::open(
            self,
            mem,
            dirfd,
            dirflags,
            path,
            oflags,
            fs_rights_base,
            fdflags,
        )
        .await
    }

    async fn path_readlink(
        &mut self,
        mem: &mut GuestMemory<'_>,
        dirfd: Fd,
        path: GuestPtr<str>,
        buf: GuestPtr<u8>,
        buf_len: Size,
    ) -> Result<Size, Error> {
        path::readlink(self, mem, dirfd, path, buf, buf_len).await
    }

    async fn path_remove_directory(
        &mut self,
        mem: &mut GuestMemory<'_>,
        dirfd: Fd,
        path: GuestPtr<str>,
    ) -> Result<(), Error> {
        path::remove_directory(self, mem, dirfd, path).await
    }

    async fn path_rename(
        &mut self,
        mem: &mut GuestMemory<'_>,
        src_fd: Fd,
        src_path: GuestPtr<str>,
        dest_fd: Fd,
        dest_path: GuestPtr<str>,
    ) -> Result<(), Error> {
        path::rename(self, mem, src_fd, src_path, dest_fd, dest_path).await
    }

    async fn path_symlink(
        &mut self,
        mem: &mut GuestMemory<'_>,
        src_path: GuestPtr<str>,
        dirfd: Fd,
        dest_path: GuestPtr<str>,
    ) -> Result<(), Error> {
        path::symlink(self, mem, src_path, dirfd, dest_path).await
    }

    async fn path_unlink_file(
        &mut self,
        mem: &mut GuestMemory<'_>,
        dirfd: Fd,
        path: GuestPtr<str>,
    ) -> Result<(), Error> {
        path::unlink_file(self, mem, dirfd, path).await
    }

    async fn poll_oneoff(
        &mut self,
        mem: &mut GuestMemory<'_>,
        subs: GuestPtr<Subscription>,
        events: GuestPtr<Event>,
        nsubscriptions: Size,
    ) -> Result<Size, Error> {
        poll::poll_oneoff::<poll::Layout1>(self, mem, subs, events, nsubscriptions).await
    }

    fn proc_exit(&mut self, _mem: &mut GuestMemory<'_>, status: Exitcode) -> wiggle::error::Error {
        proc::exit(status)
    }

    fn proc_raise(&mut self, _mem: &mut GuestMemory<'_>, sig: Signal) -> Result<(), Error> {
        proc::raise(sig)
    }

    fn sched_yield(&mut self, _mem: &mut GuestMemory<'_>) -> Result<(), Error> {
        Ok(())
    }

    fn random_get(
        &mut self,
        mem: &mut GuestMemory<'_>,
        buf: GuestPtr<u8>,
        buf_len: Size,
    ) -> Result<(), Error> {
        clocks::random_get(self, mem, buf, buf_len)
    }

    async fn sock_accept(
        &mut self,
        _mem: &mut GuestMemory<'_>,
        fd: Fd,
        flags: Fdflags,
    ) -> Result<Fd, Error> {
        sock::accept(self, fd, flags).await
    }

    async fn sock_recv(
        &mut self,
        mem: &mut GuestMemory<'_>,
        fd: Fd,
        ri_data: IovecArray,
        ri_flags: Riflags,
    ) -> Result<(Size, Roflags), Error> {
        sock::recv(self, mem, fd, list(ri_data), ri_flags).await
    }

    async fn sock_send(
        &mut self,
        mem: &mut GuestMemory<'_>,
        fd: Fd,
        si_data: CiovecArray,
        si_flags: Siflags,
    ) -> Result<Size, Error> {
        sock::send(self, mem, fd, list(si_data), si_flags).await
    }

    fn sock_shutdown(
        &mut self,
        _mem: &mut GuestMemory<'_>,
        fd: Fd,
        how: Sdflags,
    ) -> Result<(), Error> {
        sock::shutdown(self, fd, how)
    }
}
