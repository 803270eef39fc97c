//go:build !linux

package runner

import "net"

// newStampedConn returns nil: kernel receive timestamps are read on Linux
// only, and elsewhere the runner's own clock stamps arrivals.
func newStampedConn(*net.TCPConn) *stampedConn { return nil }
