package main

import (
	"encoding/pem"
	"io"
	"log"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow/ipc"
	"github.com/parquet-go/parquet-go"

	"github.com/infermark/infermark/providers/mock"
)

// fileKey is the key the leak test reads from api_key_file; the other
// key is env["TEST_API_KEY"].
const fileKey = "sk-file-secret-4b21e0d9"

// echoMock responds to half of the requests with a 401 whose body quotes
// the request headers, Authorization included.
const echoMock = "builtin:mock?ttft=1ms&itl=1ms&fault=echo_headers&fault_rate=0.5"

// outputText returns what path holds as text: the decoded values of every
// row for Parquet and Arrow IPC files, whose pages are compressed, and the
// raw bytes of anything else.
func outputText(t *testing.T, path string) string {
	t.Helper()
	switch {
	case strings.HasSuffix(path, ".parquet"):
		return parquetText(t, path)
	case strings.HasSuffix(path, ".arrow"):
		return arrowText(t, path)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

func parquetText(t *testing.T, path string) string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		t.Fatal(err)
	}
	file, err := parquet.OpenFile(f, info.Size())
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	var b strings.Builder
	for _, group := range file.RowGroups() {
		rows := group.Rows()
		buf := make([]parquet.Row, 64)
		for {
			n, err := rows.ReadRows(buf)
			for _, row := range buf[:n] {
				for _, v := range row {
					b.WriteString(v.String())
					b.WriteByte('\n')
				}
			}
			if err != nil {
				break
			}
		}
		rows.Close()
	}
	return b.String()
}

func arrowText(t *testing.T, path string) string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r, err := ipc.NewFileReader(f)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	defer r.Close()
	var b strings.Builder
	for i := range r.NumRecords() {
		rec, err := r.RecordBatch(i)
		if err != nil {
			t.Fatalf("%s: record batch %d: %v", path, i, err)
		}
		for _, col := range rec.Columns() {
			for row := range col.Len() {
				b.WriteString(col.ValueStr(row))
				b.WriteByte('\n')
			}
		}
	}
	return b.String()
}

// checkNoSecrets fails when any of texts contains a key.
func checkNoSecrets(t *testing.T, where, text string) {
	t.Helper()
	for _, key := range []string{env["TEST_API_KEY"], fileKey} {
		if strings.Contains(text, key) {
			t.Errorf("%s contains the key %q", where, key)
		}
	}
}

// TestSecretsNeverLeak runs a suite whose keys come from the environment
// and from api_key_file against a mock that echoes the request headers in
// its errors, then searches every output for the keys.
func TestSecretsNeverLeak(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "key.txt"), []byte(fileKey+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	results := filepath.Join(dir, "results")
	var sinks strings.Builder
	for _, typ := range []string{"json", "parquet", "arrow", "sqlite"} {
		sinks.WriteString("  - {type: " + typ + ", dir: " + filepath.Join(results, typ) + "}\n")
	}
	suiteText := `version: 1
name: secrets
endpoints:
  - {name: env-key, provider: openai-chat, base_url: "` + echoMock + `", model: m, api_key: "${TEST_API_KEY}"}
  - {name: file-key, provider: anthropic, base_url: "` + echoMock + `", model: m, api_key_file: key.txt}
workloads:
  - {name: w, input_tokens: 20, output_tokens: 4}
load: {concurrency: [2], requests: 8, warmup: 0}
sinks:
` + sinks.String()
	path := filepath.Join(dir, "suite.yaml")
	if err := os.WriteFile(path, []byte(suiteText), 0o644); err != nil {
		t.Fatal(err)
	}

	run := runBounded(t, time.Minute, "run", "--log-level", "debug", "--no-progress", path)
	if run.code != ExitPass {
		t.Fatalf("run: exit code = %d\nstderr:\n%s", run.code, run.stderr)
	}
	checkNoSecrets(t, "run stdout", run.stdout)
	checkNoSecrets(t, "run stderr", run.stderr)

	jsonRuns := filepath.Join(results, "json")
	reportDir := filepath.Join(dir, "report")
	rep := runBounded(t, time.Minute, "report", jsonRuns, "-o", reportDir)
	if rep.code != ExitPass {
		t.Fatalf("report: exit code = %d\nstderr:\n%s", rep.code, rep.stderr)
	}
	checkNoSecrets(t, "report stdout", rep.stdout)
	checkNoSecrets(t, "report stderr", rep.stderr)

	// The echoed headers reach the results as redacted error messages, and
	// the report names the endpoints, so finding these markers shows that
	// the search reads each kind of file's text.
	markers := map[string]string{
		".jsonl": "the request headers were", ".parquet": "the request headers were", ".arrow": "the request headers were",
		".db": "the request headers were", ".html": "file-key",
	}
	echoed := map[string]bool{}
	var files int
	for _, root := range []string{results, reportDir} {
		filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			files++
			text := outputText(t, p)
			checkNoSecrets(t, p, text)
			if marker, ok := markers[filepath.Ext(p)]; ok && strings.Contains(text, marker) {
				echoed[filepath.Ext(p)] = true
			}
			return nil
		})
	}
	for ext, marker := range markers {
		if !echoed[ext] {
			t.Errorf("no %s output holds %q, so the search proves nothing there", ext, marker)
		}
	}
	if files < 8 {
		t.Errorf("searched %d files, want the four sinks' files and the report", files)
	}
}

