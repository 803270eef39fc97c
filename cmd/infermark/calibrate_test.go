package main

import (
	"log/slog"
	"net"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/infermark/infermark/providers/mock"
)

// TestCalibrateAgainstMockProcess runs calibrate against a mock on its own
// listener, as "infermark mock" in a second process would be, and checks
// that the printed TTFT error is small and positive.
func TestCalibrateAgainstMockProcess(t *testing.T) {
	t.Parallel()
	l, err := mock.Start("127.0.0.1:0", mock.Config{TTFT: 30 * time.Millisecond, ITL: 5 * time.Millisecond}, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()

	res := runBounded(t, time.Minute, "calibrate", "--url", l.URL, "--ttft", "30ms", "--itl", "5ms",
		"--concurrency", "4", "--requests", "8", "--tokens", "6")
	if res.code != ExitPass {
		t.Fatalf("exit code = %d\nstderr:\n%s", res.code, res.stderr)
	}

	if !strings.Contains(res.stdout, "concurrency 4, 8 requests (0 failed)") {
		t.Errorf("header does not name the cell:\n%s", res.stdout)
	}

	m := regexp.MustCompile(`(?m)^\s+TTFT\s+(\S+)`).FindStringSubmatch(res.stdout)
	if m == nil {
		t.Fatalf("no TTFT row:\n%s", res.stdout)
	}
	median, err := strconv.ParseFloat(m[1], 64)
	if err != nil {
		t.Fatalf("TTFT median %q: %v", m[1], err)
	}
	// The mock paces from the moment it has read the request, so the
	// client's reading is later by the time to send it, never earlier.
	if median < 0 || median > 25 {
		t.Errorf("TTFT error median = %v ms, want between 0 and 25", median)
	}
	if !strings.Contains(res.stdout, "over 48 events") || !strings.Contains(res.stdout, "per thousand output tokens over 48 tokens") {
		t.Errorf("want 48 output events (8 requests of 6 tokens), got:\n%s", res.stdout)
	}
}

func TestCalibrateRejectsBadInput(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--tokens", "1"}, "--tokens must be at least 2"},
		{[]string{"--concurrency", "0"}, "--concurrency must be at least 1, got 0"},
		{[]string{"--ttft", "-5ms"}, "must not be negative, got -5ms"},
		{[]string{"--url", "http://10.0.0.1/v1"}, "10.0.0.1 is not a loopback address"},
		{[]string{"--url", "notaurl"}, "expected the mock's base URL"},
		{[]string{"--url", "https://127.0.0.1/v1"}, "expected the mock's base URL"},
	} {
		res := runBounded(t, 10*time.Second, append([]string{"calibrate"}, c.args...)...)
		if res.code != ExitUsage || !strings.Contains(res.stderr, c.want) {
			t.Errorf("calibrate %v: exit %d, stderr %q; want exit %d and %q", c.args, res.code, res.stderr, ExitUsage, c.want)
		}
	}
}

func TestCalibrateFailsWhenNothingSucceeds(t *testing.T) {
	t.Parallel()
	// A port that was free a moment ago: every request is refused.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	res := runBounded(t, 30*time.Second, "calibrate", "--url", "http://"+addr+"/v1", "--concurrency", "2", "--requests", "2")
	if res.code != ExitRunError {
		t.Errorf("exit code = %d, want %d", res.code, ExitRunError)
	}
	if !strings.Contains(res.stderr, "none of the 2 measured requests succeeded") || !strings.Contains(res.stderr, "connection refused") {
		t.Errorf("stderr does not explain the failure:\n%s", res.stderr)
	}
	if strings.Contains(res.stdout, "NaN") {
		t.Errorf("stdout prints NaN figures:\n%s", res.stdout)
	}
}
