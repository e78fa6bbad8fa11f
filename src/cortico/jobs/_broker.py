"""What the broker holds: reachable or not, and which dispatches it still has a message for.

The reconciler re-sends a queued job only when no broker holds a message for its
current dispatch id; worker health reports the broker's state. Both modes: the
Redis lists and unacked hash of kombu's Redis transport, or the message files of
the embedded queue.
"""

import json
import os
from urllib.parse import urlparse

from cortico.jobs._fs_transport import message_files, read_message

__all__ = ["BrokerUnavailable", "broker_status", "held_dispatch_ids"]

QUEUE = "cortico"
# kombu's Redis transport: one list per priority step, and the messages taken but not acked.
_PRIORITY_SEPARATOR = "\x06\x16"
_PRIORITY_STEPS = (0, 3, 6, 9)
_UNACKED_KEY = "unacked"


class BrokerUnavailable(RuntimeError):
    """The broker could not be asked (down, unreachable, folder missing)."""


def _redis(settings):
    import redis

    timeout = float(settings["WORKER_HEALTH_TIMEOUT_SECONDS"])
    return redis.Redis.from_url(settings["BROKER_URL"], socket_timeout=timeout, socket_connect_timeout=timeout)


def _redis_queue_keys():
    return [QUEUE if step == 0 else f"{QUEUE}{_PRIORITY_SEPARATOR}{step}" for step in _PRIORITY_STEPS]


def _task_id(message):
    headers = message.get("headers") or {}
    return headers.get("id") or (message.get("properties") or {}).get("correlation_id")


def held_dispatch_ids(settings):
    """Task ids (= dispatch ids) of every message the broker holds, waiting or taken unacked.

    Raises :class:`BrokerUnavailable` when the broker cannot be read.
    """
    held = set()
    if settings.get("BROKER_URL"):
        _require_redis(settings)
        import redis

        try:
            client = _redis(settings)
            raw = [item for key in _redis_queue_keys() for item in client.lrange(key, 0, -1)]
            raw += [json.dumps(json.loads(value)[0]) for value in client.hvals(_UNACKED_KEY)]
        except (redis.exceptions.RedisError, OSError) as exc:
            raise BrokerUnavailable(f"Redis at {_safe_url(settings['BROKER_URL'])}: {exc}") from None
        for item in raw:
            try:
                task_id = _task_id(json.loads(item))
            except (ValueError, TypeError, AttributeError):
                continue
            if task_id:
                held.add(task_id)
        return held
    folder = _queue_folder(settings)
    try:
        names = message_files(folder, QUEUE)
    except OSError as exc:
        raise BrokerUnavailable(f"the queue folder {folder}: {exc.strerror}") from None
    for name in names:
        try:
            task_id = _task_id(read_message(os.path.join(folder, name)))
        except (OSError, ValueError, AttributeError):
            continue  # taken meanwhile
        if task_id:
            held.add(task_id)
    return held


def broker_status(settings):
    """``{"reachable": bool, "waiting_messages": int | None, "broker": str, "problem": str | None}``."""
    status = {"broker": "redis" if settings.get("BROKER_URL") else "embedded", "reachable": False}
    status.update(waiting_messages=None, problem=None)
    try:
        if settings.get("BROKER_URL"):
            _require_redis(settings)
            import redis

            try:
                client = _redis(settings)
                status["waiting_messages"] = sum(client.llen(key) for key in _redis_queue_keys())
            except (redis.exceptions.RedisError, OSError) as exc:
                raise BrokerUnavailable(f"Redis at {_safe_url(settings['BROKER_URL'])}: {exc}") from None
        else:
            folder = _queue_folder(settings)
            if not os.access(folder, os.W_OK):
                raise BrokerUnavailable(f"the queue folder {folder} is missing or not writable")
            status["waiting_messages"] = len(message_files(folder, QUEUE))
        status["reachable"] = True
    except BrokerUnavailable as exc:
        status["problem"] = str(exc)
    return status


def _queue_folder(settings):
    return os.path.join(settings["INSTANCE_PATH"], "broker", "queue")


def _require_redis(settings):
    scheme = urlparse(settings["BROKER_URL"]).scheme
    if scheme not in ("redis", "rediss"):
        raise BrokerUnavailable(f"cannot inspect a {scheme!r} broker; cortico supports redis:// and the embedded queue")


def _safe_url(url):
    parsed = urlparse(url)
    host = parsed.hostname or "?"
    return f"{parsed.scheme}://{host}:{parsed.port or 6379}{parsed.path}"
