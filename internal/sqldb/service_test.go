package sqldb_test

import (
	"github.com/tailor-c2b/tailor/internal/jobs"
	"github.com/tailor-c2b/tailor/internal/service"
	"github.com/tailor-c2b/tailor/internal/sqldb"
)

var (
	_ service.Store = (*sqldb.DB)(nil)
	_ jobs.Store    = (*sqldb.DB)(nil)
)
