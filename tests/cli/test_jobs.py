"""`cortico jobs list|requeue|fail`: the operator repairs the queue."""

from pathlib import Path

from click.testing import CliRunner

from cortico.cli import main
from tests.conftest import add_user, make_app
from tests.jobs.test_jobs import status, submit


def _run(instance, *args):
    return CliRunner().invoke(main, ["jobs", "--instance", str(instance), *args], catch_exceptions=False)


def test_list_requeue_and_fail(instance):
    app = make_app(instance)
    client, headers = app.test_client(), add_user(app, "alice")
    first = submit(client, headers, steps=1)
    second = submit(client, headers, steps=1)
    queue = Path(app.config["INSTANCE_PATH"]) / "broker" / "queue"
    assert len(list(queue.glob("*.msg"))) == 2

    listing = _run(instance, "list")
    assert listing.exit_code == 0
    lines = listing.output.splitlines()
    assert len(lines) == 2 and lines[0].startswith(first) and "test.sleepy" in lines[0] and "owner=alice" in lines[0]

    requeued = _run(instance, "requeue", first)
    assert requeued.output.strip() == f"{first}: queued again"
    assert len(list(queue.glob("*.msg"))) == 3  # a new message under a new dispatch id

    failed = _run(instance, "fail", second, "--reason", "Cancelled during maintenance.")
    assert failed.output.strip() == f"{second}: failed"
    body = status(client, headers, second)
    assert body["state"] == "failed" and body["error"] == "Cancelled during maintenance."
    assert _run(instance, "fail", second).output.strip() == f"{second}: already finished; unchanged"
    assert _run(instance, "requeue", second).output.strip() == f"{second}: already finished; not queued"

    assert _run(instance, "list", "--state", "failed").output.startswith(second)
    missing = CliRunner().invoke(main, ["jobs", "--instance", str(instance), "fail", "nope"])
    assert missing.exit_code == 1 and "There is no job 'nope'" in missing.output
