"""The gunicorn access log of `cortico serve` holds no token and no capability id."""

import datetime
from types import SimpleNamespace

from gunicorn.config import Config

from cortico.web._access_log import RedactingLogger, redact_url

JOB = "q3ZbT0mJ9xWk_Lr2VfA-8g"  # the shape of a job id / link key (token_urlsafe(16))


def test_capability_ids_and_queries_are_redacted():
    assert redact_url(f"/paint/jobs/{JOB}/files/top_a.png?token=ctk_x") == "/paint/jobs/<id>/files/top_a.png?<redacted>"
    assert redact_url(f"/v0/depth-map-computation/{JOB}/") == "/v0/depth-map-computation/<id>/"
    assert (
        redact_url(f"/image-service/nifti/{JOB}/1mm/0-64_0-64_0-64") == "/image-service/nifti/<id>/1mm/0-64_0-64_0-64"
    )
    assert redact_url(f"https://cortico.example.org/align/jobs/{JOB}") == "https://cortico.example.org/align/jobs/<id>"
    assert redact_url("/static/css/cortico.css") == "/static/css/cortico.css"
    assert redact_url("-") == "-"


def test_access_log_lines_hold_no_secret():
    config = Config()
    config.set("logger_class", "cortico.web._access_log.RedactingLogger")
    assert config.logger_class is RedactingLogger  # what `cortico serve` passes to gunicorn
    logger = RedactingLogger(config)
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": f"/paint/jobs/{JOB}/zip?access_token=ctk_secret",
        "PATH_INFO": f"/paint/jobs/{JOB}/zip",
        "QUERY_STRING": "access_token=ctk_secret",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "192.0.2.7",
        "HTTP_REFERER": f"https://cortico.example.org/paint/jobs/{JOB}?k=ctk_secret",
        "HTTP_AUTHORIZATION": "Bearer ctk_secret",
        "HTTP_USER_AGENT": "test",
    }
    response = SimpleNamespace(status="200 OK", headers=[], sent=10)
    request = SimpleNamespace(headers=[("AUTHORIZATION", "Bearer ctk_secret"), ("COOKIE", "session=abc")])
    atoms = logger.atoms(response, request, environ, datetime.timedelta(milliseconds=5))
    line = config.access_log_format % atoms
    assert JOB not in line and "ctk_secret" not in line
    assert '"GET /paint/jobs/<id>/zip?<redacted> HTTP/1.1" 200 10' in line
    leaked = [key for key, value in atoms.items() if isinstance(value, str) and ("ctk_secret" in value or JOB in value)]
    assert not leaked
