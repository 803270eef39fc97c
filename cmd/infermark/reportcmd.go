package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"

	"github.com/spf13/pflag"

	"github.com/infermark/infermark/report"
	"github.com/infermark/infermark/sinks"
)

type reportOptions struct {
	format   string
	output   string
	noFiles  bool
	exclude  []string
	outliers string
	trend    string
	// definitions names another tool whose metric definitions to show.
	definitions string
}

// Files the report command writes besides the charts.
const (
	htmlFileName     = "report.html"
	markdownFileName = "report.md"
)

var reportFormats = map[string]func(io.Writer, *report.Document) error{
	"text": report.WriteText, "json": report.WriteJSON, "markdown": report.WriteMarkdown, "csv": report.WriteCSV,
}

const reportHelp = `Usage: infermark report RESULTS... [flags]

Re-renders stored results. Each RESULTS is a run folder (it holds
summary.json and requests.jsonl) or a folder of run folders, such as
results/. Every figure is recomputed from the stored requests. The newest
run is reported in full; with two runs or more the charts add the trend of
--trend across them. Prints the report on stdout and writes report.html,
report.md and the charts (PNG and SVG) to --output.

Flags:
`

func (a *App) reportCommand(args []string) int {
	var opts reportOptions
	flags := pflag.NewFlagSet("report", pflag.ContinueOnError)
	flags.SetOutput(a.Stderr)
	flags.StringVar(&opts.format, "format", "text", "stdout format: text, json, markdown or csv")
	flags.StringVarP(&opts.output, "output", "o", "", "`folder` for report.html, report.md and the charts (default: report/ in the newest run's folder)")
	flags.BoolVar(&opts.noFiles, "no-files", false, "print the report only, write no files")
	flags.StringArrayVar(&opts.exclude, "exclude", nil, "leave out a run id or a cell id (repeatable); the report lists what was left out")
	flags.StringVar(&opts.outliers, "outliers", "", "remove requests outside Tukey's fences per cell: `METRIC[:K]`, METRIC one of ttft, ttfo, tpot, e2e, K the IQR factor (default 1.5); the report states what was removed")
	flags.StringVar(&opts.trend, "trend", report.DefaultTrendMetric, "figure the trend chart draws across runs, as in assertions, such as ttft_ms.p99")
	flags.StringVar(&opts.definitions, "definitions", "", "also print the figures under another tool's definitions, to reconcile numbers: vllm, llmperf or aiperf")
	flags.Usage = func() { fmt.Fprintf(a.Stderr, "%s%s", reportHelp, flags.FlagUsages()) }
	if code, done := parseFlags(flags, args); done {
		return code
	}
	if opts.definitions != "" && !slices.Contains(report.Definitions, opts.definitions) {
		return a.fail(ExitUsage, "invalid --definitions %q; use vllm, llmperf or aiperf", opts.definitions)
	}

	doc, folders, code := a.loadReport(flags.Args(), opts)
	if doc == nil {
		return code
	}
	if !opts.noFiles {
		dir := opts.output
		if dir == "" {
			dir = filepath.Join(folders[len(folders)-1], "report")
		}
		if err := a.writeReportFiles(doc, dir, opts.trend); err != nil {
			return a.fail(ExitRunError, "%v", err)
		}
	}
	if err := reportFormats[opts.format](a.Stdout, doc); err != nil {
		return a.fail(ExitRunError, "write report: %v", err)
	}
	if opts.definitions != "" {
		rows, err := doc.CompatibilityView(opts.definitions)
		if err != nil {
			return a.fail(ExitUsage, "--definitions: %v", err)
		}
		report.WriteCompatibility(a.Stdout, opts.definitions, rows)
	}
	return ExitPass
}

