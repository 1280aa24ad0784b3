-- ohlc_5m: per symbol and 5-minute bucket of trade_time, open/high/low/close in USD.
-- Only quotes with a USD price count (samples says how many); open and close are the
-- prices at the bucket's first and last trade_time. dt is kept so a dt filter prunes.
CREATE OR REPLACE VIEW ohlc_5m AS
SELECT
    symbol,
    date_add('minute', -(minute(trade_time) % 5), date_trunc('minute', trade_time))
        AS bucket_start,
    min_by(price_usd, trade_time) AS open,
    max(price_usd) AS high,
    min(price_usd) AS low,
    max_by(price_usd, trade_time) AS close,
    count(*) AS samples,
    dt
FROM quotes
WHERE price_usd IS NOT NULL
GROUP BY
    symbol,
    date_add('minute', -(minute(trade_time) % 5), date_trunc('minute', trade_time)),
    dt
