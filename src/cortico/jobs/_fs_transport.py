"""The embedded queue: kombu's filesystem transport with atomic writes and takes.

kombu's ``_put`` writes the message file in place and ``_get`` reads it without a
lock, so a consumer could read a half-written message (``JSONDecodeError``, the
worker crashed). Here a message is written to a hidden temporary file and renamed
into place (readers see a whole message or none), and a consumer takes a message
by renaming it to a name of its own in the same folder (exactly one consumer
wins) before reading it. Registered as the ``cortico-fs://`` broker URL scheme.
"""

import os
import uuid
from queue import Empty
from time import monotonic

from kombu.exceptions import ChannelError
from kombu.transport import TRANSPORT_ALIASES, filesystem
from kombu.utils.encoding import bytes_to_str, str_to_bytes
from kombu.utils.json import dumps, loads

__all__ = ["SCHEME", "Channel", "Transport", "message_files", "read_message"]

SCHEME = "cortico-fs"
_TEMP_PREFIX = ".put-"
_TAKEN_PREFIX = ".taken-"


def message_files(folder, queue):
    """Names of the complete messages of ``queue`` in ``folder``, oldest first."""
    wanted = f"{queue}.msg"
    return sorted(name for name in os.listdir(folder) if not name.startswith(".") and name.partition(".")[2] == wanted)


def read_message(path):
    """The decoded payload of one message file."""
    with open(path, "rb") as f:
        return loads(bytes_to_str(f.read()))


class Channel(filesystem.Channel):
    """Filesystem channel whose messages appear and disappear atomically."""

    def _put(self, queue, payload, **kwargs):
        name = f"{int(round(monotonic() * 1000)):015d}_{uuid.uuid4()}.{queue}.msg"
        final = os.path.join(self.data_folder_out, name)
        temporary = os.path.join(self.data_folder_out, _TEMP_PREFIX + name)
        try:
            with open(temporary, "wb") as f:
                f.write(str_to_bytes(dumps(payload)))
            os.replace(temporary, final)
        except OSError as exc:
            try:
                os.unlink(temporary)
            except OSError:
                pass
            raise ChannelError(f"Cannot add a message to {self.data_folder_out}: {exc}") from exc

    def _get(self, queue):
        folder = self.data_folder_in
        for name in message_files(folder, queue):
            taken = os.path.join(folder, f"{_TAKEN_PREFIX}{os.getpid()}-{uuid.uuid4().hex}")
            try:
                os.rename(os.path.join(folder, name), taken)
            except FileNotFoundError:
                continue  # another consumer took it first
            try:
                return read_message(taken)
            finally:
                os.unlink(taken)
        raise Empty()

    def _size(self, queue):
        return len(message_files(self.data_folder_in, queue))

    def _purge(self, queue):
        count = 0
        for name in message_files(self.data_folder_in, queue):
            try:
                os.unlink(os.path.join(self.data_folder_in, name))
                count += 1
            except FileNotFoundError:
                continue
        return count


class Transport(filesystem.Transport):
    """kombu transport for ``cortico-fs://``."""

    Channel = Channel
    global_state = filesystem.virtual.BrokerState()


TRANSPORT_ALIASES[SCHEME] = f"{__name__}:Transport"
