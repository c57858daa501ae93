WITH
tx AS (
  SELECT user_id, order_id, timestamp AS ts, product_id, category, quantity AS q, unit_price AS p,
         coalesce(discount, 0) AS disc
  FROM transactions WHERE timestamp <= TIMESTAMP '2024-02-01 00:00:00'),
catmed AS (SELECT * FROM (VALUES ('books', CAST(15 AS DOUBLE)), ('electronics', CAST(100 AS DOUBLE))) AS v(category, med)),
tagg AS (
  SELECT tx.user_id,
    CAST(sum(CAST(q * p * (1 - disc) * 4.503599627370496e+15 AS HUGEINT)) AS DOUBLE) / 4.503599627370496e+15 AS net_spend,
    CAST(sum(CAST(CASE WHEN q > 0 THEN q * p * (1 - disc) END * 4.503599627370496e+15 AS HUGEINT)) AS DOUBLE) / 4.503599627370496e+15 AS paid,
    CAST(sum(CAST(CASE WHEN q > 0 THEN q END * 4.503599627370496e+15 AS HUGEINT)) AS DOUBLE) / 4.503599627370496e+15 AS units,
    coalesce(-CAST(sum(CAST(CASE WHEN q < 0 THEN q END * 4.503599627370496e+15 AS HUGEINT)) AS DOUBLE) / 4.503599627370496e+15, 0) AS returned_units,
    count(DISTINCT product_id) FILTER (WHERE q > 0) AS products,
    CAST(sum(CAST(CASE WHEN q > 0 THEN q * p * disc END * 4.503599627370496e+15 AS HUGEINT)) AS DOUBLE) / 4.503599627370496e+15 / nullif(CAST(sum(CAST(CASE WHEN q > 0 THEN q * p END * 4.503599627370496e+15 AS HUGEINT)) AS DOUBLE) / 4.503599627370496e+15, 0) AS discount_share,
    count_if(disc > 0) FILTER (WHERE q > 0) / nullif(count(*) FILTER (WHERE q > 0), 0) AS discounted_lines,
    CAST(sum(CAST(CASE WHEN q > 0 THEN p / nullif(med, 0) END * 1.8446744073709552e+19 AS HUGEINT)) AS DOUBLE) / 1.8446744073709552e+19 / nullif(count(p / nullif(med, 0)) FILTER (WHERE q > 0), 0) AS price_level
  FROM tx LEFT JOIN catmed ON tx.category = catmed.category GROUP BY tx.user_id),
ev0 AS (
  SELECT user_id, timestamp AS ts, nullif(session_id, '') AS sid, event_type AS et, category, device,
         lag(timestamp) OVER (PARTITION BY user_id ORDER BY timestamp) AS prev_ts
  FROM events WHERE timestamp <= TIMESTAMP '2024-02-01 00:00:00'),
ev AS (
  SELECT *, coalesce(sid, user_id || '~' || CAST(sum(CASE WHEN prev_ts IS NULL OR date_diff('second', prev_ts, ts) > 1800 THEN 1 ELSE 0 END)
           OVER (PARTITION BY user_id ORDER BY ts ROWS UNBOUNDED PRECEDING) AS VARCHAR)) AS sess
  FROM ev0),
eagg AS (
  SELECT user_id, count(*) AS events, count(DISTINCT CAST(ts AS DATE)) AS active_days, max(ts) AS last_ts,
    count_if(isodow(ts) >= 6) AS weekend,
    count_if(et_code = 1) AS "n_page_view",
    count_if(et_code = 2) AS "n_search",
    count_if(et_code = 3) AS "n_product_view",
    count_if(et_code = 4) AS "n_add_to_cart",
    count_if(et_code = 5) AS "n_checkout",
    count_if(et_code = 6) AS "n_login",
    count_if(h >= 0 AND h < 6) AS "dp_night",
    count_if(h >= 6 AND h < 12) AS "dp_morning",
    count_if(h >= 12 AND h < 18) AS "dp_afternoon",
    count_if(h >= 18 AND h < 24) AS "dp_evening",
    count_if(dev_code = 1) AS "dev_mobile",
    count_if(dev_code = 2) AS "dev_desktop",
    count_if(dev_code = 3) AS "dev_tablet",
    count(nullif(category, '')) AS cat_events,
    count_if(cat_code = 1) AS "ec_electronics",
    count_if(cat_code = 2) AS "ec_books"
  FROM (SELECT user_id, ts, category, hour(ts) AS h, list_position(['page_view', 'search', 'product_view', 'add_to_cart', 'checkout', 'login'], et) AS "et_code", list_position(['mobile', 'desktop', 'tablet'], lower(device)) AS "dev_code", list_position(['electronics', 'books'], category) AS "cat_code"
    FROM ev) AS e GROUP BY user_id),
