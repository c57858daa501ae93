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
