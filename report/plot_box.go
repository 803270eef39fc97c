package report

import (
	"image/color"
	"slices"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// percentileBox draws one sample as a box from p25 to p75 with a line at
// p50 and whiskers from p5 to p95, all computed with Percentile, so the
// chart agrees with the tables. gonum's BoxPlot uses its own quantiles.
type percentileBox struct {
	x                      float64
	p5, p25, p50, p75, p95 float64
	width                  vg.Length
	color                  color.Color
}

func newPercentileBox(x float64, values []float64, c color.Color) *percentileBox {
	sorted := slices.Clone(values)
	slices.Sort(sorted)
	return &percentileBox{
		x: x, width: vg.Points(14), color: c,
		p5: Percentile(sorted, 5), p25: Percentile(sorted, 25), p50: Percentile(sorted, 50),
		p75: Percentile(sorted, 75), p95: Percentile(sorted, 95),
	}
}

// Plot implements plot.Plotter.
func (b *percentileBox) Plot(c draw.Canvas, plt *plot.Plot) {
	trX, trY := plt.Transforms(&c)
	x := trX(b.x)
	half := b.width / 2
	style := draw.LineStyle{Color: b.color, Width: vg.Points(1)}

	box := []vg.Point{{X: x - half, Y: trY(b.p25)}, {X: x - half, Y: trY(b.p75)},
		{X: x + half, Y: trY(b.p75)}, {X: x + half, Y: trY(b.p25)}, {X: x - half, Y: trY(b.p25)}}
	c.StrokeLines(style, c.ClipLinesXY(box)...)
	median := draw.LineStyle{Color: b.color, Width: vg.Points(2)}
	c.StrokeLine2(median, x-half, trY(b.p50), x+half, trY(b.p50))

	c.StrokeLine2(style, x, trY(b.p75), x, trY(b.p95))
	c.StrokeLine2(style, x, trY(b.p25), x, trY(b.p5))
	c.StrokeLine2(style, x-half/2, trY(b.p95), x+half/2, trY(b.p95))
	c.StrokeLine2(style, x-half/2, trY(b.p5), x+half/2, trY(b.p5))
}

// DataRange implements plot.DataRanger.
func (b *percentileBox) DataRange() (xmin, xmax, ymin, ymax float64) {
	return b.x - 0.5, b.x + 0.5, b.p5, b.p95
}

// Thumbnail implements plot.Thumbnailer, drawing the legend's swatch.
func (b *percentileBox) Thumbnail(c *draw.Canvas) {
	style := draw.LineStyle{Color: b.color, Width: vg.Points(1)}
	r := c.Rectangle
	c.StrokeLines(style, []vg.Point{r.Min, {X: r.Min.X, Y: r.Max.Y}, r.Max, {X: r.Max.X, Y: r.Min.Y}, r.Min})
}
