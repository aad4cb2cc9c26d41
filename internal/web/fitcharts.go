package web

import (
	"fmt"
	"html/template"
	"math"
	"strings"
)

// The charts of a model fit and of the market simulator. Like the
// insights' charts they are SVG with a title and a description, every
// number also as text, and data- attributes that tests and scripts read.

// intervalRow is one bar of an interval chart: a value with an interval
// around it (Lo = Hi = Value for none).
type intervalRow struct {
	Label         string
	Value, Lo, Hi float64
	// Reference marks a level that is 0 by definition.
	Reference bool
}

// intervalChart draws a horizontal bar from 0 to each row's value, to the
// left for negative values, with the interval as a whisker, on the scale
// lo..hi (which must contain 0 and every interval), so that the charts of
// several attributes drawn on one scale compare.
func intervalChart(id, title, desc string, rows []intervalRow, lo, hi float64) template.HTML {
	const (
		width  = 560.0
		labelW = 170.0
		valueW = 56.0
		rowH   = 26.0
		barH   = 14.0
	)
	if hi-lo <= 0 {
		lo, hi = -1, 1
	}
	h := rowH*float64(len(rows)) + 8
	span := width - labelW - valueW - 12
	x := func(v float64) float64 { return labelW + 6 + span*(v-lo)/(hi-lo) }
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="chart" viewBox="0 0 %g %g" role="img" aria-labelledby="%s-t %s-d" data-chart="%s">`, width, h, esc(id), esc(id), esc(id))
	fmt.Fprintf(&b, `<title id="%s-t">%s</title><desc id="%s-d">%s</desc>`, esc(id), esc(title), esc(id), esc(desc))
	fmt.Fprintf(&b, `<line x1="%g" x2="%g" y1="0" y2="%g" class="chart-axis-line"/>`, f(x(0)), f(x(0)), h)
	for i, r := range rows {
		y := 4 + rowH*float64(i)
		fmt.Fprintf(&b, `<g data-label="%s" data-value="%s"`, esc(r.Label), num(r.Value))
		if r.Reference {
			b.WriteString(` data-reference="true"`)
		}
		b.WriteString(`>`)
		fmt.Fprintf(&b, `<text x="%g" y="%g" text-anchor="end" class="chart-label">%s</text>`, labelW-4, y+barH-2, esc(truncate(r.Label, 26)))
		x0, x1 := math.Min(x(0), x(r.Value)), math.Max(x(0), x(r.Value))
		colour := chartPalette[0]
		if r.Value < 0 {
			colour = chartPalette[1]
		}
		tip := fmt.Sprintf("%s: %s", r.Label, num(r.Value))
		if r.Reference {
			tip = r.Label + ": the reference level, 0"
		} else if r.Hi > r.Lo {
			tip += fmt.Sprintf(" (95%% interval %s to %s)", num(r.Lo), num(r.Hi))
		}
		fmt.Fprintf(&b, `<rect x="%g" y="%g" width="%g" height="%g" rx="2" fill="%s"><title>%s</title></rect>`,
			f(x0), y, f(math.Max(x1-x0, 1)), barH, colour, esc(tip))
		if !r.Reference && r.Hi > r.Lo {
			mid := y + barH/2
			fmt.Fprintf(&b, `<path d="M%g %gH%gM%g %gV%gM%g %gV%g" class="chart-whisker" data-lo="%s" data-hi="%s"/>`,
				f(x(r.Lo)), mid, f(x(r.Hi)), f(x(r.Lo)), mid-4, mid+4, f(x(r.Hi)), mid-4, mid+4, num(r.Lo), num(r.Hi))
		}
		value := num(r.Value)
		if r.Reference {
			value = "0 (ref.)"
		}
		fmt.Fprintf(&b, `<text x="%g" y="%g" class="chart-value">%s</text>`, width-valueW+4, y+barH-2, value)
		b.WriteString(`</g>`)
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

// shareBar is one bar of a share chart.
type shareBar struct {
	Label string
	Share float64 // 0..1
	Note  string  // shown after the percentage, such as "± 1.2"
	Own   bool
}

// shareChart draws horizontal bars of shares, as percentages, scaled to
// the largest.
func shareChart(id, title, desc string, bars []shareBar) template.HTML {
	const (
		width  = 560.0
		labelW = 170.0
		valueW = 110.0
		rowH   = 26.0
		barH   = 16.0
	)
	h := rowH*float64(len(bars)) + 8
	maxV := 0.0
	for _, br := range bars {
		maxV = math.Max(maxV, br.Share)
	}
	span := width - labelW - valueW
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="chart" viewBox="0 0 %g %g" role="img" aria-labelledby="%s-t %s-d" data-chart="%s">`, width, h, esc(id), esc(id), esc(id))
	fmt.Fprintf(&b, `<title id="%s-t">%s</title><desc id="%s-d">%s</desc>`, esc(id), esc(title), esc(id), esc(desc))
	for i, br := range bars {
		y := 4 + rowH*float64(i)
		w := 0.0
		if maxV > 0 {
			w = span * br.Share / maxV
		}
		pct := fmt.Sprintf("%.1f%%", 100*br.Share)
		fmt.Fprintf(&b, `<g data-label="%s" data-share="%s">`, esc(br.Label), num(br.Share))
		fmt.Fprintf(&b, `<text x="%g" y="%g" text-anchor="end" class="chart-label">%s</text>`, labelW-8, y+barH-3, esc(truncate(br.Label, 26)))
		colour := chartPalette[i%len(chartPalette)]
		fmt.Fprintf(&b, `<rect x="%g" y="%g" width="%g" height="%g" rx="3" fill="%s"><title>%s: %s</title></rect>`,
			labelW, y, f(math.Max(w, 1)), barH, colour, esc(br.Label), pct)
		text := pct
		if br.Note != "" {
			text += " " + br.Note
		}
		fmt.Fprintf(&b, `<text x="%g" y="%g" class="chart-value">%s</text>`, f(labelW+math.Max(w, 1)+6), y+barH-3, esc(text))
		b.WriteString(`</g>`)
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

// linePoint is a point of a line chart; XLabel is how its x is written.
type linePoint struct {
	X, Y   float64
	XLabel string
}

// lineChart draws y (a share, 0..1, as a percentage) against x, with the
// points marked and labelled along the x axis.
func lineChart(id, title, desc string, pts []linePoint) template.HTML {
	// Drawn for a wide box: larger type would tower over the page.
	const (
		width, height = 1000.0, 320.0
		left, right   = 52.0, 24.0
		top, bottom   = 14.0, 40.0
	)
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="chart" viewBox="0 0 %g %g" role="img" aria-labelledby="%s-t %s-d" data-chart="%s">`, width, height, esc(id), esc(id), esc(id))
	fmt.Fprintf(&b, `<title id="%s-t">%s</title><desc id="%s-d">%s</desc>`, esc(id), esc(title), esc(id), esc(desc))
	if len(pts) == 0 {
		b.WriteString(`</svg>`)
		return template.HTML(b.String())
	}
	xLo, xHi, yHi := pts[0].X, pts[0].X, 0.0
	for _, p := range pts {
		xLo, xHi, yHi = math.Min(xLo, p.X), math.Max(xHi, p.X), math.Max(yHi, p.Y)
	}
	if xHi == xLo {
		xHi = xLo + 1
	}
	// The y axis in whole percentages, to a round top.
	top10 := math.Max(10, math.Ceil(100*yHi/10)*10)
	plotW, plotH := width-left-right, height-top-bottom
	px := func(x float64) float64 { return left + plotW*(x-xLo)/(xHi-xLo) }
	py := func(y float64) float64 { return top + plotH - plotH*(100*y)/top10 }
	step := top10 / 5
	for v := 0.0; v <= top10+1e-9; v += step {
		y := py(v / 100)
		fmt.Fprintf(&b, `<line x1="%g" x2="%g" y1="%g" y2="%g" class="chart-grid"/>`, left, width-right, f(y), f(y))
		fmt.Fprintf(&b, `<text x="%g" y="%g" text-anchor="end" class="chart-axis">%g%%</text>`, left-6, f(y+4), v)
	}
	var d strings.Builder
	for i, p := range pts {
		cmd := "L"
		if i == 0 {
			cmd = "M"
		}
		fmt.Fprintf(&d, "%s%g %g", cmd, f(px(p.X)), f(py(p.Y)))
	}
	fmt.Fprintf(&b, `<path d="%s" class="chart-line" fill="none" stroke="%s" stroke-width="2.5"/>`, d.String(), chartPalette[0])
	every := max(1, int(math.Ceil(float64(len(pts))/9))) // at most about 9 x labels
	for i, p := range pts {
		fmt.Fprintf(&b, `<circle cx="%g" cy="%g" r="4" fill="%s" data-x="%s" data-share="%s"><title>%s: %.1f%%</title></circle>`,
			f(px(p.X)), f(py(p.Y)), chartPalette[0], num(p.X), num(p.Y), esc(p.XLabel), 100*p.Y)
		if i%every == 0 || i == len(pts)-1 {
			fmt.Fprintf(&b, `<text x="%g" y="%g" text-anchor="middle" class="chart-axis">%s</text>`, f(px(p.X)), height-bottom+18, esc(p.XLabel))
		}
	}
	fmt.Fprintf(&b, `<line x1="%g" x2="%g" y1="%g" y2="%g" class="chart-axis-line"/>`, left, width-right, f(py(0)), f(py(0)))
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

// num writes a figure compactly for a chart: 3 significant digits, and
// whole numbers from 1,000 on.
func num(x float64) string {
	switch {
	case math.IsNaN(x) || math.IsInf(x, 0):
		return "-"
	case math.Abs(x) >= 1000:
		return fmt.Sprintf("%.0f", x)
	}
	return fmt.Sprintf("%.3g", x)
}
