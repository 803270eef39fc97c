package report

import (
	"bytes"
	"encoding/json"
	"flag"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

func fixtureDocument(t *testing.T, opts Options) *Document {
	t.Helper()
	doc, err := NewDocument([]Run{fixtureRun()}, opts, reportEpoch)
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

func TestRenderGolden(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		file  string
		write func(io.Writer, *Document) error
	}{
		{"report.txt", WriteText},
		{"report.md", WriteMarkdown},
		{"report.json", WriteJSON},
		{"report.csv", WriteCSV},
	} {
		t.Run(tc.file, func(t *testing.T) {
			t.Parallel()
			var buf bytes.Buffer
			if err := tc.write(&buf, fixtureDocument(t, Options{})); err != nil {
				t.Fatal(err)
			}
			checkGolden(t, tc.file, buf.Bytes())
		})
	}
}

func checkGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", "golden", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./report -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file; run go test ./report -update and review the diff\ngot:\n%s", name, got)
	}
}

func TestJSONRoundTrip(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	if err := WriteJSON(&buf, fixtureDocument(t, Options{})); err != nil {
		t.Fatal(err)
	}
	var got struct {
		Cells []struct {
			ID                     string   `json:"id"`
			USDPerThousandRequests *float64 `json:"usd_per_thousand_requests"`
		} `json:"cells"`
		Comparisons []Comparison `json:"comparisons"`
	}
	if err := json.Unmarshal(buf.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	if len(got.Cells) != 4 {
		t.Fatalf("cells = %d, want 4", len(got.Cells))
	}
	// h100/chat/c1: 8 requests in 0.8 s at $2.50/h.
	want := 2.5 / (10.0 * 3600) * 1000
	if v := got.Cells[0].USDPerThousandRequests; v == nil || *v != want {
		t.Errorf("usd_per_thousand_requests = %v, want %v", v, want)
	}
	if len(got.Comparisons) != 2 {
		t.Errorf("comparisons = %d, want 2", len(got.Comparisons))
	}
}

func TestComparisonBest(t *testing.T) {
	t.Parallel()
	doc := fixtureDocument(t, Options{})
	c := doc.Comparisons[0]
	for key, want := range map[string]string{
		"ttft_ms.p50":                   "h100/chat/c1", // 40 ms against 60 ms
		"tpot_ms.p50":                   "a100/chat/c1", // 8 ms against 10 ms
		"usd_per_million_output_tokens": "h100/chat/c1", // same tokens/s, cheaper hour
	} {
		if got := c.Best[key]; len(got) != 1 || got[0] != want {
			t.Errorf("best %s = %q, want [%q]", key, got, want)
		}
	}
	if got, ok := c.Best["output_tokens_per_s"]; ok {
		t.Errorf("best output_tokens_per_s = %q, want none: both endpoints produce 200 tokens/s", got)
	}
	if _, ok := c.Best["succeeded"]; ok {
		t.Error("succeeded has a best value, want none")
	}
}

func TestMismatchColumnShownOnlyWhenPresent(t *testing.T) {
	t.Parallel()
	doc := fixtureDocument(t, Options{})
	tables := doc.SweepTables()
	if len(tables) != 2 {
		t.Fatalf("sweep tables = %d, want 2", len(tables))
	}
	has := func(tb Table) bool { return strings.Contains(strings.Join(tb.Header, "|"), "tok mismatch") }
	if has(tables[0]) {
		t.Error("h100 sweep shows the mismatch column, but its counts agree")
	}
	if !has(tables[1]) {
		t.Error("a100 sweep hides the mismatch column, but one count differs")
	}
}

func TestLoadColumnsShownOnlyWhenPresent(t *testing.T) {
	t.Parallel()
	doc := fixtureDocument(t, Options{})
	header := strings.Join(doc.SweepTables()[0].Header, "|")
	if strings.Contains(header, "lag p99") || strings.Contains(header, "client saturated") {
		t.Errorf("closed-loop cells show load columns: %s", header)
	}
	doc.Cells[0].Load.ClientSaturated = true
	doc.Cells[0].Load.ScheduleLag = Describe([]float64{1, 2, 30})
	header = strings.Join(doc.SweepTables()[0].Header, "|")
	for _, want := range []string{"lag p99", "client saturated"} {
		if !strings.Contains(header, want) {
			t.Errorf("header lacks %q: %s", want, header)
		}
	}
}
