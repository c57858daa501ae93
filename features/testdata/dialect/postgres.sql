WITH
tx AS (
  SELECT user_id, order_id, timestamp AS ts, product_id, category, quantity AS q, unit_price AS p,
         coalesce(discount, 0) AS disc
  FROM transactions WHERE timestamp <= TIMESTAMP '2024-02-01 00:00:00'),
catmed AS (SELECT * FROM (VALUES ('books', CAST(15 AS double precision)), ('electronics', CAST(100 AS double precision))) AS v(category, med)),
tagg AS (
  SELECT tx.user_id,
    CAST(sum((CAST(trunc(round((q * p * (1 - disc)) * CAST(4.503599627370496e+15 AS double precision)) / CAST(2251799813685248 AS double precision)) AS bigint) * CAST(2251799813685248 AS numeric) + CAST(round((q * p * (1 - disc)) * CAST(4.503599627370496e+15 AS double precision)) - trunc(round((q * p * (1 - disc)) * CAST(4.503599627370496e+15 AS double precision)) / CAST(2251799813685248 AS double precision)) * CAST(2251799813685248 AS double precision) AS bigint))) AS double precision) / CAST(4.503599627370496e+15 AS double precision) AS net_spend,
    CAST(sum((CAST(trunc(round((CASE WHEN q > 0 THEN q * p * (1 - disc) END) * CAST(4.503599627370496e+15 AS double precision)) / CAST(2251799813685248 AS double precision)) AS bigint) * CAST(2251799813685248 AS numeric) + CAST(round((CASE WHEN q > 0 THEN q * p * (1 - disc) END) * CAST(4.503599627370496e+15 AS double precision)) - trunc(round((CASE WHEN q > 0 THEN q * p * (1 - disc) END) * CAST(4.503599627370496e+15 AS double precision)) / CAST(2251799813685248 AS double precision)) * CAST(2251799813685248 AS double precision) AS bigint))) AS double precision) / CAST(4.503599627370496e+15 AS double precision) AS paid,
    CAST(sum((CAST(trunc(round((CASE WHEN q > 0 THEN q END) * CAST(4.503599627370496e+15 AS double precision)) / CAST(2251799813685248 AS double precision)) AS bigint) * CAST(2251799813685248 AS numeric) + CAST(round((CASE WHEN q > 0 THEN q END) * CAST(4.503599627370496e+15 AS double precision)) - trunc(round((CASE WHEN q > 0 THEN q END) * CAST(4.503599627370496e+15 AS double precision)) / CAST(2251799813685248 AS double precision)) * CAST(2251799813685248 AS double precision) AS bigint))) AS double precision) / CAST(4.503599627370496e+15 AS double precision) AS units,
    coalesce(-CAST(sum((CAST(trunc(round((CASE WHEN q < 0 THEN q END) * CAST(4.503599627370496e+15 AS double precision)) / CAST(2251799813685248 AS double precision)) AS bigint) * CAST(2251799813685248 AS numeric) + CAST(round((CASE WHEN q < 0 THEN q END) * CAST(4.503599627370496e+15 AS double precision)) - trunc(round((CASE WHEN q < 0 THEN q END) * CAST(4.503599627370496e+15 AS double precision)) / CAST(2251799813685248 AS double precision)) * CAST(2251799813685248 AS double precision) AS bigint))) AS double precision) / CAST(4.503599627370496e+15 AS double precision), 0) AS returned_units,
    count(DISTINCT product_id) FILTER (WHERE q > 0) AS products,
    CAST(sum((CAST(trunc(round((CASE WHEN q > 0 THEN q * p * disc END) * CAST(4.503599627370496e+15 AS double precision)) / CAST(2251799813685248 AS double precision)) AS bigint) * CAST(2251799813685248 AS numeric) + CAST(round((CASE WHEN q > 0 THEN q * p * disc END) * CAST(4.503599627370496e+15 AS double precision)) - trunc(round((CASE WHEN q > 0 THEN q * p * disc END) * CAST(4.503599627370496e+15 AS double precision)) / CAST(2251799813685248 AS double precision)) * CAST(2251799813685248 AS double precision) AS bigint))) AS double precision) / CAST(4.503599627370496e+15 AS double precision) / nullif(CAST(sum((CAST(trunc(round((CASE WHEN q > 0 THEN q * p END) * CAST(4.503599627370496e+15 AS double precision)) / CAST(2251799813685248 AS double precision)) AS bigint) * CAST(2251799813685248 AS numeric) + CAST(round((CASE WHEN q > 0 THEN q * p END) * CAST(4.503599627370496e+15 AS double precision)) - trunc(round((CASE WHEN q > 0 THEN q * p END) * CAST(4.503599627370496e+15 AS double precision)) / CAST(2251799813685248 AS double precision)) * CAST(2251799813685248 AS double precision) AS bigint))) AS double precision) / CAST(4.503599627370496e+15 AS double precision), 0) AS discount_share,
    CAST(count(CASE WHEN disc > 0 THEN 1 END) FILTER (WHERE q > 0) AS double precision) / nullif(count(*) FILTER (WHERE q > 0), 0) AS discounted_lines,
    CAST(sum((CAST(trunc(round((CASE WHEN q > 0 THEN p / nullif(med, 0) END) * CAST(1.8446744073709552e+19 AS double precision)) / CAST(2251799813685248 AS double precision)) AS bigint) * CAST(2251799813685248 AS numeric) + CAST(round((CASE WHEN q > 0 THEN p / nullif(med, 0) END) * CAST(1.8446744073709552e+19 AS double precision)) - trunc(round((CASE WHEN q > 0 THEN p / nullif(med, 0) END) * CAST(1.8446744073709552e+19 AS double precision)) / CAST(2251799813685248 AS double precision)) * CAST(2251799813685248 AS double precision) AS bigint))) AS double precision) / CAST(1.8446744073709552e+19 AS double precision) / nullif(count(p / nullif(med, 0)) FILTER (WHERE q > 0), 0) AS price_level
  FROM tx LEFT JOIN catmed ON tx.category = catmed.category GROUP BY tx.user_id),
