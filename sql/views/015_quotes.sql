-- quotes: typed, one row per (symbol, trade_time), over gold and silver.
--
-- Days before the compaction watermark ${GOLD_WATERMARK} (a 'YYYY-MM-DD' literal) come
-- from gold_quotes, the days from it on from quotes_silver; compaction writes a day
-- into gold before it moves the watermark past that day, so every day is read from
-- exactly one of them and the answers are those of quotes_silver alone. The watermark
-- is a literal, not a lookup, so Athena's partition projection prunes both tables at
-- planning time: dt < literal and dt >= literal combine with a query's own dt filter
-- (sql/README.md, "Gold"). `quotepipe athena apply` and the compaction fill it; the
-- local engine computes it from the lake's gold manifests each time it opens.
CREATE OR REPLACE VIEW quotes AS
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
FROM gold_quotes
WHERE dt < '${GOLD_WATERMARK}'
UNION ALL
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
FROM quotes_silver
WHERE dt >= '${GOLD_WATERMARK}'
