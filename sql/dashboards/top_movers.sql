-- Top movers of one UTC day, by the change_pct (vs previous close) of each symbol's
-- last quote that day; day_change_pct is the move between the day's first and last
-- USD prices seen by the pipeline.
-- params: 1. dt, e.g. '2026-11-26'
WITH per_symbol AS (
    SELECT
        symbol,
        max_by(change_pct, trade_time) AS change_pct,
        min_by(price_usd, IF(price_usd IS NOT NULL, trade_time)) AS first_usd,
        max_by(price_usd, IF(price_usd IS NOT NULL, trade_time)) AS last_usd,
        count(*) AS samples
    FROM quotes
    WHERE dt = ?
    GROUP BY symbol
)
SELECT
    symbol,
    change_pct,
    first_usd,
    last_usd,
    100 * (last_usd - first_usd) / first_usd AS day_change_pct,
    samples
FROM per_symbol
ORDER BY abs(change_pct) DESC NULLS LAST, symbol
LIMIT 10
