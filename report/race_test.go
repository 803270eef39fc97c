//go:build race

package report

// raceEnabled is true under the race detector, which makes the
// resampling tests about 20 times slower, so they draw fewer seeds.
const raceEnabled = true