ev0 AS (
  SELECT user_id, timestamp AS ts, nullif(session_id, '') AS sid, event_type AS et, category, device,
         lag(timestamp) OVER (PARTITION BY user_id ORDER BY timestamp) AS prev_ts
  FROM events WHERE timestamp <= TIMESTAMP '2024-02-01 00:00:00'),
ev AS (
  SELECT *, coalesce(sid, user_id || '~' || CAST(sum(CASE WHEN prev_ts IS NULL OR CAST(floor(extract(epoch from ts)) - floor(extract(epoch from prev_ts)) AS bigint) > 1800 THEN 1 ELSE 0 END)
           OVER (PARTITION BY user_id ORDER BY ts ROWS UNBOUNDED PRECEDING) AS text)) AS sess
  FROM ev0),
eagg AS (
  SELECT user_id, count(*) AS events, count(DISTINCT CAST(ts AS DATE)) AS active_days, max(ts) AS last_ts,
    count(CASE WHEN extract(isodow from ts) >= 6 THEN 1 END) AS weekend,
    count(CASE WHEN et_code = 1 THEN 1 END) AS "n_page_view",
    count(CASE WHEN et_code = 2 THEN 1 END) AS "n_search",
    count(CASE WHEN et_code = 3 THEN 1 END) AS "n_product_view",
    count(CASE WHEN et_code = 4 THEN 1 END) AS "n_add_to_cart",
    count(CASE WHEN et_code = 5 THEN 1 END) AS "n_checkout",
    count(CASE WHEN et_code = 6 THEN 1 END) AS "n_login",
    count(CASE WHEN h >= 0 AND h < 6 THEN 1 END) AS "dp_night",
    count(CASE WHEN h >= 6 AND h < 12 THEN 1 END) AS "dp_morning",
    count(CASE WHEN h >= 12 AND h < 18 THEN 1 END) AS "dp_afternoon",
    count(CASE WHEN h >= 18 AND h < 24 THEN 1 END) AS "dp_evening",
    count(CASE WHEN dev_code = 1 THEN 1 END) AS "dev_mobile",
    count(CASE WHEN dev_code = 2 THEN 1 END) AS "dev_desktop",
    count(CASE WHEN dev_code = 3 THEN 1 END) AS "dev_tablet",
    count(nullif(category, '')) AS cat_events,
    count(CASE WHEN cat_code = 1 THEN 1 END) AS "ec_electronics",
    count(CASE WHEN cat_code = 2 THEN 1 END) AS "ec_books"
  FROM (SELECT user_id, ts, category, extract(hour from ts) AS h, array_position(ARRAY['page_view', 'search', 'product_view', 'add_to_cart', 'checkout', 'login']::text[], et) AS "et_code", array_position(ARRAY['mobile', 'desktop', 'tablet']::text[], lower(device)) AS "dev_code", array_position(ARRAY['electronics', 'books']::text[], category) AS "cat_code"
    FROM ev) AS e GROUP BY user_id),
