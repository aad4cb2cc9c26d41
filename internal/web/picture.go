package web

import (
	"fmt"
	"hash/fnv"
	"html/template"
	"math"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/tailor-c2b/tailor/model"
)

// phoneLook is what the picture needs to know about a design, resolved from
// the model's attribute and level names with defaults where the model or the
// selection says nothing.
type phoneLook struct {
	title string

	height, width, radius float64 // outline, in picture units (half millimetres)

	colour    colourSwatch
	frame     string // aluminium, steel, titanium
	back      string // glass, aluminium, vegan_leather, ceramic
	lcd       bool   // a thicker bezel on the front
	magnetic  bool   // a magnetic charging ring shows through the back
	mainScale float64
	ultrawide bool
	tele      string // "", "tele" or "periscope"
}

// colourSwatch is a body colour with the lighter and darker tones that a
// finish's gradients are made of.
type colourSwatch struct {
	base, light, dark string
	lightInk          bool // a light body, so print on it in a dark ink
}

// palette holds realistic tones for the colour names phone makers use. The
// keys are matched against level names first, then against words of the
// level's label, so a model with "Forest Green" or "rose" still looks right.
var palette = map[string]colourSwatch{
	"black":    {"#25272d", "#41444d", "#111215", false},
	"midnight": {"#22252c", "#3c4049", "#101216", false},
	"graphite": {"#3b3d41", "#5a5d63", "#232427", false},
	"white":    {"#ecedeb", "#ffffff", "#c9ccca", true},
	"silver":   {"#dfe1e3", "#f7f8f9", "#b8bcc0", true},
	"green":    {"#9cb09d", "#bccdbb", "#74897a", true},
	"sage":     {"#9cb09d", "#bccdbb", "#74897a", true},
	"blue":     {"#2e5b84", "#4f7ea9", "#1a3a58", false},
	"ocean":    {"#2e5b84", "#4f7ea9", "#1a3a58", false},
	"orange":   {"#dc7438", "#f29a5c", "#ad5126", false},
	"purple":   {"#b6a4d4", "#d4c8ea", "#8d7bb3", true},
	"lavender": {"#b6a4d4", "#d4c8ea", "#8d7bb3", true},
	"sand":     {"#d6c19c", "#eadbbd", "#b39b75", true},
	"gold":     {"#d9c08a", "#f0dcae", "#ab9160", true},
	"natural":  {"#b6b0a5", "#d3cec5", "#8b857b", true},
	"titanium": {"#b6b0a5", "#d3cec5", "#8b857b", true},
	"red":      {"#b3282d", "#d4494c", "#7e1a1f", false},
	"pink":     {"#f0c2c8", "#fadde1", "#cf9aa2", true},
	"rose":     {"#f0c2c8", "#fadde1", "#cf9aa2", true},
	"yellow":   {"#f2d45c", "#fbe891", "#c9a930", true},
	"grey":     {"#8d9096", "#adb0b5", "#6a6d72", false},
	"gray":     {"#8d9096", "#adb0b5", "#6a6d72", false},
}

// defaultSwatch is the colour of a phone whose model has no colour choice.
var defaultSwatch = palette["graphite"]

var inchRE = regexp.MustCompile(`(\d+(?:\.\d+)?)[- ]?(?:inch|in\b|")`)

// attrLevel returns the level of the named attribute that the selection
// chooses, else the model's default level, else its first level; nil when
// the model has no such attribute.
func attrLevel(m *model.Model, sel map[string]string, name string) (*model.Level, int, int) {
	if m == nil {
		return nil, -1, 0
	}
	a := m.Attr(name)
	if a < 0 || len(m.Attributes[a].Levels) == 0 {
		return nil, -1, 0
	}
	at := &m.Attributes[a]
	l := -1
	if v, ok := sel[name]; ok {
		l = m.Level(a, v)
	}
	if l < 0 {
		l = max(at.Default, 0)
	}
	return &at.Levels[l], l, len(at.Levels)
}

