// Package synth generates a deterministic demo user base with planted
// personas, written as CSV files.
//
// Generate writes the raw data a shop might hold about its users over a
// two-year window (users, web/app events, order lines, social-media
// activity) together with truth.csv, the persona each user was drawn from.
// The pipeline never reads truth.csv; tests and the demo use it to check
// that segmentation recovers the planted personas (adjusted Rand index).
//
// # Personas
//
// Each persona differs from the others in many behaviours at once, so no
// single column gives it away and no single column is needed to find it.
// Every user's own parameters (rates, tastes, habits, price level) are drawn
// around the persona's, so users within a persona vary. Shares are exact:
// the counts are rounded shares of Options.Users, assigned in shuffled order.
//
//	persona          share  age    device   hours             channel          behaviour
//	champions        15%    35-55  desktop  weekday evenings  email            7-18 orders a year (~25 in the window) of 1-2 high-priced lines, almost no discount, electronics/home, 1.5-6 years tenure
//	bargain_hunters  23%    25-40  mobile   lunch, weekends   paid_search/ref  5-14 small orders a year of cheap fashion/beauty/grocery, 70-90% of lines 20-50% off, many searches
//	window_browsers  29%    18-30  mobile   late night        social/organic   6-14 long visits a year of page and product views, add_to_cart rare, 0 orders (88%) or 1
//	lapsed           12%    45-70  desktop  mornings          organic/email    8-16 orders a year (home, books) until 240-420 days before End, then no row of any kind
//	new_users        10%    18-65  mixed    daytime           paid_search/soc  signed up 1-44 days before End, a few visits, 0-2 orders (mostly 1)
//	influencers       7%    18-28  mobile   night             social           40-110 social actions a year (posts, shares, comments) on fashion/travel via instagram/tiktok, 0.5-2 orders a year
//	noise             4%    any    any      any               any              each aspect (demographics, acquisition, habits, interests, lifecycle, browsing, buying, social) from a random other persona
//
// Social topics and platforms differ too: champions talk tech and travel on
// facebook and x, bargain hunters fashion and food on facebook and
// instagram, window browsers gaming and music on tiktok, lapsed users
// parenting and food on facebook, influencers fashion and travel on
// instagram and tiktok. Many non-influencers post nothing at all.
//
// Activity also follows the season: more of it in November and December,
// less in January and February.
//
// At the default 20,000 users the files hold about 1.9 million events,
// 265,000 transaction lines and 230,000 social rows (about 150 MB).
//
// # Files
//
// All files are comma-separated with a header row, rows grouped by user in
// user order and in time order within a user. Timestamps are UTC written as
// 2006-01-02 15:04:05, dates as 2006-01-02. Every timestamp lies in the
// window (End minus two years, End] and not before the user's signup.
//
//	users.csv         user_id, signup_date, birth_year, gender, country, acquisition_channel, device
//	events.csv        user_id, timestamp, session_id, event_type, category, device
//	transactions.csv  user_id, order_id, timestamp, product_id, category, quantity, unit_price, discount
//	social.csv        user_id, timestamp, platform, action, topic
//	truth.csv         user_id, persona
//
// Identifiers: users U000001…, sessions S00000001…, orders O0000001…,
// products P0001…P0320 (40 per category). Values:
//
//   - gender: female, male, other; country: US, GB, DE, FR, ES, IT, NL, SE
//   - acquisition_channel: organic, paid_search, social, email, referral
//   - device: mobile, desktop, tablet (users.csv holds the signup device;
//     most sessions are on it)
//   - event_type: page_view, search, product_view, add_to_cart, checkout,
//     login; category is empty for login, search and checkout
//   - category: electronics, fashion, home, beauty, sports, books, grocery,
//     toys
//   - platform: instagram, tiktok, facebook, x; action: post, like, share,
//     comment, follow; topic: fashion, travel, tech, sports, food, gaming,
//     music, parenting
//
// # Invariants
//
//   - The same Options give byte-identical files: all randomness comes from
//     one PCG source seeded with Options.Seed, and users are generated in
//     order. The product catalogue (ids, categories, list prices) is the same
//     for every seed. (Across CPU architectures a last-bit difference in
//     math.Exp or a fused multiply-add could in principle flip a rare draw;
//     testdata/golden pins the output on amd64.)
//   - Every order is one session ending in a checkout event at the order's
//     timestamp, so checkout events per user equal orders per user. A
//     browsing session starts with a page_view or a search, and add_to_cart
//     always follows a product_view of the same category.
//   - A transaction row is one order line. unit_price is the product's list
//     price, discount the fraction off it in [0, 0.9] (steps of 0.05), and
//     the amount paid is quantity × unit_price × (1 − discount).
//   - About 1.5% of lines are later returned: a row with negative quantity,
//     the original order_id, product and prices, and the return's own later
//     timestamp (2-30 days after the order, never after the user's last
//     activity).
//   - Lapsed users have no row of any file in the last 240 days before End;
//     new users signed up less than 45 days before End.
//   - Memory does not grow with the number of rows: each user is simulated,
//     then streamed to the files. Each file is replaced atomically, so a
//     failed or canceled run leaves no partial file behind.
package synth