so AS (SELECT user_id, timestamp AS ts, action, topic FROM social WHERE timestamp <= TIMESTAMP '2024-02-01 00:00:00'),
soagg AS (
  SELECT user_id, count(*) AS actions, count(DISTINCT CAST(ts AS DATE)) AS active_days, max(ts) AS last_ts,
    count_if(action_code = 1) AS "a_post",
    count_if(action_code = 2) AS "a_like",
    count_if(action_code = 3) AS "a_share",
    count_if(action_code = 4) AS "a_comment",
    count_if(action_code = 5) AS "a_follow",
    count_if(topic_code = 1) AS "t_travel",
    count_if(topic_code = 2) AS "t_food"
  FROM (SELECT user_id, ts, list_position(['post', 'like', 'share', 'comment', 'follow'], action) AS "action_code", list_position(['travel', 'food'], topic) AS "topic_code" FROM so) AS s GROUP BY user_id),
dem AS (
  SELECT user_id, birth_year, signup_date,
    CASE WHEN "gender" = 'female' THEN 1 ELSE 0 END AS "oh_gender_female",
    CASE WHEN "gender" = 'male' THEN 1 ELSE 0 END AS "oh_gender_male",
    CASE WHEN "country" = 'DE' THEN 1 ELSE 0 END AS "oh_country_de",
    CASE WHEN "country" = 'FR' THEN 1 ELSE 0 END AS "oh_country_fr",
    CASE WHEN "acquisition_channel" = 'email' THEN 1 ELSE 0 END AS "oh_acquisition_channel_email",
    CASE WHEN "acquisition_channel" = 'organic' THEN 1 ELSE 0 END AS "oh_acquisition_channel_organic",
    CASE WHEN "acquisition_channel" = 'paid' THEN 1 ELSE 0 END AS "oh_acquisition_channel_paid",
    CASE WHEN "device" = 'mobile' THEN 1 ELSE 0 END AS "oh_device_mobile",
    CASE WHEN "device" = 'desktop' THEN 1 ELSE 0 END AS "oh_device_desktop"
  FROM (SELECT user_id, min(birth_year) AS birth_year, min(signup_date) AS signup_date, min(gender) AS gender,
      min(country) AS country, min(acquisition_channel) AS acquisition_channel, min(device) AS device
    FROM users WHERE user_id IS NOT NULL GROUP BY user_id) AS d),
pu0 AS (
  SELECT user_id, min("plan") AS a0, min("score") AS a1, min("newsletter") AS a2, list_distinct(list_filter(list_transform(string_split(min("interests"), ','), x -> trim(x)), x -> x <> '')) AS a3, min("tier") AS a4, min("last_login") AS a5, min("birth_date") AS a6
  FROM _persona_attrs_users WHERE user_id IS NOT NULL GROUP BY user_id),
cf0 AS (
  SELECT user_id, CAST((count(*) FILTER (WHERE event_type = 'add_to_cart')) AS DOUBLE) AS c0
  FROM "events" WHERE user_id IS NOT NULL AND timestamp <= TIMESTAMP '2024-02-01 00:00:00' GROUP BY user_id),
u AS (
  SELECT user_id FROM tagg WHERE user_id IS NOT NULL
  UNION SELECT user_id FROM transactions WHERE (timestamp > TIMESTAMP '2024-02-01 00:00:00' OR timestamp IS NULL) AND user_id IS NOT NULL
  UNION SELECT user_id FROM eagg WHERE user_id IS NOT NULL
  UNION SELECT user_id FROM events WHERE (timestamp > TIMESTAMP '2024-02-01 00:00:00' OR timestamp IS NULL) AND user_id IS NOT NULL
  UNION SELECT user_id FROM soagg WHERE user_id IS NOT NULL
  UNION SELECT user_id FROM social WHERE (timestamp > TIMESTAMP '2024-02-01 00:00:00' OR timestamp IS NULL) AND user_id IS NOT NULL
  UNION SELECT user_id FROM dem
  UNION SELECT user_id FROM pu0
  UNION SELECT user_id FROM cf0),
