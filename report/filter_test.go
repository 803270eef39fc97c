package report

import (
	"strings"
	"testing"
	"time"
)

func TestExclude(t *testing.T) {
	t.Parallel()
	doc := fixtureDocument(t, Options{Exclude: []string{"a100/chat/c4"}})
	if len(doc.Cells) != 3 {
		t.Errorf("cells = %d, want 3", len(doc.Cells))
	}
	if len(doc.Comparisons) != 1 {
		t.Errorf("comparisons = %d, want 1", len(doc.Comparisons))
	}
	if len(doc.Assertions) != 1 {
		t.Errorf("assertions = %d, want 1: the excluded cell's outcome goes too", len(doc.Assertions))
	}
	if len(doc.Filters) != 1 || doc.Filters[0].Removed != 1 {
		t.Errorf("filters = %+v, want one that removed 1 cell", doc.Filters)
	}
}

func TestExcludeRun(t *testing.T) {
	t.Parallel()
	older, newer := fixtureRun(), fixtureRun()
	older.Info.ID, older.Info.Start = "older", older.Info.Start.Add(-time.Hour)
	doc, err := NewDocument([]Run{older, newer}, Options{Exclude: []string{newer.Info.ID}}, reportEpoch)
	if err != nil {
		t.Fatal(err)
	}
	if doc.Run.ID != "older" {
		t.Errorf("reported run = %q, want the older one once the newer is excluded", doc.Run.ID)
	}
}

func TestExcludeErrors(t *testing.T) {
	t.Parallel()
	_, err := NewDocument([]Run{fixtureRun()}, Options{Exclude: []string{"nope"}}, reportEpoch)
	if err == nil || !strings.Contains(err.Error(), `--exclude "nope" matches no run id and no cell id`) {
		t.Errorf("unknown id: error = %v", err)
	}
	run := fixtureRun()
	_, err = NewDocument([]Run{run}, Options{Exclude: []string{run.Info.ID}}, reportEpoch)
	if err != errAllExcluded {
		t.Errorf("every run excluded: error = %v, want %v", err, errAllExcluded)
	}
}

func TestOutliersRemovedAndReported(t *testing.T) {
	t.Parallel()
	run := fixtureRun()
	slow := &run.Cells[0].Records[3]
	for i := range slow.OutputAt {
		slow.OutputAt[i] += 5 * time.Second
	}
	rule, err := ParseOutlierRule("e2e")
	if err != nil {
		t.Fatal(err)
	}
	doc, err := NewDocument([]Run{run}, Options{Outliers: rule}, reportEpoch)
	if err != nil {
		t.Fatal(err)
	}
	if got := doc.Cells[0].Succeeded; got != 7 {
		t.Errorf("succeeded = %d, want 7 after removing the slow request", got)
	}
	if len(doc.Filters) != 1 || doc.Filters[0].Removed != 1 {
		t.Fatalf("filters = %+v, want one that removed 1 request", doc.Filters)
	}
	if d := doc.Filters[0].Detail; !strings.Contains(d, "h100/chat/c1 1") || !strings.Contains(d, "full measured window") {
		t.Errorf("detail = %q, want the cell, the count and the window caveat", d)
	}
}

func TestParseOutlierRule(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in, want, err string
	}{
		{in: "e2e", want: "e2e:1.5"},
		{in: "ttft:3", want: "ttft:3"},
		{in: "latency", err: "metric must be ttft, ttfo, tpot or e2e"},
		{in: "e2e:0", err: "positive number"},
		{in: "e2e:x", err: "positive number"},
		{in: "e2e:Inf", err: "positive number"},
	} {
		rule, err := ParseOutlierRule(tc.in)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%q: error = %v, want %q", tc.in, err, tc.err)
			}
			continue
		}
		if err != nil || rule.String() != tc.want {
			t.Errorf("%q: got %v, %v; want %s", tc.in, rule, err, tc.want)
		}
	}
}
