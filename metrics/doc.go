// Package metrics scores clusterings: silhouette, Calinski-Harabasz and
// Davies-Bouldin from the data, and the adjusted Rand index and (adjusted)
// normalized mutual information against reference labels.
//
// Every function reproduces scikit-learn 1.2's definition of the same score,
// including its edge cases, and is checked against scikit-learn's outputs in
// the tests.
//
// # Labels
//
// Labels are arbitrary ints. They need not be contiguous or start at 0, and
// -1 is an ordinary label here, not "noise": a DBSCAN result scored as is
// treats its noise points as one more cluster. Drop the noise rows first to
// score the clusters alone.
//
// The data-based scores (Silhouette, CalinskiHarabasz, DaviesBouldin) need
// between 2 and n-1 distinct labels for n rows, as scikit-learn does;
// otherwise they return an error that wraps ErrLabelCount.
//
// # Distances
//
// Distances are Euclidean and computed directly, sqrt(sum((x-y)^2)), never
// through |x|^2 - 2x.y + |y|^2. Duplicate rows are therefore exactly 0 apart.
// scikit-learn uses the expanded form, which gives about 1e-7 for duplicates,
// so on data with duplicate rows silhouette and Davies-Bouldin differ from
// scikit-learn's by up to about 1e-7 (Davies-Bouldin also for singleton
// clusters, which scikit-learn puts about 1e-8 from their centroid);
// elsewhere they agree to about 1e-14.
//
// On amd64 the silhouette's distance loops run in assembly: AVX when the CPU
// and the OS support it (golang.org/x/sys/cpu), SSE2 (which every amd64 CPU has) otherwise. Both
// perform the same floating-point operations in the same order as the
// portable Go loops (no fused multiply-add), so all three return the same
// bits; the build tag purego selects the Go loops (in package cluster too).
//
// # Silhouette
//
// For row i in cluster C, a(i) is the mean distance to the other members of
// C and b(i) the smallest mean distance to the members of another cluster;
// s(i) = (b-a)/max(a,b), and s(i) = 0 when C has one member (or a = b = 0).
// The silhouette score is the mean of s over all rows.
//
// The exact computation never forms the n x n distance matrix. Rows are
// visited in cluster order through an index, and each pair of rows is
// computed once and credited to both rows. Memory beyond the data is n*k
// floats for k clusters when k <= max(64, d) and n*k <= 2^24 (at most 128
// MiB), and O(n) otherwise, when each pair is computed twice instead.
// Time is O(n^2 d), spread over the workers.
//
// With SilhouetteOptions.SampleSize > 0 and smaller than n, the score is
// estimated on a stratified random sample instead; see SilhouetteOptions.
//
// # Performance
//
// Measured against scikit-learn 1.2.1 (2 threads) on the peer's
// make_blobs data (8 clusters, d = 16), in-process, alternating runs on the
// same .npy files, on a shared 2-core machine (load 9 to 16, so single
// runs vary up to 2x): exact Silhouette on 20,000 rows took a median 0.8 s
// of CPU and 2.3 s wall against scikit-learn's 3.8 s and 7.7 s (3.4x wall
// over five runs); on 100,000 rows 21 s CPU and 76 s wall against 68 s and
// 253 s (3.3x). persona metrics on those files peaked at 18 MB and 59 MB
// RSS; scikit-learn's silhouette_score peaked at 1.15 GB. CalinskiHarabasz
// and DaviesBouldin on 1,000,000 rows took about 0.2 s wall each, 3.5x and
// 5x less than scikit-learn. A stratified sample of 10,000 rows put the
// silhouette of the 100,000 rows within 0.0005 of the exact value for five
// seeds, in 0.25 s of CPU.
//
// # Invariants
//
// No function modifies its inputs. Results depend only on the inputs and,
// for the sampled silhouette, the seed: they are bit-identical for any
// number of workers, because every sum is accumulated in a fixed order.
package metrics