// lookOf resolves how the design looks. It reads the phone model's
// attribute names (size, colour, frame, back, panel, wireless, main,
// ultrawide, tele); any of them missing falls back to a standard phone in
// graphite glass with one camera.
func lookOf(m *model.Model, sel map[string]string) phoneLook {
	lk := phoneLook{frame: "aluminium", back: "glass", mainScale: 1.1, colour: defaultSwatch}

	// Body size: the display diagonal in the label sets the outline, as on
	// real phones (6.1" is about 147 x 71.5 mm, 6.8" about 163 x 77 mm);
	// without one, the level's rank among the sizes stands in for it.
	inch := 6.5
	var words []string
	if lv, l, n := attrLevel(m, sel, "size"); lv != nil {
		if mm := inchRE.FindStringSubmatch(lv.Label); mm != nil {
			inch, _ = strconv.ParseFloat(mm[1], 64)
		} else if n > 1 {
			inch = 6.1 + 0.7*float64(l)/float64(n-1)
		}
		words = append(words, shortLabel(lv.Label))
	}
	inch = math.Max(5.0, math.Min(inch, 7.6))
	lk.height = 2 * (147 + (inch-6.1)*22.9)
	lk.width = 2 * (71.5 + (inch-6.1)*8.6)
	lk.radius = lk.width * 0.16

	if lv, _, _ := attrLevel(m, sel, "colour"); lv != nil {
		lk.colour = swatchFor(lv)
		words = append(words, lv.Label)
	} else if lv, _, _ := attrLevel(m, sel, "color"); lv != nil {
		lk.colour = swatchFor(lv)
		words = append(words, lv.Label)
	}
	if lv, _, _ := attrLevel(m, sel, "frame"); lv != nil {
		switch n := lv.Name + " " + strings.ToLower(lv.Label); {
		case strings.Contains(n, "titan"):
			lk.frame = "titanium"
		case strings.Contains(n, "steel"):
			lk.frame = "steel"
		}
		words = append(words, strings.ToLower(lk.frame)+" frame")
	}
	if lv, _, _ := attrLevel(m, sel, "back"); lv != nil {
		switch n := lv.Name + " " + strings.ToLower(lv.Label); {
		case strings.Contains(n, "leather"):
			lk.back = "vegan_leather"
		case strings.Contains(n, "ceramic"):
			lk.back = "ceramic"
		case strings.Contains(n, "alumin"), strings.Contains(n, "metal"):
			lk.back = "aluminium"
		}
		words = append(words, strings.ReplaceAll(lk.back, "_", " ")+" back")
	}
	if lv, _, _ := attrLevel(m, sel, "panel"); lv != nil {
		lk.lcd = strings.Contains(lv.Name+" "+strings.ToLower(lv.Label), "lcd")
	}
	if lv, _, _ := attrLevel(m, sel, "wireless"); lv != nil {
		lk.magnetic = strings.Contains(lv.Name+" "+strings.ToLower(lv.Label), "mag")
	}
	// The main camera's lens grows with its sensor: the rank among the
	// model's main cameras, and a 1-inch sensor most of all.
	if lv, l, n := attrLevel(m, sel, "main"); lv != nil && n > 1 {
		lk.mainScale = 1 + 0.35*float64(l)/float64(n-1)
		if strings.Contains(lv.Label, "1-inch") {
			lk.mainScale = 1.45
		}
	}
	cams := 1
	if lv, _, _ := attrLevel(m, sel, "ultrawide"); lv != nil && !isNone(lv) {
		lk.ultrawide = true
		cams++
	}
	if lv, _, _ := attrLevel(m, sel, "tele"); lv != nil && !isNone(lv) {
		lk.tele = "tele"
		if strings.Contains(lv.Name+" "+strings.ToLower(lv.Label), "periscope") || strings.HasPrefix(lv.Name, "p") {
			lk.tele = "periscope"
		}
		cams++
	}
	camWords := []string{"one camera", "two cameras", "three cameras"}[min(cams, 3)-1]
	if lk.tele == "periscope" {
		camWords += " with a periscope telephoto"
	}
	words = append(words, camWords)
	name := "Phone"
	if m != nil && m.Name != "" {
		name = m.Name
	}
	lk.title = name + ": " + strings.Join(words, ", ")
	return lk
}

