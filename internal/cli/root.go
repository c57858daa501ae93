package cli

import (
	"github.com/spf13/cobra"
)

// NewCmdRoot builds the persona command tree.
func NewCmdRoot(f *Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "persona <command> [flags]",
		Short: "User profiling and segmentation",
		Long: `persona turns raw user data (interaction logs, transactions, social
activity, demographics) into one row of features per user, groups users into
segments with K-Means, hierarchical clustering or DBSCAN, profiles and names
each segment, and writes a self-contained HTML report.

Every command takes --quiet (print nothing but errors) and --json (print one
JSON object, a summary of what it did, on stdout); progress goes to stderr.
Errors are one line; the exit code is 2 for a usage error (a missing or bad
flag) and 1 for a failure.`,
		Example: `  # Generate demo data for 20,000 users and run the whole pipeline on it
  persona demo --out demo-out

  # Cluster a numeric CSV with k-means and score the result
  persona cluster kmeans --in X.csv --k 8 --labels-out labels.csv
  persona metrics --in X.csv --labels labels.csv

  # Your own data: draft a config from the files, check it, run
  persona init --transactions sales.csv --out persona.yaml
  persona run --config persona.yaml --out out --json`,
		SilenceUsage:  true,
		SilenceErrors: true,
		Version:       buildVersion().String(),
	}
	cmd.SetVersionTemplate("{{.Version}}\n") // the same line as "persona version"
	cmd.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return &UsageError{Err: err}
	})
	cmd.AddCommand(
		NewCmdDemo(f, nil),
		NewCmdInit(f, nil),
		NewCmdRun(f, nil),
		NewCmdFeatures(f, nil),
		NewCmdValue(f, nil),
		NewCmdCluster(f),
		NewCmdMetrics(f, nil),
		NewCmdCompare(f, nil),
		NewCmdRecommend(f, nil),
		NewCmdEvaluateRecs(f, nil),
		NewCmdRuns(f, nil),
		NewCmdScore(f, nil),
		NewCmdServe(f, nil),
		NewCmdExport(f, nil),
		NewCmdExportSQL(f, nil),
		NewCmdVersion(f),
	)
	return cmd
}
