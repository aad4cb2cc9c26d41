package configurator

// tupleKeys turns tuples of values over fixed variables into map keys: a
// mixed-radix integer when the product of the domain sizes fits in 62 bits,
// bytes otherwise.
type tupleKeys struct {
	strides []uint64 // nil when the product is too large
	buf     []byte
}

func newTupleKeys(sizes []int) tupleKeys {
	strides := make([]uint64, len(sizes))
	prod := uint64(1)
	for i := len(sizes) - 1; i >= 0; i-- {
		strides[i] = prod
		d := uint64(max(sizes[i], 1))
		if prod > (1<<62)/d {
			return tupleKeys{}
		}
		prod *= d
	}
	return tupleKeys{strides: strides}
}

// intKey returns the integer key of the values of row at cols; ok is false
// when keys are bytes.
func (k *tupleKeys) intKey(row []int32, cols []int) uint64 {
	var key uint64
	for i, c := range cols {
		key += uint64(row[c]) * k.strides[i]
	}
	return key
}

func (k *tupleKeys) strKey(row []int32, cols []int) string {
	return string(projectKey(k.buf[:0], row, cols))
}

// tupleSet is a set of tuples over fixed variables.
type tupleSet struct {
	tupleKeys
	ints map[uint64]struct{}
	strs map[string]struct{}
}

func newTupleSet(sizes []int) *tupleSet {
	s := &tupleSet{tupleKeys: newTupleKeys(sizes)}
	if s.strides != nil {
		s.ints = map[uint64]struct{}{}
	} else {
		s.strs = map[string]struct{}{}
	}
	return s
}

// add inserts the values of row at cols and reports whether they were new.
func (s *tupleSet) add(row []int32, cols []int) bool {
	if s.ints != nil {
		k := s.intKey(row, cols)
		if _, ok := s.ints[k]; ok {
			return false
		}
		s.ints[k] = struct{}{}
		return true
	}
	k := s.strKey(row, cols)
	if _, ok := s.strs[k]; ok {
		return false
	}
	s.strs[k] = struct{}{}
	return true
}

// has reports whether the set holds the values of row at cols.
func (s *tupleSet) has(row []int32, cols []int) bool {
	if s.ints != nil {
		_, ok := s.ints[s.intKey(row, cols)]
		return ok
	}
	_, ok := s.strs[s.strKey(row, cols)]
	return ok
}

func (s *tupleSet) len() int { return len(s.ints) + len(s.strs) }

// tupleIndex maps tuples over fixed variables to lists of values.
type tupleIndex struct {
	tupleKeys
	ints map[uint64][]int32
	strs map[string][]int32
}

func newTupleIndex(sizes []int) *tupleIndex {
	x := &tupleIndex{tupleKeys: newTupleKeys(sizes)}
	if x.strides != nil {
		x.ints = map[uint64][]int32{}
	} else {
		x.strs = map[string][]int32{}
	}
	return x
}

func (x *tupleIndex) add(row []int32, cols []int, v int32) {
	if x.ints != nil {
		k := x.intKey(row, cols)
		x.ints[k] = append(x.ints[k], v)
		return
	}
	k := x.strKey(row, cols)
	x.strs[k] = append(x.strs[k], v)
}

func (x *tupleIndex) get(row []int32, cols []int) []int32 {
	if x.ints != nil {
		return x.ints[x.intKey(row, cols)]
	}
	return x.strs[x.strKey(row, cols)]
}
