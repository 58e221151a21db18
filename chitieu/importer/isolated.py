"""Read an uploaded annex in a child process with a memory and time budget.

The package checks (chitieu.packages) refuse every bomb we know of before a parser
sees the file, but a web worker must not trust that list to be complete: one
unforeseen input that makes openpyxl or python-docx build a billion objects would
take the worker (and every request it serves) down. So the web app parses in a
forked child whose address space and CPU time are capped; when the child runs out,
the upload is refused with a clear message and the worker carries on.
"""

from __future__ import annotations

import multiprocessing
import os
import resource
import time
from multiprocessing.connection import Connection

from chitieu.importer import ReadResult, read_plan_bytes
from chitieu.issues import Issue, Severity

MEMORY_MB = 768  # above what the process already holds; the real annex needs a few MB
SECONDS = 60  # wall clock; a real annex is read in well under a second
POLL = 0.02  # how often the parent looks at the child's memory


def _refused(code: str, message: str) -> ReadResult:
    return ReadResult(None, (Issue(Severity.ERROR, "file", message, code),))


def _memory_message(memory_mb: int) -> str:
    return (
        f"tệp cần quá nhiều bộ nhớ để đọc (giới hạn {memory_mb} MB): "
        "không phải bảng phụ lục thông thường, hoặc tệp đã bị sửa để gây quá tải"
    )


def _statm(pid: int | str, field: int) -> int:
    """Virtual size (field 0) or resident memory (field 1) of a process, in bytes; 0 if unknown."""
    try:
        with open(f"/proc/{pid}/statm", encoding="ascii") as statm:
            return int(statm.read().split()[field]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


def _anonymous(pid: int | str) -> int:
    """A process's resident anonymous memory (what a parser's objects take), in bytes; 0 if unknown.

    Not its whole resident size: a forked child starts with the parent's anonymous pages but not
    with the file-backed pages the parent had read (a database file mapped, libraries), so
    budgeting on the parent's whole RSS gave the child that much more room than ``memory_mb``."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("RssAnon:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return 0


def _child(sender: Connection, data: bytes, filename: str, memory_mb: int, seconds: int) -> None:
    # Backstops only: the parent measures and stops the child first. A failed allocation
    # inside a reader would be reported as a damaged file, hence the parent's own watch.
    mapped = _statm("self", 0)
    if mapped:
        limit = mapped + 4 * memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    resource.setrlimit(resource.RLIMIT_CPU, (seconds + 1, seconds + 2))
    sender.send(read_plan_bytes(data, filename))
    sender.close()


def read_plan_isolated(
    data: bytes, filename: str, *, memory_mb: int = MEMORY_MB, seconds: int = SECONDS
) -> ReadResult:
    """Like read_plan_bytes, but a runaway parse is stopped and refused instead of taking the process."""
    context = multiprocessing.get_context("fork")  # the parent's modules, no start-up cost
    receiver, sender = context.Pipe(duplex=False)
    budget = _anonymous(os.getpid()) + memory_mb * 1024 * 1024  # the child starts as our copy
    child = context.Process(target=_child, args=(sender, data, filename, memory_mb, seconds), daemon=True)
    child.start()
    sender.close()
    try:
        return _watch(receiver, child, budget, memory_mb, seconds)
    finally:
        receiver.close()
        if child.is_alive():
            child.kill()
        child.join(5)


def _watch(receiver: Connection, child, budget: int, memory_mb: int, seconds: int) -> ReadResult:
    deadline = time.monotonic() + seconds
    while not receiver.poll(POLL):
        if not child.is_alive() and not receiver.poll(0):
            return _refused("too_much_memory", _memory_message(memory_mb))  # killed by a backstop
        if _anonymous(child.pid) > budget:
            child.kill()
            return _refused("too_much_memory", _memory_message(memory_mb))
        if time.monotonic() > deadline:
            child.kill()
            return _refused(
                "too_slow", f"đọc tệp quá lâu (quá {seconds} giây): tệp không phải bảng phụ lục thông thường"
            )
    try:
        return receiver.recv()
    except EOFError:  # the child died while answering
        return _refused("too_much_memory", _memory_message(memory_mb))
