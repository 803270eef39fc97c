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
	oob := make([]byte, 64)
	c.read = func(p []byte) (int, error) {
		if len(p) == 0 {
			return 0, nil
		}
		var n, oobn int
		var rerr error
		err := raw.Read(func(fd uintptr) bool {
			n, oobn, _, _, rerr = syscall.Recvmsg(int(fd), p, oob, 0)
			return rerr != syscall.EAGAIN
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
		if ns := parseStamp(oob[:oobn]); ns != 0 {
			c.stamp.Store(ns)
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
