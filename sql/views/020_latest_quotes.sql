-- latest_quotes: each symbol's newest quote (greatest trade_time), one row per symbol.
-- It reads every partition; dashboards that need only recent days filter quotes on dt.
CREATE OR REPLACE VIEW latest_quotes AS
WITH ranked AS (
    SELECT
        quotes.*,
        row_number() OVER (
            PARTITION BY symbol
            ORDER BY trade_time DESC, fetched_at DESC NULLS LAST, source_key DESC NULLS LAST
        ) AS recency
    FROM quotes
)
SELECT
    symbol,
    name,
    exchange,
    currency,
    price,
    price_usd,
    price_cad,
    fx_usd_cad,
    change_pct,
    volume,
    market_state,
    trade_time,
    fetched_at,
    source_key,
    source,
    dt
FROM ranked
WHERE recency = 1
