module github.com/tailor-c2b/tailor

go 1.26

require github.com/google/go-cmp v0.7.0
