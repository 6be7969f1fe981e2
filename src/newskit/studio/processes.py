"""The local Label Studio's process: is a pid really it, and stopping it with its children."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

from newskit.errors import NewskitError


def is_label_studio(pid: int) -> bool:
    """True if ``pid`` is alive, is not this process, and (where /proc tells) runs ``label-studio``."""
    if pid <= 1 or pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except (ProcessLookupError, PermissionError):
        return False
    cmdline = Path(f"/proc/{pid}/cmdline")
    if not cmdline.exists():
        return True
    try:
        arguments = cmdline.read_bytes().split(b"\0")
    except OSError:
        return False
    return any(Path(os.fsdecode(a)).name == "label-studio" for a in arguments) and b"start" in arguments


def stop_process_group(pid: int, timeout: float) -> None:
    """SIGTERM the group led by ``pid``, SIGKILL after ``timeout``; wait until all of it is gone."""
    _signal_group(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while _group_alive(pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    if _group_alive(pid):
        _signal_group(pid, signal.SIGKILL)
        deadline = time.monotonic() + timeout
        while _group_alive(pid):
            if time.monotonic() > deadline:
                raise NewskitError(f"Label Studio (pid {pid}) did not stop", f"stop it yourself: kill {pid}")
            time.sleep(0.1)


def _signal_group(pid: int, sig: signal.Signals) -> None:
    """Signal the server's process group (created by start_new_session: its id is the pid)."""
    try:
        if os.getpgid(pid) == pid:
            os.killpg(pid, sig)
        else:
            os.kill(pid, sig)
    except (ProcessLookupError, PermissionError):
        pass


def _group_alive(pgid: int) -> bool:
    """True while the server or any process of its group still runs (it may hold the port)."""
    if _alive(pgid):
        return True
    if pgid == os.getpgid(0):  # never wait for our own group
        return False
    try:
        os.killpg(pgid, 0)
    except (ProcessLookupError, PermissionError):
        return False
    return True


def _alive(pid: int) -> bool:
    try:
        finished, _ = os.waitpid(pid, os.WNOHANG)  # reap it if it is our child
        if finished == pid:
            return False
    except ChildProcessError:
        pass
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    stat = Path(f"/proc/{pid}/stat")
    if stat.exists():  # a zombie that is not our child counts as gone
        try:
            return stat.read_text().split(") ", 1)[1][0] != "Z"
        except (OSError, IndexError):
            return True
    return True
