"""AWS emulation: moto in server mode with the template's resources, and the bronze trigger."""

from infra.local.stack.context import LocalContext
from infra.local.stack.firehose_keys import delivered_key, render_prefix
from infra.local.stack.lake import bucket_keys, download_bucket, upload_folder
from infra.local.stack.moto_server import LocalStack, environment
from infra.local.stack.resources import LOCAL_QUEUE, StackDefinition, StackNames
from infra.local.stack.trigger import BronzeTrigger, TriggerReport

__all__ = [
    "LOCAL_QUEUE",
    "BronzeTrigger",
    "LocalContext",
    "LocalStack",
    "StackDefinition",
    "StackNames",
    "TriggerReport",
    "bucket_keys",
    "delivered_key",
    "download_bucket",
    "environment",
    "render_prefix",
    "upload_folder",
]
