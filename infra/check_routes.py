#!/usr/bin/env python3
"""Check that the HTTP API declares exactly the routes of the form API's router.

Usage: check_routes.py ROUTER.rs TEMPLATE.yaml   (used by validate.sh)

The router's routes are read from the `.route("PATH", get(..).post(..))` calls
of functions/api/src/app.rs; the template's from the `Type: HttpApi` events of
its AWS::Serverless::Function resources. A route the template lacks may still
answer through a parameterised route (GET /api/tickets/consultar matched
/api/tickets/{numero}) and reach the wrong handler's rules (throttling, logs);
a route only in the template invokes the function for a path it cannot serve.
Fails (exit 1) on any difference, and on router code this parser cannot read
(`.nest(`, `.merge(`, a `.route(` whose methods it does not recognise).
"""

import re
import sys

from samtranslator.yaml_helper import yaml_parse

METHOD = re.compile(r"(get|post|put|patch|delete|head|options|trace|any)\s*\(")
ROUTE_START = re.compile(r"\.route\(\s*\"([^\"]+)\"\s*,")


def strip_line_comments(source: str) -> str:
    """Drops lines that are only a `//` comment, so a commented-out route does not count."""
    return "\n".join(line for line in source.splitlines() if not line.lstrip().startswith("//"))


def closing_paren(text: str, start: int) -> int:
    """Index of the `)` closing the call whose arguments start at `start`."""
    depth = 1
    for i in range(start, len(text)):
        if text[i] == "(":
            depth += 1
        elif text[i] == ")":
            depth -= 1
            if depth == 0:
                return i
    raise ValueError("unbalanced parentheses")


def top_level_methods(method_router: str) -> list[str]:
    """Methods of `get(a).post(b)`: only calls at depth 0, not inside a handler's arguments."""
    methods, depth = [], 0
    for i, char in enumerate(method_router):
        if depth == 0:
            match = METHOD.match(method_router, i)
            if match and (i == 0 or not (method_router[i - 1].isalnum() or method_router[i - 1] == "_")):
                methods.append(match.group(1).upper())
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
    return methods


def axum_to_api_gateway(path: str) -> str:
    """axum's catch-all `{*rest}` is API Gateway's greedy `{rest+}`; `{name}` is the same in both."""
    return re.sub(r"\{\*([^}]+)\}", r"{\1+}", path)


def router_routes(source: str) -> tuple[set[tuple[str, str]], list[str]]:
    source = strip_line_comments(source)
    routes: set[tuple[str, str]] = set()
    problems: list[str] = []
    for call in (".nest(", ".merge(", ".nest_service(", ".route_service("):
        if call in source:
            problems.append(f"el router usa {call}...): esta comprobación solo lee llamadas .route(")
    for match in ROUTE_START.finditer(source):
        path = axum_to_api_gateway(match.group(1))
        try:
            end = closing_paren(source, match.end())
        except ValueError:
            problems.append(f"router: no se puede leer la llamada .route({path!r}, ...)")
            continue
        methods = top_level_methods(source[match.end() : end].strip())
        if not methods:
            problems.append(f"router: ningún método HTTP reconocido en .route({path!r}, ...)")
        routes.update((method, path) for method in methods)
    if not ROUTE_START.search(source):
        problems.append("router: no hay ninguna llamada .route(")
    return routes, problems


def template_routes(template: dict) -> tuple[set[tuple[str, str]], list[str]]:
    routes: set[tuple[str, str]] = set()
    problems: list[str] = []
    for name, resource in template.get("Resources", {}).items():
        if resource.get("Type") != "AWS::Serverless::Function":
            continue
        for event_name, event in (resource.get("Properties", {}).get("Events") or {}).items():
            if event.get("Type") != "HttpApi":
                continue
            props = event.get("Properties") or {}
            method, path = props.get("Method"), props.get("Path")
            if not isinstance(method, str) or not isinstance(path, str):
                problems.append(f"{name}.{event_name}: evento HttpApi sin Method y Path literales (¿ruta comodín?)")
                continue
            routes.add((method.upper(), path))
    return routes, problems


def route_problems(router_source: str, template: dict) -> list[str]:
    in_router, problems = router_routes(router_source)
    in_template, template_problems = template_routes(template)
    problems += template_problems
    for method, path in sorted(in_router - in_template):
        problems.append(f"la ruta {method} {path} está en el router pero no es un evento HttpApi de la plantilla")
    for method, path in sorted(in_template - in_router):
        problems.append(f"el evento HttpApi {method} {path} no tiene ruta en el router")
    return problems


def main() -> int:
    if len(sys.argv) != 3:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    with open(sys.argv[1], encoding="utf-8") as f:
        router_source = f.read()
    with open(sys.argv[2], encoding="utf-8") as f:
        template = yaml_parse(f.read())
    problems = route_problems(router_source, template)
    for problem in problems:
        print(f"ERROR: {problem}", file=sys.stderr)
    if not problems:
        for method, path in sorted(router_routes(router_source)[0], key=lambda r: (r[1], r[0])):
            print(f"  {method:<5} {path}")
        print("  rutas: el router y los eventos HttpApi de la plantilla coinciden")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
