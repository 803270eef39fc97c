package sinks

import (
	"fmt"
	"path/filepath"
	"strings"
)

// Types lists the sink types New accepts, the values of a suite's
// sinks[].type.
var Types = []string{"json", "parquet", "arrow", "sqlite"}

// SQLiteFile is the name of the SQLite sink's database file in its folder.
const SQLiteFile = "infermark.db"

// Config selects and configures one sink, as a suite's sinks entry does.
type Config struct {
	// Type is one of Types.
	Type string
	// Dir is the results folder: each run gets Dir/<run id>/, except for
	// the sqlite type, whose database is Dir/infermark.db.
	Dir string
	// Layout is the json type's layout: "" or "llmperf".
	Layout string
}

// New returns the sink cfg describes. It rejects an unknown type and a
// layout given to a type other than json.
func New(cfg Config) (Sink, error) {
	if cfg.Layout != "" && cfg.Type != "json" {
		return nil, fmt.Errorf("sink type %q has no layout option; remove layout %q or use type json", cfg.Type, cfg.Layout)
	}
	switch cfg.Type {
	case "json":
		return &JSON{Dir: cfg.Dir, Layout: cfg.Layout}, nil
	case "parquet":
		return &Parquet{Dir: cfg.Dir}, nil
	case "arrow":
		return &Arrow{Dir: cfg.Dir}, nil
	case "sqlite":
		return &SQLite{Path: filepath.Join(cfg.Dir, SQLiteFile)}, nil
	}
	return nil, fmt.Errorf("unknown sink type %q; use one of %s", cfg.Type, strings.Join(Types, ", "))
}

// Location returns the folder this run's files are written in.
func (j *JSON) Location() string { return j.folder }

// Location returns the folder this run's files are written in.
func (p *Parquet) Location() string { return p.folder }

// Location returns the folder this run's files are written in.
func (a *Arrow) Location() string { return a.folder }

// Location returns the database file.
func (s *SQLite) Location() string { return s.Path }
