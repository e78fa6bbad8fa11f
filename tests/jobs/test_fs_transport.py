"""The embedded queue never hands a consumer a half-written or duplicated message."""

import json
import multiprocessing
import os

import pytest

from cortico.jobs import _fs_transport

PRODUCERS = 4
MESSAGES_EACH = 100
CONSUMERS = 2
# Large bodies make a torn read likely when a write is not atomic.
BODY_BYTES = 256 * 1024


def _connection(folder, scheme):
    from kombu import Connection

    options = {"data_folder_in": folder, "data_folder_out": folder, "control_folder": folder + "-control"}
    return Connection(f"{scheme}://", transport_options={**options, "store_processed": False})


def _produce(folder, scheme, producer, start):
    start.wait()
    with _connection(folder, scheme) as conn:
        queue = conn.SimpleQueue("jobs")
        for index in range(MESSAGES_EACH):
            queue.put({"id": f"{producer}-{index}", "body": "x" * BODY_BYTES})
        queue.close()


def _consume(folder, scheme, received, done, start):
    start.wait()
    with _connection(folder, scheme) as conn:
        queue = conn.SimpleQueue("jobs")
        while True:
            try:
                message = queue.get(timeout=0.2)
            except queue.Empty:
                if done.is_set():
                    break
                continue
            except json.JSONDecodeError as exc:
                received.put(f"torn: {exc}")
                continue
            payload = message.payload
            received.put(payload["id"] if len(payload["body"]) == BODY_BYTES else f"short: {payload['id']}")
            message.ack()
        queue.close()


def run_rapid_submissions(folder, scheme):
    """Producers and consumers in separate processes; returns every id the consumers got."""
    ctx = multiprocessing.get_context("spawn")
    start, done, received = ctx.Event(), ctx.Event(), ctx.Queue()
    consumers = [ctx.Process(target=_consume, args=(folder, scheme, received, done, start)) for _ in range(CONSUMERS)]
    producers = [ctx.Process(target=_produce, args=(folder, scheme, p, start)) for p in range(PRODUCERS)]
    for process in consumers + producers:
        process.start()
    start.set()
    for process in producers:
        process.join(300)
        assert process.exitcode == 0, "a producer failed"
    got = []
    expected = PRODUCERS * MESSAGES_EACH
    while len(got) < expected:
        try:
            got.append(received.get(timeout=60))
        except Exception:
            break
    done.set()
    for process in consumers:
        process.join(60)
        assert process.exitcode == 0, "a consumer crashed"
    return got


def test_rapid_submissions_from_several_processes_arrive_whole_and_once(tmp_path):
    folder = str(tmp_path / "queue")
    os.makedirs(folder)
    got = run_rapid_submissions(folder, _fs_transport.SCHEME)
    problems = [item for item in got if ":" in item]
    assert problems == []
    expected = {f"{p}-{i}" for p in range(PRODUCERS) for i in range(MESSAGES_EACH)}
    assert sorted(got) == sorted(expected)
    # nothing left behind: no temporary, taken or unread message files
    assert os.listdir(folder) == []


def test_message_files_lists_whole_messages_of_one_queue_only(tmp_path):
    folder = tmp_path
    for name in [
        "000000000000001_a.jobs.msg",
        "000000000000002_b.other.jobs.msg",
        ".put-000000000000003_c.jobs.msg",
        ".taken-12-abc",
        "000000000000000_d.jobs.msg",
    ]:
        (folder / name).write_text("{}")
    assert _fs_transport.message_files(folder, "jobs") == ["000000000000000_d.jobs.msg", "000000000000001_a.jobs.msg"]


@pytest.mark.parametrize("scheme", [_fs_transport.SCHEME])
def test_purge_and_size_count_whole_messages(tmp_path, scheme):
    folder = str(tmp_path / "queue")
    os.makedirs(folder)
    with _connection(folder, scheme) as conn:
        queue = conn.SimpleQueue("jobs")
        for index in range(3):
            queue.put({"id": index})
        open(os.path.join(folder, ".put-000_x.jobs.msg"), "w").close()
        assert queue.qsize() == 3
        assert queue.clear() == 3
        assert queue.qsize() == 0
        queue.close()
