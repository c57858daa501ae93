package cli

import (
	"github.com/spf13/cobra"
)

// NewCmdCluster groups the clustering commands that work on a CSV of rows.
func NewCmdCluster(f *Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "cluster <algorithm>",
		Short: "Cluster the rows of a CSV file",
		Long: `Cluster the rows of a CSV file and write one label per row.

Input: kmeans, hierarchical, dbscan and hdbscan take a CSV of numbers, one
row per point; a first row that is not all numbers is a header. kmedoids,
kprototypes and gower also take text columns (categories) beside numeric
ones, with a header row. Labels output: a CSV with the header "label" and
one integer per input row, in input order.`,
		Example: `  persona cluster kmeans --in X.csv --k 8 --labels-out labels.csv
  persona cluster hierarchical --in X.csv --linkage ward --k 8 --labels-out labels.csv
  persona cluster dbscan --in X.csv --eps auto --min-samples 10 --labels-out labels.csv
  persona cluster kmedoids --in customers.csv --k 5 --labels-out labels.csv
  persona cluster kprototypes --in customers.csv --k 5 --labels-out labels.csv
  persona cluster gower --in customers.csv --out D.csv`,
		Args: noArgs,
	}
	cmd.AddCommand(
		NewCmdKMeans(f, nil),
		NewCmdHierarchical(f, nil),
		NewCmdDBSCAN(f, nil),
		NewCmdHDBSCAN(f, nil),
		NewCmdKMedoids(f, nil),
		NewCmdKPrototypes(f, nil),
		NewCmdGower(f, nil),
	)
	return cmd
}
