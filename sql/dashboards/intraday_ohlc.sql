-- Intraday 5-minute OHLC (USD) of one symbol on one UTC day.
-- params: 1. symbol, e.g. 'AAPL'   2. dt, e.g. '2026-11-26'
SELECT
    bucket_start,
    open,
    high,
    low,
    close,
    samples
FROM ohlc_5m
WHERE symbol = ? AND dt = ?
ORDER BY bucket_start
