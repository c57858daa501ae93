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
// 0) and Cohen's d of the segment against the rest of the base: the
// difference of the means over the pooled standard deviation (n − 1
// weights), which is taken to be at least DFloor = 0.1 times the base's
// standard deviation; |d| is capped at DCap = 10. The top traits are the
// features with the largest |d| (at least 0.2), both directions.
//
// A feature is constant when its base standard deviation is at most
// FlatSpread = 10⁻⁶ times its largest absolute value (a days-since count
// that differs only by rounding error, a share nobody has), or when its
// dataset is absent from the run (Column.Absent). A constant feature stays
// in Report.Base, marked, and is listed in Report.Constant; it is in no
// segment's statistics, so it is never a trait, a name label, part of a
// standing or of a section.
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
// A feature missing from the input, or constant, is left out of its
// section, and a section with nothing in it is left out.
//
// # Attributes
//
// Input.Columns describes the columns that are attributes of a per-user
// table rather than features of the catalogue: numeric, ordinal and date
// attributes are one column each; categorical, list and boolean ones one
// 0/1 indicator column per level. Each goes into the section Column.Section
// names, or else the one its name suggests: demographic for the words of
// demographicWords (age, gender, income, education, city, job, ...),
// psychographic for psychographicWords (interests, hobbies, lifestyle,
// values, ...), behavioural otherwise. In a section, the levels of a
// categorical attribute are Shares (Fields) and numeric attributes Metrics
// (Attributes).
//
// # Outcomes
//
// Input.Outcomes are per-user columns that were not clustered: a rate
// (0/1: churned, responded) or a mean (revenue next quarter), NaN where
// unknown. Every segment reports each outcome's value, the base's, the
// lift and the users it is known for, with the test statistic of the
// segment against the rest of the base (two-proportion z, Welch). An
// outcome is strong, and names the segment ("churned 2.4× the base"),
// when its lift is at least OutcomeLift = 1.5 or at most 1/1.5 and
// |z| ≥ OutcomeZ = 3.
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
// A segment's standing is the first of the rules below that holds. Each
// combines a relative rule on z(f), the z-score of the segment's mean of
// feature f (0 when f is missing or constant), with absolute facts in the
// data's own units (Segment.Facts, against Report.Facts), so that a name
// never contradicts the numbers printed beside it. The facts:
//
//	cycle     the base's typical days between orders: the median over users
//	          with 2+ orders of their mean gap (order_gap_mean_days); known
//	          with at least MinRepeatBuyers = 10 such users
//	orders    the segment's median number of orders (frequency)
//	buyers    the share of the segment with an order
//	since     the median days since the last order, over its buyers
//	silent    the median days since the last activity of any kind
//	          (days_since_last_activity)
//	tenure    the median days since sign-up (signup_tenure_days), else since
//	          the first order over the buyers
//	basket    the median order value and mean units per order over the
//	          buyers; spend the median net spend over the buyers
//
// The rules, with RecentCycles = 1, LapsedCycles = 2, NewCycles = 2 and
// Margin = 1.25:
//
//	unsegmented      the DBSCAN noise group (id −1)
//	lapsed           buyers ≥ 50%, since > 2 cycles, silent > 2 cycles and
//	                 tenure > 2 cycles (they bought, and nothing since)
//	hibernating      silent > 2 cycles and tenure > 2 cycles (bought little or
//	                 nothing; a sign-up of last week who did nothing is not
//	                 hibernating)
//	promising new    z(tenure) < −0.8 (signup_tenure_days, else
//	                 purchase_tenure_days), tenure ≤ 2 cycles and silent ≤ 1
//	                 cycle (new and active)
//	champions        z(frequency) > 0.5, z(monetary) > 0.5, z(recency_days) < 0,
//	                 orders ≥ 2 and since ≤ 1 cycle
//	at risk          z(frequency) > 0, orders ≥ 2, since > 1 cycle and either
//	                 z(recency_days) > 0.5 or since > 2 cycles (while still
//	                 active, else lapsed); with customer value (Input.Value):
//	                 z(frequency) > 0, orders ≥ 2 and at least half its
//	                 customers likely lost (P(alive) below the threshold)
//	influencers      max z(social_actions, social_posts) > 1, and that
//	                 feature's segment median ≥ 1
//	bargain hunters  max z(price_sensitivity, discounted_line_share,
//	                 discount_share) > 0.8 and buyers ≥ 50%
//	big spenders     z(monetary) > 0.5 and spend ≥ 1.25 × the base's
//	window browsers  z(frequency) < −0.3, max z(events, sessions,
//	                 count_page_view, count_product_view, share_page_view,
//	                 share_product_view) > 0.3 and min z(cart_rate,
//	                 checkout_rate) < −0.3
//	loyal            z(frequency) > 0.3 and orders ≥ 2
//	prospects        buyers < 50%
//	occasional       otherwise
//
// A fact that is unknown does not block a rule. Without a cycle (fewer than
// 10 repeat buyers) the time rules are the relative ones: lapsed when
// z(days_since_last_activity) > 0.8, z(frequency) > −0.3 and silent above
// the base's median; hibernating when z(days_since_last_activity) > 0.8
// and silent above the base's median; promising new when z(tenure) < −0.8
// and silent at most the base's median; at risk when z(recency_days) > 0.5.
// Data with nothing a user did (no catalogue feature of purchases, events
// or social actions that varies: a table of attributes, or users alone)
// has no standing.
//
// Then come the labels of the most distinctive traits (features with
// |d| ≥ 0.2, largest first) that have one: two after a standing ("lapsed —
// early birds, older"), three for data with no standing, composed as a
// phrase ("high-income urban tablet users, high CTR": adjectives, then the
// first noun, then the rest). A strong outcome comes first ("lapsed —
// churned 2.4× the base, early birds"; "churned 2.4× the base —
// month-to-month users"). Attribute labels: "high-" or "low-" and the name
// of a numeric or ordinal attribute ("high income" when it has several
// words; "young" and "older" for an age), "recent" or "early" and a date's,
// the level of a categorical attribute ("urban"; "contract no" for a level
// that says nothing alone), "<value> fans" for a list value, "mostly" or
// "rarely" and a boolean's; missing-value flags make no label. A level
// (of an attribute, or gender, country, channel or device) names a segment
// only when at least MajorityShare = half of it has the level, and
// "rarely" only when under RareShare = a quarter has. A label is
// left out when it repeats the standing ("deal seekers" for bargain
// hunters), repeats or contradicts an earlier label, describes the shape of
// purchases (category loyal, variety seekers, recent first order, narrow or
// broad range, small or large baskets, recent buyers, long since last
// order, low spenders) in a segment with z(frequency) < −0.3, says how a
// segment buys (prices, discounts, baskets, categories, spend) when most of
// it never bought, or disagrees with the facts:
//
//	frequent buyers        orders ≥ 2
//	category loyal,        distinct_categories varies in the base (there
//	variety seekers        are categories to be loyal to)
//	rare buyers            becomes "non-buyers" when orders = 0
//	recent buyers          since ≤ 1 cycle
//	long since last order  since > 2 cycles
//	recently active        silent ≤ 1 cycle
//	inactive               silent > 2 cycles (without a cycle: above the
//	                       base's median)
//	newcomers              tenure ≤ 2 cycles; recent first order likewise
//	                       for the first order
//	long-standing          tenure > 2 cycles
//	large baskets          order value ≥ 1.25 × the base's and units per
//	                       order ≥ 1.25 × the base's ("high order value"
//	                       when only the value is)
//	small baskets          order value ≤ the base's / 1.25
//	bulk buyers            units per order ≥ 1.25 × the base's
//	high / low spenders    spend ≥ 1.25 × / ≤ 1 / 1.25 × the base's
//
// Names are unique: when two would be equal, each takes its next most
// distinctive label, then one of its weaker ones (|d| < 0.2), until they
// differ; two segments that still share a name are told apart by the
// feature whose means differ most between them ("loyal — toys, higher
// frequency"), never by a segment number.
//
// On a re-run into the same folder, a segment that carries an id over
// from the previous run (Input.Keep) keeps its previous name when its
// standing is the same and every label of that name is still among its
// KeepWindow = 3 most distinctive labels; otherwise (and for a numbered
// name of an older version, "loyal — books (segment 3)", or one whose
// labels cannot be told) it gets its new name.
// Segment.Previous records the previous name either way, and kept names
// are reserved first.
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
