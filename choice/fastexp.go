package choice

import "math"

// expTableBits sets the size of expTable: 2^expTableBits entries.
const expTableBits = 7

// expTable[i] = 2^(i/128), each within half an ulp.
var expTable = func() [1 << expTableBits]float64 {
	var t [1 << expTableBits]float64
	for i := range t {
		t[i] = math.Exp2(float64(i) / (1 << expTableBits))
	}
	return t
}()

// expInPlace replaces every x[i] by e^x[i], within 3 ulps (math.Exp: 1),
// at about a third of the cost of calling math.Exp on each: the
// exponentials are the largest part of a mixed logit evaluation.
//
// It writes x = (k/128) ln 2 + r with |r| <= ln2/256, so that
// e^x = 2^(k>>7) * 2^((k&127)/128) * e^r, takes the middle factor from a
// table and e^r from its Taylor polynomial of degree 5 (truncation error
// below 1e-18). Outside [-700, 700] it defers to math.Exp.
func expInPlace(xs []float64) {
	const (
		n      = 1 << expTableBits
		invLn2 = n / math.Ln2
		// ln2/n in two parts: ln2Hi ends in 17 zero bits, so kd*ln2Hi is
		// exact for the |k| < 2^17 that occur.
		ln2Hi = 0x1.62e42fefa0000p-1 / n
		ln2Lo = 0x1.cf79abc9e3b3ap-40 / n
		shift = 0x1.8p52 // adding and subtracting it rounds to an integer
	)
	for i, x := range xs {
		if !(x > -700 && x < 700) {
			xs[i] = math.Exp(x)
			continue
		}
		kd := x*invLn2 + shift - shift // k = round(x*128/ln2)
		k := int64(kd)
		r := (x - kd*ln2Hi) - kd*ln2Lo
		p := 1 + r*(1+r*(1./2+r*(1./6+r*(1./24+r*(1./120)))))
		// 2^(k>>7) is added to the table entry's exponent field (k>>7
		// rounds down; negative values wrap around as they should).
		t := expTable[k&(n-1)]
		xs[i] = math.Float64frombits(math.Float64bits(t)+uint64(k>>expTableBits)<<52) * p
	}
}

// fastExp returns e^x as expInPlace computes it.
func fastExp(x float64) float64 {
	xs := [1]float64{x}
	expInPlace(xs[:])
	return xs[0]
}