// loadReport validates the options, reads the runs and builds the
// document. It returns the run folders ordered like the document's
// history, or a nil document and an exit code.
func (a *App) loadReport(paths []string, opts reportOptions) (*report.Document, []string, int) {
	if len(paths) == 0 {
		return nil, nil, a.fail(ExitUsage, "report needs at least one results folder, such as results/ or results/<run id>")
	}
	if reportFormats[opts.format] == nil {
		return nil, nil, a.fail(ExitUsage, "invalid --format %q; use text, json, markdown or csv", opts.format)
	}
	filter := report.Options{Exclude: opts.exclude}
	if opts.outliers != "" {
		rule, err := report.ParseOutlierRule(opts.outliers)
		if err != nil {
			return nil, nil, a.fail(ExitUsage, "--outliers: %v", err)
		}
		filter.Outliers = rule
	}
	if _, err := report.CompileMetric(opts.trend); err != nil {
		return nil, nil, a.fail(ExitUsage, "--trend: %v", err)
	}

	folders, err := findRunFolders(paths)
	if err != nil {
		return nil, nil, a.fail(ExitUsage, "%v", err)
	}
	runs, folders, err := a.readRuns(folders)
	if err != nil {
		return nil, nil, a.fail(ExitUsage, "%v", err)
	}
	doc, err := report.NewDocument(runs, filter, a.Clock.Now())
	if err != nil {
		return nil, nil, a.fail(ExitUsage, "%v", err)
	}
	return doc, folders, ExitPass
}

// readRuns reads every folder, skipping runs without a finished cell, and
// returns the runs with their folders, oldest first.
func (a *App) readRuns(folders []string) ([]report.Run, []string, error) {
	var runs []report.Run
	var kept []string
	for _, folder := range folders {
		run, err := readRun(folder)
		if err != nil {
			return nil, nil, err
		}
		if len(run.Cells) == 0 {
			a.Logger.Warn("run has no finished cell; skipped", "run", run.Info.ID, "folder", folder)
			continue
		}
		runs, kept = append(runs, run), append(kept, folder)
	}
	if len(runs) == 0 {
		return nil, nil, fmt.Errorf("no finished cell in %d run folder(s); nothing to report", len(folders))
	}
	sortRunsByStart(runs, kept)
	return runs, kept, nil
}

// writeReportFiles writes the HTML page, the Markdown summary and every
// chart to dir.
func (a *App) writeReportFiles(doc *report.Document, dir, trend string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("create report folder: %w", err)
	}
	charts, err := doc.Charts(report.ChartOptions{TrendMetric: trend})
	if err != nil {
		return err
	}
	if _, err := report.WriteCharts(dir, charts); err != nil {
		return err
	}
	if err := writeFile(filepath.Join(dir, htmlFileName), func(w io.Writer) error { return report.WriteHTML(w, doc, charts) }); err != nil {
		return err
	}
	if err := writeFile(filepath.Join(dir, markdownFileName), func(w io.Writer) error { return report.WriteMarkdown(w, doc) }); err != nil {
		return err
	}
	a.Logger.Info("report written", "folder", dir, "charts", len(charts))
	return nil
}

func writeFile(path string, write func(io.Writer) error) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("write report: %w", err)
	}
	if err := write(f); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	return f.Close()
}

// sortRunsByStart orders runs and their folders by the run's start time.
func sortRunsByStart(runs []report.Run, folders []string) {
	order := make([]int, len(runs))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(x, y int) int { return runs[x].Info.Start.Compare(runs[y].Info.Start) })
	sortedRuns, sortedFolders := make([]report.Run, len(runs)), make([]string, len(runs))
	for i, j := range order {
		sortedRuns[i], sortedFolders[i] = runs[j], folders[j]
	}
	copy(runs, sortedRuns)
	copy(folders, sortedFolders)
}

// writeReport reads the run back from its json sink's folder and writes
// the report files to --report-dir, so that a report made right after a
// run and one made later from the same folder are the same.
func (e *execution) writeReport() error {
	var folder string
	for _, s := range e.sinks {
		if j, ok := s.(*sinks.JSON); ok {
			folder = j.Folder()
			break
		}
	}
	if folder == "" {
		return fmt.Errorf("--report-dir needs a json sink to read the run back from; add {type: json, dir: results} to sinks")
	}
	run, err := readRun(folder)
	if err != nil {
		return err
	}
	if len(run.Cells) == 0 {
		return fmt.Errorf("--report-dir: the run has no finished cell; nothing to report")
	}
	doc, err := report.NewDocument([]report.Run{run}, report.Options{}, e.app.Clock.Now())
	if err != nil {
		return err
	}
	return e.app.writeReportFiles(doc, e.opts.reportDir, report.DefaultTrendMetric)
}
