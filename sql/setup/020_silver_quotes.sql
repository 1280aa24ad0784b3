-- silver_quotes: the processor's silver CSV, every column a string, as written.
--
-- OpenCSVSerde reads the contract's CSV (every field quoted, `\"` and `\\` escapes);
-- the header row of every object is skipped. Objects written before backfill have no
-- 15th column: source reads NULL there, which means 'quote'. Partition projection on dt (one
-- partition per UTC day of trade_time) means no crawler, MSCK REPAIR or
-- ADD PARTITION is ever needed: a query that restricts dt reads only those days.
-- ${SILVER_BUCKET} is a deploy-time placeholder that `quotepipe athena apply`
-- replaces; ${dt} is Athena's own projection template and stays as written.
CREATE EXTERNAL TABLE IF NOT EXISTS silver_quotes (
    symbol STRING,
    name STRING,
    exchange STRING,
    currency STRING,
    price STRING,
    price_usd STRING,
    price_cad STRING,
    fx_usd_cad STRING,
    change_pct STRING,
    volume STRING,
    market_state STRING,
    trade_time STRING,
    fetched_at STRING,
    source_key STRING,
    source STRING
)
COMMENT 'quotepipe silver quotes: OpenCSVSerde CSV, one object per bronze object'
PARTITIONED BY (dt STRING)
ROW FORMAT SERDE 'org.apache.hadoop.hive.serde2.OpenCSVSerde'
WITH SERDEPROPERTIES (
    'separatorChar' = ',',
    'quoteChar' = '"',
    'escapeChar' = '\\'
)
STORED AS TEXTFILE
LOCATION 's3://${SILVER_BUCKET}/quotes/'
TBLPROPERTIES (
    'skip.header.line.count' = '1',
    'projection.enabled' = 'true',
    'projection.dt.type' = 'date',
    'projection.dt.format' = 'yyyy-MM-dd',
    'projection.dt.range' = '2024-01-01,NOW',
    'projection.dt.interval' = '1',
    'projection.dt.interval.unit' = 'DAYS',
    'storage.location.template' = 's3://${SILVER_BUCKET}/quotes/dt=${dt}/'
)
