//go:build unix

package sinks

import (
	"bufio"
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
)

// killDirEnv makes the test binary act as a run that is killed: it writes
// the test records to every sink in that folder and sends itself SIGKILL.
const killDirEnv = "INFERMARK_SINKS_KILL_DIR"

func TestSinksAfterSIGKILL(t *testing.T) {
	if dir := os.Getenv(killDirEnv); dir != "" {
		writeAndDie(dir)
		return
	}
	t.Parallel()
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^TestSinksAfterSIGKILL$")
	cmd.Env = append(os.Environ(), killDirEnv+"="+dir)
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
		t.Fatalf("child: got %v, want death by SIGKILL; output:\n%s", err, out)
	}

	run, records := testRun(), testRecords()
	folder := filepath.Join(dir, run.ID)

	// SQLite: every request was committed before the kill.
	db := openDB(t, filepath.Join(dir, "results.db"))
	compareRows(t, "requests", readSQLite[RequestRow](t, db, "requests", "run_id = ?", run.ID), wantRequestRows(run, records))
	var ended any
	if err := db.QueryRow("SELECT end_time FROM runs WHERE run_id = ?", run.ID).Scan(&ended); err != nil || ended != nil {
		t.Errorf("runs.end_time = %v (%v), want null for a killed run", ended, err)
	}

	// JSON: requests.jsonl has one complete line per request.
	f, err := os.Open(filepath.Join(folder, "requests.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	lines := 0
	for sc := bufio.NewScanner(f); sc.Scan(); {
		lines++
	}
	if lines != len(records) {
		t.Errorf("requests.jsonl has %d lines, want %d", lines, len(records))
	}

	// Parquet: no file under the final name, only the unfinished one.
	if _, err := os.Stat(filepath.Join(folder, "requests.parquet")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("requests.parquet after a kill: %v, want it absent", err)
	}
	if _, err := os.Stat(filepath.Join(folder, "requests.parquet.partial")); err != nil {
		t.Errorf("requests.parquet.partial after a kill: %v", err)
	}
}

// writeAndDie is the child's side of TestSinksAfterSIGKILL.
func writeAndDie(dir string) {
	run := testRun()
	sinks := []Sink{&JSON{Dir: dir}, &Parquet{Dir: dir}, &SQLite{Path: filepath.Join(dir, "results.db")}}
	for _, s := range sinks {
		if err := s.Open(run); err != nil {
			panic(err)
		}
		for _, r := range testRecords() {
			if err := s.Record(r); err != nil {
				panic(err)
			}
		}
	}
	syscall.Kill(os.Getpid(), syscall.SIGKILL)
	select {}
}
