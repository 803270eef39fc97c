package report

import (
	"bytes"
	_ "embed"
	"fmt"
	"html/template"
	"io"
)

//go:embed html.tmpl
var htmlSource string

var htmlTemplate = template.Must(template.New("report").Parse(htmlSource))

// htmlChart is a chart as the page embeds it.
type htmlChart struct {
	Chart
	// SVG is the chart's markup, inline, without the XML prolog.
	SVG template.HTML
}

// htmlPage is the data of html.tmpl.
type htmlPage struct {
	*Document
	Started, Ended, GeneratedAt string
	Passed, Failed, Warned      int
	Sweeps, Comparisons         []Table
	Details                     []htmlDetail
	Charts                      []htmlChart
	AssertionRows               Table
}

type htmlDetail struct {
	Table
	Failures string
}

// WriteHTML writes the report as one self-contained HTML page: styles and
// charts inline, no scripts and no reference to another file or host, so
// it reads offline and attaches to a CI run as is.
func WriteHTML(w io.Writer, d *Document, charts []Chart) error {
	page := htmlPage{
		Document: d, Started: stamp(d.Run.Start), Ended: stamp(d.Run.End), GeneratedAt: stamp(d.Generated),
		Sweeps: d.SweepTables(), Comparisons: d.ComparisonTables(), AssertionRows: d.AssertionTable(),
	}
	page.Passed, page.Failed, page.Warned = d.AssertionCounts()
	for i := range d.Cells {
		page.Details = append(page.Details, htmlDetail{Table: DetailTable(&d.Cells[i]), Failures: FailureLine(&d.Cells[i])})
	}
	for _, c := range charts {
		svg, err := c.Render("svg")
		if err != nil {
			return err
		}
		page.Charts = append(page.Charts, htmlChart{Chart: c, SVG: template.HTML(inlineSVG(svg))})
	}
	if err := htmlTemplate.Execute(w, page); err != nil {
		return fmt.Errorf("render html: %w", err)
	}
	return nil
}

// inlineSVG drops what precedes the <svg> element (the XML declaration
// and a comment), which is not allowed inside HTML.
func inlineSVG(svg []byte) []byte {
	if i := bytes.Index(svg, []byte("<svg")); i >= 0 {
		return svg[i:]
	}
	return svg
}
