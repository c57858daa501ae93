package prep_test

import (
	"encoding/json"
	"fmt"
	"log"

	"gonum.org/v1/gonum/mat"

	"github.com/persona-seg/persona/prep"
)

func ExampleFit() {
	names := []string{"orders", "spend", "spend_eur", "country_code"}
	x := mat.NewDense(6, 4, []float64{
		1, 80, 73.6, 7,
		3, 45, 41.4, 7,
		2, 300, 276, 7,
		12, 900, 828, 7,
		0, 0, 0, 7,
		5, 60, 55.2, 7,
	})
	f, err := prep.Fit(x, names, prep.Config{Log1p: []string{"orders", "spend", "spend_eur"}})
	if err != nil {
		log.Fatal(err)
	}
	for _, d := range f.Dropped {
		fmt.Println("dropped", d)
	}
	// The same numbers as scikit-learn's StandardScaler on np.log1p(x).
	z, err := f.Transform(x)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(f.Names())
	fmt.Printf("%.3f\n", mat.Formatted(z))
	// Output:
	// dropped "spend_eur": correlated with "spend" (r = 1.0000)
	// dropped "country_code": constant
	// [orders spend]
	// ⎡-0.695   0.120⎤
	// ⎢ 0.161  -0.148⎥
	// ⎢-0.194   0.740⎥
	// ⎢ 1.616   1.259⎥
	// ⎢-1.550  -1.957⎥
	// ⎣ 0.662  -0.014⎦
}

func ExampleFitPCA() {
	x := mat.NewDense(5, 2, []float64{
		1, 2,
		2, 4.1,
		3, 5.9,
		4, 8.2,
		5, 9.8,
	})
	// The same numbers as scikit-learn's PCA(1, svd_solver="full").
	p, err := prep.FitPCA(x, prep.PCAConfig{Components: 1})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("explained variance ratio %.4f\n", p.ExplainedVarianceRatio)
	var z mat.Dense
	if err := p.Transform(&z, x); err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%.3f\n", mat.Formatted(z.T()))
	// Output:
	// explained variance ratio [0.9996]
	// [ 4.472   2.147   0.089  -2.414  -4.294]
}

func ExampleFitStandardScaler() {
	x := mat.NewDense(4, 2, []float64{
		1, 10,
		2, 10,
		3, 10,
		4, 10,
	})
	s, err := prep.FitStandardScaler(x)
	if err != nil {
		log.Fatal(err)
	}
	// The constant second column gets scale 1, as in scikit-learn.
	fmt.Println("mean", s.Mean, "scale", s.Scale)
	var z mat.Dense
	if err := s.Transform(&z, x); err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%.4f\n", mat.Formatted(z.T()))
	// Output:
	// mean [2.5 10] scale [1.118033988749895 1]
	// ⎡-1.3416  -0.4472   0.4472   1.3416⎤
	// ⎣ 0.0000   0.0000   0.0000   0.0000⎦
}

// A fitted pipeline is saved as JSON and used later on new users.
func Example_saveAndLoad() {
	train := mat.NewDense(4, 2, []float64{
		0, 10,
		1, 30,
		3, 20,
		10, 40,
	})
	names := []string{"orders", "age"}
	f, err := prep.Fit(train, names, prep.Config{Log1p: []string{"orders"}})
	if err != nil {
		log.Fatal(err)
	}
	saved, err := json.Marshal(f)
	if err != nil {
		log.Fatal(err)
	}

	var loaded prep.Fitted
	if err := json.Unmarshal(saved, &loaded); err != nil {
		log.Fatal(err)
	}
	newUsers := mat.NewDense(2, 2, []float64{
		2, 25,
		0, 55,
	})
	// The same numbers as scikit-learn: StandardScaler fitted on the
	// log1p-transformed training data, applied to the new users.
	z, err := loaded.Transform(newUsers)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(loaded.Names())
	fmt.Printf("%.4f\n", mat.Formatted(z))

	// A saved model that does not fit together is rejected when decoded.
	err = json.Unmarshal([]byte(`{"inputs":["a"],"columns":["b"],"scaler":"none","output":["b"]}`), &loaded)
	fmt.Println(err)
	// Output:
	// [orders age]
	// ⎡-0.0234   0.0000⎤
	// ⎣-1.2632   2.6833⎦
	// fitted pipeline: columns: unknown column "b"
}
