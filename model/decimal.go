package model

import (
	"fmt"
	"math"
	"math/big"
	"strconv"
	"strings"
)

// Decimal is an exact decimal number with six fractional digits, stored as
// an integer count of millionths. Level properties and the arithmetic of
// numeric constraints use it so that sums compare exactly (0.1 + 0.2 is 0.3).
type Decimal int64

// DecimalScale is the number of Decimal units in 1.
const DecimalScale = 1_000_000

// MaxDecimal bounds the magnitude of a parsed Decimal (a billion units) so
// that sums of up to nine thousand values cannot overflow.
const MaxDecimal Decimal = 1_000_000_000 * DecimalScale

// Int returns the Decimal for an integer.
func Int(n int64) Decimal { return Decimal(n * DecimalScale) }

// ParseDecimal reads a decimal literal such as "12", "-0.5" or "1_000": an
// optional sign, digits (underscores allowed between them) and at most six
// fractional digits.
func ParseDecimal(s string) (Decimal, error) {
	if s == "" {
		return 0, fmt.Errorf("empty number")
	}
	neg := false
	t := s
	if t[0] == '-' || t[0] == '+' {
		neg = t[0] == '-'
		t = t[1:]
	}
	intPart, frac, hasDot := strings.Cut(t, ".")
	if intPart == "" || (hasDot && frac == "") {
		return 0, fmt.Errorf("malformed number %q", s)
	}
	for _, c := range intPart + frac {
		if c < '0' || c > '9' {
			if c == '_' {
				continue
			}
			return 0, fmt.Errorf("malformed number %q", s)
		}
	}
	intPart = strings.ReplaceAll(intPart, "_", "")
	frac = strings.ReplaceAll(frac, "_", "")
	if len(frac) > 6 {
		return 0, fmt.Errorf("number %q has more than 6 decimal places", s)
	}
	n, err := strconv.ParseInt(intPart, 10, 64)
	if err != nil || n > int64(MaxDecimal/DecimalScale) {
		return 0, fmt.Errorf("number %q is too large", s)
	}
	f := int64(0)
	if frac != "" {
		f, _ = strconv.ParseInt(frac+strings.Repeat("0", 6-len(frac)), 10, 64)
	}
	v := Decimal(n*DecimalScale + f)
	if neg {
		v = -v
	}
	return v, nil
}

// String prints the shortest exact decimal form.
func (d Decimal) String() string {
	neg := d < 0
	u := uint64(d)
	if neg {
		u = uint64(-d)
	}
	ip, fp := u/DecimalScale, u%DecimalScale
	s := strconv.FormatUint(ip, 10)
	if fp != 0 {
		f := fmt.Sprintf("%06d", fp)
		s += "." + strings.TrimRight(f, "0")
	}
	if neg {
		s = "-" + s
	}
	return s
}

// MarshalJSON writes the decimal as an exact JSON number.
func (d Decimal) MarshalJSON() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalJSON reads a JSON number with at most six decimal places.
func (d *Decimal) UnmarshalJSON(b []byte) error {
	v, err := ParseDecimal(string(b))
	if err != nil {
		return err
	}
	*d = v
	return nil
}

// Float returns d as a float64, for display and statistics only.
func (d Decimal) Float() float64 { return float64(d) / DecimalScale }

// IntPart returns d truncated to an integer.
func (d Decimal) IntPart() int64 { return int64(d) / DecimalScale }

// Mul returns d*e rounded half away from zero to six places. It saturates
// instead of overflowing.
func (d Decimal) Mul(e Decimal) Decimal {
	p := new(big.Int).Mul(big.NewInt(int64(d)), big.NewInt(int64(e)))
	q, r := new(big.Int).QuoRem(p, big.NewInt(DecimalScale), new(big.Int))
	r2 := new(big.Int).Mul(new(big.Int).Abs(r), big.NewInt(2))
	if r2.Cmp(big.NewInt(DecimalScale)) >= 0 {
		if p.Sign() < 0 {
			q.Sub(q, big.NewInt(1))
		} else {
			q.Add(q, big.NewInt(1))
		}
	}
	if !q.IsInt64() {
		if q.Sign() < 0 {
			return math.MinInt64
		}
		return math.MaxInt64
	}
	return Decimal(q.Int64())
}