func isNone(lv *model.Level) bool {
	return lv.Name == "none" || lv.Name == "no" || strings.HasPrefix(strings.ToLower(lv.Label), "no ")
}

// shortLabel keeps a label's part before the first comma: "Max" of "Max,
// 6.8-inch display".
func shortLabel(s string) string {
	s, _, _ = strings.Cut(s, ",")
	return s
}

// swatchFor finds the palette entry for a colour level, by name then by
// the words of its label; an unknown colour gets a stable tone of its own.
func swatchFor(lv *model.Level) colourSwatch {
	if s, ok := palette[strings.ToLower(lv.Name)]; ok {
		return s
	}
	for _, w := range strings.FieldsFunc(strings.ToLower(lv.Label), func(r rune) bool { return r < 'a' || r > 'z' }) {
		if s, ok := palette[w]; ok {
			return s
		}
	}
	h := fnv.New32a()
	h.Write([]byte(lv.Name))
	hue := float64(h.Sum32() % 360)
	return colourSwatch{hsl(hue, 0.35, 0.5), hsl(hue, 0.35, 0.64), hsl(hue, 0.35, 0.36), false}
}

// rgb is a colour with channels in 0..1.
type rgb struct{ r, g, b float64 }

func parseHex(s string) rgb {
	v, _ := strconv.ParseUint(strings.TrimPrefix(s, "#"), 16, 32)
	return rgb{float64(v>>16&0xff) / 255, float64(v>>8&0xff) / 255, float64(v&0xff) / 255}
}

func (c rgb) hex() string {
	ch := func(x float64) int { return int(math.Round(math.Max(0, math.Min(1, x)) * 255)) }
	return fmt.Sprintf("#%02x%02x%02x", ch(c.r), ch(c.g), ch(c.b))
}

// mix blends colour a towards b by t in 0..1.
func mix(a, b string, t float64) string {
	x, y := parseHex(a), parseHex(b)
	return rgb{x.r + (y.r-x.r)*t, x.g + (y.g-x.g)*t, x.b + (y.b-x.b)*t}.hex()
}

func hsl(h, s, l float64) string {
	c := (1 - math.Abs(2*l-1)) * s
	x := c * (1 - math.Abs(math.Mod(h/60, 2)-1))
	m := l - c/2
	var r, g, b float64
	switch {
	case h < 60:
		r, g, b = c, x, 0
	case h < 120:
		r, g, b = x, c, 0
	case h < 180:
		r, g, b = 0, c, x
	case h < 240:
		r, g, b = 0, x, c
	case h < 300:
		r, g, b = x, 0, c
	default:
		r, g, b = c, 0, x
	}
	return rgb{r + m, g + m, b + m}.hex()
}

// Picture geometry: the canvas is fixed, so a bigger body takes more of it.
const (
	pictureW = 420.0
	pictureH = 380.0
	floorY   = 356.0
)

