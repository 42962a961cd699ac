#!/usr/bin/env python3
"""Judge the checkov JSON report and the templates (used by validate.sh).

Usage: validate_report.py CHECKOV.json TRANSLATED.json TEMPLATE.yaml

Fails (exit 1) when:
- checkov found failed checks or parsing errors, or scanned no resource
  (checkov exits 0 on a file it could not parse);
- a skipped check has no comment (skips must carry their reason);
- an IAM policy of the translated template (role, inline or managed policy)
  - allows a wildcard action (`s3:*`, `*`);
  - allows `Resource: "*"`, unless every action of that statement is listed
    with a written reason in the resource's Metadata (some actions, such as
    xray:PutTraceSegments, support no resource-level permissions):
        Metadata:
          LeastPrivilege:
            AnyResource:
              - Actions: [xray:PutTraceSegments]
                Reason: X-Ray accepts no resource ARN for this action.
  - uses NotAction or NotResource (in any statement: "everything except a
    list" cannot be reviewed against what the function does);
  - attaches managed policies (ManagedPolicyArns);
- a function of the SAM template (or Globals.Function) has `Policies:`: SAM's
  managed and policy-template policies (DynamoDBCrudPolicy, S3CrudPolicy…)
  grant more than the function uses; give it a Role with explicit statements.
"""

import json
import sys

from samtranslator.yaml_helper import yaml_parse


def checkov_problems(report_path: str) -> list[str]:
    with open(report_path, encoding="utf-8") as f:
        data = json.load(f)
    reports = data if isinstance(data, list) else [data]
    problems: list[str] = []
    scanned = 0
    for report in reports:
        summary = report.get("summary", {})
        scanned += summary.get("resource_count", 0)
        results = report.get("results", {})
        for check in results.get("failed_checks", []):
            problems.append(
                f"checkov FAILED {check['check_id']} {check['resource']}: {check['check_name']}"
                f" ({check.get('guideline') or 'no guideline'})"
            )
        for check in results.get("skipped_checks", []):
            comment = (check.get("check_result") or {}).get("suppress_comment", "").strip()
            print(f"  skipped {check['check_id']:<12} {check['resource']}: {comment}")
            if not comment:
                problems.append(f"checkov skip without a reason: {check['check_id']} {check['resource']}")
        if summary.get("parsing_errors", 0):
            problems.append(f"checkov could not parse {summary['parsing_errors']} file(s)")
        print(
            f"  checkov: {summary.get('passed', 0)} passed, {summary.get('failed', 0)} failed,"
            f" {summary.get('skipped', 0)} skipped, {summary.get('resource_count', 0)} resources"
        )
    if scanned == 0:
        problems.append("checkov scanned no resource (parse problem?)")
    return problems


def as_list(value: object) -> list:
    return value if isinstance(value, list) else [value]


POLICY_TYPES = (
    "AWS::IAM::Policy",
    "AWS::IAM::ManagedPolicy",
    "AWS::IAM::RolePolicy",
    "AWS::IAM::UserPolicy",
    "AWS::IAM::GroupPolicy",
)


def any_resource_reasons(name: str, resource: dict) -> tuple[set[str], list[str]]:
    """Actions allowed on `Resource: "*"` by the resource's Metadata, and problems with it."""
    entries = (resource.get("Metadata") or {}).get("LeastPrivilege", {}).get("AnyResource", [])
    allowed: set[str] = set()
    problems: list[str] = []
    for entry in as_list(entries):
        reason = entry.get("Reason") if isinstance(entry, dict) else None
        actions = entry.get("Actions") if isinstance(entry, dict) else None
        if not isinstance(reason, str) or not reason.strip() or not actions:
            problems.append(f'{name}: excepción de Resource "*" sin Actions o sin Reason escrita')
            continue
        allowed.update(a.lower() for a in as_list(actions) if isinstance(a, str))
    return allowed, problems


def statement_problems(name: str, statement: dict, any_resource_ok: set[str]) -> list[str]:
    problems = []
    for key in ("NotAction", "NotResource"):
        if key in statement:
            problems.append(f"{name}: sentencia con {key}; enumere Action y Resource")
    if statement.get("Effect") != "Allow":
        return problems
    actions = [a for a in as_list(statement.get("Action", [])) if isinstance(a, str)]
    for action in actions:
        if "*" in action:
            problems.append(f"{name}: acción con comodín {action!r}")
    if "*" in as_list(statement.get("Resource", [])):
        unexplained = sorted(a for a in actions if a.lower() not in any_resource_ok)
        if unexplained or not actions:
            problems.append(
                f'{name}: Resource "*" para {", ".join(unexplained) or "(sin acciones)"}'
                " sin razón escrita en Metadata.LeastPrivilege.AnyResource"
            )
    return problems


def iam_problems(template: dict) -> list[str]:
    """Least-privilege problems of the IAM policies of a CloudFormation template."""
    problems: list[str] = []
    for name, resource in template.get("Resources", {}).items():
        props = resource.get("Properties", {})
        documents = []
        if resource.get("Type") == "AWS::IAM::Role":
            documents = [p.get("PolicyDocument", {}) for p in props.get("Policies", [])]
            if props.get("ManagedPolicyArns"):
                problems.append(f"{name}: políticas administradas adjuntas; use sentencias explícitas en línea")
        elif resource.get("Type") in POLICY_TYPES:
            documents = [props.get("PolicyDocument", {})]
        if not documents:
            continue
        any_resource_ok, metadata_problems = any_resource_reasons(name, resource)
        problems += metadata_problems
        for document in documents:
            for statement in as_list(document.get("Statement", [])):
                problems += statement_problems(name, statement, any_resource_ok)
    return problems


def sam_policy_problems(template: dict) -> list[str]:
    """SAM `Policies:` on functions (the translated template no longer shows where they came from)."""
    problems = []
    if "Policies" in template.get("Globals", {}).get("Function", {}):
        problems.append("Globals.Function: Policies de SAM; use un Role con sentencias explícitas")
    for name, resource in template.get("Resources", {}).items():
        if resource.get("Type") == "AWS::Serverless::Function" and "Policies" in resource.get("Properties", {}):
            problems.append(f"{name}: Policies de SAM; use un Role con sentencias explícitas")
    return problems


def main() -> int:
    if len(sys.argv) != 4:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    with open(sys.argv[2], encoding="utf-8") as f:
        translated = json.load(f)
    with open(sys.argv[3], encoding="utf-8") as f:
        template = yaml_parse(f.read())
    problems = checkov_problems(sys.argv[1]) + iam_problems(translated) + sam_policy_problems(template)
    for problem in problems:
        print(f"ERROR: {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
