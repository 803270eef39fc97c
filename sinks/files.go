package sinks

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// partialSuffix marks a columnar file that is still being written. Parquet
// and Arrow IPC files end with a footer that indexes the data, so a file cut
// short by a crash has none and no reader opens it. The sinks write under
// this suffix and rename on close, so a file with the final name is always
// complete. A leftover ".partial" file marks a run killed before Close.
const partialSuffix = ".partial"

// partialFile is a file written under path+".partial" and renamed to path
// when finished.
type partialFile struct {
	*os.File
	path string
}

// createPartial creates path+".partial" for writing. It fails when path or
// the partial file already exists, so results are never overwritten.
func createPartial(path string) (*partialFile, error) {
	if _, err := os.Lstat(path); err == nil {
		return nil, fmt.Errorf("%s already exists; choose another output folder or remove it", path)
	} else if !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	f, err := os.OpenFile(path+partialSuffix, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if errors.Is(err, fs.ErrExist) {
		return nil, fmt.Errorf("%s already exists, left by a run that did not finish; remove it", path+partialSuffix)
	}
	if err != nil {
		return nil, err
	}
	return &partialFile{File: f, path: path}, nil
}

// finish syncs and closes the file and gives it its final name.
func (f *partialFile) finish() error {
	err := f.Sync()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	return os.Rename(f.Name(), f.path)
}

// complete runs the steps that write a table's last bytes, in order, and
// then finishes the file. After a failed step it closes the file and keeps
// it under its partial name.
func (f *partialFile) complete(steps ...func() error) error {
	for _, step := range steps {
		if err := step(); err != nil {
			f.Close()
			return fmt.Errorf("write %s: %w", filepath.Base(f.path), err)
		}
	}
	return f.finish()
}

// abort closes and removes the partial file, after a failed Open.
func (f *partialFile) abort() {
	f.Close()
	os.Remove(f.Name())
}

// runFolder creates and returns dir/<run id>, the folder of a run's files.
func runFolder(dir string, run Run) (string, error) {
	if run.ID == "" {
		return "", errors.New("run has no id")
	}
	folder := filepath.Join(dir, run.ID)
	if err := os.MkdirAll(folder, 0o755); err != nil {
		return "", fmt.Errorf("create results folder: %w", err)
	}
	return folder, nil
}
