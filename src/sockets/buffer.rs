//! `SO_RCVBUF` / `SO_SNDBUF` in the guest's units, shared by TCP and UDP.
//!
//! Linux doubles the size `setsockopt` is given (the extra half is for its
//! own bookkeeping) and `getsockopt` reports the doubled figure, so a guest
//! that set 65536 would read 131072. A guest reads back the size that, set,
//! gives the buffer the socket has: half the kernel's figure on Linux. That
//! is the value the guest set whenever the kernel took it as it was, and
//! the value in effect when the kernel capped it (at its minimum, or at
//! `net.core.rmem_max` / `wmem_max`). An accepted TCP socket has the
//! listener's buffers (the kernel copies them), so it reads back what was
//! set on the listener.

use super::ErrorCode;
use super::SocketResult;
use rustix::net::sockopt;
use std::os::fd::BorrowedFd;

/// The largest buffer size handed to the OS (`SO_RCVBUF`/`SO_SNDBUF` take a
/// C `int`); larger requests are clamped to it, and the OS clamps further.
pub const MAX_BUFFER_SIZE: u64 = i32::MAX as u64;

/// A guest's buffer size as `setsockopt` takes it: 0 is `invalid-argument`,
/// larger values are clamped to [`MAX_BUFFER_SIZE`].
fn to_os(value: u64) -> SocketResult<usize> {
    if value == 0 {
        return Err(ErrorCode::InvalidArgument.into());
    }
    // MAX_BUFFER_SIZE fits every usize the OS takes here.
    Ok(usize::try_from(value.min(MAX_BUFFER_SIZE)).unwrap_or(i32::MAX as usize))
}

/// The size a guest reads back for a buffer the kernel reports as
/// `kernel` bytes (see the module's comment).
fn from_os(kernel: usize) -> u64 {
    let size = if cfg!(target_os = "linux") {
        kernel.div_ceil(2)
    } else {
        kernel
    };
    u64::try_from(size).unwrap_or(u64::MAX)
}

/// `receive-buffer-size`.
pub(crate) fn receive(fd: BorrowedFd<'_>) -> SocketResult<u64> {
    Ok(from_os(sockopt::socket_recv_buffer_size(fd)?))
}

/// `set-receive-buffer-size`: 0 is `invalid-argument`; a size the OS does
/// not take is capped, by us at [`MAX_BUFFER_SIZE`] and by the OS at its
/// own limits.
pub(crate) fn set_receive(fd: BorrowedFd<'_>, value: u64) -> SocketResult<()> {
    let size = to_os(value)?;
    Ok(sockopt::set_socket_recv_buffer_size(fd, size)?)
}

/// `send-buffer-size`.
pub(crate) fn send(fd: BorrowedFd<'_>) -> SocketResult<u64> {
    Ok(from_os(sockopt::socket_send_buffer_size(fd)?))
}

/// `set-send-buffer-size`: as [`set_receive`].
pub(crate) fn set_send(fd: BorrowedFd<'_>, value: u64) -> SocketResult<()> {
    let size = to_os(value)?;
    Ok(sockopt::set_socket_send_buffer_size(fd, size)?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::fd::AsFd;

    #[test]
    fn sizes_read_back_as_set() {
        let socket = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
        let fd = socket.as_fd();
        set_receive(fd, 65536).unwrap();
        set_send(fd, 65536).unwrap();
        assert_eq!(receive(fd).unwrap(), 65536);
        assert_eq!(send(fd).unwrap(), 65536);
        set_receive(fd, 12345).unwrap();
        assert_eq!(receive(fd).unwrap(), 12345);
    }

    #[test]
    fn capped_sizes_read_back_as_in_effect() {
        let socket = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
        let fd = socket.as_fd();
        let code = |r: SocketResult<()>| r.unwrap_err().downcast().unwrap();
        assert_eq!(code(set_receive(fd, 0)), ErrorCode::InvalidArgument);
        assert_eq!(code(set_send(fd, 0)), ErrorCode::InvalidArgument);
        for value in [1, u64::MAX] {
            set_receive(fd, value).unwrap();
            let got = receive(fd).unwrap();
            // Setting what was read back gives the same buffer.
            set_receive(fd, got).unwrap();
            assert_eq!(receive(fd).unwrap(), got, "{value}");
            assert!(got > 1 && got <= MAX_BUFFER_SIZE, "{value}: {got}");
        }
    }
}