so AS (SELECT user_id, timestamp AS ts, action, topic FROM social WHERE timestamp <= TIMESTAMP '2024-02-01 00:00:00'),
soagg AS (
  SELECT user_id, count(*) AS actions, count(DISTINCT CAST(ts AS DATE)) AS active_days, max(ts) AS last_ts,
    count(CASE WHEN action_code = 1 THEN 1 END) AS "a_post",
    count(CASE WHEN action_code = 2 THEN 1 END) AS "a_like",
    count(CASE WHEN action_code = 3 THEN 1 END) AS "a_share",
    count(CASE WHEN action_code = 4 THEN 1 END) AS "a_comment",
    count(CASE WHEN action_code = 5 THEN 1 END) AS "a_follow",
    count(CASE WHEN topic_code = 1 THEN 1 END) AS "t_travel",
    count(CASE WHEN topic_code = 2 THEN 1 END) AS "t_food"
  FROM (SELECT user_id, ts, array_position(ARRAY['post', 'like', 'share', 'comment', 'follow']::text[], action) AS "action_code", array_position(ARRAY['travel', 'food']::text[], topic) AS "topic_code" FROM so) AS s GROUP BY user_id),
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
  SELECT user_id, min("plan") AS a0, min("score") AS a1, bool_and("newsletter") AS a2, CASE WHEN min("interests") IS NOT NULL THEN ARRAY(SELECT DISTINCT trim(x) FROM unnest(string_to_array(min("interests"), ',')) AS x WHERE trim(x) <> '') END AS a3, min("tier") AS a4, min("last_login") AS a5, min("birth_date") AS a6
  FROM _persona_attrs_users WHERE user_id IS NOT NULL GROUP BY user_id),
cf0 AS (
  SELECT user_id, CAST((count(*) FILTER (WHERE event_type = 'add_to_cart')) AS double precision) AS c0
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
  SELECT user_id, order_id, min(ts) AS ts FROM tx WHERE q > 0 GROUP BY user_id, order_id),
ordgap AS (
  SELECT user_id, ts, CAST(floor(extract(epoch from ts)) - floor(extract(epoch from lag(ts) OVER (PARTITION BY user_id ORDER BY ts))) AS bigint) AS gap
  FROM ord),
oagg AS (
  SELECT user_id, count(*) AS orders, min(ts) AS first_ts, max(ts) AS last_ts,
    CAST(sum(gap) AS double precision) / nullif(count(gap), 0) / 86400.0 AS gap_mean,
    sqrt(CAST(greatest(count(gap) * sum(CAST(gap AS numeric) * gap) - sum(gap) * sum(gap), 0) AS double precision)) / nullif(count(gap), 0) / 86400.0 AS gap_std
  FROM ordgap GROUP BY user_id),
tcat AS (
  SELECT user_id, category, CAST(sum((CAST(trunc(round((q * p * (1 - disc)) * CAST(4.503599627370496e+15 AS double precision)) / CAST(2251799813685248 AS double precision)) AS bigint) * CAST(2251799813685248 AS numeric) + CAST(round((q * p * (1 - disc)) * CAST(4.503599627370496e+15 AS double precision)) - trunc(round((q * p * (1 - disc)) * CAST(4.503599627370496e+15 AS double precision)) / CAST(2251799813685248 AS double precision)) * CAST(2251799813685248 AS double precision) AS bigint))) AS double precision) / CAST(4.503599627370496e+15 AS double precision) AS spend FROM tx WHERE q > 0 GROUP BY user_id, category),