// Picture draws a design as an SVG document: the back of the phone, with
// the front beside it. It follows the body size, colour, frame and back
// materials and the cameras of the selection (attribute name -> level
// name); a nil model, or attributes the model or the selection lacks, fall
// back to the model's defaults or a plain phone. The same inputs always give
// the same bytes, and the ids inside are derived from them, so several
// pictures can share one HTML page.
func Picture(m *model.Model, sel map[string]string) string {
	lk := lookOf(m, sel)
	id := pictureID(m, sel)
	var b strings.Builder
	p := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }

	p(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %g %g" role="img" aria-labelledby="%s-t">`, pictureW, pictureH, id)
	p(`<title id="%s-t">%s</title>`, id, template.HTMLEscapeString(lk.title))
	defs(&b, id, lk)

	// The back stands left and a little forward; the front stands behind it
	// on the right, so the pair reads as one product shot.
	// The pair is centred on the canvas whatever the body size.
	pairW := lk.width*0.62 + 42 + lk.width
	backX := (pictureW - pairW) / 2
	frontX := backX + lk.width*0.62 + 28
	top := floorY - lk.height
	p(`<ellipse cx="%g" cy="%g" rx="%g" ry="9" fill="url(#%s-floor)"/>`, f(frontX+lk.width/2), floorY+2, f(lk.width*0.62), id)
	front(&b, id, lk, frontX+14, top-8)
	p(`<ellipse cx="%g" cy="%g" rx="%g" ry="10" fill="url(#%s-floor)"/>`, f(backX+lk.width/2), floorY+4, f(lk.width*0.66), id)
	back(&b, id, lk, backX, top)
	b.WriteString(`</svg>`)
	return b.String()
}

// pictureID derives the prefix of the ids inside a picture from what it
// shows, so equal pictures are equal byte for byte and different pictures
// on one page do not share gradient ids.
func pictureID(m *model.Model, sel map[string]string) string {
	h := fnv.New64a()
	if m != nil {
		fmt.Fprintf(h, "%s\x00%s\x00", m.Name, m.Version)
	}
	keys := make([]string, 0, len(sel))
	for k := range sel {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		fmt.Fprintf(h, "%s=%s\x00", k, sel[k])
	}
	return fmt.Sprintf("ph%x", h.Sum64()&0xffffffffff)
}

// f rounds a coordinate to two decimals, which keeps the SVG small and the
// golden files stable across platforms.
func f(x float64) float64 { return math.Round(x*100) / 100 }

// frameTones returns the gradient stops of the frame band: anodised
// aluminium takes the body colour, polished steel mirrors light and dark,
// titanium is a muted, brushed grey with a hint of the colour.
func frameTones(lk phoneLook) (hi, mid, lo string) {
	c := lk.colour
	switch lk.frame {
	case "steel":
		return mix(c.light, "#ffffff", 0.7), mix(c.base, "#9a9ea4", 0.55), mix(c.dark, "#2b2d31", 0.5)
	case "titanium":
		return mix(c.light, "#c9c6bf", 0.55), mix(c.base, "#8e8a83", 0.6), mix(c.dark, "#55524d", 0.55)
	}
	return mix(c.light, "#ffffff", 0.25), mix(c.base, c.dark, 0.35), c.dark
}

