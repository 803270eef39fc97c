package report

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"slices"
	"strings"
	"testing"
	"time"

	"gonum.org/v1/plot/plotter"
)

// twoRunDocument returns the fixture run and a later copy of it, so the
// trend chart has two points per cell.
func twoRunDocument(t *testing.T) *Document {
	t.Helper()
	older, newer := fixtureRun(), fixtureRun()
	older.Info.ID, older.Info.Start = "older", older.Info.Start.Add(-24*time.Hour)
	doc, err := NewDocument([]Run{newer, older}, Options{}, reportEpoch)
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

func TestChartsRenderPNG(t *testing.T) {
	t.Parallel()
	charts, err := twoRunDocument(t).Charts(ChartOptions{TrendMetric: "ttft_ms.p99"})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, c := range charts {
		names = append(names, c.Name)
	}
	want := []string{"throughput", "ttft", "tpot", "request_rate", "pareto", "cost", "ttft_cdf", "tokens_over_time", "trend"}
	if !slices.Equal(names, want) {
		t.Fatalf("charts = %v, want %v", names, want)
	}

	for _, c := range charts {
		t.Run(c.Name, func(t *testing.T) {
			b, err := c.Render("png")
			if err != nil {
				t.Fatal(err)
			}
			img, err := png.Decode(bytes.NewReader(b))
			if err != nil {
				t.Fatalf("decode png: %v", err)
			}
			bounds := img.Bounds()
			if bounds.Dx() < 300 || bounds.Dy() < 200 {
				t.Errorf("image is %dx%d, want at least 300x200", bounds.Dx(), bounds.Dy())
			}
			if inked := inkedFraction(img); inked < 0.01 {
				t.Errorf("%.4f of the pixels are not background, want at least 0.01", inked)
			}
			svg, err := c.Render("svg")
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(string(svg), "<svg") {
				t.Error("svg rendering has no <svg element")
			}
		})
	}
}

// inkedFraction returns the share of pixels that differ from the top-left
// one, the background.
func inkedFraction(img interface {
	Bounds() image.Rectangle
	At(x, y int) color.Color
}) float64 {
	b := img.Bounds()
	bg := img.At(b.Min.X, b.Min.Y)
	inked := 0
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			if img.At(x, y) != bg {
				inked++
			}
		}
	}
	return float64(inked) / float64(b.Dx()*b.Dy())
}

func TestChartsSkipTrendForOneRun(t *testing.T) {
	t.Parallel()
	charts, err := fixtureDocument(t, Options{}).Charts(ChartOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range charts {
		if c.Name == "trend" {
			t.Error("one run drew a trend chart")
		}
	}
}

func TestChartsRejectBadTrendMetric(t *testing.T) {
	t.Parallel()
	_, err := twoRunDocument(t).Charts(ChartOptions{TrendMetric: "ttft_ms.p42"})
	if err == nil || !strings.Contains(err.Error(), `invalid metric "ttft_ms.p42"`) {
		t.Errorf("error = %v, want invalid metric", err)
	}
}

func TestTokensOverTimeTotal(t *testing.T) {
	t.Parallel()
	cell := fixtureCell(CellInfo{ID: "x"}, 2, 10*time.Millisecond, 10*time.Millisecond, 10)
	xys := tokensOverTime(cell.Records, 4)
	// Request 0 spans 10..100 ms and request 1 (sent at 100 ms) 111..201 ms,
	// so 4 bins of 50.25 ms hold all 20 tokens.
	var tokens float64
	for _, p := range xys {
		tokens += p.Y * (0.201 / 4)
	}
	if diff := tokens - 20; diff > 1e-9 || diff < -1e-9 {
		t.Errorf("tokens over all bins = %v, want 20", tokens)
	}
	if xys[0].X != 12.5 || xys[3].X != 87.5 {
		t.Errorf("bin midpoints = %v and %v, want 12.5 and 87.5", xys[0].X, xys[3].X)
	}
}

func TestParetoFrontier(t *testing.T) {
	t.Parallel()
	got := paretoFrontier(plotterXYs(1, 10, 2, 8, 3, 3, 1.5, 5))
	want := plotterXYs(1, 10, 2, 8, 3, 3)
	if !slices.Equal(got, want) {
		t.Errorf("frontier = %v, want %v", got, want)
	}
}

// plotterXYs pairs its arguments as points: x0, y0, x1, y1, ...
func plotterXYs(v ...float64) plotter.XYs {
	var out plotter.XYs
	for i := 0; i+1 < len(v); i += 2 {
		out = append(out, plotter.XY{X: v[i], Y: v[i+1]})
	}
	return out
}
