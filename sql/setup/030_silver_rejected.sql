-- silver_rejected: the processor's quarantined bronze lines, one per row, with the reason.
--
-- Same CSV dialect and projection as silver_quotes; dt is the bronze object's arrival
-- date. raw_line holds at most the first 1 KiB of the line and raw_length its whole
-- length in bytes; raw_length came last, so objects written before it read it as NULL.
-- ${SILVER_BUCKET} is filled by `quotepipe athena apply`.
CREATE EXTERNAL TABLE IF NOT EXISTS silver_rejected (
    reason STRING,
    detail STRING,
    raw_line STRING,
    source_key STRING,
    line_number STRING,
    raw_length STRING
)
COMMENT 'quotepipe rejected bronze lines: reason, detail, the raw line and where it came from'
PARTITIONED BY (dt STRING)
ROW FORMAT SERDE 'org.apache.hadoop.hive.serde2.OpenCSVSerde'
WITH SERDEPROPERTIES (
    'separatorChar' = ',',
    'quoteChar' = '"',
    'escapeChar' = '\\'
)
STORED AS TEXTFILE
LOCATION 's3://${SILVER_BUCKET}/rejected/'
TBLPROPERTIES (
    'skip.header.line.count' = '1',
    'projection.enabled' = 'true',
    'projection.dt.type' = 'date',
    'projection.dt.format' = 'yyyy-MM-dd',
    'projection.dt.range' = '2024-01-01,NOW',
    'projection.dt.interval' = '1',
    'projection.dt.interval.unit' = 'DAYS',
    'storage.location.template' = 's3://${SILVER_BUCKET}/rejected/dt=${dt}/'
)
