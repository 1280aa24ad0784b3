-- gold_quotes: closed days of silver compacted into Parquet, typed like the quotes view.
--
-- One row per (symbol, trade_time), de-duplicated by quotes_silver's rule, sorted by
-- symbol and trade_time, ZSTD. Written by compaction (`quotepipe compact` locally; the
-- daily compaction on AWS), one day at a time; the file names are not part of the
-- contract. Objects whose names start with `_` or `.` (the compaction manifest, files
-- being written) are ignored by Athena. Partition projection on dt, as for silver: a
-- query that restricts dt reads only those days. The quotes view reads this table for
-- the days before the compaction watermark (sql/README.md, "Gold").
-- ${GOLD_BUCKET} is filled by `quotepipe athena apply`.
CREATE EXTERNAL TABLE IF NOT EXISTS gold_quotes (
    symbol STRING,
    name STRING,
    exchange STRING,
    currency STRING,
    price DOUBLE,
    price_usd DOUBLE,
    price_cad DOUBLE,
    fx_usd_cad DOUBLE,
    change_pct DOUBLE,
    volume BIGINT,
    market_state STRING,
    trade_time TIMESTAMP,
    fetched_at TIMESTAMP,
    source_key STRING,
    source STRING
)
COMMENT 'quotepipe gold quotes: typed, de-duplicated Parquet, one partition per closed UTC day'
PARTITIONED BY (dt STRING)
STORED AS PARQUET
LOCATION 's3://${GOLD_BUCKET}/quotes/'
TBLPROPERTIES (
    'parquet.compression' = 'ZSTD',
    'projection.enabled' = 'true',
    'projection.dt.type' = 'date',
    'projection.dt.format' = 'yyyy-MM-dd',
    'projection.dt.range' = '2024-01-01,NOW',
    'projection.dt.interval' = '1',
    'projection.dt.interval.unit' = 'DAYS',
    'storage.location.template' = 's3://${GOLD_BUCKET}/quotes/dt=${dt}/'
)
