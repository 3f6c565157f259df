//! [`DirectoryOps`] and [`FileOps`] for the descriptors of node backends:
//! each method is the synchronous one of `descriptor.rs` (a node backend
//! answers from memory, on the guest's thread), so each future is ready
//! when first polled.

use super::descriptor::{VirtualDir, VirtualFile};
use super::stream::{VirtualInputStream, VirtualOutputStream};
use crate::filesystem::{
    Advice, Descriptor, DescriptorFlags, DescriptorStat, DescriptorType, DirectoryOps, FileOps,
    FsResult, MetadataHashValue, NewTimestamp, OpenFlags, PathFlags, ReaddirStream,
};

impl DirectoryOps for VirtualDir {
    fn get_flags(&self) -> DescriptorFlags {
        VirtualDir::get_flags(self)
    }
    async fn stat(&self) -> FsResult<DescriptorStat> {
        VirtualDir::stat(self)
    }
    async fn metadata_hash(&self) -> FsResult<MetadataHashValue> {
        VirtualDir::metadata_hash(self)
    }
    async fn set_times(&self, atime: NewTimestamp, mtime: NewTimestamp) -> FsResult<()> {
        VirtualDir::set_times(self, atime, mtime)
    }
    async fn sync(&self) -> FsResult<()> {
        VirtualDir::sync(self)
    }
    async fn stat_at(&self, flags: PathFlags, path: String) -> FsResult<DescriptorStat> {
        VirtualDir::stat_at(self, flags, &path)
    }
    async fn metadata_hash_at(
        &self,
        flags: PathFlags,
        path: String,
    ) -> FsResult<MetadataHashValue> {
        VirtualDir::metadata_hash_at(self, flags, &path)
    }
    async fn set_times_at(
        &self,
        flags: PathFlags,
        path: String,
        atime: NewTimestamp,
        mtime: NewTimestamp,
    ) -> FsResult<()> {
        VirtualDir::set_times_at(self, flags, &path, atime, mtime)
    }
    async fn create_directory_at(&self, path: String) -> FsResult<()> {
        VirtualDir::create_directory_at(self, &path)
    }
    async fn remove_directory_at(&self, path: String) -> FsResult<()> {
        VirtualDir::remove_directory_at(self, &path)
    }
    async fn unlink_file_at(&self, path: String) -> FsResult<()> {
        VirtualDir::unlink_file_at(self, &path)
    }
    async fn readlink_at(&self, path: String) -> FsResult<String> {
        VirtualDir::readlink_at(self, &path)
    }
    async fn symlink_at(&self, target: String, path: String) -> FsResult<()> {
        VirtualDir::symlink_at(self, &target, &path)
    }
    async fn link_at(
        &self,
        old_flags: PathFlags,
        old_path: String,
        new: &Self,
        new_path: String,
    ) -> FsResult<()> {
        VirtualDir::link_at(self, old_flags, &old_path, new, &new_path)
    }
    async fn rename_at(&self, old_path: String, new: &Self, new_path: String) -> FsResult<()> {
        VirtualDir::rename_at(self, &old_path, new, &new_path)
    }
    async fn read_directory(&self) -> FsResult<ReaddirStream> {
        Ok(ReaddirStream::Virtual(VirtualDir::read_directory(self)?))
    }
    async fn open_at(
        &self,
        path_flags: PathFlags,
        path: String,
        oflags: OpenFlags,
        flags: DescriptorFlags,
    ) -> FsResult<Descriptor> {
        VirtualDir::open_at(self, path_flags, &path, oflags, flags)
    }
}

impl FileOps for VirtualFile {
    type Input = VirtualInputStream;
    type Output = VirtualOutputStream;

    fn get_flags(&self) -> DescriptorFlags {
        VirtualFile::get_flags(self)
    }
    async fn get_type(&self) -> FsResult<DescriptorType> {
        VirtualFile::get_type(self)
    }
    async fn stat(&self) -> FsResult<DescriptorStat> {
        VirtualFile::stat(self)
    }
    async fn metadata_hash(&self) -> FsResult<MetadataHashValue> {
        VirtualFile::metadata_hash(self)
    }
    /// No page cache to advise: accepted and ignored.
    async fn advise(&self, _offset: u64, _len: u64, _advice: Advice) -> FsResult<()> {
        Ok(())
    }
    async fn sync_data(&self) -> FsResult<()> {
        VirtualFile::sync(self)
    }
    async fn sync(&self) -> FsResult<()> {
        VirtualFile::sync(self)
    }
    async fn set_size(&self, size: u64) -> FsResult<()> {
        VirtualFile::set_size(self, size)
    }
    async fn set_times(&self, atime: NewTimestamp, mtime: NewTimestamp) -> FsResult<()> {
        VirtualFile::set_times(self, atime, mtime)
    }
    async fn read(&self, len: u64, offset: u64) -> FsResult<(Vec<u8>, bool)> {
        VirtualFile::read(self, len, offset)
    }
    async fn write(&self, buf: Vec<u8>, offset: u64) -> FsResult<u64> {
        VirtualFile::write(self, &buf, offset)
    }
    async fn append(&self, buf: Vec<u8>) -> FsResult<u64> {
        VirtualFile::append(self, &buf)
    }
    /// Always now: a node backend never waits for a pool. One read of the
    /// whole length, then a copy into the buffers.
    fn read_vectored_now(
        &self,
        bufs: &mut [std::io::IoSliceMut<'_>],
        offset: u64,
    ) -> Option<FsResult<usize>> {
        let want: u64 = bufs.iter().map(|b| b.len() as u64).sum();
        Some(VirtualFile::read(self, want, offset).map(|(data, _)| {
            let mut done = 0;
            for b in bufs.iter_mut() {
                let take = b.len().min(data.len() - done);
                b[..take].copy_from_slice(&data[done..done + take]);
                done += take;
            }
            done
        }))
    }
    /// Always now: the buffers gathered (at most
    /// [`crate::filesystem::MAX_WRITE`] bytes), then one write.
    fn write_vectored_now(
        &self,
        bufs: &[std::io::IoSlice<'_>],
        offset: Option<u64>,
    ) -> Option<FsResult<usize>> {
        let mut data = Vec::new();
        for b in bufs {
            let take = b.len().min(crate::filesystem::MAX_WRITE - data.len());
            data.extend_from_slice(&b[..take]);
        }
        Some(match offset {
            Some(at) => VirtualFile::write(self, &data, at).map(|n| n as usize),
            None => VirtualFile::append(self, &data).map(|n| n as usize),
        })
    }
    fn read_via_stream(&self, offset: u64) -> FsResult<VirtualInputStream> {
        VirtualFile::read_via_stream(self, offset)
    }
    fn write_via_stream(&self, offset: u64) -> FsResult<VirtualOutputStream> {
        VirtualFile::write_via_stream(self, offset)
    }
    fn append_via_stream(&self) -> FsResult<VirtualOutputStream> {
        VirtualFile::append_via_stream(self)
    }
}
