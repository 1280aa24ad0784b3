"""Read infra/template.yaml so local code builds resources from the deployed definitions.

``load_template()`` parses the SAM template with the CloudFormation short tags (``!Ref``,
``!Sub``, ``!GetAtt``, ``!If`` ...) turned into their JSON forms (``{"Ref": ...}``,
``{"Fn::Sub": ...}``), the same shape aws-sam-translator and cfn-lint take.
``resource()`` returns one resource; ``resolve()`` renders the intrinsics that name things
(Ref, Sub, GetAtt, Join, If on known conditions) with the names the embedded stack uses,
so the local buckets, Firehose stream and Glue table cannot drift from the template.

Logical IDs worth knowing: ``BronzeBucket``, ``SilverBucket``, ``AthenaResultsBucket``,
``DeliveryStream``, ``ProcessorFunction`` (S3 event ``BronzeObjectCreated``),
``GlueDatabase``, ``SilverQuotesTable``.

Errors: ``TemplateError``, for a missing resource or an intrinsic ``resolve`` cannot render.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

TEMPLATE_PATH = Path(__file__).parent.parent / "template.yaml"

#: Pseudo parameters and names the embedded stack renders the template with.
LOCAL_REFS: dict[str, str] = {
    "AWS::StackName": "quotepipe",
    "AWS::AccountId": "123456789012",
    "AWS::Region": "us-east-1",
    "AWS::Partition": "aws",
    "AWS::URLSuffix": "amazonaws.com",
}

#: The property that holds a resource's name (its Ref), by resource type.
_NAME_PROPERTY = {
    "AWS::S3::Bucket": "BucketName",
    "AWS::KinesisFirehose::DeliveryStream": "DeliveryStreamName",
    "AWS::Serverless::Function": "FunctionName",
    "AWS::Logs::LogGroup": "LogGroupName",
    "AWS::Logs::LogStream": "LogStreamName",
    "AWS::Athena::WorkGroup": "Name",
}
_NO_VALUE = object()
_SUB_VAR = re.compile(r"\$\{([^}!][^}]*)\}")
_SUB_LITERAL = re.compile(r"\$\{!")


class TemplateError(Exception):
    """The template lacks what was asked for, or holds an intrinsic we cannot render."""


class _CfnLoader(yaml.SafeLoader):
    """SafeLoader that understands CloudFormation short-form intrinsic tags."""


def _intrinsic(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> dict[str, Any]:
    """Turn ``!Tag value`` into the JSON form ``{"Ref": value}`` / ``{"Fn::Tag": value}``."""
    value: Any
    if isinstance(node, yaml.ScalarNode):
        value = loader.construct_scalar(node)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)  # type: ignore[arg-type]
    if suffix == "Ref":
        return {"Ref": value}
    if suffix == "GetAtt" and isinstance(value, str):
        value = value.split(".", 1)
    return {f"Fn::{suffix}": value}


_CfnLoader.add_multi_constructor("!", _intrinsic)


def load_template(path: Path | str | None = None) -> dict[str, Any]:
    """Parse the SAM template (default: infra/template.yaml) into plain dicts."""
    text = Path(path or TEMPLATE_PATH).read_text(encoding="utf-8")
    data = yaml.load(text, Loader=_CfnLoader)
    if not isinstance(data, dict):
        raise TemplateError(f"{path or TEMPLATE_PATH} is not a template")
    return data


def resource(template: Mapping[str, Any], logical_id: str) -> dict[str, Any]:
    """Return the resource ``logical_id`` (Type, Properties, Metadata ...)."""
    try:
        found: dict[str, Any] = template["Resources"][logical_id]
    except KeyError as exc:
        raise TemplateError(f"no resource {logical_id!r} in the template") from exc
    return found


def properties(template: Mapping[str, Any], logical_id: str) -> dict[str, Any]:
    """Return the ``Properties`` of resource ``logical_id``."""
    props: dict[str, Any] = resource(template, logical_id).get("Properties", {})
    return props


def local_refs(template: Mapping[str, Any], **overrides: Any) -> dict[str, Any]:
    """Names for ``resolve``: pseudo parameters, parameter defaults and resource names.

    A bucket's Ref is its rendered ``BucketName``, a Firehose stream's its
    ``DeliveryStreamName``, a Glue database's its ``DatabaseInput.Name``; ``overrides``
    (e.g. ``BronzeBucket="my-bucket"``) win.
    """
    refs: dict[str, Any] = dict(LOCAL_REFS)
    for name, spec in template.get("Parameters", {}).items():
        if "Default" in spec:
            refs[name] = spec["Default"]
    refs.update(overrides)
    for logical_id, res in template.get("Resources", {}).items():
        name = _physical_name(res)
        if name is not None and logical_id not in refs:
            refs[logical_id] = resolve(name, refs, template)
    return refs


def _physical_name(res: Mapping[str, Any]) -> Any:
    """The property that names a resource, if the template sets it."""
    props = res.get("Properties", {})
    if res.get("Type") == "AWS::Glue::Database":
        return props.get("DatabaseInput", {}).get("Name")
    return props.get(_NAME_PROPERTY.get(res.get("Type", ""), ""))


def resolve(value: Any, refs: Mapping[str, Any], template: Mapping[str, Any] | None = None) -> Any:
    """Render Ref/Sub/GetAtt/Join/If in ``value`` with ``refs`` (see ``local_refs``)."""
    rendered = _render(value, refs, template)
    return None if rendered is _NO_VALUE else rendered


def _render(value: Any, refs: Mapping[str, Any], template: Mapping[str, Any] | None) -> Any:
    """``resolve`` that drops list items and keys rendered as ``AWS::NoValue``."""
    if isinstance(value, list):
        items = (_render(item, refs, template) for item in value)
        return [item for item in items if item is not _NO_VALUE]
    if not isinstance(value, dict):
        return value
    if len(value) == 1:
        ((key, arg),) = value.items()
        if key == "Ref" or key.startswith("Fn::"):
            return _intrinsic_value(key, arg, refs, template)
    pairs = ((key, _render(item, refs, template)) for key, item in value.items())
    return {key: item for key, item in pairs if item is not _NO_VALUE}


def _intrinsic_value(
    key: str, arg: Any, refs: Mapping[str, Any], template: Mapping[str, Any] | None
) -> Any:
    """Render one intrinsic function."""
    if key == "Ref":
        return _NO_VALUE if arg == "AWS::NoValue" else _lookup(str(arg), refs)
    if key == "Fn::GetAtt":
        return _get_att(arg, refs)
    if key == "Fn::Sub":
        return _sub(arg, refs, template)
    if key == "Fn::Join":
        separator, items = arg
        return str(separator).join(str(i) for i in resolve(items, refs, template))
    if key == "Fn::If" and template is not None:
        condition, when_true, when_false = arg
        chosen = when_true if _condition(template, condition, refs) else when_false
        return _render(chosen, refs, template)
    raise TemplateError(f"cannot render {key} locally: {arg!r}")


def _lookup(name: str, refs: Mapping[str, Any]) -> Any:
    """A Ref's value, or a clear error naming it."""
    if name not in refs:
        raise TemplateError(f"no local value for Ref {name!r}")
    return refs[name]


