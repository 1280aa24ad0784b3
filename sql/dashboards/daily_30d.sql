-- Daily summary (USD open/high/low/close) per symbol for a range of UTC days,
-- normally the last 30.
-- params: 1. first dt, e.g. '2026-10-28'   2. last dt, e.g. '2026-11-26'
SELECT
    symbol,
    dt,
    open,
    high,
    low,
    close,
    samples
FROM daily_summary
WHERE dt BETWEEN ? AND ?
ORDER BY symbol, dt
