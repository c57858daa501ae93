// Package prep prepares feature matrices for clustering: log transforms,
// winsorising, scaling, dropping constant and correlated columns, and PCA.
//
// Every transform is fitted once on a matrix and keeps what it learned in an
// exported struct that round-trips through encoding/json, so a saved model
// transforms new users exactly as it transformed the training data.
//
// # Components
//
//   - [Log1p] applies sign(x)*log1p(|x|) to chosen columns. For x >= 0 this is
//     the usual log(1+x); negative values (refunds, corrections) are mapped
//     symmetrically, so the transform is odd, monotone and defined everywhere.
//   - [Winsorizer] clips chosen columns to per-column bounds taken at two
//     quantiles of the training data.
//   - [StandardScaler], [RobustScaler] and [MinMaxScaler] reproduce
//     scikit-learn 1.2's estimators of the same names with default
//     parameters (MinMaxScaler with any feature_range), including their rules
//     for constant columns.
//   - [SelectFeatures] finds constant columns and one column of each highly
//     correlated pair.
//   - [PCA] is scikit-learn's PCA(svd_solver="full").
//   - [Fit] chains the steps into a [Fitted] pipeline configured by [Config].
//
// # Invariants
//
//   - No function mutates its input. Transform methods write into a dst
//     argument (which may be the input itself, for an in-place transform) or
//     return a new matrix.
//   - Non-finite input (NaN, ±Inf) is an error naming the column and row;
//     it is never silently propagated.
//   - Quantiles use numpy's default "linear" method: for sorted values s of
//     length n, q is read at index h = (n-1)q as s[⌊h⌋] + (s[⌊h⌋+1]-s[⌊h⌋])·(h-⌊h⌋),
//     evaluated from the upper end when the fraction is at least 0.5,
//     exactly as numpy 1.24 does.
//   - Fitted parameters are finite, so they encode as JSON numbers; decoding
//     a [Fitted] checks that it is consistent and returns an error otherwise.
//
// # Indicator groups
//
// [Config.Groups] names groups of indicator (0/1) columns: the one-hot
// columns of one categorical attribute, a yes/no attribute, a missing-value
// flag. Standardized, a rare level's column would put its few users far
// from everyone (a level of 2% sits seven standard deviations out), and a
// categorical with m levels would count m times as much as a numeric
// column. So after scaling, each kept column of a group of m is multiplied
// by its scaler unit (the standard deviation) over √m: it is its centred
// 0/1 value divided by √m. Two users of different levels of one
// categorical attribute, or a yes and a no, are then about as far apart as
// two users one standard deviation apart on a numeric column, whatever the
// number of levels. [Fitted.Weights] holds the weights, which the model
// and its SQL apply too.
//
// # Pipeline order
//
// [Fit] runs: select columns, log1p on named columns, winsorise, scale, then
// drop constant and correlated columns. The drop decision is made on the data
// entering the scaler: Pearson correlation is unchanged by per-column affine
// scaling, while scaling can hide a near-constant column (StandardScaler
// leaves it at rounding noise) or blow it up (MinMaxScaler stretches it to
// the full range).
package prep
