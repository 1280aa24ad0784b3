-- Pipeline health: silver rows, rejected rows and bronze objects per hour of bronze
-- arrival (read from the bronze key's Firehose timestamp, kept in source_key).
-- Silver rows count every copy written, duplicates included; arrival_hour is NULL
-- for keys that carry no Firehose timestamp.
-- params: 1. first dt   2. last dt, e.g. '2026-11-25', '2026-11-26'
WITH written AS (
    SELECT dt, source_key, 1 AS silver_rows, 0 AS rejected_rows
    FROM silver_quotes
    UNION ALL
    SELECT dt, source_key, 0 AS silver_rows, 1 AS rejected_rows
    FROM silver_rejected
),
stamped AS (
    SELECT
        TRY(date_parse(
            regexp_extract(source_key, '(\d{4}-\d{2}-\d{2}-\d{2})-\d{2}-\d{2}-[^/]*$', 1),
            '%Y-%m-%d-%H'
        )) AS arrival_hour,
        source_key,
        silver_rows,
        rejected_rows
    FROM written
    WHERE dt BETWEEN ? AND ?
)
SELECT
    arrival_hour,
    sum(silver_rows) AS silver_rows,
    sum(rejected_rows) AS rejected_rows,
    count(DISTINCT source_key) AS bronze_objects
FROM stamped
GROUP BY arrival_hour
ORDER BY arrival_hour NULLS LAST
