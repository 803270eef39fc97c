//go:build !unix

package runner

import "time"

// processCPU returns 0 where getrusage does not exist, so client CPU
// figures are zero there.
func processCPU() time.Duration { return 0 }
