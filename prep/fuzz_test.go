package prep

import (
	"encoding/json"
	"os"
	"testing"

	"github.com/google/go-cmp/cmp"
	"gonum.org/v1/gonum/mat"
)

// FuzzFittedJSON decodes arbitrary bytes as a saved Fitted. Decoding may
// fail, but must not panic; a decoded Fitted must transform data of its
// input width without panicking and survive a second round trip.
func FuzzFittedJSON(f *testing.F) {
	golden, err := os.ReadFile("testdata/fitted.golden.json")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(golden)
	x, names := smallData()
	for _, cfg := range []Config{
		{Scaler: ScalerRobust, Log1p: []string{"spend"}},
		{Scaler: ScalerMinMax, Columns: []string{"tenure", "spend"}},
		{Scaler: ScalerNone, Winsorize: Winsorize{Upper: 0.9, Columns: []string{"visits"}}},
	} {
		fit, err := Fit(x, names, cfg)
		if err != nil {
			f.Fatal(err)
		}
		b, err := json.Marshal(fit)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	for _, s := range []string{
		`{}`, `null`, `[]`, `{"inputs":["a"],"columns":["a"],"scaler":"none","output":["a"]}`,
		`{"inputs":["a"],"columns":["a"],"scaler":"standard","standard":{"mean":[0],"scale":[0]},"output":["a"]}`,
		`{"inputs":["a","b"],"columns":["b"],"log1p":{"columns":[1]},"scaler":"none","output":["b"]}`,
		`{"inputs":["a"],"columns":["a"],"winsorize":{"n_features":1,"columns":[0],"lower":[2],"upper":[1]},"scaler":"none","output":["a"]}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var fit Fitted
		if err := json.Unmarshal(b, &fit); err != nil {
			return
		}
		d := len(fit.Inputs)
		if d > 1000 {
			return
		}
		x := mat.NewDense(3, d, nil)
		for i := range 3 {
			for j := range d {
				x.Set(i, j, float64(i*d+j)-2.5)
			}
		}
		z, err := fit.Transform(x)
		if err != nil {
			t.Fatalf("a decoded Fitted failed to transform valid input: %v", err)
		}
		if _, c := z.Dims(); c != len(fit.Names()) {
			t.Fatalf("Transform returned %d columns, Names() has %d", c, len(fit.Names()))
		}
		enc, err := json.Marshal(&fit)
		if err != nil {
			t.Fatal(err)
		}
		var again Fitted
		if err := json.Unmarshal(enc, &again); err != nil {
			t.Fatalf("re-decoding %s: %v", enc, err)
		}
		if diff := cmp.Diff(fit, again); diff != "" {
			t.Fatalf("second round trip differs:\n%s", diff)
		}
	})
}
