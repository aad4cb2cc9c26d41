package web

import (
	"fmt"
	"html/template"
	"math"
	"strings"
)

// chartPalette is the insights' colours: one hue per bar series, dark
// enough for white text and distinguishable for the common forms of colour
// blindness (after the Okabe–Ito set).
var chartPalette = []string{"#0072b2", "#d55e00", "#009e73", "#cc79a7", "#e69f00", "#56b4e9", "#7a6a00", "#555555"}

// bar is one bar of a chart.
type bar struct {
	Label string
	Value int
}

// hbarChart draws horizontal bars with their labels and shares of total,
// as an accessible SVG: a title and description, and every number as text.
func hbarChart(id, title, desc string, bars []bar, total int) template.HTML {
	const (
		width  = 560.0
		labelW = 190.0
		valueW = 80.0
		rowH   = 26.0
		barH   = 16.0
	)
	h := rowH*float64(len(bars)) + 8
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="chart" viewBox="0 0 %g %g" role="img" aria-labelledby="%s-t %s-d" data-chart="%s">`, width, h, id, id, template.HTMLEscapeString(id))
	fmt.Fprintf(&b, `<title id="%s-t">%s</title><desc id="%s-d">%s</desc>`, id, esc(title), id, esc(desc))
	maxV := 0
	for _, br := range bars {
		maxV = max(maxV, br.Value)
	}
	span := width - labelW - valueW
	for i, br := range bars {
		y := 4 + rowH*float64(i)
		w := 0.0
		if maxV > 0 {
			w = span * float64(br.Value) / float64(maxV)
		}
		share := 0.0
		if total > 0 {
			share = 100 * float64(br.Value) / float64(total)
		}
		fmt.Fprintf(&b, `<g data-label="%s" data-value="%d">`, esc(br.Label), br.Value)
		fmt.Fprintf(&b, `<text x="%g" y="%g" text-anchor="end" class="chart-label">%s</text>`, labelW-8, y+barH-3, esc(truncate(br.Label, 28)))
		fmt.Fprintf(&b, `<rect x="%g" y="%g" width="%g" height="%g" rx="3" fill="%s"><title>%s: %d (%.0f%%)</title></rect>`,
			labelW, y, f(math.Max(w, 1)), barH, chartPalette[i%len(chartPalette)], esc(br.Label), br.Value, share)
		fmt.Fprintf(&b, `<text x="%g" y="%g" class="chart-value">%.0f%% · %d</text>`, f(labelW+math.Max(w, 1)+6), y+barH-3, share, br.Value)
		b.WriteString(`</g>`)
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

// columnChart draws one vertical bar per day with a y axis of counts and
// dates along the x axis.
func columnChart(id, title, desc string, bars []bar) template.HTML {
	const (
		width, height = 640.0, 240.0
		left, right   = 44.0, 12.0
		top, bottom   = 12.0, 40.0
	)
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="chart" viewBox="0 0 %g %g" role="img" aria-labelledby="%s-t %s-d" data-chart="%s">`, width, height, id, id, id)
	fmt.Fprintf(&b, `<title id="%s-t">%s</title><desc id="%s-d">%s</desc>`, id, esc(title), id, esc(desc))
	maxV := 1
	for _, br := range bars {
		maxV = max(maxV, br.Value)
	}
	step := niceStep(maxV)
	yMax := int(math.Ceil(float64(maxV)/float64(step))) * step
	plotW, plotH := width-left-right, height-top-bottom
	y := func(v int) float64 { return top + plotH - plotH*float64(v)/float64(yMax) }
	for v := 0; v <= yMax; v += step {
		fmt.Fprintf(&b, `<line x1="%g" x2="%g" y1="%g" y2="%g" class="chart-grid"/>`, left, width-right, f(y(v)), f(y(v)))
		fmt.Fprintf(&b, `<text x="%g" y="%g" text-anchor="end" class="chart-axis">%d</text>`, left-6, f(y(v)+4), v)
	}
	n := max(len(bars), 1)
	slot := plotW / float64(n)
	bw := math.Max(1, math.Min(slot*0.8, 36))
	every := max(1, int(math.Ceil(float64(n)/8))) // at most 8 date labels
	for i, br := range bars {
		x := left + slot*float64(i) + (slot-bw)/2
		fmt.Fprintf(&b, `<rect x="%g" y="%g" width="%g" height="%g" fill="%s" data-label="%s" data-value="%d"><title>%s: %d</title></rect>`,
			f(x), f(y(br.Value)), f(bw), f(y(0)-y(br.Value)), chartPalette[0], esc(br.Label), br.Value, esc(br.Label), br.Value)
		if i%every == 0 {
			fmt.Fprintf(&b, `<text x="%g" y="%g" text-anchor="middle" class="chart-axis">%s</text>`, f(x+bw/2), height-bottom+16, esc(br.Label))
		}
	}
	fmt.Fprintf(&b, `<line x1="%g" x2="%g" y1="%g" y2="%g" class="chart-axis-line"/>`, left, width-right, f(y(0)), f(y(0)))
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

// niceStep is a round grid step that splits 0..maxV into at most five.
func niceStep(maxV int) int {
	for _, s := range []int{1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000, 10000} {
		if maxV/s <= 5 {
			return s
		}
	}
	return int(math.Pow(10, math.Ceil(math.Log10(float64(maxV)/5))))
}

func esc(s string) string { return template.HTMLEscapeString(s) }

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
