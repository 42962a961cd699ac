"""Self-tests of validate.sh's own checks: each must pass on the real files and
fail on a broken copy, or a guard that stopped working would go unnoticed.

Run by infra/validate.sh: .venv-infra/bin/python -m unittest discover -s infra/tests
"""

import copy
import sys
import unittest
from pathlib import Path

INFRA = Path(__file__).resolve().parents[1]
ROOT = INFRA.parent
sys.path.insert(0, str(INFRA))

from samtranslator.yaml_helper import yaml_parse  # noqa: E402

import check_routes  # noqa: E402
import translate_sam  # noqa: E402
import validate_report  # noqa: E402

ROUTER = ROOT / "functions/api/src/app.rs"
TEMPLATE = INFRA / "template.yaml"
BAD_IAM = INFRA / "tests/fixtures/bad-iam.yaml"


def load(path: Path) -> dict:
    return yaml_parse(path.read_text(encoding="utf-8"))


def problems_by_resource(problems: list[str]) -> dict[str, list[str]]:
    grouped: dict[str, list[str]] = {}
    for problem in problems:
        grouped.setdefault(problem.split(":", 1)[0], []).append(problem)
    return grouped


class RoutesTest(unittest.TestCase):
    def setUp(self) -> None:
        self.router = ROUTER.read_text(encoding="utf-8")
        self.template = load(TEMPLATE)

    def events(self, template: dict) -> dict:
        return template["Resources"]["FormFunction"]["Properties"]["Events"]

    def test_the_router_and_the_template_agree(self) -> None:
        self.assertEqual(check_routes.route_problems(self.router, self.template), [])

    def test_the_no_js_lookup_route_is_read_from_the_router(self) -> None:
        routes, problems = check_routes.router_routes(self.router)
        self.assertEqual(problems, [])
        self.assertIn(("GET", "/api/tickets/consultar"), routes)
        self.assertIn(("GET", "/api/tickets/{numero}"), routes)

    def test_a_route_missing_from_the_template_fails(self) -> None:
        template = copy.deepcopy(self.template)
        del self.events(template)["BuscarTicket"]
        self.assertEqual(
            check_routes.route_problems(self.router, template),
            ["la ruta GET /api/tickets/consultar está en el router pero no es un evento HttpApi de la plantilla"],
        )

    def test_an_event_without_a_route_or_with_another_method_fails(self) -> None:
        template = copy.deepcopy(self.template)
        self.events(template)["Voto"]["Properties"]["Method"] = "GET"
        self.assertEqual(
            check_routes.route_problems(self.router, template),
            [
                "la ruta POST /api/votos está en el router pero no es un evento HttpApi de la plantilla",
                "el evento HttpApi GET /api/votos no tiene ruta en el router",
            ],
        )

    def test_a_catch_all_event_fails(self) -> None:
        template = copy.deepcopy(self.template)
        self.events(template)["Todo"] = {"Type": "HttpApi", "Properties": {"ApiId": {"Ref": "HttpApi"}}}
        problems = check_routes.route_problems(self.router, template)
        self.assertEqual(len(problems), 1)
        self.assertIn("FormFunction.Todo", problems[0])

    def test_router_parsing(self) -> None:
        source = """
            Router::new()
                .route("/a", get(handler).post(other))
                // .route("/old", get(old))
                .route("/b/{*rest}", axum::routing::delete(with_args(get_thing(1))))
        """
        routes, problems = check_routes.router_routes(source)
        self.assertEqual(problems, [])
        self.assertEqual(routes, {("GET", "/a"), ("POST", "/a"), ("DELETE", "/b/{rest+}")})

    def test_router_code_it_cannot_read_fails(self) -> None:
        _, problems = check_routes.router_routes('Router::new().route("/a", get(h)).nest("/b", other)')
        self.assertEqual(len(problems), 1)
        self.assertIn(".nest(", problems[0])
        _, problems = check_routes.router_routes('Router::new().route("/a", handler_service)')
        self.assertEqual(problems, ["router: ningún método HTTP reconocido en .route('/a', ...)"])


class LeastPrivilegeTest(unittest.TestCase):
    def test_the_real_template_passes(self) -> None:
        template = load(TEMPLATE)
        self.assertEqual(validate_report.sam_policy_problems(template), [])
        self.assertEqual(validate_report.iam_problems(translate_sam.translate(template)), [])

    def test_each_bad_resource_of_the_fixture_fails_and_only_those(self) -> None:
        template = load(BAD_IAM)
        problems = validate_report.sam_policy_problems(template) + validate_report.iam_problems(
            translate_sam.translate(copy.deepcopy(template))
        )
        grouped = problems_by_resource(problems)
        self.assertEqual(
            sorted(grouped),
            [
                "AnyResourceBad",
                "NotActionBad",
                "NotResourceBad",
                "ReasonlessExceptionBad",
                "SamPoliciesBad",
                "SamPoliciesBadRole",  # the role SAM generated for it
                "WildcardActionBad",
            ],
            problems,
        )
        expected = {
            "AnyResourceBad": ['Resource "*" para dynamodb:GetItem'],
            "NotActionBad": ["NotAction"],
            "NotResourceBad": ["NotResource"],
            # The exception without a reason, and so the statement it would excuse.
            "ReasonlessExceptionBad": ["sin Actions o sin Reason", 'Resource "*" para xray:PutTraceSegments'],
            "SamPoliciesBad": ["Policies de SAM"],
            "SamPoliciesBadRole": ["políticas administradas"],
            "WildcardActionBad": ["'s3:*'"],
        }
        for name, fragments in expected.items():
            self.assertEqual(len(grouped[name]), len(fragments), grouped[name])
            for problem, fragment in zip(grouped[name], fragments):
                self.assertIn(fragment, problem)

    def test_sam_policies_in_globals_fail(self) -> None:
        template = {"Globals": {"Function": {"Policies": ["AWSLambdaBasicExecutionRole"]}}, "Resources": {}}
        self.assertEqual(len(validate_report.sam_policy_problems(template)), 1)


class ConcurrencyTest(unittest.TestCase):
    """FunctionReservedConcurrency=0 must deploy on accounts whose quota is 10 (no reservation)."""

    def test_zero_reserves_nothing(self) -> None:
        template = load(TEMPLATE)
        self.assertEqual(template["Parameters"]["FunctionReservedConcurrency"]["MinValue"], 0)
        translated = translate_sam.translate(template)
        self.assertEqual(
            translated["Conditions"]["ReservesConcurrency"],
            {"Fn::Not": [{"Fn::Equals": [{"Ref": "FunctionReservedConcurrency"}, 0]}]},
        )
        self.assertEqual(
            translated["Resources"]["FormFunction"]["Properties"]["ReservedConcurrentExecutions"],
            {"Fn::If": ["ReservesConcurrency", {"Ref": "FunctionReservedConcurrency"}, {"Ref": "AWS::NoValue"}]},
        )


if __name__ == "__main__":
    unittest.main()