def _get_att(arg: Any, refs: Mapping[str, Any]) -> str:
    """``Bucket.Arn`` and friends: an explicit ref, else an S3 ARN for ``.Arn``."""
    logical_id, attribute = arg if isinstance(arg, list) else str(arg).split(".", 1)
    dotted = f"{logical_id}.{attribute}"
    if dotted in refs:
        return str(refs[dotted])
    if attribute == "Arn" and logical_id in refs and "Bucket" in logical_id:
        return f"arn:aws:s3:::{refs[logical_id]}"
    raise TemplateError(f"no local value for GetAtt {dotted!r}")


def _sub(arg: Any, refs: Mapping[str, Any], template: Mapping[str, Any] | None) -> str:
    """``Fn::Sub`` in string or ``[string, {vars}]`` form; ``${!x}`` stays ``${x}``."""
    text, variables = (arg, {}) if isinstance(arg, str) else arg
    scope: dict[str, Any] = dict(refs)
    scope.update({k: str(resolve(v, refs, template)) for k, v in variables.items()})

    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        return _get_att(name, scope) if "." in name else str(_lookup(name, scope))

    return _SUB_LITERAL.sub("${", _SUB_VAR.sub(replace, text))


def _condition(template: Mapping[str, Any], name: str, refs: Mapping[str, Any]) -> bool:
    """Evaluate a named condition built from Equals/Not/And/Or."""
    return _evaluate(template.get("Conditions", {})[name], template, refs)


def _evaluate(expr: Any, template: Mapping[str, Any], refs: Mapping[str, Any]) -> bool:
    """Evaluate one condition expression."""
    ((key, arg),) = expr.items()
    if key == "Fn::Equals":
        left, right = (str(resolve(side, refs, template)) for side in arg)
        return left == right
    if key == "Fn::Not":
        return not _evaluate(arg[0], template, refs)
    if key in ("Fn::And", "Fn::Or"):
        results = [_evaluate(item, template, refs) for item in arg]
        return all(results) if key == "Fn::And" else any(results)
    if key == "Condition":
        return _condition(template, arg, refs)
    raise TemplateError(f"cannot evaluate condition {expr!r}")
