package market

import (
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"text/tabwriter"
	"unicode/utf8"
)

// describe names the rule and its settings.
func describe(opts Options) string {
	var s string
	switch opts.Rule {
	case Logit:
		s = "logit, scale " + strconv.FormatFloat(opts.Scale, 'g', -1, 64)
	case FirstChoice:
		s = "first choice"
	case RandomizedFirstChoice:
		s = fmt.Sprintf("randomised first choice, %s draws, product error %s, attribute error %s, seed %d",
			thousands(opts.Draws), strconv.FormatFloat(opts.ErrorScale, 'g', -1, 64),
			strconv.FormatFloat(opts.AttributeError, 'g', -1, 64), opts.Seed)
	default:
		s = opts.Rule.String()
	}
	if opts.None {
		s += ", with the no-purchase option"
	}
	return s
}

// Print writes o as a table: each alternative's share overall, its
// standard error and its share in each segment, then Tailor's total and
// the number of people.
func (o *Outcome) Print(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "Shares of preference (%s), %s people\n\n", describe(o.Options), thousands(o.People))
	first := leftColumn(append([]string{"Product", "Tailor total", "People"}, labels(o.Products, o.Own)...))
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "%s\tShare\tStd.err\t", first("Product"))
	for _, s := range o.Segments {
		fmt.Fprintf(tw, "%s\t", s.Name)
	}
	fmt.Fprintln(tw)
	for j, name := range o.Products {
		fmt.Fprintf(tw, "%s\t%s\t%s\t", first(label(name, o.Own[j])), percent(o.Shares[j]), percent(o.StdErr[j]))
		for _, s := range o.Segments {
			fmt.Fprintf(tw, "%s\t", segPercent(s.Shares[j], s.People))
		}
		fmt.Fprintln(tw)
	}
	if hasOwn(o.Own) {
		fmt.Fprintf(tw, "%s\t%s\t\t", first("Tailor total"), percent(o.OwnShare))
		for _, s := range o.Segments {
			fmt.Fprintf(tw, "%s\t", segPercent(s.OwnShare, s.People))
		}
		fmt.Fprintln(tw)
	}
	fmt.Fprintf(tw, "%s\t%s\t\t", first("People"), thousands(o.People))
	for _, s := range o.Segments {
		fmt.Fprintf(tw, "%s\t", thousands(s.People))
	}
	fmt.Fprintln(tw)
	tw.Flush()
	if hasOwn(o.Own) {
		b.WriteString("\n* Tailor's products\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// Print writes c as a table: each alternative's share in the base and the
// variant scenario and the change, overall and (change only) in each
// segment, in percentage points.
func (c *Comparison) Print(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "Scenario comparison (%s), %s people\n\n", describe(c.Base.Options), thousands(c.Base.People))
	names := []string{"Product", "Tailor total"}
	for _, ch := range c.Changes {
		names = append(names, label(ch.Name, ch.Own))
	}
	first := leftColumn(names)
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "%s\tBase\tVariant\tChange\t", first("Product"))
	for _, s := range c.Segments {
		fmt.Fprintf(tw, "%s\t", s)
	}
	fmt.Fprintln(tw)
	own := false
	for _, ch := range c.Changes {
		own = own || ch.Own
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t", first(label(ch.Name, ch.Own)), present(ch.Overall.Base, ch.InBase),
			present(ch.Overall.Variant, ch.InVariant), points(ch.Overall.Delta))
		for g := range c.Segments {
			fmt.Fprintf(tw, "%s\t", points(ch.Segments[g].Delta))
		}
		fmt.Fprintln(tw)
	}
	if own {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t", first("Tailor total"), percent(c.Own.Base), percent(c.Own.Variant), points(c.Own.Delta))
		for g := range c.Segments {
			fmt.Fprintf(tw, "%s\t", points(c.Variant.Segments[g].OwnShare-c.Base.Segments[g].OwnShare))
		}
		fmt.Fprintln(tw)
	}
	tw.Flush()
	b.WriteString("\nChanges are in percentage points")
	if len(c.Segments) > 0 {
		b.WriteString("; segment columns show the change within the segment")
	}
	b.WriteString(".\n")
	if own {
		b.WriteString("* Tailor's products\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// Print writes c as a table, one row per price: share, units and revenue
// per 1,000 people, revenue index, Tailor's total share and the product's
// share in each segment.
func (c *Curve) Print(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "Price curve for %s (%s), %s people; base price %s: share %s, revenue index 100\n\n",
		c.Product, describe(c.Options), thousands(c.People), money(c.Base), percent(c.BaseShare))
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprint(tw, "Price\tShare\tUnits/1000\tRevenue/1000\tIndex\tTailor total\t")
	for _, s := range c.Segments {
		fmt.Fprintf(tw, "%s\t", s)
	}
	fmt.Fprintln(tw)
	for _, p := range c.Points {
		fmt.Fprintf(tw, "%s\t%s\t%.1f\t%.0f\t%.1f\t%s\t", money(p.Price), percent(p.Share), p.Units, p.Revenue, p.Index, percent(p.OwnShare))
		for _, s := range p.Segments {
			fmt.Fprintf(tw, "%s\t", percent(s))
		}
		fmt.Fprintln(tw)
	}
	tw.Flush()
	_, err := io.WriteString(w, b.String())
	return err
}

// leftColumn returns a function that pads a cell to the width of the
// widest of names, so that the first column reads left-aligned in a
// right-aligned table.
func leftColumn(names []string) func(string) string {
	width := 0
	for _, n := range names {
		width = max(width, utf8.RuneCountInString(n))
	}
	return func(s string) string {
		return s + strings.Repeat(" ", max(0, width-utf8.RuneCountInString(s)))
	}
}

func labels(names []string, own []bool) []string {
	var l []string
	for j, n := range names {
		l = append(l, label(n, own[j]))
	}
	return l
}

func label(name string, own bool) string {
	if own {
		return name + " *"
	}
	return name
}

func hasOwn(own []bool) bool {
	for _, o := range own {
		if o {
			return true
		}
	}
	return false
}

func percent(x float64) string {
	if math.IsNaN(x) {
		return "-"
	}
	return fmt.Sprintf("%.1f%%", 100*x)
}

// segPercent shows "-" for a segment without people.
func segPercent(x float64, people int) string {
	if people == 0 {
		return "-"
	}
	return percent(x)
}

// present shows "-" for a product absent from a scenario.
func present(x float64, in bool) string {
	if !in {
		return "-"
	}
	return percent(x)
}

func points(x float64) string {
	s := fmt.Sprintf("%+.1f", 100*x)
	if s == "-0.0" || s == "+0.0" {
		return "0.0"
	}
	return s
}

// money formats minor units as major units with two decimals.
func money(minor int64) string {
	sign := ""
	if minor < 0 {
		sign, minor = "-", -minor
	}
	return fmt.Sprintf("%s%s.%02d", sign, thousands(int(minor/100)), minor%100)
}

func thousands(n int) string {
	if n < 0 {
		return "-" + thousands(-n)
	}
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
