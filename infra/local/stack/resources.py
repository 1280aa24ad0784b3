"""The stack's resources as the embedded stack creates them: read from infra/template.yaml.

Buckets, the delivery stream, the bronze trigger, the Glue table and the functions'
environment all come from the template's own definitions, so local and deployed
cannot drift. What moto lacks is stood in for here: an SQS queue receives the bronze
notifications that S3 sends straight to the processor in AWS.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any

from infra.aws.template import load_template, local_refs, properties, resolve

LOCAL_QUEUE = "quotepipe-bronze-events"


@dataclass(frozen=True)
class StackDefinition:
    """The template, resolved with local names (stack ``quotepipe``, moto's account)."""

    template: dict[str, Any]
    refs: dict[str, Any]

    @classmethod
    def load(cls) -> StackDefinition:
        """Read infra/template.yaml and resolve names as CloudFormation would."""
        template = load_template()
        refs = local_refs(template)
        refs["FirehoseRole.Arn"] = f"arn:aws:iam::{refs['AWS::AccountId']}:role/quotepipe-firehose"
        return cls(template, refs)

    def _resolved(self, logical_id: str) -> dict[str, Any]:
        value: dict[str, Any] = resolve(
            properties(self.template, logical_id), self.refs, self.template
        )
        return value

    @property
    def region(self) -> str:
        """The region names are resolved for."""
        return str(self.refs["AWS::Region"])

    @property
    def bronze_bucket(self) -> str:
        """Physical name of ``BronzeBucket``."""
        return str(self.refs["BronzeBucket"])

    @property
    def silver_bucket(self) -> str:
        """Physical name of ``SilverBucket``."""
        return str(self.refs["SilverBucket"])

    @cached_property
    def delivery_stream(self) -> dict[str, Any]:
        """``DeliveryStream`` properties: the CreateDeliveryStream arguments."""
        return self._resolved("DeliveryStream")

    @property
    def firehose_prefix(self) -> str:
        """The bronze prefix with Firehose's ``!{timestamp:…}`` expressions."""
        return str(self.delivery_stream["ExtendedS3DestinationConfiguration"]["Prefix"])

    @cached_property
    def bronze_trigger(self) -> dict[str, Any]:
        """The processor's S3 event source: events and key filter rules."""
        source = properties(self.template, "ProcessorFunction")["Events"]["BronzeObjectCreated"]
        trigger: dict[str, Any] = resolve(source["Properties"], self.refs, self.template)
        return trigger

    @property
    def bronze_prefix(self) -> str:
        """The key prefix the processor is triggered for (and told to process)."""
        return self.function_environment("ProcessorFunction")["BRONZE_PREFIX"]

    def bronze_notification(self, queue_arn: str) -> dict[str, Any]:
        """The bronze bucket notification, sent to ``queue_arn`` instead of the function."""
        events = self.bronze_trigger["Events"]
        rules = self.bronze_trigger.get("Filter", {}).get("S3Key", {}).get("Rules", [])
        return {
            "QueueArn": queue_arn,
            "Events": events if isinstance(events, list) else [events],
            "Filter": {"Key": {"FilterRules": rules}},
        }

    @property
    def glue_database(self) -> dict[str, Any]:
        """``GlueDatabase``'s DatabaseInput."""
        database: dict[str, Any] = self._resolved("GlueDatabase")["DatabaseInput"]
        return database

    @property
    def glue_table(self) -> dict[str, Any]:
        """``SilverQuotesTable``'s TableInput."""
        table: dict[str, Any] = self._resolved("SilverQuotesTable")["TableInput"]
        return table

    def function_environment(self, logical_id: str) -> dict[str, str]:
        """A function's environment: the template's Globals, then its own variables."""
        globals_env = self.template.get("Globals", {}).get("Function", {}).get("Environment", {})
        own = properties(self.template, logical_id).get("Environment", {})
        merged = {**globals_env.get("Variables", {}), **own.get("Variables", {})}
        rendered = resolve(merged, self.refs, self.template)
        return {name: str(value) for name, value in rendered.items() if value is not None}


@dataclass(frozen=True, kw_only=True)
class StackNames:
    """Names of the stack's resources as the embedded stack uses them."""

    region: str
    bronze_bucket: str
    silver_bucket: str
    delivery_stream: str
    account_id: str
    bronze_queue: str = LOCAL_QUEUE

    @classmethod
    def from_definition(cls, stack: StackDefinition) -> StackNames:
        """The names the template gives, resolved locally."""
        return cls(
            region=stack.region,
            bronze_bucket=stack.bronze_bucket,
            silver_bucket=stack.silver_bucket,
            delivery_stream=str(stack.delivery_stream["DeliveryStreamName"]),
            account_id=str(stack.refs["AWS::AccountId"]),
        )

    @property
    def queue_arn(self) -> str:
        """ARN of the queue that receives bronze notifications."""
        return f"arn:aws:sqs:{self.region}:{self.account_id}:{self.bronze_queue}"