func defs(b *strings.Builder, id string, lk phoneLook) {
	p := func(format string, args ...any) { fmt.Fprintf(b, format, args...) }
	c := lk.colour
	b.WriteString(`<defs>`)
	p(`<radialGradient id="%s-floor"><stop offset="0" stop-color="#000" stop-opacity=".28"/><stop offset="1" stop-color="#000" stop-opacity="0"/></radialGradient>`, id)

	hi, mid, lo := frameTones(lk)
	p(`<linearGradient id="%s-frame" x1="0" y1="0" x2="1" y2="0"><stop offset="0" stop-color="%s"/><stop offset=".08" stop-color="%s"/><stop offset=".5" stop-color="%s"/><stop offset=".92" stop-color="%s"/><stop offset="1" stop-color="%s"/></linearGradient>`,
		id, lo, hi, mid, hi, lo)
	if lk.frame == "steel" {
		// Polished steel reflects the room in bands.
		p(`<linearGradient id="%s-frame" x1="0" y1="0" x2="1" y2="0"><stop offset="0" stop-color="%s"/><stop offset=".05" stop-color="%s"/><stop offset=".1" stop-color="%s"/><stop offset=".5" stop-color="%s"/><stop offset=".9" stop-color="%s"/><stop offset=".95" stop-color="%s"/><stop offset="1" stop-color="%s"/></linearGradient>`,
			id+"-s", lo, hi, lo, mid, lo, hi, lo)
	}

	// The back panel's tones by finish.
	switch lk.back {
	case "aluminium":
		// Bead-blasted metal: an even, matte tone with a soft falloff.
		p(`<linearGradient id="%s-back" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="%s"/><stop offset=".55" stop-color="%s"/><stop offset="1" stop-color="%s"/></linearGradient>`,
			id, mix(c.base, c.light, 0.35), c.base, mix(c.base, c.dark, 0.35))
	case "vegan_leather":
		p(`<linearGradient id="%s-back" x1="0" y1="0" x2="1" y2="1"><stop offset="0" stop-color="%s"/><stop offset="1" stop-color="%s"/></linearGradient>`,
			id, mix(c.base, c.light, 0.15), mix(c.base, c.dark, 0.3))
		p(`<pattern id="%s-grain" width="6" height="6" patternUnits="userSpaceOnUse"><circle cx="1.5" cy="1.5" r=".7" fill="#000" fill-opacity=".09"/><circle cx="4.5" cy="4.2" r=".6" fill="#fff" fill-opacity=".07"/></pattern>`, id)
	case "ceramic":
		// Deep, glossy and slightly darker than glass.
		p(`<linearGradient id="%s-back" x1="0" y1="0" x2="1" y2="1"><stop offset="0" stop-color="%s"/><stop offset=".45" stop-color="%s"/><stop offset="1" stop-color="%s"/></linearGradient>`,
			id, c.light, mix(c.base, c.dark, 0.15), c.dark)
	default:
		p(`<linearGradient id="%s-back" x1="0" y1="0" x2="1" y2="1"><stop offset="0" stop-color="%s"/><stop offset=".5" stop-color="%s"/><stop offset="1" stop-color="%s"/></linearGradient>`,
			id, mix(c.light, c.base, 0.3), c.base, mix(c.base, c.dark, 0.6))
	}
	// Specular sheen of glossy backs.
	gloss := map[string]float64{"glass": 0.32, "ceramic": 0.45, "aluminium": 0.08, "vegan_leather": 0}[lk.back]
	p(`<linearGradient id="%s-sheen" x1="0" y1="0" x2="1" y2="1"><stop offset="0" stop-color="#fff" stop-opacity="%g"/><stop offset=".45" stop-color="#fff" stop-opacity="0"/></linearGradient>`, id, gloss)

	// The camera island is a raised plate of the back's material.
	p(`<linearGradient id="%s-island" x1="0" y1="0" x2="1" y2="1"><stop offset="0" stop-color="%s"/><stop offset="1" stop-color="%s"/></linearGradient>`,
		id, mix(c.light, "#ffffff", 0.15), mix(c.base, c.dark, 0.4))
	p(`<radialGradient id="%s-lens" cx=".38" cy=".35" r=".75"><stop offset="0" stop-color="#4a5a7a"/><stop offset=".35" stop-color="#1a2030"/><stop offset=".8" stop-color="#07080c"/><stop offset="1" stop-color="#000"/></radialGradient>`, id)
	p(`<linearGradient id="%s-ring" x1="0" y1="0" x2="1" y2="1"><stop offset="0" stop-color="%s"/><stop offset="1" stop-color="%s"/></linearGradient>`, id, hi, lo)
	p(`<radialGradient id="%s-flash" cx=".4" cy=".4"><stop offset="0" stop-color="#fffdf0"/><stop offset="1" stop-color="#d9cf9f"/></radialGradient>`, id)

	// The screen shows a wallpaper in the body's colour.
	p(`<linearGradient id="%s-screen" x1="0" y1="0" x2=".6" y2="1"><stop offset="0" stop-color="%s"/><stop offset=".55" stop-color="%s"/><stop offset="1" stop-color="#0b0c10"/></linearGradient>`,
		id, mix(c.base, "#20242e", 0.3), mix(c.dark, "#0b0c10", 0.45))
	p(`<linearGradient id="%s-glare" x1="0" y1="0" x2="1" y2="0"><stop offset="0" stop-color="#fff" stop-opacity=".14"/><stop offset=".6" stop-color="#fff" stop-opacity="0"/></linearGradient>`, id)
	b.WriteString(`</defs>`)
}