ord AS (
  SELECT user_id, order_id, min(ts) AS ts FROM tx WHERE q > 0 GROUP BY ALL),
ordgap AS (
  SELECT user_id, ts, date_diff('second', lag(ts) OVER (PARTITION BY user_id ORDER BY ts), ts) AS gap
  FROM ord),
oagg AS (
  SELECT user_id, count(*) AS orders, min(ts) AS first_ts, max(ts) AS last_ts,
    sum(gap) / nullif(count(gap), 0) / 86400.0 AS gap_mean,
    sqrt(greatest(count(gap) * sum(CAST(gap AS HUGEINT) * gap) - sum(gap) * sum(gap), 0)) / nullif(count(gap), 0) / 86400.0 AS gap_std
  FROM ordgap GROUP BY user_id),
tcat AS (
  SELECT user_id, category, CAST(sum(CAST(q * p * (1 - disc) * 4.503599627370496e+15 AS HUGEINT)) AS DOUBLE) / 4.503599627370496e+15 AS spend FROM tx WHERE q > 0 GROUP BY ALL),
tcatp AS (
  SELECT user_id, category,
    CASE WHEN spend > 0 THEN spend / (CAST(sum(CAST(CASE WHEN spend > 0 THEN spend END * 4.503599627370496e+15 AS HUGEINT)) OVER (PARTITION BY user_id) AS DOUBLE) / 4.503599627370496e+15) END AS share
  FROM tcat),
tcagg AS (
  SELECT user_id, count(category) AS categories, CAST(sum(CAST(share * share * 7.922816251426434e+28 AS HUGEINT)) AS DOUBLE) / 7.922816251426434e+28 AS hhi, greatest(-CAST(sum(CAST(share * ln(share) * 7.922816251426434e+28 AS HUGEINT)) AS DOUBLE) / 7.922816251426434e+28, 0) AS entropy,
    sum(share) FILTER (WHERE category = 'electronics') AS "cs_electronics",
    sum(share) FILTER (WHERE category = 'books') AS "cs_books",
    CAST(sum(CAST(CASE WHEN category IS NULL OR category NOT IN ('electronics', 'books') THEN share END * 7.922816251426434e+28 AS HUGEINT)) AS DOUBLE) / 7.922816251426434e+28 AS cs_other
  FROM tcatp GROUP BY user_id),
