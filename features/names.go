package features

// Names of the catalogue's features that other packages read by name
// (profile's standings and labels, the report's glossary and RFM charts,
// the dashboard, the pipeline's warnings and rfm.csv). The catalogue in
// sql.go builds its columns from these constants, and TestNames checks
// that each one is a column of the catalogue (a prefix: the start of
// one), so a renamed feature cannot leave a reader behind.
const (
	// Transactions.
	RecencyDays         = "recency_days"
	Frequency           = "frequency"
	Monetary            = "monetary"
	AvgOrderValue       = "avg_order_value"
	ItemsPerOrder       = "items_per_order"
	PurchaseTenureDays  = "purchase_tenure_days"
	OrderGapMeanDays    = "order_gap_mean_days"
	OrderGapStdDays     = "order_gap_std_days"
	DistinctProducts    = "distinct_products"
	DistinctCategories  = "distinct_categories"
	ReturnRate          = "return_rate"
	PriceLevel          = "price_level"
	DiscountShare       = "discount_share"
	DiscountedLineShare = "discounted_line_share"
	// SpendSharePrefix starts the share of spend on one of the top
	// categories (spend_share_<category>, spend_share_other).
	SpendSharePrefix = "spend_share_"

	// Events.
	Events             = "events"
	Sessions           = "sessions"
	EventsPerSession   = "events_per_session"
	SessionMinutes     = "session_minutes"
	ActiveDays         = "active_days"
	DaysSinceLastEvent = "days_since_last_event"
	// The shares of events by time of day (see dayParts).
	ShareNight     = "share_night"
	ShareMorning   = "share_morning"
	ShareAfternoon = "share_afternoon"
	ShareEvening   = "share_evening"
	WeekendShare   = "weekend_share"
	CartRate       = "cart_rate"
	CheckoutRate   = "checkout_rate"
	// CountPrefix starts the count of one event type (count_page_view),
	// SharePrefix its share of the events (share_page_view).
	CountPrefix = "count_"
	SharePrefix = "share_"
	// DeviceSharePrefix starts the share of events from one device type.
	DeviceSharePrefix = "device_share_"
	// AffinityPrefix starts the share of events about one of the top
	// categories.
	AffinityPrefix = "affinity_"

	// Social.
	SocialActions = "social_actions"
	// The counts of the social actions posts, shares and comments.
	SocialPosts      = "social_posts"
	SocialShares     = "social_shares"
	SocialComments   = "social_comments"
	SocialActiveDays = "social_active_days"
	// TopicSharePrefix starts the share of social actions about one of
	// the top topics.
	TopicSharePrefix = "topic_share_"

	// Demographics.
	Age              = "age"
	SignupTenureDays = "signup_tenure_days"

	// Psychographic.
	PriceSensitivity      = "price_sensitivity"
	LoyaltyHHI            = "loyalty_hhi"
	VarietyEntropy        = "variety_entropy"
	DaysSinceLastActivity = "days_since_last_activity"
)
