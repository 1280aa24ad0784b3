-- Coverage: the symbols that missed the largest share of their session minutes over a
-- range of UTC days (the dashboard passes the last 7), worst first. missed_days counts
-- session days without a single covered minute; a range holding only today's session
-- before its open has no expected minute yet and sorts last.
-- params: 1. first dt   2. last dt, e.g. '2026-11-20', '2026-11-26'
SELECT
    symbol,
    exchange,
    count(*) AS session_days,
    count_if(expected_minutes > 0 AND covered_minutes = 0) AS missed_days,
    sum(expected_minutes) AS expected_minutes,
    sum(covered_minutes) AS covered_minutes,
    CAST(sum(covered_minutes) AS DOUBLE) / NULLIF(sum(expected_minutes), 0) AS coverage
FROM coverage
WHERE dt BETWEEN ? AND ?
GROUP BY symbol, exchange
ORDER BY coverage ASC NULLS LAST, symbol
LIMIT 20
