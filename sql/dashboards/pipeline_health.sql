-- Pipeline health: silver rows, rejected lines and bronze objects per hour of bronze
-- arrival (read from the bronze key's Firehose timestamp, kept in source_key), from
-- silver_stats: one small row per bronze object, in the partition of its arrival date,
-- so the panel reads a few KB per day instead of all of silver (or gold, which no longer
-- holds the copies). Silver rows count every row an object wrote, copies of other
-- objects' rows included; rejected rows count every rejected line, those past the
-- processor's limit too. An object is counted once, whatever it wrote; arrival_hour is
-- NULL for keys that carry no Firehose timestamp.
-- params: 1. first dt   2. last dt (arrival dates), e.g. '2026-11-25', '2026-11-26'
WITH stamped AS (
    SELECT
        TRY(date_parse(
            regexp_extract(source_key, '(\d{4}-\d{2}-\d{2}-\d{2})-\d{2}-\d{2}-[^/]*$', 1),
            '%Y-%m-%d-%H'
        )) AS arrival_hour,
        CAST(rows_written AS BIGINT) AS silver_rows,
        CAST(rows_rejected AS BIGINT) AS rejected_rows
    FROM silver_stats
    WHERE dt BETWEEN ? AND ?
)
SELECT
    arrival_hour,
    sum(silver_rows) AS silver_rows,
    sum(rejected_rows) AS rejected_rows,
    count(*) AS bronze_objects
FROM stamped
GROUP BY arrival_hour
ORDER BY arrival_hour NULLS LAST
