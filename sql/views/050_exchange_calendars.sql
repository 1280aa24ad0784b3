-- exchange_calendars: which calendar of `sessions` each Yahoo exchange code follows.
--
-- The same mapping as producer/sessions.py CALENDARS (a test keeps them equal). An
-- exchange code missing here is always in session, as for the producer.
CREATE OR REPLACE VIEW exchange_calendars AS
SELECT exchange, calendar
FROM (
    VALUES
        ('NMS', 'XNYS'),
        ('NGM', 'XNYS'),
        ('NCM', 'XNYS'),
        ('NYQ', 'XNYS'),
        ('ASE', 'XNYS'),
        ('PCX', 'XNYS'),
        ('BTS', 'XNYS'),
        ('TOR', 'XTSE'),
        ('LSE', 'XLON')
) AS mapping (exchange, calendar)