sess AS (SELECT user_id, sess, date_diff('second', min(ts), max(ts)) AS secs, count(*) AS n FROM ev GROUP BY ALL),
sagg AS (SELECT user_id, count(*) AS sessions, sum(secs) / count(*) / 60.0 AS session_minutes, sum(n) / count(*) AS per_session FROM sess GROUP BY user_id)
SELECT u.user_id,
  CAST(coalesce(date_diff('second', oagg.last_ts, TIMESTAMP '2024-02-01 00:00:00') / 86400.0, 387) AS DOUBLE) AS "recency_days",
  CAST(coalesce(oagg.orders, 0) AS DOUBLE) AS "frequency",
  CAST(CASE WHEN oagg.orders > 0 THEN 1 ELSE 0 END AS DOUBLE) AS "has_purchased",
  CAST(coalesce(tagg.net_spend, 0) AS DOUBLE) AS "monetary",
  CAST(coalesce(tagg.paid / nullif(oagg.orders, 0), 0) AS DOUBLE) AS "avg_order_value",
  CAST(coalesce(tagg.units / nullif(oagg.orders, 0), 0) AS DOUBLE) AS "items_per_order",
  CAST(coalesce(date_diff('second', oagg.first_ts, TIMESTAMP '2024-02-01 00:00:00') / 86400.0, 0) AS DOUBLE) AS "purchase_tenure_days",
  CAST(coalesce(oagg.gap_mean, 0) AS DOUBLE) AS "order_gap_mean_days",
  CAST(coalesce(oagg.gap_std, 0) AS DOUBLE) AS "order_gap_std_days",
  CAST(coalesce(tagg.products, 0) AS DOUBLE) AS "distinct_products",
  CAST(coalesce(tcagg.categories, 0) AS DOUBLE) AS "distinct_categories",
  CAST(least(coalesce(tagg.returned_units / nullif(tagg.units, 0), 0), 1) AS DOUBLE) AS "return_rate",
  CAST(coalesce(tagg.price_level, 1) AS DOUBLE) AS "price_level",
  CAST(coalesce(tagg.discount_share, 0) AS DOUBLE) AS "discount_share",
  CAST(coalesce(tagg.discounted_lines, 0) AS DOUBLE) AS "discounted_line_share",
  CAST(coalesce(tcagg."cs_electronics", 0) AS DOUBLE) AS "spend_share_electronics",
  CAST(coalesce(tcagg."cs_books", 0) AS DOUBLE) AS "spend_share_books",
  CAST(coalesce(tcagg.cs_other, 0) AS DOUBLE) AS "spend_share_other",
  CAST(coalesce(eagg.events, 0) AS DOUBLE) AS "events",
  CAST(coalesce(eagg."n_page_view", 0) AS DOUBLE) AS "count_page_view",
  CAST(coalesce(eagg."n_search", 0) AS DOUBLE) AS "count_search",
  CAST(coalesce(eagg."n_product_view", 0) AS DOUBLE) AS "count_product_view",
  CAST(coalesce(eagg."n_add_to_cart", 0) AS DOUBLE) AS "count_add_to_cart",
  CAST(coalesce(eagg."n_checkout", 0) AS DOUBLE) AS "count_checkout",
  CAST(coalesce(eagg."n_login", 0) AS DOUBLE) AS "count_login",
  CAST(coalesce(eagg."n_page_view" / nullif(eagg.events, 0), 0) AS DOUBLE) AS "share_page_view",
  CAST(coalesce(eagg."n_search" / nullif(eagg.events, 0), 0) AS DOUBLE) AS "share_search",
  CAST(coalesce(eagg."n_product_view" / nullif(eagg.events, 0), 0) AS DOUBLE) AS "share_product_view",
  CAST(coalesce(eagg."n_add_to_cart" / nullif(eagg.events, 0), 0) AS DOUBLE) AS "share_add_to_cart",
  CAST(coalesce(eagg."n_checkout" / nullif(eagg.events, 0), 0) AS DOUBLE) AS "share_checkout",
  CAST(coalesce(eagg."n_login" / nullif(eagg.events, 0), 0) AS DOUBLE) AS "share_login",
  CAST(coalesce(sagg.sessions, 0) AS DOUBLE) AS "sessions",
  CAST(coalesce(sagg.per_session, 0) AS DOUBLE) AS "events_per_session",
  CAST(coalesce(sagg.session_minutes, 0) AS DOUBLE) AS "session_minutes",
  CAST(coalesce(eagg.active_days, 0) AS DOUBLE) AS "active_days",
  CAST(coalesce(date_diff('second', eagg.last_ts, TIMESTAMP '2024-02-01 00:00:00') / 86400.0, 387) AS DOUBLE) AS "days_since_last_event",
  CAST(coalesce(eagg."dp_night" / nullif(eagg.events, 0), 0) AS DOUBLE) AS "share_night",
  CAST(coalesce(eagg."dp_morning" / nullif(eagg.events, 0), 0) AS DOUBLE) AS "share_morning",
  CAST(coalesce(eagg."dp_afternoon" / nullif(eagg.events, 0), 0) AS DOUBLE) AS "share_afternoon",
  CAST(coalesce(eagg."dp_evening" / nullif(eagg.events, 0), 0) AS DOUBLE) AS "share_evening",
  CAST(coalesce(eagg.weekend / nullif(eagg.events, 0), 0) AS DOUBLE) AS "weekend_share",
  CAST(least(coalesce(eagg.n_add_to_cart / nullif(eagg.n_product_view, 0), 0), 1) AS DOUBLE) AS "cart_rate",
  CAST(least(coalesce(eagg.n_checkout / nullif(eagg.n_add_to_cart, 0), 0), 1) AS DOUBLE) AS "checkout_rate",
  CAST(coalesce(eagg."dev_mobile" / nullif(eagg.events, 0), 0) AS DOUBLE) AS "device_share_mobile",
  CAST(coalesce(eagg."dev_desktop" / nullif(eagg.events, 0), 0) AS DOUBLE) AS "device_share_desktop",
  CAST(coalesce(eagg."dev_tablet" / nullif(eagg.events, 0), 0) AS DOUBLE) AS "device_share_tablet",
  CAST(coalesce(eagg."ec_electronics" / nullif(eagg.cat_events, 0), 0) AS DOUBLE) AS "affinity_electronics",
  CAST(coalesce(eagg."ec_books" / nullif(eagg.cat_events, 0), 0) AS DOUBLE) AS "affinity_books",
  CAST(coalesce(soagg.actions, 0) AS DOUBLE) AS "social_actions",
  CAST(coalesce(soagg."a_post", 0) AS DOUBLE) AS "social_posts",
  CAST(coalesce(soagg."a_like", 0) AS DOUBLE) AS "social_likes",
  CAST(coalesce(soagg."a_share", 0) AS DOUBLE) AS "social_shares",
  CAST(coalesce(soagg."a_comment", 0) AS DOUBLE) AS "social_comments",
  CAST(coalesce(soagg."a_follow", 0) AS DOUBLE) AS "social_follows",
  CAST(coalesce(soagg.active_days, 0) AS DOUBLE) AS "social_active_days",
  CAST(coalesce(soagg."t_travel" / nullif(soagg.actions, 0), 0) AS DOUBLE) AS "topic_share_travel",
  CAST(coalesce(soagg."t_food" / nullif(soagg.actions, 0), 0) AS DOUBLE) AS "topic_share_food",
  CAST(coalesce(year(TIMESTAMP '2024-02-01 00:00:00') - dem.birth_year, CAST(29 AS DOUBLE)) AS DOUBLE) AS "age",
  CAST(greatest(coalesce(date_diff('day', dem.signup_date, CAST(TIMESTAMP '2024-02-01 00:00:00' AS DATE)), CAST(245 AS DOUBLE)), 0) AS DOUBLE) AS "signup_tenure_days",
  CAST(coalesce(dem."oh_gender_female", 0) AS DOUBLE) AS "gender_female",
  CAST(coalesce(dem."oh_gender_male", 0) AS DOUBLE) AS "gender_male",
  CAST(1 - coalesce(dem."oh_gender_female" + dem."oh_gender_male", 0) AS DOUBLE) AS "gender_other",
  CAST(coalesce(dem."oh_country_de", 0) AS DOUBLE) AS "country_de",
  CAST(coalesce(dem."oh_country_fr", 0) AS DOUBLE) AS "country_fr",
  CAST(1 - coalesce(dem."oh_country_de" + dem."oh_country_fr", 0) AS DOUBLE) AS "country_other",
  CAST(coalesce(dem."oh_acquisition_channel_email", 0) AS DOUBLE) AS "acquisition_channel_email",
  CAST(coalesce(dem."oh_acquisition_channel_organic", 0) AS DOUBLE) AS "acquisition_channel_organic",
  CAST(coalesce(dem."oh_acquisition_channel_paid", 0) AS DOUBLE) AS "acquisition_channel_paid",
  CAST(1 - coalesce(dem."oh_acquisition_channel_email" + dem."oh_acquisition_channel_organic" + dem."oh_acquisition_channel_paid", 0) AS DOUBLE) AS "acquisition_channel_other",
  CAST(coalesce(dem."oh_device_mobile", 0) AS DOUBLE) AS "device_mobile",
  CAST(coalesce(dem."oh_device_desktop", 0) AS DOUBLE) AS "device_desktop",
  CAST(1 - coalesce(dem."oh_device_mobile" + dem."oh_device_desktop", 0) AS DOUBLE) AS "device_other",
  CAST(CASE WHEN pu0.a0 = 'basic' THEN 1 ELSE 0 END AS DOUBLE) AS "plan_basic",
  CAST(CASE WHEN pu0.a0 = 'premium' THEN 1 ELSE 0 END AS DOUBLE) AS "plan_premium",
  CAST(CASE WHEN pu0.a0 IS NULL THEN 1 ELSE 0 END AS DOUBLE) AS "plan_missing",
  CAST(coalesce(pu0.a1, CAST(5.25 AS DOUBLE)) AS DOUBLE) AS "score",
  CAST(CASE WHEN pu0.a1 IS NULL THEN 1 ELSE 0 END AS DOUBLE) AS "score_missing",
  CAST(coalesce(CAST(pu0.a2 AS DOUBLE), CAST(0.5 AS DOUBLE)) AS DOUBLE) AS "newsletter",
  CAST(CASE WHEN pu0.a2 IS NULL THEN 1 ELSE 0 END AS DOUBLE) AS "newsletter_missing",
  CAST(CASE WHEN list_contains(pu0.a3, 'travel') THEN 1 ELSE 0 END AS DOUBLE) AS "interests_travel",
  CAST(CASE WHEN list_contains(pu0.a3, 'cooking') THEN 1 ELSE 0 END AS DOUBLE) AS "interests_cooking",
  CAST(CASE WHEN pu0.a3 IS NULL THEN 1 ELSE 0 END AS DOUBLE) AS "interests_missing",
  CAST(coalesce(CASE pu0.a4 WHEN 'bronze' THEN CAST(1 AS DOUBLE) WHEN 'silver' THEN CAST(2 AS DOUBLE) WHEN 'gold' THEN CAST(3 AS DOUBLE) END, CAST(2 AS DOUBLE)) AS DOUBLE) AS "tier",
  CAST(CASE WHEN pu0.a4 IS NULL THEN 1 ELSE 0 END AS DOUBLE) AS "tier_missing",
  CAST(coalesce(date_diff('second', pu0.a5, TIMESTAMP '2024-02-01 00:00:00') / 86400.0, CAST(7 AS DOUBLE)) AS DOUBLE) AS "last_login_days",
  CAST(CASE WHEN pu0.a5 IS NULL THEN 1 ELSE 0 END AS DOUBLE) AS "last_login_missing",
  CAST(coalesce(date_diff('second', pu0.a6, TIMESTAMP '2024-02-01 00:00:00') / 31557600.0, CAST(31.503080082135522 AS DOUBLE)) AS DOUBLE) AS "birth_date",
  CAST(CASE WHEN pu0.a6 IS NULL THEN 1 ELSE 0 END AS DOUBLE) AS "birth_date_missing",
  CAST(coalesce(CASE WHEN isfinite(cf0.c0) THEN cf0.c0 END, CAST(0 AS DOUBLE)) AS DOUBLE) AS "carts",
  CAST((coalesce(tagg.discounted_lines, 0) + 1 - least(coalesce(tagg.price_level, 1), 2) / 2) / 2 AS DOUBLE) AS "price_sensitivity",
  CAST(coalesce(tcagg.hhi, 0) AS DOUBLE) AS "loyalty_hhi",
  CAST(coalesce(tcagg.entropy, 0) AS DOUBLE) AS "variety_entropy",
  CAST(least(coalesce(date_diff('second', eagg.last_ts, TIMESTAMP '2024-02-01 00:00:00') / 86400.0, 387), coalesce(date_diff('second', oagg.last_ts, TIMESTAMP '2024-02-01 00:00:00') / 86400.0, 387), coalesce(date_diff('second', soagg.last_ts, TIMESTAMP '2024-02-01 00:00:00') / 86400.0, 387)) AS DOUBLE) AS "days_since_last_activity"
FROM u AS u
LEFT JOIN oagg AS oagg ON oagg.user_id = u.user_id
LEFT JOIN tagg AS tagg ON tagg.user_id = u.user_id
LEFT JOIN tcagg AS tcagg ON tcagg.user_id = u.user_id
LEFT JOIN sagg AS sagg ON sagg.user_id = u.user_id
LEFT JOIN eagg AS eagg ON eagg.user_id = u.user_id
LEFT JOIN soagg AS soagg ON soagg.user_id = u.user_id
LEFT JOIN dem AS dem ON dem.user_id = u.user_id
LEFT JOIN pu0 AS pu0 ON pu0.user_id = u.user_id
LEFT JOIN cf0 AS cf0 ON cf0.user_id = u.user_id
