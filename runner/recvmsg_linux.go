//go:build linux && !386

package runner

import (
	"syscall"
	"unsafe"
)

// recvmsg receives into msg from the non-blocking socket fd. The call
// cannot block, so it skips the runtime's bookkeeping for blocking system
// calls. At one event per read that bookkeeping costs more than the read,
// and it wakes the runtime's monitor thread when the process is idle.
func recvmsg(fd uintptr, msg *syscall.Msghdr) (int, syscall.Errno) {
	r, _, errno := syscall.RawSyscall(syscall.SYS_RECVMSG, fd, uintptr(unsafe.Pointer(msg)), 0)
	return int(r), errno
}