// back draws the back of the phone with its top-left corner at (x, y).
func back(b *strings.Builder, id string, lk phoneLook, x, y float64) {
	p := func(format string, args ...any) { fmt.Fprintf(b, format, args...) }
	w, h, r := lk.width, lk.height, lk.radius
	frame := "url(#" + id + "-frame)"
	if lk.frame == "steel" {
		frame = "url(#" + id + "-frame-s)"
	}
	// Side keys stick out of the frame on the right, behind the body.
	p(`<rect x="%g" y="%g" width="4" height="%g" rx="2" fill="%s"/>`, f(x+w-1.5), f(y+h*0.2), f(h*0.12), frame)
	p(`<rect x="%g" y="%g" width="4" height="%g" rx="2" fill="%s"/>`, f(x+w-1.5), f(y+h*0.36), f(h*0.07), frame)
	// The frame band, then the back panel inset in it.
	p(`<rect x="%g" y="%g" width="%g" height="%g" rx="%g" fill="%s" stroke="#000" stroke-opacity=".18"/>`, f(x), f(y), f(w), f(h), f(r), frame)
	in := 3.5
	if lk.frame != "aluminium" {
		in = 4.5 // a visible metal band is what these frames are bought for
	}
	bx, by, bw, bh, br := x+in, y+in, w-2*in, h-2*in, r-in
	p(`<rect x="%g" y="%g" width="%g" height="%g" rx="%g" fill="url(#%s-back)"/>`, f(bx), f(by), f(bw), f(bh), f(br), id)
	switch lk.back {
	case "vegan_leather":
		p(`<rect x="%g" y="%g" width="%g" height="%g" rx="%g" fill="url(#%s-grain)"/>`, f(bx), f(by), f(bw), f(bh), f(br), id)
		// Stitching along the edge.
		p(`<rect x="%g" y="%g" width="%g" height="%g" rx="%g" fill="none" stroke="%s" stroke-width="1.1" stroke-dasharray="3.2 2.4" stroke-opacity=".55"/>`,
			f(bx+6), f(by+6), f(bw-12), f(bh-12), f(br-6), mix(lk.colour.light, "#ffffff", 0.4))
	case "aluminium":
		// Antenna lines cut through a metal back.
		for _, ty := range []float64{by + bh*0.07, by + bh*0.93} {
			p(`<rect x="%g" y="%g" width="%g" height="2.2" fill="%s" fill-opacity=".8"/>`, f(bx), f(ty), f(bw), mix(lk.colour.dark, "#000000", 0.2))
		}
	}
	// The sheen over glass and ceramic: a diagonal sweep of light, clipped
	// to the panel's rounded corners.
	p(`<clipPath id="%s-clip"><rect x="%g" y="%g" width="%g" height="%g" rx="%g"/></clipPath>`, id, f(bx), f(by), f(bw), f(bh), f(br))
	p(`<path d="M%g %g H%g L%g %gz" fill="url(#%s-sheen)" clip-path="url(#%s-clip)"/>`, f(bx), f(by), f(bx+bw*0.85), f(bx), f(by+bh*0.6), id, id)
	if lk.back == "glass" || lk.back == "ceramic" {
		p(`<rect x="%g" y="%g" width="%g" height="%g" rx="%g" fill="none" stroke="#fff" stroke-opacity=".22" stroke-width="1"/>`, f(bx+.5), f(by+.5), f(bw-1), f(bh-1), f(br))
	}
	if lk.magnetic {
		p(`<circle cx="%g" cy="%g" r="%g" fill="none" stroke="#fff" stroke-opacity=".09" stroke-width="2"/>`, f(x+w/2), f(y+h*0.52), f(w*0.3))
	}
	ink := "#ffffff"
	if lk.colour.lightInk {
		ink = "#000000"
	}
	p(`<text x="%g" y="%g" text-anchor="middle" font-family="system-ui, sans-serif" font-size="%g" letter-spacing="3" fill="%s" fill-opacity=".45">TAILOR</text>`,
		f(x+w/2), f(y+h*0.8), f(w*0.075), ink)
	cameras(b, id, lk, bx+9, by+9)
}

