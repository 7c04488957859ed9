//! Batched UDP I/O (Linux sendmmsg/recvmmsg): one system call for up to BATCH datagrams.

use std::net::{SocketAddr, SocketAddrV4, UdpSocket};
use std::os::fd::AsRawFd;

pub const BATCH: usize = 64;
pub const SLOT: usize = 256;

/// Reusable buffers for one socket's batches.
pub struct Batch {
    bufs: Box<[[u8; SLOT]; BATCH]>,
    lens: [usize; BATCH],
    dests: [libc::sockaddr_in; BATCH],
    n: usize,
}

fn sockaddr(a: SocketAddrV4) -> libc::sockaddr_in {
    // SAFETY: sockaddr_in is plain old data; all-zero is a valid value.
    let mut s: libc::sockaddr_in = unsafe { std::mem::zeroed() };
    s.sin_family = libc::AF_INET as libc::sa_family_t;
    s.sin_port = a.port().to_be();
    s.sin_addr.s_addr = u32::from(*a.ip()).to_be();
    s
}

impl Batch {
    pub fn new() -> Batch {
        Batch {
            bufs: Box::new([[0u8; SLOT]; BATCH]),
            lens: [0; BATCH],
            // SAFETY: as in `sockaddr`.
            dests: [unsafe { std::mem::zeroed() }; BATCH],
            n: 0,
        }
    }

    /// Queue `packet` to `dest` (IPv4 only); sends the batch when it is full. Returns how
    /// many datagrams went out now.
    pub fn push(&mut self, sock: &UdpSocket, packet: &[u8], dest: SocketAddr) -> usize {
        let SocketAddr::V4(d) = dest else { return 0 };
        let len = packet.len().min(SLOT);
        self.bufs[self.n][..len].copy_from_slice(&packet[..len]);
        self.lens[self.n] = len;
        self.dests[self.n] = sockaddr(d);
        self.n += 1;
        if self.n == BATCH {
            self.flush(sock)
        } else {
            0
        }
    }

    /// Send what is queued; how many went out.
    pub fn flush(&mut self, sock: &UdpSocket) -> usize {
        let n = self.n;
        self.n = 0;
        if n == 0 {
            return 0;
        }
        let mut iov: [libc::iovec; BATCH] = [libc::iovec {
            iov_base: std::ptr::null_mut(),
            iov_len: 0,
        }; BATCH];
        // SAFETY: mmsghdr is plain old data; zero is valid and every used field is set below.
        let mut msgs: [libc::mmsghdr; BATCH] = unsafe { std::mem::zeroed() };
        for i in 0..n {
            iov[i].iov_base = self.bufs[i].as_mut_ptr().cast();
            iov[i].iov_len = self.lens[i];
            msgs[i].msg_hdr.msg_iov = &mut iov[i];
            msgs[i].msg_hdr.msg_iovlen = 1;
            msgs[i].msg_hdr.msg_name = (&mut self.dests[i] as *mut libc::sockaddr_in).cast();
            msgs[i].msg_hdr.msg_namelen = std::mem::size_of::<libc::sockaddr_in>() as u32;
        }
        let mut sent = 0usize;
        while sent < n {
            // SAFETY: msgs[sent..n] point at live buffers, iovecs and addresses above.
            let r = unsafe {
                libc::sendmmsg(
                    sock.as_raw_fd(),
                    msgs.as_mut_ptr().add(sent),
                    (n - sent) as u32,
                    libc::MSG_DONTWAIT,
                )
            };
            if r <= 0 {
                break;
            }
            sent += r as usize;
        }
        sent
    }

    /// Receive up to BATCH datagrams without blocking; calls `f` on each.
    /// Receive what is waiting (up to BATCH datagrams); `f` gets each one with its source port.
    pub fn recv(&mut self, sock: &UdpSocket, mut f: impl FnMut(&[u8], u16)) -> usize {
        let mut iov: [libc::iovec; BATCH] = [libc::iovec {
            iov_base: std::ptr::null_mut(),
            iov_len: 0,
        }; BATCH];
        // SAFETY: as in `flush`.
        let mut msgs: [libc::mmsghdr; BATCH] = unsafe { std::mem::zeroed() };
        for i in 0..BATCH {
            iov[i].iov_base = self.bufs[i].as_mut_ptr().cast();
            iov[i].iov_len = SLOT;
            msgs[i].msg_hdr.msg_iov = &mut iov[i];
            msgs[i].msg_hdr.msg_iovlen = 1;
            msgs[i].msg_hdr.msg_name = (&mut self.dests[i] as *mut libc::sockaddr_in).cast();
            msgs[i].msg_hdr.msg_namelen = std::mem::size_of::<libc::sockaddr_in>() as u32;
        }
        // SAFETY: msgs point at BATCH live buffers of SLOT bytes and BATCH sockaddr_in.
        let r = unsafe {
            libc::recvmmsg(
                sock.as_raw_fd(),
                msgs.as_mut_ptr(),
                BATCH as u32,
                libc::MSG_DONTWAIT,
                std::ptr::null_mut(),
            )
        };
        if r <= 0 {
            return 0;
        }
        let r = r as usize;
        for ((msg, buf), from) in msgs
            .iter()
            .zip(self.bufs.iter())
            .zip(self.dests.iter())
            .take(r)
        {
            let len = (msg.msg_len as usize).min(SLOT);
            f(&buf[..len], u16::from_be(from.sin_port));
        }
        r
    }
}

/// Wait until `sock` has something to read, at most `ms` milliseconds.
pub fn wait_readable(sock: &UdpSocket, ms: i32) {
    let mut fds = libc::pollfd {
        fd: sock.as_raw_fd(),
        events: libc::POLLIN,
        revents: 0,
    };
    // SAFETY: one valid pollfd.
    unsafe { libc::poll(&mut fds, 1, ms) };
}
