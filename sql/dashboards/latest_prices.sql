-- Latest prices board: each symbol's newest quote among the days from a first dt on.
-- params: 1. first dt to read, e.g. '2026-11-25' (start a day back so symbols whose
--            market has not traded yet today still show).
WITH ranked AS (
    SELECT
        quotes.*,
        row_number() OVER (
            PARTITION BY symbol
            ORDER BY trade_time DESC, fetched_at DESC NULLS LAST, source_key DESC NULLS LAST
        ) AS recency
    FROM quotes
    WHERE dt >= ?
)
SELECT
    symbol,
    name,
    exchange,
    currency,
    price,
    price_usd,
    price_cad,
    change_pct,
    volume,
    market_state,
    trade_time,
    fetched_at
FROM ranked
WHERE recency = 1
ORDER BY symbol
