"""The stream contract: bronze line codec, packing lines into records, PutRecordBatch sender."""

from firehose.codec import BRONZE_FIELDS, BRONZE_VERSION, BronzeQuote, decode_line, encode_line
from firehose.errors import DeliveryError, FirehoseError, LineTooLargeError
from firehose.packing import batch_records, billed_bytes, fits_record, pack_lines
from firehose.resend import ObjectOutcome, ResendReport, resend_dead_letters
from firehose.sender import Backoff, DeadLetterSink, S3DeadLetter, SendReport, send_lines

__all__ = [
    "BRONZE_FIELDS",
    "BRONZE_VERSION",
    "Backoff",
    "BronzeQuote",
    "DeadLetterSink",
    "DeliveryError",
    "FirehoseError",
    "LineTooLargeError",
    "ObjectOutcome",
    "ResendReport",
    "S3DeadLetter",
    "SendReport",
    "batch_records",
    "billed_bytes",
    "decode_line",
    "encode_line",
    "fits_record",
    "pack_lines",
    "resend_dead_letters",
    "send_lines",
]
