-- Data freshness per symbol: how old its newest quote (trade_time) and its newest
-- fetch (fetched_at) are at a given moment.
-- params: 1. as-of time, e.g. TIMESTAMP '2026-11-26 15:00:00' (UTC)
--         2. first dt to read, e.g. '2026-11-25'
WITH moment AS (
    SELECT CAST(? AS TIMESTAMP) AS as_of
)
SELECT
    quotes.symbol,
    max(quotes.trade_time) AS newest_trade_time,
    max(quotes.fetched_at) AS newest_fetched_at,
    date_diff('second', max(quotes.trade_time), moment.as_of) AS quote_age_seconds,
    date_diff('second', max(quotes.fetched_at), moment.as_of) AS fetch_age_seconds
FROM quotes
CROSS JOIN moment
WHERE quotes.dt >= ?
GROUP BY quotes.symbol, moment.as_of
ORDER BY quote_age_seconds DESC, quotes.symbol
