// Package profile describes segments of users against the whole base:
// sizes, feature statistics, demographic, psychographic and behavioural
// sections, the most distinctive traits, a plain-language name, suggested
// actions, classic RFM scores, and the matching of segments across runs.
//
// # Statistics
//
// For every feature Build reports the segment's mean, median and quartiles
// (linear interpolation, numpy's default), the z-score of the segment mean
// against the base ((segment mean − base mean) / base population standard
// deviation), the lift (segment mean / base mean, 1 when the base mean is
// 0) and Cohen's d of the segment against the rest of the base (pooled
// standard deviation with n − 1 weights). The top traits are the features
// with the largest |d| (at least 0.2), both directions.
//
// # Sections
//
// The sections read the feature names of package features:
//
//   - Demographics: age (mean, median, and the share of users per band:
//     under 25, 25–34, 35–44, 45–54, 55–64, 65+) and, for each one-hot field
//     gender_*, country_*, acquisition_channel_* and device_*, the segment's
//     share of each value with the base share and the lift.
//   - Psychographic: interests are spend_share_*, affinity_* and
//     topic_share_* features with a lift of at least 1.1, highest lift
//     first (at most 6); price sensitivity ("price sensitive" when its z > 0.5,
//     "price insensitive" when z < −0.5); loyalty versus variety from
//     loyalty_hhi and variety_entropy ("variety seeking" when the entropy's
//     z > 0.3 and above the HHI's z, else "category loyal" when the HHI's
//     z > 0.3, else "balanced"; "too few orders to tell" when the segment's
//     z(frequency) < −0.3, since one order is loyal by construction).
//   - Behaviour: RFM (recency, orders, spend, order value, days since any
//     activity), part of day, weekend share, sessions, funnel rates and
//     social engagement, each with mean, median, base mean, lift and z; and
//     the segment's mean RFM scores and most common RFM group.
//
// A feature missing from the input is left out of its section.
//
// # Representative users
//
// With the clustering space (Input.Space), the medoid is the member with
// the least total Euclidean distance to all members, searched among the 50
// members nearest the centre (Input.Distance, or the distance to the
// members' mean); without it, the member nearest the centre. The examples
// are the next five members nearest the centre.
//
// # Names
//
// A segment's standing is the first of these rules that holds, with z(f)
// the z-score of the segment's mean of feature f (0 when f is missing):
//
//	unsegmented      the DBSCAN noise group (id −1)
//	lapsed           z(days_since_last_activity) > 0.8 and z(frequency) > −0.3
//	hibernating      z(days_since_last_activity) > 0.8
//	promising new    z(signup_tenure_days) < −0.8
//	champions        z(frequency) > 0.5, z(monetary) > 0.5 and z(recency_days) < 0
//	at risk          z(recency_days) > 0.5 and z(frequency) > 0 (still visit, stopped buying)
//	influencers      max z(social_actions, social_posts) > 1
//	bargain hunters  max z(price_sensitivity, discounted_line_share, discount_share) > 0.8
//	big spenders     z(monetary) > 0.5
//	window browsers  z(frequency) < −0.3, max z(events, sessions, count_page_view,
//	                 count_product_view, share_page_view, share_product_view) > 0.3
//	                 and min z(cart_rate, checkout_rate) < −0.3
//	loyal            z(frequency) > 0.3
//	occasional       otherwise
//
// The name is the standing followed by the labels of the two most
// distinctive traits that have one ("lapsed — early birds, older"); labels
// that repeat the standing are skipped ("deal seekers" for bargain hunters),
// and so are labels of the shape of purchases (category loyal, variety
// seekers, recent first order, narrow or broad range, small or large
// baskets, recent buyers, long since last order, low spenders) when
// z(frequency) < −0.3: they are by-products of buying little.
// When two names would be equal a third label is added, then the segment
// id, so names are unique. Segments that carry a name over from a previous
// run (Input.Keep) keep it, and those names are reserved first; the
// standing is always recomputed.
//
// Every standing has three suggested actions: marketing, customer service
// and recommendations.
//
// # RFM scores
//
// ScoreRFM scores buyers (frequency > 0) 1 to 5 on recency (fewer days is
// better), frequency and monetary value by quintile: a score is
// 1 + ⌊5 · b / n⌋ where n is the number of buyers and b the number strictly
// worse. Tied users share a score, that of the first position of their
// run, so a long run of ties can skip scores. The group is read from the
// grid below with FM = ⌊(F + M + 1) / 2⌋; users without a purchase are in
// "no purchase".
//
//	R \ FM  1               2                    3                    4          5
//	5       new customers   potential loyalists  potential loyalists  champions  champions
//	4       promising       potential loyalists  potential loyalists  loyal      loyal
//	3       about to sleep  about to sleep       need attention       loyal      loyal
//	2       hibernating     hibernating          at risk              at risk    can't lose them
//	1       lost            hibernating          at risk              at risk    can't lose them
//
// # Stable ids
//
// Compare builds the transition matrix between two runs' segments and
// matches them by maximum total overlap (the Hungarian algorithm on the
// negated overlap counts; pairs with no user in common stay unmatched).
// StableIDs uses the matching to give a new run's segments the ids of the
// previous run's; an unmatched segment gets an id above every id of either
// run, so an id never changes meaning.
package profile
