"""The stream contract: bronze line codec, packing lines into records, PutRecordBatch sender."""

from firehose.codec import BRONZE_FIELDS, BRONZE_VERSION, BronzeQuote, decode_line, encode_line
from firehose.errors import DeliveryError, FirehoseError, LineTooLargeError
from firehose.packing import batch_records, billed_bytes, fits_record, pack_lines
from firehose.sender import Backoff, S3DeadLetter, SendReport, send_lines

__all__ = [
    "BRONZE_FIELDS",
    "BRONZE_VERSION",
    "Backoff",
    "BronzeQuote",
    "DeliveryError",
    "FirehoseError",
    "LineTooLargeError",
    "S3DeadLetter",
    "SendReport",
    "batch_records",
    "billed_bytes",
    "decode_line",
    "encode_line",
    "fits_record",
    "pack_lines",
    "send_lines",
]
