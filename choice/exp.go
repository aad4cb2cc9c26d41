package choice

import "math"

// expTableBits sets the size of expBits: 2^expTableBits entries.
const expTableBits = 7

// expBits[i] holds the bits of 2^(i/128) (within half an ulp), less
// i<<45: expKernel adds k<<45 for k = i + 128*j, which then leaves just
// j added to the exponent field.
var expBits = func() [1 << expTableBits]uint64 {
	var t [1 << expTableBits]uint64
	for i := range t {
		t[i] = math.Float64bits(math.Exp2(float64(i)/(1<<expTableBits))) - uint64(i)<<(52-expTableBits)
	}
	return t
}()

// expKernel returns e^x within 3 ulps (math.Exp: 1) for x in
// [-700, 700]; outside, its result is wrong. It is small enough to be
// inlined into the loops of the mixed logit, where the exponentials are
// the largest part of the work, and costs about a third of math.Exp.
//
// It writes x = (k/128) ln 2 + r with |r| <= ln2/256, so that
// e^x = 2^(k>>7) * 2^((k&127)/128) * e^r, takes the middle factor from a
// table and e^r from its Taylor polynomial of degree 5 (truncation error
// below 1e-18).
func expKernel(x float64) float64 {
	const (
		n      = 1 << expTableBits
		invLn2 = n / math.Ln2
		// ln2/n in two parts: ln2Hi ends in 17 zero bits, so kd*ln2Hi is
		// exact for the |k| < 2^17 that occur.
		ln2Hi = 0x1.62e42fefa0000p-1 / n
		ln2Lo = 0x1.cf79abc9e3b3ap-40 / n
		// Adding shift rounds to an integer, which the low bits of the
		// sum then hold (plus 2^51).
		shift = 0x1.8p52
	)
	kd := x*invLn2 + shift
	ki := math.Float64bits(kd)
	kd -= shift
	r := x - kd*ln2Hi - kd*ln2Lo
	p := 1 + r*(1+r*(1./2+r*(1./6+r*(1./24+r*(1./120)))))
	return math.Float64frombits(expBits[ki&(n-1)]+ki<<(52-expTableBits)) * p
}

// expInPlace replaces every x[i] by e^x[i]: expKernel within [-700,
// 700], math.Exp outside.
func expInPlace(xs []float64) {
	for i, x := range xs {
		if x >= -700 && x <= 700 {
			xs[i] = expKernel(x)
		} else {
			xs[i] = math.Exp(x)
		}
	}
}
