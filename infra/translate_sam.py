#!/usr/bin/env python3
"""Translate a SAM template into plain CloudFormation JSON, offline.

Usage: translate_sam.py TEMPLATE.yaml OUTPUT.json

Uses aws-sam-translator directly (what `sam validate` does) with:
- a fixed region (AWS_REGION / AWS_DEFAULT_REGION, default us-east-1) so the
  translator's boto3 session never has to look one up;
- a ManagedPolicyLoader stub: no IAM ListPolicies call (the template names no
  managed policies; a name would fail the translation, which is what we want);
- local CodeUri paths replaced by an S3 placeholder, as the SAM CLI does
  before translating (`sam build`/`sam deploy` upload the real artefact);
- passthrough_metadata=True so each resource's Metadata (checkov skips)
  reaches the CloudFormation resources generated from it.
No AWS call is made.
"""

import json
import os
import sys

REGION = os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "us-east-1"
os.environ["AWS_DEFAULT_REGION"] = REGION
os.environ.setdefault("AWS_ACCESS_KEY_ID", "offline")
os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "offline")

from samtranslator.model.exceptions import InvalidDocumentException  # noqa: E402
from samtranslator.translator.arn_generator import ArnGenerator  # noqa: E402
from samtranslator.translator.managed_policy_translator import ManagedPolicyLoader  # noqa: E402
from samtranslator.translator.transform import transform  # noqa: E402
from samtranslator.yaml_helper import yaml_parse  # noqa: E402

PLACEHOLDER_CODE_URI = "s3://sam-placeholder-bucket/placeholder.zip"


class OfflinePolicyLoader(ManagedPolicyLoader):
    """Managed policy map without IAM: no AWS managed policy names are resolvable."""

    def __init__(self) -> None:
        super().__init__(iam_client=None)  # type: ignore[arg-type]

    def load(self) -> dict[str, str]:
        return {}


def is_local_path(value: object) -> bool:
    return isinstance(value, str) and not value.startswith("s3://")


def replace_local_code_uris(template: dict) -> None:
    globals_fn = template.get("Globals", {}).get("Function", {})
    if is_local_path(globals_fn.get("CodeUri")):
        globals_fn["CodeUri"] = PLACEHOLDER_CODE_URI
    for resource in template.get("Resources", {}).values():
        if resource.get("Type") != "AWS::Serverless::Function":
            continue
        props = resource.setdefault("Properties", {})
        if is_local_path(props.get("CodeUri")):
            props["CodeUri"] = PLACEHOLDER_CODE_URI


def translate(template: dict) -> dict:
    """The CloudFormation template for a parsed SAM template (changes `template` in place).

    Raises InvalidDocumentException when SAM rejects the template."""
    ArnGenerator.BOTO_SESSION_REGION_NAME = REGION
    replace_local_code_uris(template)
    return transform(template, {}, OfflinePolicyLoader(), passthrough_metadata=True)


def main() -> int:
    if len(sys.argv) != 3:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    source, target = sys.argv[1], sys.argv[2]
    with open(source, encoding="utf-8") as f:
        template = yaml_parse(f.read())

    try:
        translated = translate(template)
    except InvalidDocumentException as e:
        for cause in e.causes:
            print(f"{source}: {cause.message}", file=sys.stderr)
        return 1

    with open(target, "w", encoding="utf-8") as f:
        json.dump(translated, f, indent=2)
        f.write("\n")
    print(f"{source} -> {target} ({len(translated.get('Resources', {}))} resources, region {REGION})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
