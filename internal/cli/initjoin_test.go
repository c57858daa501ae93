package cli

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/persona-seg/persona/pipeline"
)

// writeShopFiles writes a small shop in four tables, as a warehouse
// exports them: order lines (order_id, product_id, quantity, unit_price),
// the orders they belong to (customer_id, order_date), the products they
// name (category) and the customers. Half the customers buy often, in
// large baskets of books; the other half rarely, one garden item. It
// returns the folder and the number of order lines.
func writeShopFiles(t *testing.T) (string, int) {
	t.Helper()
	dir := t.TempDir()
	r := rand.New(rand.NewPCG(7, 7))
	var items, orders, products, customers strings.Builder
	items.WriteString("order_id,line_no,product_id,quantity,unit_price\n")
	orders.WriteString("order_id,customer_id,order_date,channel\n")
	products.WriteString("product_id,product_name,category\n")
	customers.WriteString("customer_id,country,signup_date\n")
	cats := []string{"books", "garden"}
	for p := range 20 {
		fmt.Fprintf(&products, "P%02d,Product %d,%s\n", p, p, cats[p%2])
	}
	lines, order := 0, 1000
	for c := 1; c <= 120; c++ {
		heavy := c%2 == 0
		fmt.Fprintf(&customers, "%d,%s,2023-%02d-01\n", c, []string{"DE", "FR", "UK"}[c%3], 1+c%12)
		n := 1 + r.IntN(2)
		if heavy {
			n = 6 + r.IntN(4)
		}
		for range n {
			order++
			fmt.Fprintf(&orders, "%d,%d,2024-%02d-%02d %02d:00:00,%s\n", order, c, 1+r.IntN(12), 1+r.IntN(28), r.IntN(24), []string{"web", "app"}[r.IntN(2)])
			m := 1
			if heavy {
				m = 3 + r.IntN(3)
			}
			for l := range m {
				p := 2 * r.IntN(10) // books
				if !heavy {
					p++ // garden
				}
				fmt.Fprintf(&items, "%d,%d,P%02d,%d,%.2f\n", order, l+1, p, 1+r.IntN(2), 5+20*r.Float64())
				lines++
			}
		}
	}
	for name, b := range map[string]*strings.Builder{"order_items": &items, "orders": &orders, "products": &products, "customers": &customers} {
		if err := os.WriteFile(filepath.Join(dir, name+".csv"), []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir, lines
}

// TestInitJoinThenRun gives persona init the four tables of a shop and
// runs the draft with no edits: every order line is used, with the
// customer of its order and the category of its product; given the order
// lines alone, init and run say which field is missing and how to join.
func TestInitJoinThenRun(t *testing.T) {
	dir, lines := writeShopFiles(t)
	config := filepath.Join(dir, "persona.yaml")
	f, stdout, errOut := testFactory()
	args := []string{"init", "--transactions", filepath.Join(dir, "order_items.csv"), "--transactions", filepath.Join(dir, "orders.csv"),
		"--transactions", filepath.Join(dir, "products.csv"), "--users", filepath.Join(dir, "customers.csv"), "--out", config}
	if code := Run(f, args); code != ExitOK {
		t.Fatalf("init: exit code %d; stderr: %s", code, errOut)
	}
	if !strings.Contains(stdout.String(), "transactions: 3 files joined in transactions.query (orders.order_id = order_items.order_id, products.product_id = order_items.product_id)") {
		t.Errorf("init said %q", stdout)
	}
	out := filepath.Join(dir, "out")
	f, stdout, errOut = testFactory()
	if code := Run(f, []string{"run", "-c", config, "-o", out, "--json"}); code != ExitOK {
		draft, _ := os.ReadFile(config)
		t.Fatalf("run: exit code %d; stderr: %s\n%s", code, errOut, draft)
	}
	var sum pipeline.Summary
	if err := json.Unmarshal(stdout.Bytes(), &sum); err != nil {
		t.Fatal(err)
	}
	if c := sum.Datasets["transactions"]; c.Read != int64(lines) || c.Used != int64(lines) {
		t.Errorf("transactions %+v, want all %d lines used", c, lines)
	}
	if sum.Users != 120 || sum.K < 2 {
		t.Errorf("users %d, k %d", sum.Users, sum.K)
	}
	feats, _ := os.ReadFile(filepath.Join(out, "features.md"))
	for _, want := range []string{"books", "garden"} {
		if !strings.Contains(string(feats), want) {
			t.Errorf("features.md has no spend share of %s: the products' categories were not joined", want)
		}
	}

	// The order lines alone: the draft says what is missing, the run too.
	lone := filepath.Join(dir, "lone.yaml")
	f, stdout, errOut = testFactory()
	if code := Run(f, []string{"init", "--transactions", filepath.Join(dir, "order_items.csv"), "--out", lone}); code != ExitOK {
		t.Fatalf("init: exit code %d; stderr: %s", code, errOut)
	}
	if !strings.Contains(stdout.String(), "no column of "+filepath.Join(dir, "order_items.csv")+" holds user_id or timestamp") || !strings.Contains(stdout.String(), "drafts the join") {
		t.Errorf("init said %q", stdout)
	}
	f, _, errOut = testFactory()
	if code := Run(f, []string{"run", "-c", lone, "-o", filepath.Join(dir, "out2")}); code == ExitOK {
		t.Fatal("the order lines alone ran")
	}
	if msg := errOut.String(); !strings.Contains(msg, "transactions.columns.user_id: required field user_id has no column") || !strings.Contains(msg, "join the file holding it (init --transactions A --transactions B; README)") {
		t.Errorf("run said %q", msg)
	}
}
