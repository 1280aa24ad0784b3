-- silver_stats: one row per bronze object the processor read, with its counts.
--
-- The processor writes stats/dt=<arrival date>/<name>.csv beside each object's silver
-- and rejected objects (same <name>), after them: header and one row. dt is the bronze
-- object's arrival date (its key's dt=, as silver_rejected), so pipeline_health reads a
-- few hundred bytes per object for the days it shows instead of all of silver. Counts
-- are the ObjectReport's: rows_written counts every silver row the object wrote (copies
-- of other objects' rows included), rows_rejected every rejected line (also those past
-- the limit, rejected_not_written, which silver_rejected does not hold).
-- ${SILVER_BUCKET} is filled by `quotepipe athena apply`.
CREATE EXTERNAL TABLE IF NOT EXISTS silver_stats (
    source_key STRING,
    lines_in STRING,
    rows_written STRING,
    rows_rejected STRING,
    rejected_not_written STRING,
    duplicates STRING,
    blank_lines STRING
)
COMMENT 'quotepipe per-bronze-object processing counts, for pipeline_health'
PARTITIONED BY (dt STRING)
ROW FORMAT SERDE 'org.apache.hadoop.hive.serde2.OpenCSVSerde'
WITH SERDEPROPERTIES (
    'separatorChar' = ',',
    'quoteChar' = '"',
    'escapeChar' = '\\'
)
STORED AS TEXTFILE
LOCATION 's3://${SILVER_BUCKET}/stats/'
TBLPROPERTIES (
    'skip.header.line.count' = '1',
    'projection.enabled' = 'true',
    'projection.dt.type' = 'date',
    'projection.dt.format' = 'yyyy-MM-dd',
    'projection.dt.range' = '2024-01-01,NOW',
    'projection.dt.interval' = '1',
    'projection.dt.interval.unit' = 'DAYS',
    'storage.location.template' = 's3://${SILVER_BUCKET}/stats/dt=${dt}/'
)
