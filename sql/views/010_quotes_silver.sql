-- quotes_silver: silver typed, one row per (symbol, trade_time): the one rule of
-- de-duplication. The quotes view reads it for the days not yet compacted, and
-- compaction writes exactly its rows of a closed day into gold_quotes.
--
-- Firehose and S3 events are at-least-once, so the same quote can sit in several
-- silver objects: keep a live quote over a row rebuilt from a one-minute bar (source
-- 'bar_1m', quotepipe backfill), then the copy fetched last (ties: the greatest
-- source_key). Objects written before backfill have no source column: NULL is 'quote'.
-- Numbers use TRY_CAST because OpenCSVSerde gives '' for a missing value and a
-- plain CAST of '' fails. Times are the contract's ISO-8601 UTC strings
-- ('2026-11-26T14:30:05Z') read into TIMESTAMP values that are UTC.
-- dt is a function of trade_time, so putting it in the window partition changes
-- nothing but lets Athena push a dt filter below the window and prune partitions.
-- Rows without a symbol or a readable trade_time (blank or broken lines) are left out.
CREATE OR REPLACE VIEW quotes_silver AS
WITH typed AS (
    SELECT
        symbol,
        name,
        exchange,
        currency,
        TRY_CAST(price AS DOUBLE) AS price,
        TRY_CAST(price_usd AS DOUBLE) AS price_usd,
        TRY_CAST(price_cad AS DOUBLE) AS price_cad,
        TRY_CAST(fx_usd_cad AS DOUBLE) AS fx_usd_cad,
        TRY_CAST(change_pct AS DOUBLE) AS change_pct,
        TRY_CAST(volume AS BIGINT) AS volume,
        market_state,
        TRY(date_parse(trade_time, '%Y-%m-%dT%H:%i:%sZ')) AS trade_time,
        TRY(date_parse(fetched_at, '%Y-%m-%dT%H:%i:%sZ')) AS fetched_at,
        source_key,
        COALESCE(source, 'quote') AS source,
        dt
    FROM silver_quotes
),
ranked AS (
    SELECT
        typed.*,
        row_number() OVER (
            PARTITION BY dt, symbol, trade_time
            ORDER BY
                CASE WHEN source = 'quote' THEN 0 ELSE 1 END,
                fetched_at DESC NULLS LAST,
                source_key DESC NULLS LAST
        ) AS copy_rank
    FROM typed
    WHERE symbol IS NOT NULL AND symbol <> '' AND trade_time IS NOT NULL
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
WHERE copy_rank = 1