// lens is one camera window on the island.
type lens struct {
	cx, cy, r float64
	square    bool
}

// cameras draws the camera island at (x, y): the main camera, with the
// ultra-wide below it and a telephoto (round, or the square window of a
// periscope) in a second column with the flash, as on most phones.
func cameras(b *strings.Builder, id string, lk phoneLook, x, y float64) {
	p := func(format string, args ...any) { fmt.Fprintf(b, format, args...) }
	unit := lk.width * 0.075 // lens radius of a plain main camera
	pad, gap := unit*0.55, unit*0.5
	rm := unit * lk.mainScale
	ru := unit * 0.92
	rt := unit * 0.88

	col1 := rm
	var lenses []lens
	cy := y + pad + rm
	cx := x + pad + col1
	lenses = append(lenses, lens{cx: cx, cy: cy, r: rm})
	bottom := cy + rm
	if lk.ultrawide {
		ucy := bottom + gap + ru
		lenses = append(lenses, lens{cx: cx, cy: ucy, r: ru})
		bottom = ucy + ru
	}
	col2x := cx + col1 + gap
	flashR := unit * 0.32
	right := col2x + 2*flashR
	switch lk.tele {
	case "tele", "periscope":
		tcy := (y + pad + bottom) / 2
		if !lk.ultrawide {
			tcy = bottom + gap + rt
			bottom = tcy + rt
			lenses = append(lenses, lens{cx: cx, cy: tcy, r: rt, square: lk.tele == "periscope"})
			break
		}
		tcx := col2x + rt
		lenses = append(lenses, lens{cx: tcx, cy: tcy, r: rt, square: lk.tele == "periscope"})
		right = tcx + rt
	}
	flashX := col2x + flashR
	if right > col2x+2*flashR {
		flashX = right - flashR
	}
	flashY := y + pad + flashR + 2
	island := struct{ x, y, w, h float64 }{x, y, right + pad - x, bottom + pad - y}
	if island.h < 2*flashR+2*pad {
		island.h = 2*flashR + 2*pad
	}
	ir := math.Min(island.w, island.h) * 0.32
	// The island casts a short shadow, then shows its own bevel.
	p(`<rect x="%g" y="%g" width="%g" height="%g" rx="%g" fill="#000" fill-opacity=".22"/>`, f(island.x+1), f(island.y+2.5), f(island.w), f(island.h), f(ir))
	p(`<rect x="%g" y="%g" width="%g" height="%g" rx="%g" fill="url(#%s-island)" stroke="#fff" stroke-opacity=".25"/>`, f(island.x), f(island.y), f(island.w), f(island.h), f(ir), id)
	for _, l := range lenses {
		if l.square {
			s := l.r * 1.7
			p(`<rect x="%g" y="%g" width="%g" height="%g" rx="%g" fill="url(#%s-ring)"/>`, f(l.cx-s/2-2), f(l.cy-s/2-2), f(s+4), f(s+4), f(s*0.22), id)
			p(`<rect x="%g" y="%g" width="%g" height="%g" rx="%g" fill="url(#%s-lens)"/>`, f(l.cx-s/2), f(l.cy-s/2), f(s), f(s), f(s*0.18), id)
			// The prism's fold shows as a smaller square window inside.
			p(`<rect x="%g" y="%g" width="%g" height="%g" rx="2" fill="none" stroke="#5d6b8c" stroke-opacity=".6"/>`, f(l.cx-s*0.28), f(l.cy-s*0.28), f(s*0.56), f(s*0.56))
			p(`<circle cx="%g" cy="%g" r="%g" fill="#fff" fill-opacity=".55"/>`, f(l.cx-s*0.18), f(l.cy-s*0.18), f(s*0.06))
			continue
		}
		p(`<circle cx="%g" cy="%g" r="%g" fill="url(#%s-ring)"/>`, f(l.cx), f(l.cy), f(l.r+2), id)
		p(`<circle cx="%g" cy="%g" r="%g" fill="url(#%s-lens)"/>`, f(l.cx), f(l.cy), f(l.r), id)
		p(`<circle cx="%g" cy="%g" r="%g" fill="none" stroke="#3b4660" stroke-opacity=".8" stroke-width="1"/>`, f(l.cx), f(l.cy), f(l.r*0.55))
		p(`<circle cx="%g" cy="%g" r="%g" fill="#fff" fill-opacity=".55"/>`, f(l.cx-l.r*0.32), f(l.cy-l.r*0.34), f(l.r*0.13))
	}
	p(`<circle cx="%g" cy="%g" r="%g" fill="url(#%s-flash)" stroke="#000" stroke-opacity=".25"/>`, f(flashX), f(flashY), f(flashR), id)
}

