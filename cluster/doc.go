// Package cluster groups the rows of a numeric matrix into clusters.
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
// On amd64 CPUs with AVX2 and FMA, the distances are computed by assembly
// kernels (four centres at a time, the row centred on the fly); elsewhere
// by unrolled Go loops. The two give the same labels except for ties closer
// than rounding, and centres and inertia equal to the last bits.
//
// # Mini-batch k-means
//
// [MiniBatchKMeans] follows scikit-learn 1.2's MiniBatchKMeans: the centres
// are initialised (best of NInit) on InitSize random rows; each step draws
// BatchSize rows with replacement, assigns them to the nearest centre and
// moves each centre to the running mean of all the rows it has received;
// centres whose count falls below ReassignmentRatio times the largest are
// moved to random rows of the batch; the run stops after MaxIter passes
// over the data, when the centres move less than Tol (off by default), or
// when the smoothed batch inertia has not improved for MaxNoImprovement
// steps. Labels and Inertia are computed on all rows at the end.
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
//   - Errors name the option or the row and column at fault; user input
//     never makes the package panic.
package cluster