// TestSavedSuiteHasNoKey runs an ad-hoc suite with --save-suite against
// the echoing mock and searches the outputs and the saved file.
func TestSavedSuiteHasNoKey(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	saved := filepath.Join(dir, "saved.yaml")
	res := runBounded(t, time.Minute, "run", "--url", echoMock, "--model", "m", "--api-key-env", "TEST_API_KEY",
		"--concurrency", "1", "--requests", "4", "--input-tokens", "20", "--output-tokens", "4",
		"--save-suite", saved, "-o", filepath.Join(dir, "results"), "--log-level", "debug", "--no-progress")
	if res.code != ExitPass {
		t.Fatalf("exit code = %d\nstderr:\n%s", res.code, res.stderr)
	}
	checkNoSecrets(t, "stdout", res.stdout)
	checkNoSecrets(t, "stderr", res.stderr)
	text := outputText(t, saved)
	checkNoSecrets(t, "the saved suite", text)
	if !strings.Contains(text, "${TEST_API_KEY") {
		t.Errorf("the saved suite does not name the key's variable:\n%s", text)
	}
}

// tlsMockSuite serves the mock over TLS with a certificate of its own CA
// and writes a suite against it with extra TLS settings, returning the
// suite's path.
func tlsMockSuite(t *testing.T, tlsYAML string) string {
	t.Helper()
	srv := httptest.NewUnstartedServer(mock.New(mock.Config{TTFT: time.Millisecond, ITL: time.Millisecond}))
	// The unknown-CA case makes the server log failed handshakes.
	srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	srv.StartTLS()
	t.Cleanup(srv.Close)
	dir := t.TempDir()
	ca := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})
	if err := os.WriteFile(filepath.Join(dir, "ca.pem"), ca, 0o644); err != nil {
		t.Fatal(err)
	}
	text := `version: 1
name: tls
endpoints:
  - {name: tls, provider: openai-chat, base_url: "` + srv.URL + `/v1", model: m` + tlsYAML + `}
workloads:
  - {name: w, input_tokens: 20, output_tokens: 4}
load: {concurrency: [1], requests: 3, warmup: 0}
sinks: []
`
	path := filepath.Join(dir, "suite.yaml")
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestTLS(t *testing.T) {
	t.Parallel()
	const warning = "insecure_skip_verify is true"
	cases := []struct {
		name, tls string
		code      int
		stderr    string
	}{
		{name: "ca file", tls: ", tls: {ca_file: ca.pem}", code: ExitPass},
		{name: "unknown CA", tls: "", code: ExitRunError, stderr: "certificate signed by unknown authority"},
		{name: "skip verify", tls: ", tls: {insecure_skip_verify: true}", code: ExitPass, stderr: warning},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			res := runBounded(t, time.Minute, "run", "--no-progress", tlsMockSuite(t, tc.tls))
			if res.code != tc.code {
				t.Errorf("exit code = %d, want %d\nstderr:\n%s", res.code, tc.code, res.stderr)
			}
			if tc.stderr != "" && !strings.Contains(res.stderr, tc.stderr) {
				t.Errorf("stderr lacks %q:\n%s", tc.stderr, res.stderr)
			}
			warned, started := strings.Index(res.stderr, warning), strings.Index(res.stderr, "cell started")
			switch {
			case tc.stderr != warning && warned >= 0:
				t.Errorf("stderr warns about insecure_skip_verify, which the suite does not set:\n%s", res.stderr)
			case tc.stderr == warning && warned > started:
				t.Errorf("the warning comes after the first cell started, want it at the start:\n%s", res.stderr)
			}
		})
	}
}
