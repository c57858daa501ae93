// Package recommend suggests products each user has not bought yet, from
// item-to-item co-occurrence in baskets blended with popularity in the
// user's segment, and measures recommendations on a time split.
//
// # Model
//
// Fit learns from purchases (user, product, basket, time):
//
//   - Co-occurrence: two products co-occur when they are in the same basket
//     (an order). Their similarity is the cosine of their basket vectors,
//     c(i, j) / √(n(i) · n(j)), where c counts baskets holding both and n
//     baskets holding one. Baskets with more than Options.MaxBasket distinct
//     products (bulk orders) are left out of the counts, and only the
//     Options.Neighbours most similar products of each product are kept.
//   - Segment popularity: the share of a segment's users who bought a
//     product. Global popularity is the same over all users.
//
// # Scores
//
// For a user with history H (the products they bought), a product j ∉ H
// scores
//
//	blend(j) = (1 − α) · co(j) / max co + α · pop_s(j) / max pop_s
//
// where co(j) = Σ_{i ∈ H} sim(i, j), pop_s is the popularity in the user's
// segment s and α is Options.SegmentWeight. Ties are broken by global
// popularity, then by product id, so results are deterministic.
//
// Fallbacks, in order: a user without history gets the best sellers of
// their segment (co is zero, so the blend is segment popularity); a user
// with no known segment gets global popularity in place of segment
// popularity; a user unknown to the model gets the global best sellers.
//
// # Evaluation
//
// Evaluate splits purchases at a cut time: the model is fitted on the
// purchases before it, and every user who bought before the cut and bought
// at least one new product (not bought before) after it is a test user. For
// each method it reports, over the test users, the hit rate@k (share of
// users with at least one of the k recommendations bought), precision@k
// (hits / k) and recall@k (hits / new products bought), averaged over users.
package recommend
