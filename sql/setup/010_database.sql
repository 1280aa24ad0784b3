-- The Glue database that holds every quotepipe table and view.
CREATE DATABASE IF NOT EXISTS quotepipe
COMMENT 'quotepipe: real-time stock quotes (silver CSV) and the views over them'
