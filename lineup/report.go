package lineup

// Report describes a chosen lineup in product mode: what each variant
// sells and earns, and how much the variants take from each other.
type Report struct {
	Goal      Goal            `json:"goal"`
	Objective float64         `json:"objective"` // the goal's figure for the market: units, or minor units of revenue or profit
	Units     float64         `json:"units"`     // units sold in a market of MarketSize buyers
	Share     float64         `json:"share"`     // of the market, buying one of the variants
	Revenue   float64         `json:"revenue"`   // minor units
	Profit    float64         `json:"profit"`    // minor units: revenue less the bill of materials
	PartsUsed int             `json:"parts_used"`
	Variants  []VariantReport `json:"variants"`
	// Cannibal[v][w] is the units variant w would sell more were variant
	// v left out: what v takes from w. The rest of v's units come from
	// not buying or from competitors (VariantReport.Incremental).
	Cannibal [][]float64 `json:"cannibalisation"`
}

// VariantReport is one variant of a lineup.
type VariantReport struct {
	Candidate   int               `json:"candidate"`
	Phone       int               `json:"phone"`
	Name        string            `json:"name"`
	Levels      map[string]string `json:"levels"` // varied attributes: level names
	Config      []int             `json:"config"` // every model attribute's level
	Price       int64             `json:"price"`
	Cost        int64             `json:"cost"`
	Units       float64           `json:"units"`
	Share       float64           `json:"share"`
	Revenue     float64           `json:"revenue"`
	Profit      float64           `json:"profit"`
	Incremental float64           `json:"incremental"` // units the lineup would lose without it
}

// Report describes the lineup of the candidates chosen.
func (pr *Products) Report(chosen []int) *Report {
	p := pr.Problem
	mdl := pr.Spec.Engine.Model()
	bought, _ := p.Shares(chosen)
	total := 0.0
	for i := range p.Customers {
		total += p.weight(i)
	}
	r := &Report{Goal: pr.Spec.Goal}
	parts := map[string]bool{}
	for _, j := range chosen {
		for _, n := range pr.Phones[pr.CandPhone[j]].Parts {
			parts[n] = true
		}
	}
	r.PartsUsed = len(parts)
	for v, j := range chosen {
		ph := pr.CandPhone[j]
		phone := pr.Phones[ph]
		vr := VariantReport{Candidate: j, Phone: ph, Name: pr.PhoneName(ph), Levels: map[string]string{},
			Config: phone.Config, Price: pr.CandPrice[j], Cost: phone.Cost}
		for _, a := range pr.Attrs {
			vr.Levels[mdl.Attributes[a].Name] = mdl.Attributes[a].Levels[phone.Config[a]].Name
		}
		vr.Units = bought[v] * pr.scale
		if total > 0 {
			vr.Share = bought[v] / total
		}
		vr.Revenue = vr.Units * float64(vr.Price)
		vr.Profit = vr.Units * float64(vr.Price-vr.Cost)
		r.Units += vr.Units
		r.Share += vr.Share
		r.Revenue += vr.Revenue
		r.Profit += vr.Profit
		r.Variants = append(r.Variants, vr)
	}
	switch pr.Spec.Goal {
	case Revenue:
		r.Objective = r.Revenue
	case Units:
		r.Objective = r.Units
	default:
		r.Objective = r.Profit
	}
	r.Cannibal = make([][]float64, len(chosen))
	for v := range chosen {
		rest := make([]int, 0, len(chosen)-1)
		rest = append(rest, chosen[:v]...)
		rest = append(rest, chosen[v+1:]...)
		without, _ := p.Shares(rest)
		r.Cannibal[v] = make([]float64, len(chosen))
		lost := 0.0
		for x := range rest {
			wi := x // w's place in chosen
			if x >= v {
				wi = x + 1
			}
			r.Cannibal[v][wi] = max(0, (without[x]-bought[wi])*pr.scale)
			lost += without[x] - bought[wi]
		}
		r.Variants[v].Incremental = (bought[v] - lost) * pr.scale
	}
	return r
}
