-- coverage: per symbol and UTC day (dt) of its exchange's regular session, how many of
-- the session's minutes have at least one quote, by trade_time.
--
-- Days: each session day of the listing's calendar (exchange_calendars → sessions)
-- from the symbol's first dt up to today (UTC). An exchange the table does not know is
-- always in session, as for the producer: every calendar day, 00:00 to 24:00 UTC, 1440
-- minutes. A listing's exchange is the one of its newest quote.
-- Today's session ends, for this view, at the start of the current UTC minute: minutes
-- still to come are not expected, and coverage is NULL until the session opens. Yahoo's
-- exchangeDataDelayedBy is not in silver, so the data delay is taken as 0: today, a
-- listing Yahoo delays by N minutes shows its last N minutes uncovered until they arrive.
-- covered_minutes counts the distinct minutes in [open, end) holding a row; rows outside
-- the session never count, and a day without any row shows 0.
-- A dt filter on this view reaches the minute counting (joined on dt), so Athena prunes
-- those partitions; finding each symbol's first dt and exchange reads every partition.
CREATE OR REPLACE VIEW coverage AS
WITH listings AS (
    SELECT
        symbol,
        max_by(exchange, trade_time) AS exchange,
        min(dt) AS first_dt
    FROM quotes
    GROUP BY symbol
),
listed AS (
    SELECT
        listings.symbol,
        listings.exchange,
        listings.first_dt,
        exchange_calendars.calendar,
        clock.now_minute,
        CAST(CAST(clock.now_minute AS DATE) AS VARCHAR) AS today
    FROM listings
    LEFT JOIN exchange_calendars ON exchange_calendars.exchange = listings.exchange
    CROSS JOIN (
        SELECT date_trunc(
            'minute', CAST(current_timestamp AT TIME ZONE 'UTC' AS TIMESTAMP)
        ) AS now_minute
    ) AS clock
),
session_days AS (
    SELECT
        listed.symbol,
        listed.exchange,
        sessions.dt,
        date_parse(sessions.dt || ' ' || sessions.open_utc, '%Y-%m-%d %H:%i') AS open_at,
        date_parse(sessions.dt || ' ' || sessions.close_utc, '%Y-%m-%d %H:%i') AS close_at,
        listed.now_minute
    FROM listed
    INNER JOIN sessions ON sessions.calendar = listed.calendar
    WHERE sessions.dt BETWEEN listed.first_dt AND listed.today
    UNION ALL
    SELECT
        listed.symbol,
        listed.exchange,
        CAST(calendar_days.day_start AS VARCHAR) AS dt,
        CAST(calendar_days.day_start AS TIMESTAMP) AS open_at,
        CAST(calendar_days.day_start AS TIMESTAMP) + INTERVAL '1' DAY AS close_at,
        listed.now_minute
    FROM listed
    CROSS JOIN UNNEST(
        sequence(CAST(listed.first_dt AS DATE), CAST(listed.today AS DATE), INTERVAL '1' DAY)
    ) AS calendar_days (day_start)
    WHERE listed.calendar IS NULL
),
windows AS (
    SELECT
        symbol,
        exchange,
        dt,
        open_at,
        least(close_at, greatest(open_at, now_minute)) AS end_at
    FROM session_days
),
minutes AS (
    SELECT DISTINCT symbol, dt, date_trunc('minute', trade_time) AS trade_minute
    FROM quotes
),
counted AS (
    SELECT
        windows.symbol,
        windows.dt,
        windows.exchange,
        date_diff('minute', windows.open_at, windows.end_at) AS expected_minutes,
        count(minutes.trade_minute) AS covered_minutes
    FROM windows
    LEFT JOIN minutes
        ON minutes.symbol = windows.symbol
        AND minutes.dt = windows.dt
        AND minutes.trade_minute >= windows.open_at
        AND minutes.trade_minute < windows.end_at
    GROUP BY windows.symbol, windows.dt, windows.exchange, windows.open_at, windows.end_at
)
SELECT
    symbol,
    dt,
    exchange,
    expected_minutes,
    covered_minutes,
    CAST(covered_minutes AS DOUBLE) / NULLIF(expected_minutes, 0) AS coverage
FROM counted
