package configurator

import (
	"math/big"
	"math/bits"
)

// Count returns the exact number of valid complete configurations that agree
// with the selection (all of them for an empty selection).
func (e *Engine) Count(sel Selection) *big.Int {
	s := e.getScratch()
	defer e.putScratch(s)
	if !e.up(sel, s) {
		return new(big.Int)
	}
	if n, ok := e.count64(s); ok {
		return new(big.Int).SetUint64(n)
	}
	return e.countBig(s)
}

// count64 is the sum-product pass over the join tree in uint64 arithmetic;
// ok is false on overflow.
func (e *Engine) count64(s *scratch) (uint64, bool) {
	weight := make([][]uint64, len(e.clusters))
	for _, ci := range e.post {
		c := e.clusters[ci]
		w := make([]uint64, c.n)
		for t := range w {
			if s.full[ci] || s.alive[ci][t] {
				w[t] = 1
			}
		}
		for _, chi := range c.children {
			ch := e.clusters[chi]
			msg := make([]uint64, ch.nkeys)
			for t, k := range ch.key {
				var carry uint64
				msg[k], carry = bits.Add64(msg[k], weight[chi][t], 0)
				if carry != 0 {
					return 0, false
				}
			}
			for t := range w {
				if w[t] == 0 {
					continue
				}
				hi, lo := bits.Mul64(w[t], msg[ch.parentKey[t]])
				if hi != 0 {
					return 0, false
				}
				w[t] = lo
			}
			weight[chi] = nil
		}
		weight[ci] = w
	}
	var total uint64
	for _, x := range weight[e.root] {
		var carry uint64
		total, carry = bits.Add64(total, x, 0)
		if carry != 0 {
			return 0, false
		}
	}
	return total, true
}

// countBig is count64 in arbitrary precision.
func (e *Engine) countBig(s *scratch) *big.Int {
	weight := make([][]*big.Int, len(e.clusters))
	for _, ci := range e.post {
		c := e.clusters[ci]
		w := make([]*big.Int, c.n)
		for t := range w {
			if s.full[ci] || s.alive[ci][t] {
				w[t] = big.NewInt(1)
			}
		}
		for _, chi := range c.children {
			ch := e.clusters[chi]
			msg := make([]*big.Int, ch.nkeys)
			for t, k := range ch.key {
				if x := weight[chi][t]; x != nil {
					if msg[k] == nil {
						msg[k] = new(big.Int)
					}
					msg[k].Add(msg[k], x)
				}
			}
			for t := range w {
				if w[t] == nil {
					continue
				}
				if m := msg[ch.parentKey[t]]; m != nil {
					w[t].Mul(w[t], m)
				} else {
					w[t] = nil
				}
			}
			weight[chi] = nil
		}
		weight[ci] = w
	}
	total := new(big.Int)
	for _, x := range weight[e.root] {
		if x != nil {
			total.Add(total, x)
		}
	}
	return total
}
