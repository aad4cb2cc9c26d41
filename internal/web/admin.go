package web

import (
	"io"
	"net/http"
	"strings"

	"github.com/tailor-c2b/tailor/account"
	"github.com/tailor-c2b/tailor/catalog"
	"github.com/tailor-c2b/tailor/errs"
	"github.com/tailor-c2b/tailor/model"
)

// maxModelSize bounds an uploaded model source: the default model is about
// 30 KB, and a model with hundreds of attributes stays well under this.
const maxModelSize = 4 << 20

// modelsPage is the data of the model administration page.
type modelsPage struct {
	Versions    []catalog.Version
	Diagnostics []diagnostic
	Error       string
	Uploaded    *catalog.Version
	Source      string // the pasted source, kept after a failed upload
}

// diagnostic is a model diagnostic as the page lists it.
type diagnostic struct {
	Line, Col int
	Severity  string
	Message   string
}

func (s *server) adminModels(w http.ResponseWriter, r *http.Request) {
	if !s.allowed(w, r, account.ManageModels) {
		return
	}
	s.renderModels(w, r, http.StatusOK, modelsPage{})
}

func (s *server) renderModels(w http.ResponseWriter, r *http.Request, status int, page modelsPage) {
	vs, err := s.svc.Models(r.Context())
	if err != nil {
		s.error(w, r, err)
		return
	}
	page.Versions = vs
	s.render(w, r, status, "models", "Product models", "models", page)
}

// uploadModel takes a model source from the file input, or from the text
// area when no file was chosen.
func (s *server) uploadModel(w http.ResponseWriter, r *http.Request) {
	if !s.allowed(w, r, account.ManageModels) {
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxModelSize+64<<10)
	if err := r.ParseMultipartForm(maxModelSize); err != nil && err != http.ErrNotMultipart {
		s.renderModels(w, r, http.StatusBadRequest, modelsPage{Error: "The upload could not be read: it may be larger than 4 MB."})
		return
	}
	file, source := "model.tailor", r.FormValue("source")
	if f, h, err := r.FormFile("file"); err == nil {
		defer f.Close()
		b, err := io.ReadAll(io.LimitReader(f, maxModelSize))
		if err != nil {
			s.error(w, r, err)
			return
		}
		if len(b) > 0 {
			file, source = h.Filename, string(b)
		}
	}
	v, diags, err := s.svc.UploadModel(r.Context(), file, []byte(source))
	page := modelsPage{Diagnostics: diagnosticsOf(diags)}
	if err != nil {
		status := statusOf(err)
		if status == http.StatusInternalServerError {
			s.error(w, r, err)
			return
		}
		page.Error, page.Source = errs.Message(err), source
		s.renderModels(w, r, status, page)
		return
	}
	page.Uploaded = &v
	s.renderModels(w, r, http.StatusCreated, page)
}

func diagnosticsOf(ds model.Diagnostics) []diagnostic {
	var out []diagnostic
	for _, d := range ds {
		sev := "error"
		if d.Severity == model.Warning {
			sev = "warning"
		}
		out = append(out, diagnostic{Line: d.Pos.Line, Col: d.Pos.Col, Severity: sev, Message: strings.TrimSpace(d.Msg)})
	}
	return out
}

func (s *server) publishModel(w http.ResponseWriter, r *http.Request) {
	if !s.allowed(w, r, account.ManageModels) {
		return
	}
	if _, err := s.svc.PublishModel(r.Context(), r.PathValue("id")); err != nil {
		s.error(w, r, err)
		return
	}
	http.Redirect(w, r, "/admin/models", http.StatusSeeOther)
}
