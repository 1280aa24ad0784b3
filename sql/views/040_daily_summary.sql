-- daily_summary: per symbol and UTC day (dt), open/high/low/close in USD.
-- Only quotes with a USD price count (samples says how many); open and close are the
-- prices at the day's first and last trade_time.
CREATE OR REPLACE VIEW daily_summary AS
SELECT
    symbol,
    dt,
    min_by(price_usd, trade_time) AS open,
    max(price_usd) AS high,
    min(price_usd) AS low,
    max_by(price_usd, trade_time) AS close,
    count(*) AS samples
FROM quotes
WHERE price_usd IS NOT NULL
GROUP BY symbol, dt
