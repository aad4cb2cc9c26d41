package web

import (
	"fmt"
	"html/template"
	"math"
	"strings"
)

// variantBar is one variant's bar of a cannibalisation chart.
type variantBar struct {
	Label string // "#1"
	Title string // the variant's name, for the tooltip
	Units float64
	// From[w] is the units the variant takes from variant w (its own
	// entry is ignored); New the units it brings to the lineup.
	From []float64
	New  float64
}

// newColour is the colour of the units a variant brings to the lineup,
// apart from the variants' own colours (chartPalette, by variant).
const newColour = "#2b303b"

// cannibalChart draws one stacked horizontal bar per variant: a segment
// for the units it takes from each other variant, in that variant's
// colour, and a dark one for the units it adds, with a legend below. All
// bars share one scale, so that their lengths compare.
func cannibalChart(id, title, desc string, bars []variantBar) template.HTML {
	const (
		width   = 560.0
		labelW  = 44.0
		valueW  = 96.0
		rowH    = 28.0
		barH    = 18.0
		legendH = 24.0
	)
	maxV := 0.0
	for _, br := range bars {
		total := math.Max(br.New, 0)
		for w, x := range br.From {
			if w < len(bars) && bars[w].Label != br.Label {
				total += math.Max(x, 0)
			}
		}
		maxV = math.Max(maxV, total)
	}
	span := width - labelW - valueW
	scale := 0.0
	if maxV > 0 {
		scale = span / maxV
	}
	// The legend: a swatch per variant ("from #2") and one for new
	// units, in as many lines as the width needs.
	type item struct {
		colour, text string
		x, y         float64
	}
	var legend []item
	lx, line := labelW, 0
	for w, br := range bars {
		legend = append(legend, item{colour: chartPalette[w%len(chartPalette)], text: "from " + br.Label})
	}
	legend = append(legend, item{colour: newColour, text: "new buyers"})
	top := 4 + rowH*float64(len(bars)) + 6
	for i := range legend {
		w := 16 + 7*float64(len([]rune(legend[i].text))) + 14
		if lx+w > width && lx > labelW {
			lx, line = labelW, line+1
		}
		legend[i].x, legend[i].y = lx, top+legendH*float64(line)
		lx += w
	}
	h := top + legendH*float64(line+1)
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="chart" viewBox="0 0 %g %g" role="img" aria-labelledby="%s-t %s-d" data-chart="%s">`, width, h, esc(id), esc(id), esc(id))
	fmt.Fprintf(&b, `<title id="%s-t">%s</title><desc id="%s-d">%s</desc>`, esc(id), esc(title), esc(id), esc(desc))
	for v, br := range bars {
		y := 4 + rowH*float64(v)
		fmt.Fprintf(&b, `<g data-variant="%d" data-units="%s" data-new="%s">`, v+1, num(br.Units), num(br.New))
		fmt.Fprintf(&b, `<text x="%g" y="%g" text-anchor="end" class="chart-label">%s</text>`, labelW-8, y+barH-4, esc(br.Label))
		x := labelW
		seg := func(units float64, colour, attr, tip string) {
			if units <= 0 {
				return
			}
			w := units * scale
			fmt.Fprintf(&b, `<rect x="%g" y="%g" width="%g" height="%g" fill="%s" %s data-units="%s"><title>%s</title></rect>`,
				f(x), y, f(math.Max(w, 0.5)), barH, colour, attr, num(units), esc(tip))
			x += w
		}
		for w, units := range br.From {
			if w == v || w >= len(bars) {
				continue
			}
			seg(units, chartPalette[w%len(chartPalette)], fmt.Sprintf(`data-from="%d"`, w+1),
				fmt.Sprintf("%s takes %s units from %s", br.Label, thousandsOf64(int64(math.Round(units))), bars[w].Label))
		}
		seg(br.New, newColour, `data-new-units="true"`,
			fmt.Sprintf("%s brings %s new units (%s)", br.Label, thousandsOf64(int64(math.Round(br.New))), br.Title))
		fmt.Fprintf(&b, `<text x="%g" y="%g" class="chart-value">%s units</text>`, f(x+6), y+barH-4, thousandsOf64(int64(math.Round(br.Units))))
		b.WriteString(`</g>`)
	}
	b.WriteString(`<g class="chart-legend">`)
	for _, it := range legend {
		fmt.Fprintf(&b, `<rect x="%g" y="%g" width="12" height="12" rx="2" fill="%s"/>`, f(it.x), it.y, it.colour)
		fmt.Fprintf(&b, `<text x="%g" y="%g" class="chart-axis">%s</text>`, f(it.x+16), it.y+10, esc(it.text))
	}
	b.WriteString(`</g></svg>`)
	return template.HTML(b.String())
}
