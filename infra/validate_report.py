#!/usr/bin/env python3
"""Judge the checkov JSON report and the translated template (used by validate.sh).

Usage: validate_report.py CHECKOV.json TRANSLATED.json

Fails (exit 1) when:
- checkov found failed checks or parsing errors, or scanned no resource
  (checkov exits 0 on a file it could not parse);
- a skipped check has no comment (skips must carry their reason);
- an IAM statement that allows something uses a wildcard in Action.
"""

import json
import sys


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


def iam_problems(template_path: str) -> list[str]:
    with open(template_path, encoding="utf-8") as f:
        template = json.load(f)
    problems: list[str] = []
    for name, resource in template.get("Resources", {}).items():
        props = resource.get("Properties", {})
        documents = []
        if resource.get("Type") == "AWS::IAM::Role":
            documents = [p.get("PolicyDocument", {}) for p in props.get("Policies", [])]
            if props.get("ManagedPolicyArns"):
                problems.append(f"{name}: managed policies attached; use explicit inline statements")
        elif resource.get("Type") in ("AWS::IAM::Policy", "AWS::IAM::ManagedPolicy"):
            documents = [props.get("PolicyDocument", {})]
        for document in documents:
            for statement in as_list(document.get("Statement", [])):
                if statement.get("Effect") != "Allow":
                    continue
                if "NotAction" in statement:
                    problems.append(f"{name}: Allow with NotAction")
                for action in as_list(statement.get("Action", [])):
                    if isinstance(action, str) and "*" in action:
                        problems.append(f"{name}: wildcard action {action!r}")
    return problems


def main() -> int:
    if len(sys.argv) != 3:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    problems = checkov_problems(sys.argv[1]) + iam_problems(sys.argv[2])
    for problem in problems:
        print(f"ERROR: {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