tcatp AS (
  SELECT user_id, category,
    CASE WHEN spend > 0 THEN spend / (CAST(sum((CAST(trunc(round((CASE WHEN spend > 0 THEN spend END) * CAST(4.503599627370496e+15 AS double precision)) / CAST(2251799813685248 AS double precision)) AS bigint) * CAST(2251799813685248 AS numeric) + CAST(round((CASE WHEN spend > 0 THEN spend END) * CAST(4.503599627370496e+15 AS double precision)) - trunc(round((CASE WHEN spend > 0 THEN spend END) * CAST(4.503599627370496e+15 AS double precision)) / CAST(2251799813685248 AS double precision)) * CAST(2251799813685248 AS double precision) AS bigint))) OVER (PARTITION BY user_id) AS double precision) / CAST(4.503599627370496e+15 AS double precision)) END AS share
  FROM tcat),
tcagg AS (
  SELECT user_id, count(category) AS categories, CAST(sum((CAST(trunc(round((share * share) * CAST(7.922816251426434e+28 AS double precision)) / CAST(2251799813685248 AS double precision)) AS bigint) * CAST(2251799813685248 AS numeric) + CAST(round((share * share) * CAST(7.922816251426434e+28 AS double precision)) - trunc(round((share * share) * CAST(7.922816251426434e+28 AS double precision)) / CAST(2251799813685248 AS double precision)) * CAST(2251799813685248 AS double precision) AS bigint))) AS double precision) / CAST(7.922816251426434e+28 AS double precision) AS hhi, greatest(-CAST(sum((CAST(trunc(round((share * ln(share)) * CAST(7.922816251426434e+28 AS double precision)) / CAST(2251799813685248 AS double precision)) AS bigint) * CAST(2251799813685248 AS numeric) + CAST(round((share * ln(share)) * CAST(7.922816251426434e+28 AS double precision)) - trunc(round((share * ln(share)) * CAST(7.922816251426434e+28 AS double precision)) / CAST(2251799813685248 AS double precision)) * CAST(2251799813685248 AS double precision) AS bigint))) AS double precision) / CAST(7.922816251426434e+28 AS double precision), 0) AS entropy,
    sum(share) FILTER (WHERE category = 'electronics') AS "cs_electronics",
    sum(share) FILTER (WHERE category = 'books') AS "cs_books",
    CAST(sum((CAST(trunc(round((CASE WHEN category IS NULL OR category NOT IN ('electronics', 'books') THEN share END) * CAST(7.922816251426434e+28 AS double precision)) / CAST(2251799813685248 AS double precision)) AS bigint) * CAST(2251799813685248 AS numeric) + CAST(round((CASE WHEN category IS NULL OR category NOT IN ('electronics', 'books') THEN share END) * CAST(7.922816251426434e+28 AS double precision)) - trunc(round((CASE WHEN category IS NULL OR category NOT IN ('electronics', 'books') THEN share END) * CAST(7.922816251426434e+28 AS double precision)) / CAST(2251799813685248 AS double precision)) * CAST(2251799813685248 AS double precision) AS bigint))) AS double precision) / CAST(7.922816251426434e+28 AS double precision) AS cs_other
  FROM tcatp GROUP BY user_id),
