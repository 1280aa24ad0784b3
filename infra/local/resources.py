"""The AWS resources of one quotepipe deployment, as the embedded stack creates them."""

from __future__ import annotations

from dataclasses import dataclass

BRONZE_PREFIX = "quotes/"
FIREHOSE_PREFIX = "quotes/dt=!{timestamp:yyyy-MM-dd}/"
FIREHOSE_ERROR_PREFIX = "errors/firehose/!{firehose:error-output-type}/dt=!{timestamp:yyyy-MM-dd}/"


@dataclass(frozen=True, kw_only=True)
class StackNames:
    """Names of the stack's resources; the defaults are what `quotepipe run` uses."""

    region: str = "us-east-1"
    bronze_bucket: str = "quotepipe-bronze"
    silver_bucket: str = "quotepipe-silver"
    delivery_stream: str = "quotepipe-bronze"
    bronze_queue: str = "quotepipe-bronze-events"
    account_id: str = "123456789012"

    def bucket_arn(self, bucket: str) -> str:
        """ARN of one of the stack's buckets."""
        return f"arn:aws:s3:::{bucket}"

    @property
    def queue_arn(self) -> str:
        """ARN of the queue that receives bronze notifications."""
        return f"arn:aws:sqs:{self.region}:{self.account_id}:{self.bronze_queue}"
