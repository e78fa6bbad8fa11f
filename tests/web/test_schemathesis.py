"""Property-based testing of every documented operation with schemathesis: no 5xx
for any generated input, every response matching the documented status codes,
content types and schemas, auth enforced where documented.

Invalid inputs are generated too and must never cause a 5xx. Not checked:
that every schema-valid request is accepted (``positive_data_acceptance``: a
valid-looking multipart upload of random bytes is rightly refused with a 4xx,
which OpenAPI cannot express), and that every invalid request is refused
(``negative_data_rejection``: schemathesis drops some generated invalid query
parameters when it serialises the request, and our Authorization header
replaces its "missing header" mutation, so the check reports requests that
were in fact valid).
"""

import contextlib

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import negative_data_rejection, positive_data_acceptance

from tests.conftest import add_user, examples, make_app, throwaway_postgres


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def api_app(request, tmp_path_factory):
    with contextlib.ExitStack() as stack:
        overrides = {}
        if request.param == "postgresql":
            overrides["DATABASE_URL"] = stack.enter_context(throwaway_postgres())
        app = make_app(tmp_path_factory.mktemp("schemathesis-instance"), MAX_JOBS_IN_FLIGHT=1000, **overrides)
        app.config["AUTH_HEADERS"] = add_user(app, "fuzzer")
        yield app
        app.extensions["cortico.db"].dispose()


@pytest.fixture(scope="module")
def api_schema(api_app):
    return schemathesis.openapi.from_wsgi("/openapi.json", api_app)


# Worker health answers 503/500 by contract while no worker runs (tested in tests/web and tests/jobs).
schema = schemathesis.pytest.from_fixture("api_schema").exclude(path_regex="health")


# All 33 operations run as sub-tests of this one test: its hang guard covers all of them.
@pytest.mark.timeout(1800)
@schema.parametrize()
@settings(max_examples=examples(400), deadline=None, suppress_health_check=list(HealthCheck))
def test_operation(case, api_app):
    case.call_and_validate(
        headers=api_app.config["AUTH_HEADERS"], excluded_checks=[positive_data_acceptance, negative_data_rejection]
    )
