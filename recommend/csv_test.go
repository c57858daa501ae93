package recommend

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func TestReadCSV(t *testing.T) {
	tests := []struct {
		name    string
		cols    Columns
		in      string
		want    []Purchase
		wantErr string
	}{
		{
			name: "canonical, returns and empty users skipped",
			in: "\ufeffuser_id,order_id,product_id,timestamp,quantity,unit_price\n" +
				"u1,o1,p1,2024-01-02 10:00:00,2,1.5\n" +
				"u1,o2,p1,2024-01-03,-1,1.5\n" +
				",o3,p2,2024-01-03,1,1\n" +
				"u2,,p2,2024-01-04T08:00:00Z,1,3\n",
			want: []Purchase{
				{User: "u1", Product: "p1", Basket: "o1", Time: time.Date(2024, 1, 2, 10, 0, 0, 0, time.UTC), Value: 3},
				{User: "u2", Product: "p2", Time: time.Date(2024, 1, 4, 8, 0, 0, 0, time.UTC), Value: 3},
			},
		},
		{
			name: "online retail",
			cols: OnlineRetailColumns(),
			in: "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country\n" +
				"536365,85123A,\"WHITE, HANGING\",6,2010-12-01 08:26:00,2.55,17850.0,United Kingdom\n" +
				"C536379,D,Discount,-1,2010-12-01 09:41:00,27.5,14527.0,United Kingdom\n",
			want: []Purchase{{User: "17850.0", Product: "85123A", Basket: "536365", Time: time.Date(2010, 12, 1, 8, 26, 0, 0, time.UTC), Value: 6 * 2.55}},
		},
		{name: "only required columns", in: "user_id,product_id,timestamp\nu,p,2024-05-06\n",
			want: []Purchase{{User: "u", Product: "p", Time: time.Date(2024, 5, 6, 0, 0, 0, 0, time.UTC)}}},
		{name: "empty", in: "", wantErr: "empty file"},
		{name: "missing column", in: "user_id,timestamp\n", wantErr: `no column "product_id"`},
		{name: "bad quantity", in: "user_id,product_id,timestamp,quantity\nu,p,2024-01-01,x\n", wantErr: "line 2, column quantity"},
		{name: "bad time", in: "user_id,product_id,timestamp\nu,p,yesterday\n", wantErr: "line 2, column timestamp"},
		{name: "bad price", in: "user_id,product_id,timestamp,unit_price\nu,p,2024-01-01,?\n", wantErr: "line 2, column unit_price"},
		{name: "infinite quantity", in: "user_id,product_id,timestamp,quantity\nu,p,2024-01-01,Inf\n", wantErr: "not a finite number"},
		{name: "NaN price", in: "user_id,product_id,timestamp,unit_price\nu,p,2024-01-01,NaN\n", wantErr: "not a finite number"},
		{name: "ragged row", in: "user_id,product_id,timestamp\nu,p\n", wantErr: "wrong number of fields"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ReadCSV(strings.NewReader(tt.in), tt.cols)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got, cmpopts.EquateApprox(0, 1e-9)); diff != "" {
				t.Errorf("ReadCSV (-want +got):\n%s", diff)
			}
		})
	}
	_, err := ReadCSV(strings.NewReader("user_id,product_id,timestamp\nu,p,never\n"), Columns{})
	var pe *ParseError
	if !errors.As(err, &pe) || pe.Line != 2 || pe.Column != "timestamp" {
		t.Errorf("err = %#v, want a *ParseError at line 2, column timestamp", err)
	}
}

func FuzzReadCSV(f *testing.F) {
	f.Add("user_id,order_id,product_id,timestamp,quantity,unit_price\nu1,o1,p1,2024-01-02 10:00:00,2,1.5\n")
	f.Add("user_id,product_id,timestamp\nu,p,2024-05-06\n")
	f.Add("user_id,product_id,timestamp,quantity\nu,p,2024-01-01,NaN\n")
	f.Fuzz(func(t *testing.T, in string) {
		ps, err := ReadCSV(strings.NewReader(in), Columns{})
		if err != nil {
			return
		}
		for _, p := range ps {
			if p.User == "" || p.Product == "" {
				t.Fatalf("purchase with an empty user or product: %+v", p)
			}
		}
	})
}
