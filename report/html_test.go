package report

import (
	"bytes"
	"regexp"
	"strings"
	"testing"
)

func renderHTML(t *testing.T, doc *Document) string {
	t.Helper()
	charts, err := doc.Charts(ChartOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := WriteHTML(&buf, doc, charts); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

func TestHTMLHasNoExternalReferences(t *testing.T) {
	t.Parallel()
	page := renderHTML(t, twoRunDocument(t))

	external := regexp.MustCompile(`(?i)(src|href)\s*=\s*["']?\s*(https?:)?//`)
	if m := external.FindString(page); m != "" {
		t.Errorf("page references another host: %q", m)
	}
	if strings.Contains(strings.ToLower(page), "<script") {
		t.Error("page contains a script element")
	}
	if strings.Contains(strings.ToLower(page), "<link") {
		t.Error("page links an external resource")
	}
	if strings.Contains(page, "<?xml") {
		t.Error("an inline chart kept its XML declaration")
	}
}

func TestHTMLContent(t *testing.T) {
	t.Parallel()
	page := renderHTML(t, twoRunDocument(t))
	for _, want := range []string{
		`<figure id="chart-throughput">`, `<figure id="chart-trend">`, `<figure id="chart-ttft_cdf">`,
		"<svg", "Endpoints at concurrency 4, workload chat", `class="best"`,
		"ttft_ms.p95 &lt; 200", "1 passed", "Failures by kind: timeout 1",
	} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	if n := strings.Count(page, "<svg"); n != 9 {
		t.Errorf("page has %d inline charts, want 9", n)
	}
}

func TestHTMLShowsFilters(t *testing.T) {
	t.Parallel()
	rule, err := ParseOutlierRule("e2e:1")
	if err != nil {
		t.Fatal(err)
	}
	page := renderHTML(t, fixtureDocument(t, Options{Exclude: []string{"a100/chat/c1"}, Outliers: rule}))
	for _, want := range []string{"<code>--exclude a100/chat/c1</code>", "<code>--outliers e2e:1</code>"} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %q", want)
		}
	}
}

func TestHTMLEscapesNames(t *testing.T) {
	t.Parallel()
	run := fixtureRun()
	run.Info.Suite = `<img src="http://example.com/x.png">`
	doc, err := NewDocument([]Run{run}, Options{}, reportEpoch)
	if err != nil {
		t.Fatal(err)
	}
	if page := renderHTML(t, doc); strings.Contains(page, "<img") {
		t.Error("suite name was written unescaped")
	}
}
