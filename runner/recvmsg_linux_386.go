package runner

import (
	"syscall"
	"unsafe"
)

// recvmsg receives into msg from the socket fd. On 386 the socket calls go
// through socketcall(2), which the syscall package does not expose for a
// message header of the caller's, so the header's buffers are passed to
// syscall.Recvmsg instead.
func recvmsg(fd uintptr, msg *syscall.Msghdr) (int, syscall.Errno) {
	p := unsafe.Slice(msg.Iov.Base, msg.Iov.Len)
	oob := unsafe.Slice(msg.Control, msg.Controllen)
	n, oobn, _, _, err := syscall.Recvmsg(int(fd), p, oob, 0)
	if err != nil {
		errno, ok := err.(syscall.Errno)
		if !ok {
			errno = syscall.EIO
		}
		return 0, errno
	}
	msg.Controllen = uint32(oobn)
	return n, 0
}
