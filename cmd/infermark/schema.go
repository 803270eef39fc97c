package main

import (
	"fmt"

	"github.com/spf13/pflag"

	"github.com/infermark/infermark/suite"
)

// schemaCommand prints the suite file's JSON Schema, for editors that
// check YAML against a schema (such as the YAML language server, with
// "# yaml-language-server: $schema=suite.schema.json" at the file's top).
func (a *App) schemaCommand(args []string) int {
	flags := pflag.NewFlagSet("schema", pflag.ContinueOnError)
	flags.SetOutput(a.Stderr)
	flags.Usage = func() {
		fmt.Fprint(a.Stderr, "Usage: infermark schema > suite.schema.json\n\nPrints the JSON Schema of the suite file.\n")
	}
	if code, done := parseFlags(flags, args); done {
		return code
	}
	if flags.NArg() != 0 {
		return a.fail(ExitUsage, "schema takes no arguments, got %d", flags.NArg())
	}
	if _, err := a.Stdout.Write(suite.SchemaJSON); err != nil {
		return a.fail(ExitRunError, "write schema: %v", err)
	}
	return ExitPass
}
