package runner

import (
	"io"
	"net"
	"os"
	"syscall"
	"unsafe"
)

// cmsgHeader is the size of struct cmsghdr on this platform, and
// cmsgAlign the alignment of control messages.
const (
	cmsgHeader = int(unsafe.Sizeof(syscall.Cmsghdr{}))
	cmsgAlign  = int(unsafe.Sizeof(uintptr(0)))
	// timespecSize is the size of the struct timespec that SCM_TIMESTAMPNS
	// carries.
	timespecSize = int(unsafe.Sizeof(syscall.Timespec{}))
)

// newStampedConn turns on SO_TIMESTAMPNS for tcp and returns it wrapped,
// or nil when the kernel refuses.
func newStampedConn(tcp *net.TCPConn) *stampedConn {
	raw, err := tcp.SyscallConn()
	if err != nil {
		return nil
	}
	var serr error
	if err := raw.Control(func(fd uintptr) {
		serr = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_TIMESTAMPNS, 1)
	}); err != nil || serr != nil {
		return nil
	}

	c := &stampedConn{Conn: tcp}
	// The buffers are used only inside raw.Read's callback, which runs
	// under the connection's read lock.
	oob := make([]byte, 64)
	var iov syscall.Iovec
	msg := syscall.Msghdr{Iov: &iov, Iovlen: 1}
	c.read = func(p []byte) (int, error) {
		if len(p) == 0 {
			return 0, nil
		}

		var n int
		var stamp int64
		var rerr error
		err := raw.Read(func(fd uintptr) bool {
			iov.Base = &p[0]
			iov.SetLen(len(p))
			msg.Control = &oob[0]
			msg.SetControllen(len(oob))
			r, errno := recvmsg(fd, &msg)
			iov.Base = nil
			if errno != 0 {
				n, rerr = 0, errno
				return errno != syscall.EAGAIN
			}
			n, rerr = r, nil
			stamp = parseStamp(oob[:msg.Controllen])
			return true
		})
		if err == nil {
			err = rerr
		}

		if err != nil {
			// Errors keep the shape net.Conn gives them, so that net/http
			// and the runner classify them as before.
			return 0, &net.OpError{Op: "read", Net: "tcp", Source: tcp.LocalAddr(), Addr: tcp.RemoteAddr(), Err: osError(err)}
		}
		if n == 0 {
			return 0, io.EOF
		}
		if stamp != 0 {
			c.stamp.Store(stamp)
		}
		return n, nil
	}
	return c
}

// osError names a failed system call as net.Conn's own reads do.
func osError(err error) error {
	if errno, ok := err.(syscall.Errno); ok {
		return os.NewSyscallError("recvmsg", errno)
	}
	return err
}

// parseStamp returns the SCM_TIMESTAMPNS time in oob as Unix nanoseconds,
// or 0 when there is none. It reads the control messages in place, without
// allocating.
func parseStamp(oob []byte) int64 {
	for len(oob) >= cmsgHeader {
		h := (*syscall.Cmsghdr)(unsafe.Pointer(&oob[0]))
		size := int(h.Len)
		if size < cmsgHeader || size > len(oob) {
			return 0
		}
		if h.Level == syscall.SOL_SOCKET && h.Type == syscall.SCM_TIMESTAMPNS && size-cmsgHeader >= timespecSize {
			return (*syscall.Timespec)(unsafe.Pointer(&oob[cmsgHeader])).Nano()
		}
		next := (size + cmsgAlign - 1) &^ (cmsgAlign - 1)
		if next >= len(oob) {
			return 0
		}
		oob = oob[next:]
	}
	return 0
}
