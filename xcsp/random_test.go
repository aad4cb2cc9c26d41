package xcsp

import (
	"math/rand/v2"

	"github.com/tailor-c2b/tailor/model"
	"github.com/tailor-c2b/tailor/model/modeltest"
)

func randomModel(r *rand.Rand) *model.Model { return modeltest.Random(r) }
