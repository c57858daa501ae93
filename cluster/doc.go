// Package cluster groups the rows of a numeric matrix, or of a table that
// mixes numbers and categories, into clusters.
//
// # K-Means
//
// [KMeans] reproduces scikit-learn 1.2's KMeans.fit on dense data, so that
// its labels and iteration counts are the same and its centres and inertia
// agree to rounding (the summation order differs):
//
//   - The data are centred on their column means (on the fly: x is never
//     copied or modified), and so are given initial centres.
//   - Each iteration assigns every row to its nearest centre, ties going to
//     the lowest centre index, then moves every centre to the mean of its
//     rows.
//   - A cluster left empty gets the row farthest from its own (old) centre;
//     with several empty clusters the rows are taken from the farthest down.
//     That row is moved out of its cluster's sum, but keeps its label until
//     the next assignment.
//   - A run stops when no label changed (strict convergence), when the sum
//     of the squared centre shifts is at most Tol * mean(var(x, axis=0)),
//     or after MaxIter iterations. Unless it converged strictly, the rows
//     are assigned once more to the final centres. NIter counts the
//     iterations, including the last.
//   - With NInit > 1 the run with the lowest inertia is kept; a later run
//     replaces an earlier one only if its inertia is strictly lower and its
//     partition differs.
//
// Initial centres are given (KMeansOptions.InitCenters), k-means++ or random
// rows. k-means++ is scikit-learn's greedy variant: the first centre is a
// uniformly chosen row; every next one is the best of 2+floor(ln K) rows
// drawn with probability proportional to their squared distance to the
// nearest centre so far, the best being the one that lowers the potential
// (the sum of those squared distances) most. The random numbers come from a
// PCG source seeded with KMeansOptions.Seed, so a seed gives the same result
// whatever the number of workers (and, up to the last bits, on any machine;
// see Kernels); they are not numpy's, so only given centres reproduce a
// scikit-learn run.
//
// Distances are computed as direct sums of squared differences, never as
// ||x||^2 - 2 x.c + ||c||^2, so rows that nearly coincide with a centre keep
// their accuracy.
//
// # Algorithms
//
// "lloyd" computes all n*K distances in every iteration. "hamerly" (also
// selected by "elkan" and "auto") keeps one upper and one lower distance
// bound per row and recomputes only the rows whose label could change; when
// the last pass had to recompute more than 30% of the rows (heavily
// overlapping clusters), the next pass computes every row, which is
// cheaper and makes the bounds tight again. It returns the same labels and
// NIter as "lloyd": its bounds are widened by more than the rounding error
// of a distance, and the rows it recomputes go through the same kernel.
// Its centres and inertia differ from Lloyd's in the last bits only (it
// updates the cluster sums from the rows that changed).
//
// # Kernels
//
// On amd64 CPUs with AVX2 and FMA (as golang.org/x/sys/cpu reports them),
// the distances are computed by assembly kernels (four centres at a time,
// the row centred on the fly); elsewhere, and with the build tag purego
// (which package metrics honours too), by unrolled Go loops. The two give
// the same labels except for ties closer than rounding, and centres and
// inertia equal to the last bits.
//
// # Mixed-type data: Gower
//
// A table of customers mixes numbers (income), categories (region),
// ordered levels (plan), yes/no flags and sets (categories bought). Each
// column is an [Attr] of an [AttrType]; [NewGower] returns their Gower
// dissimilarity exactly as R's cluster::daisy(x, metric = "gower") defines
// it (see [Gower] for every type, missing values and weights). The
// values, sums and their order are daisy's, so the dissimilarities are
// equal to R's to the last bit on the reference cases (logratio's log10
// is glibc's, correctly rounded but for one value in two thousand);
// TestGowerParity holds them to 1e-12. List attributes, compared with the
// Jaccard distance, are persona's extension: on indicator columns, daisy's
// asymmetric binary type gives the same numbers.
//
// Any [Dissimilarity] (Gower, [Euclidean], a [DistMatrix] from elsewhere)
// can be turned into a condensed [DistMatrix] by [Pairwise], in parallel;
// its layout is SciPy's pdist and R's dist. [LinkageDist] builds complete
// and average linkage trees on it, as SciPy's linkage on a condensed
// matrix.
//
// # K-medoids
//
// [KMedoids] chooses K rows, the medoids, that minimise the sum of the
// dissimilarities of all rows to their nearest medoid.
//
//   - "pam" is R's cluster::pam (variant "original"): BUILD adds medoids
//     one at a time, each the row that lowers the objective most (the
//     last of equal gains); SWAP then makes the single best swap of a
//     medoid and a non-medoid (the first of equal ones, candidates in row
//     order, medoids in row order) while it lowers the objective by more
//     than 16 machine epsilons of it. Every sum is made in R's order, so
//     on the same dissimilarities the medoids, labels and both objectives
//     equal R's to the last bit (TestPAMParity, with ties everywhere on an
//     integer grid). R visits the pairs a column at a time; here each pass
//     streams the condensed matrix once, block by block in parallel, with
//     one accumulator per candidate and medoid, which receives its terms in
//     R's order. Memory: the matrix (8 bytes per pair) and n*K
//     accumulators.
//   - "fasterpam" is FasterPAM (Schubert and Rousseeuw 2021) as R's
//     pam(variant = "faster"): candidates in row order from the last swap,
//     each swapped in as soon as its best swap helps; from the same
//     initial medoids it gives R's result. It starts from BUILD by default
//     (KMedoidsOptions.Init "random" draws them instead). O(n) per
//     candidate instead of PAM's O(n*K), and few passes.
//   - "clara" is CLARA (Kaufman and Rousseeuw): FasterPAM on samples of
//     max(2,000, 40 + 2K) rows (5 samples; from the second on, a sample
//     starts with the best medoids so far), every row assigned to the
//     nearest medoid, the medoids with the lowest objective over all rows
//     kept. It holds one sample's matrix, so 100,000 rows take seconds and
//     a few tens of MB.
//   - "auto" runs pam up to 5,000 rows, fasterpam above, and clara when the
//     matrix would not fit KMedoidsOptions.MemoryLimit (1 GiB).
//
// Every method ends as R's pam does: each row goes to its nearest medoid
// (the lowest row among equally near ones; a medoid to itself), clusters
// are numbered in the order of their first row, and Medoids lists the
// medoids in that order. Objective is the mean dissimilarity to the
// medoid, R's objective["swap"].
//
// # CLARA against PAM
//
// On the 35 labelled sets of Gagolewski's benchmark suite
// (../shared/data/clustering-benchmarks; Euclidean distances of the raw
// coordinates, K the number of reference clusters, seed 1), the ratio of
// CLARA's objective to full PAM's and the ARI of CLARA's labels against
// PAM's (TestCLARABenchmarkSets, testdata/clara_benchmarks.golden):
//
//	samples of            objective / PAM's             ARI vs PAM
//	                   median    worst (set)             median   min
//	2,000 (default)    1.0000    1.0060 (chameleon_t8)   1.000    0.516
//	500                1.0000    1.0178 (chameleon_t7)   1.000    -0.107
//	40 + 2K (R's)      1.0157    1.1158 (uci_yeast)      0.851    -0.107
//
// Sets of at most 2,000 rows are a single sample with the default, that
// is FasterPAM on all rows. On 4 sets CLARA ends below PAM (down to 0.98
// on other_hdbscan): PAM's SWAP stops at a local optimum too. On the
// 8,000- to 10,000-row Chameleon sets the default is within 0.6% of PAM.
// R's default sample of 40 + 2K rows is too small here. A low ARI
// with an objective ratio near 1 (graves_ring, fcps_atom at 500) means two
// clusterings that are equally good and different: there PAM's optimum is
// flat, not CLARA wrong.
//
// # K-prototypes
//
// [KPrototypes] is Huang's (1998) k-prototypes as the Python kmodes
// package's KPrototypes: a prototype holds the mean of each numeric
// attribute and the mode of each categorical one; the dissimilarity of a
// row to it is the squared Euclidean distance on the numbers plus Gamma
// times the number of mismatched categories. Rows are moved one at a time
// to their nearest prototype, both prototypes updated at once, until no
// row moves, the cost stops falling, or MaxIter passes; the best of NInit
// runs (Cao's initial modes by default; numeric prototypes at the means
// plus normal draws times the standard deviations) is kept. The default
// Gamma is half the mean of the numeric attributes' standard deviations.
// (kmodes computes 0.5 * Xnum.std() over all numeric values pooled, which
// is the same for standardised columns and larger otherwise.) Ties go to
// the lowest prototype and, for modes, the lowest code. It needs no
// dissimilarity matrix: O(n * K * (p + q)) per pass.
//
// # Invariants
//
//   - Inputs are never modified.
//   - Every pass over the rows is cut into chunks whose boundaries depend
//     only on the number of rows, and per-chunk sums are combined in chunk
//     order: on a given machine the result does not depend on
//     KMeansOptions.Workers.
//   - Memory beyond x is O(K*d + n): labels and two bounds per row, and
//     per-chunk partial sums (at most 64 chunks).
//   - Errors name the option or the row and column (or attribute) at fault;
//     user input never makes the package panic.
//   - K-medoids and k-prototypes results depend on the data, the options
//     and the seed only, not on Workers; PAM and FasterPAM have no
//     randomness at all.
//   - A DistMatrix holds n(n-1)/2 dissimilarities; Pairwise refuses to
//     make one above its MemoryLimit and says how much it would need.
package cluster
