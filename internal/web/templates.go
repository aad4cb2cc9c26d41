package web

import (
	"fmt"
	"html/template"
	"io/fs"
	"strings"
	"time"

	"github.com/tailor-c2b/tailor/design"
)

// parseTemplates builds one template set per page: the layout with the
// page's "content" on top, so every page shares the header, navigation and
// footer.
func (s *server) parseTemplates() map[string]*template.Template {
	funcs := template.FuncMap{
		"asset": s.assetURL,
		"money": formatMoney,
		"date":  func(t time.Time) string { return t.UTC().Format("2 Jan 2006") },
		"datetime": func(t time.Time) string {
			if t.IsZero() {
				return "never"
			}
			return t.UTC().Format("2 Jan 2006 15:04 UTC")
		},
		"visibility": visibilityLabel,
		"pct": func(n, total int) string {
			if total == 0 {
				return "0%"
			}
			return fmt.Sprintf("%.0f%%", 100*float64(n)/float64(total))
		},
		"plural": func(n int, one, many string) string {
			if n == 1 {
				return fmt.Sprintf("%d %s", n, one)
			}
			return fmt.Sprintf("%d %s", n, many)
		},
	}
	layout := template.Must(template.New("layout").Funcs(funcs).ParseFS(templateFS, "templates/layout.html", "templates/parts.html"))
	pages := map[string]*template.Template{}
	names, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		panic(err)
	}
	for _, n := range names {
		name := strings.TrimSuffix(strings.TrimPrefix(n, "templates/"), ".html")
		if name == "layout" || name == "parts" {
			continue
		}
		pages[name] = template.Must(template.Must(layout.Clone()).ParseFS(templateFS, n))
	}
	return pages
}

// visibilityLabel says in plain words who sees a design.
func visibilityLabel(v design.Visibility) string {
	switch v {
	case design.Link:
		return "Anyone with the link"
	case design.Public:
		return "Public in the gallery"
	}
	return "Private"
}
