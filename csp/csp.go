// Package csp lowers a product model to a finite-domain constraint problem:
// variables with integer domains and constraints given as explicit
// relations (lists of allowed tuples). Every rule, table and numeric limit of
// the model becomes one or more relations; linear sums over many attributes
// become chains of auxiliary partial-sum variables. The configurator
// compiles this form, and the exporters write it in formats that independent
// solvers read.
package csp

import (
	"fmt"

	"github.com/tailor-c2b/tailor/model"
)

// Problem is a constraint satisfaction problem lowered from a model.
// Variables 0..len(Model.Attributes)-1 are the model's attributes, in order,
// with the level index as value; any further variables are auxiliary and
// functionally determined by the attributes, so the problem has exactly as
// many solutions as the model has valid configurations.
type Problem struct {
	Model     *model.Model
	Vars      []Var
	Relations []*Relation
	Origins   []Origin

	enumLimit int64
}

// Var is a variable with values 0..Size-1.
type Var struct {
	Name string
	Size int
	// Attr is the attribute index, or -1 for an auxiliary variable.
	Attr int
	// Sums holds, for an auxiliary partial-sum variable, the sum each value
	// stands for.
	Sums []model.Decimal
}

// OriginKind says which part of the model a relation comes from.
type OriginKind int

const (
	FromRule OriginKind = iota
	FromTable
)

// Origin names the rule or table of the model that a relation enforces.
type Origin struct {
	Kind  OriginKind
	Index int // index into Model.Rules or Model.Tables
	Name  string
	Label string
	Pos   model.Pos
}

// Relation is a constraint over Scope given by its allowed tuples.
type Relation struct {
	Scope  []int
	Origin int // index into Problem.Origins
	// Tuples holds the allowed tuples, row after row, len(Scope) values each,
	// without duplicates.
	Tuples []int32

	strides []int64
	dense   []uint64 // bit per point of the scope's product space, when small
	sparse  map[int64]struct{}
}

// Len returns the number of allowed tuples.
func (r *Relation) Len() int {
	if len(r.Scope) == 0 {
		return len(r.Tuples) // an empty scope: 0 or 1 (the empty tuple)
	}
	return len(r.Tuples) / len(r.Scope)
}

// Tuple returns the i-th allowed tuple.
func (r *Relation) Tuple(i int) []int32 {
	n := len(r.Scope)
	return r.Tuples[i*n : (i+1)*n]
}

// denseLimit bounds the product space size for which a relation keeps a
// bitmap index (2 MiB of bits).
const denseLimit = 1 << 24

// index builds the membership index of the relation.
func (r *Relation) index(p *Problem) error {
	r.strides = make([]int64, len(r.Scope))
	size := int64(1)
	for i := len(r.Scope) - 1; i >= 0; i-- {
		r.strides[i] = size
		d := int64(p.Vars[r.Scope[i]].Size)
		if size > (1<<62)/d {
			return fmt.Errorf("relation over %d variables has too many combinations to index", len(r.Scope))
		}
		size *= d
	}
	n := len(r.Scope)
	if size <= denseLimit {
		r.dense = make([]uint64, (size+63)/64)
		for i := 0; i < len(r.Tuples); i += n {
			k := r.key32(r.Tuples[i : i+n])
			r.dense[k/64] |= 1 << (k % 64)
		}
		return nil
	}
	r.sparse = make(map[int64]struct{}, r.Len())
	for i := 0; i < len(r.Tuples); i += n {
		r.sparse[r.key32(r.Tuples[i:i+n])] = struct{}{}
	}
	return nil
}

func (r *Relation) key32(t []int32) int64 {
	var k int64
	for i, v := range t {
		k += int64(v) * r.strides[i]
	}
	return k
}

// insert adds a tuple that the relation does not yet allow.
func (r *Relation) insert(t []int32) {
	r.Tuples = append(r.Tuples, t...)
	k := r.key32(t)
	if r.dense != nil {
		r.dense[k/64] |= 1 << (k % 64)
	} else {
		r.sparse[k] = struct{}{}
	}
}

// Allows reports whether the relation allows the values vals, given in
// scope order.
func (r *Relation) Allows(vals []int32) bool {
	k := r.key32(vals)
	if r.dense != nil {
		return r.dense[k/64]&(1<<(k%64)) != 0
	}
	_, ok := r.sparse[k]
	return ok
}

// AllowsAssignment reports whether the relation allows the values that a
// full assignment (indexed by variable) gives its scope.
func (r *Relation) AllowsAssignment(assign []int32) bool {
	var k int64
	for i, v := range r.Scope {
		k += int64(assign[v]) * r.strides[i]
	}
	if r.dense != nil {
		return r.dense[k/64]&(1<<(k%64)) != 0
	}
	_, ok := r.sparse[k]
	return ok
}