sess AS (SELECT user_id, sess, CAST(floor(extract(epoch from max(ts))) - floor(extract(epoch from min(ts))) AS bigint) AS secs, count(*) AS n FROM ev GROUP BY user_id, sess),
sagg AS (SELECT user_id, count(*) AS sessions, CAST(sum(secs) AS double precision) / count(*) / 60.0 AS session_minutes, CAST(sum(n) AS double precision) / count(*) AS per_session FROM sess GROUP BY user_id)
SELECT u.user_id,
  CAST(coalesce(CAST(CAST(floor(extract(epoch from TIMESTAMP '2024-02-01 00:00:00')) - floor(extract(epoch from oagg.last_ts)) AS bigint) AS double precision) / 86400.0, 387) AS double precision) AS "recency_days",
  CAST(coalesce(oagg.orders, 0) AS double precision) AS "frequency",
  CAST(CASE WHEN oagg.orders > 0 THEN 1 ELSE 0 END AS double precision) AS "has_purchased",
  CAST(coalesce(tagg.net_spend, 0) AS double precision) AS "monetary",
  CAST(coalesce(tagg.paid / nullif(oagg.orders, 0), 0) AS double precision) AS "avg_order_value",
  CAST(coalesce(tagg.units / nullif(oagg.orders, 0), 0) AS double precision) AS "items_per_order",
  CAST(coalesce(CAST(CAST(floor(extract(epoch from TIMESTAMP '2024-02-01 00:00:00')) - floor(extract(epoch from oagg.first_ts)) AS bigint) AS double precision) / 86400.0, 0) AS double precision) AS "purchase_tenure_days",
  CAST(coalesce(oagg.gap_mean, 0) AS double precision) AS "order_gap_mean_days",
  CAST(coalesce(oagg.gap_std, 0) AS double precision) AS "order_gap_std_days",
  CAST(coalesce(tagg.products, 0) AS double precision) AS "distinct_products",
  CAST(coalesce(tcagg.categories, 0) AS double precision) AS "distinct_categories",
  CAST(least(coalesce(tagg.returned_units / nullif(tagg.units, 0), 0), 1) AS double precision) AS "return_rate",
  CAST(coalesce(tagg.price_level, 1) AS double precision) AS "price_level",
  CAST(coalesce(tagg.discount_share, 0) AS double precision) AS "discount_share",
  CAST(coalesce(tagg.discounted_lines, 0) AS double precision) AS "discounted_line_share",
  CAST(coalesce(tcagg."cs_electronics", 0) AS double precision) AS "spend_share_electronics",
  CAST(coalesce(tcagg."cs_books", 0) AS double precision) AS "spend_share_books",
  CAST(coalesce(tcagg.cs_other, 0) AS double precision) AS "spend_share_other",
  CAST(coalesce(eagg.events, 0) AS double precision) AS "events",
  CAST(coalesce(eagg."n_page_view", 0) AS double precision) AS "count_page_view",
  CAST(coalesce(eagg."n_search", 0) AS double precision) AS "count_search",
  CAST(coalesce(eagg."n_product_view", 0) AS double precision) AS "count_product_view",
  CAST(coalesce(eagg."n_add_to_cart", 0) AS double precision) AS "count_add_to_cart",
  CAST(coalesce(eagg."n_checkout", 0) AS double precision) AS "count_checkout",
  CAST(coalesce(eagg."n_login", 0) AS double precision) AS "count_login",
  CAST(coalesce(CAST(eagg."n_page_view" AS double precision) / nullif(eagg.events, 0), 0) AS double precision) AS "share_page_view",
  CAST(coalesce(CAST(eagg."n_search" AS double precision) / nullif(eagg.events, 0), 0) AS double precision) AS "share_search",
  CAST(coalesce(CAST(eagg."n_product_view" AS double precision) / nullif(eagg.events, 0), 0) AS double precision) AS "share_product_view",
  CAST(coalesce(CAST(eagg."n_add_to_cart" AS double precision) / nullif(eagg.events, 0), 0) AS double precision) AS "share_add_to_cart",
  CAST(coalesce(CAST(eagg."n_checkout" AS double precision) / nullif(eagg.events, 0), 0) AS double precision) AS "share_checkout",
  CAST(coalesce(CAST(eagg."n_login" AS double precision) / nullif(eagg.events, 0), 0) AS double precision) AS "share_login",
  CAST(coalesce(sagg.sessions, 0) AS double precision) AS "sessions",
  CAST(coalesce(sagg.per_session, 0) AS double precision) AS "events_per_session",
  CAST(coalesce(sagg.session_minutes, 0) AS double precision) AS "session_minutes",
  CAST(coalesce(eagg.active_days, 0) AS double precision) AS "active_days",
  CAST(coalesce(CAST(CAST(floor(extract(epoch from TIMESTAMP '2024-02-01 00:00:00')) - floor(extract(epoch from eagg.last_ts)) AS bigint) AS double precision) / 86400.0, 387) AS double precision) AS "days_since_last_event",
  CAST(coalesce(CAST(eagg."dp_night" AS double precision) / nullif(eagg.events, 0), 0) AS double precision) AS "share_night",
  CAST(coalesce(CAST(eagg."dp_morning" AS double precision) / nullif(eagg.events, 0), 0) AS double precision) AS "share_morning",
  CAST(coalesce(CAST(eagg."dp_afternoon" AS double precision) / nullif(eagg.events, 0), 0) AS double precision) AS "share_afternoon",
  CAST(coalesce(CAST(eagg."dp_evening" AS double precision) / nullif(eagg.events, 0), 0) AS double precision) AS "share_evening",
  CAST(coalesce(CAST(eagg.weekend AS double precision) / nullif(eagg.events, 0), 0) AS double precision) AS "weekend_share",
  CAST(least(coalesce(CAST(eagg.n_add_to_cart AS double precision) / nullif(eagg.n_product_view, 0), 0), 1) AS double precision) AS "cart_rate",
  CAST(least(coalesce(CAST(eagg.n_checkout AS double precision) / nullif(eagg.n_add_to_cart, 0), 0), 1) AS double precision) AS "checkout_rate",
  CAST(coalesce(CAST(eagg."dev_mobile" AS double precision) / nullif(eagg.events, 0), 0) AS double precision) AS "device_share_mobile",
  CAST(coalesce(CAST(eagg."dev_desktop" AS double precision) / nullif(eagg.events, 0), 0) AS double precision) AS "device_share_desktop",
  CAST(coalesce(CAST(eagg."dev_tablet" AS double precision) / nullif(eagg.events, 0), 0) AS double precision) AS "device_share_tablet",
  CAST(coalesce(CAST(eagg."ec_electronics" AS double precision) / nullif(eagg.cat_events, 0), 0) AS double precision) AS "affinity_electronics",
  CAST(coalesce(CAST(eagg."ec_books" AS double precision) / nullif(eagg.cat_events, 0), 0) AS double precision) AS "affinity_books",
  CAST(coalesce(soagg.actions, 0) AS double precision) AS "social_actions",
  CAST(coalesce(soagg."a_post", 0) AS double precision) AS "social_posts",
  CAST(coalesce(soagg."a_like", 0) AS double precision) AS "social_likes",
  CAST(coalesce(soagg."a_share", 0) AS double precision) AS "social_shares",
  CAST(coalesce(soagg."a_comment", 0) AS double precision) AS "social_comments",
  CAST(coalesce(soagg."a_follow", 0) AS double precision) AS "social_follows",
  CAST(coalesce(soagg.active_days, 0) AS double precision) AS "social_active_days",
  CAST(coalesce(CAST(soagg."t_travel" AS double precision) / nullif(soagg.actions, 0), 0) AS double precision) AS "topic_share_travel",
  CAST(coalesce(CAST(soagg."t_food" AS double precision) / nullif(soagg.actions, 0), 0) AS double precision) AS "topic_share_food",
  CAST(coalesce(extract(year from TIMESTAMP '2024-02-01 00:00:00') - dem.birth_year, CAST(29 AS double precision)) AS double precision) AS "age",
  CAST(greatest(coalesce((CAST(TIMESTAMP '2024-02-01 00:00:00' AS DATE) - dem.signup_date), CAST(245 AS double precision)), 0) AS double precision) AS "signup_tenure_days",
  CAST(coalesce(dem."oh_gender_female", 0) AS double precision) AS "gender_female",
  CAST(coalesce(dem."oh_gender_male", 0) AS double precision) AS "gender_male",
  CAST(1 - coalesce(dem."oh_gender_female" + dem."oh_gender_male", 0) AS double precision) AS "gender_other",
  CAST(coalesce(dem."oh_country_de", 0) AS double precision) AS "country_de",
  CAST(coalesce(dem."oh_country_fr", 0) AS double precision) AS "country_fr",
  CAST(1 - coalesce(dem."oh_country_de" + dem."oh_country_fr", 0) AS double precision) AS "country_other",
  CAST(coalesce(dem."oh_acquisition_channel_email", 0) AS double precision) AS "acquisition_channel_email",
  CAST(coalesce(dem."oh_acquisition_channel_organic", 0) AS double precision) AS "acquisition_channel_organic",
  CAST(coalesce(dem."oh_acquisition_channel_paid", 0) AS double precision) AS "acquisition_channel_paid",
  CAST(1 - coalesce(dem."oh_acquisition_channel_email" + dem."oh_acquisition_channel_organic" + dem."oh_acquisition_channel_paid", 0) AS double precision) AS "acquisition_channel_other",
  CAST(coalesce(dem."oh_device_mobile", 0) AS double precision) AS "device_mobile",
  CAST(coalesce(dem."oh_device_desktop", 0) AS double precision) AS "device_desktop",
  CAST(1 - coalesce(dem."oh_device_mobile" + dem."oh_device_desktop", 0) AS double precision) AS "device_other",
  CAST(CASE WHEN pu0.a0 = 'basic' THEN 1 ELSE 0 END AS double precision) AS "plan_basic",
  CAST(CASE WHEN pu0.a0 = 'premium' THEN 1 ELSE 0 END AS double precision) AS "plan_premium",
  CAST(CASE WHEN pu0.a0 IS NULL THEN 1 ELSE 0 END AS double precision) AS "plan_missing",
  CAST(coalesce(pu0.a1, CAST(5.25 AS double precision)) AS double precision) AS "score",
  CAST(CASE WHEN pu0.a1 IS NULL THEN 1 ELSE 0 END AS double precision) AS "score_missing",
  CAST(coalesce(CAST(CAST(pu0.a2 AS integer) AS double precision), CAST(0.5 AS double precision)) AS double precision) AS "newsletter",
  CAST(CASE WHEN pu0.a2 IS NULL THEN 1 ELSE 0 END AS double precision) AS "newsletter_missing",
  CAST(CASE WHEN 'travel' = ANY(pu0.a3) THEN 1 ELSE 0 END AS double precision) AS "interests_travel",
  CAST(CASE WHEN 'cooking' = ANY(pu0.a3) THEN 1 ELSE 0 END AS double precision) AS "interests_cooking",
  CAST(CASE WHEN pu0.a3 IS NULL THEN 1 ELSE 0 END AS double precision) AS "interests_missing",
  CAST(coalesce(CASE pu0.a4 WHEN 'bronze' THEN CAST(1 AS double precision) WHEN 'silver' THEN CAST(2 AS double precision) WHEN 'gold' THEN CAST(3 AS double precision) END, CAST(2 AS double precision)) AS double precision) AS "tier",
  CAST(CASE WHEN pu0.a4 IS NULL THEN 1 ELSE 0 END AS double precision) AS "tier_missing",
  CAST(coalesce(CAST(CAST(floor(extract(epoch from TIMESTAMP '2024-02-01 00:00:00')) - floor(extract(epoch from pu0.a5)) AS bigint) AS double precision) / 86400.0, CAST(7 AS double precision)) AS double precision) AS "last_login_days",
  CAST(CASE WHEN pu0.a5 IS NULL THEN 1 ELSE 0 END AS double precision) AS "last_login_missing",
  CAST(coalesce(CAST(CAST(floor(extract(epoch from TIMESTAMP '2024-02-01 00:00:00')) - floor(extract(epoch from pu0.a6)) AS bigint) AS double precision) / 31557600.0, CAST(31.503080082135522 AS double precision)) AS double precision) AS "birth_date",
  CAST(CASE WHEN pu0.a6 IS NULL THEN 1 ELSE 0 END AS double precision) AS "birth_date_missing",
  CAST(coalesce(CASE WHEN (cf0.c0 > CAST('-Infinity' AS double precision) AND cf0.c0 < CAST('Infinity' AS double precision)) THEN cf0.c0 END, CAST(0 AS double precision)) AS double precision) AS "carts",
  CAST((coalesce(tagg.discounted_lines, 0) + 1 - least(coalesce(tagg.price_level, 1), 2) / 2) / 2 AS double precision) AS "price_sensitivity",
  CAST(coalesce(tcagg.hhi, 0) AS double precision) AS "loyalty_hhi",
  CAST(coalesce(tcagg.entropy, 0) AS double precision) AS "variety_entropy",
  CAST(least(coalesce(CAST(CAST(floor(extract(epoch from TIMESTAMP '2024-02-01 00:00:00')) - floor(extract(epoch from eagg.last_ts)) AS bigint) AS double precision) / 86400.0, 387), coalesce(CAST(CAST(floor(extract(epoch from TIMESTAMP '2024-02-01 00:00:00')) - floor(extract(epoch from oagg.last_ts)) AS bigint) AS double precision) / 86400.0, 387), coalesce(CAST(CAST(floor(extract(epoch from TIMESTAMP '2024-02-01 00:00:00')) - floor(extract(epoch from soagg.last_ts)) AS bigint) AS double precision) / 86400.0, 387)) AS double precision) AS "days_since_last_activity"
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