// front draws the front of the phone with its top-left corner at (x, y):
// the frame, the black cover glass, the screen with a punch-hole camera.
func front(b *strings.Builder, id string, lk phoneLook, x, y float64) {
	p := func(format string, args ...any) { fmt.Fprintf(b, format, args...) }
	w, h, r := lk.width, lk.height, lk.radius
	frame := "url(#" + id + "-frame)"
	if lk.frame == "steel" {
		frame = "url(#" + id + "-frame-s)"
	}
	p(`<rect x="%g" y="%g" width="%g" height="%g" rx="%g" fill="%s"/>`, f(x), f(y), f(w), f(h), f(r), frame)
	p(`<rect x="%g" y="%g" width="%g" height="%g" rx="%g" fill="#0a0a0c"/>`, f(x+3), f(y+3), f(w-6), f(h-6), f(r-3))
	bezel := 4.0
	if lk.lcd {
		bezel = 8 // an LCD's backlight needs a wider border
	}
	sx, sy, sw, sh := x+3+bezel, y+3+bezel, w-6-2*bezel, h-6-2*bezel
	sr := math.Max(r-3-bezel, 4)
	p(`<rect x="%g" y="%g" width="%g" height="%g" rx="%g" fill="url(#%s-screen)"/>`, f(sx), f(sy), f(sw), f(sh), f(sr), id)
	// A soft wave on the wallpaper, in the body's light tone.
	p(`<path d="M%g %g C%g %g %g %g %g %g V%g H%g z" fill="%s" fill-opacity=".35"/>`,
		f(sx), f(sy+sh*0.62), f(sx+sw*0.35), f(sy+sh*0.48), f(sx+sw*0.6), f(sy+sh*0.78), f(sx+sw), f(sy+sh*0.6), f(sy+sh-sr), f(sx), lk.colour.light)
	p(`<text x="%g" y="%g" text-anchor="middle" font-family="system-ui, sans-serif" font-weight="300" font-size="%g" fill="#fff" fill-opacity=".92">9:41</text>`,
		f(sx+sw/2), f(sy+sh*0.26), f(w*0.2))
	p(`<circle cx="%g" cy="%g" r="%g" fill="#000"/>`, f(sx+sw/2), f(sy+10), f(math.Max(3.2, w*0.022)))
	p(`<rect x="%g" y="%g" width="%g" height="%g" rx="%g" fill="url(#%s-glare)"/>`, f(x+3), f(y+3), f(w-6), f(h-6), f(r-3), id)
}
