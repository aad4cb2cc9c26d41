module github.com/tailor-c2b/tailor

go 1.26.8
