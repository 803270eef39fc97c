//go:build linux && !386

package runner

import (
	"syscall"
	"unsafe"
)

// recvmsg receives into msg from the non-blocking socket fd. The socket
// does not block, so the call goes without the runtime's bookkeeping for
// system calls that may, which at one event per read costs more than the
// read itself and wakes the runtime's monitor thread when the process is
// otherwise idle.
func recvmsg(fd uintptr, msg *syscall.Msghdr) (int, syscall.Errno) {
	r, _, errno := syscall.RawSyscall(syscall.SYS_RECVMSG, fd, uintptr(unsafe.Pointer(msg)), 0)
	return int(r), errno
}
