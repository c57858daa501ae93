package cli

import (
	"github.com/spf13/cobra"
)

// NewCmdCluster groups the clustering commands that work on a numeric CSV.
func NewCmdCluster(f *Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "cluster <algorithm>",
		Short: "Cluster the rows of a numeric CSV file",
		Long: `Cluster the rows of a numeric CSV file and write one label per row.

Input: a CSV of numbers, one row per point. A first row that is not all
numbers is a header. Labels output: a CSV with the header "label" and one
integer per input row, in input order.`,
		Example: `  persona cluster kmeans --in X.csv --k 8 --labels-out labels.csv
  persona cluster hierarchical --in X.csv --linkage ward --k 8 --labels-out labels.csv
  persona cluster dbscan --in X.csv --eps auto --min-samples 10 --labels-out labels.csv`,
		Args: noArgs,
	}
	cmd.AddCommand(
		NewCmdKMeans(f, nil),
		NewCmdHierarchical(f, nil),
		NewCmdDBSCAN(f, nil),
		NewCmdHDBSCAN(f, nil),
	)
	return cmd
}
