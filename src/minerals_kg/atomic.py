"""Files written whole or not at all: write to a temporary file beside the target, then rename.

A reader (or a crash) never sees half a file, and a failure leaves the old file in place.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from .errors import InvalidArgument, shorten

__all__ = ["open_atomic", "write_bytes", "write_text"]


@contextlib.contextmanager
def open_atomic(
    path: Path | str, mode: str = "w", *, where: str = "--out", encoding: str | None = "utf-8"
) -> Iterator[IO]:
    """Open a temporary file next to ``path``; on success it replaces ``path``, on error it is removed.

    >>> import tempfile, pathlib
    >>> target = pathlib.Path(tempfile.mkdtemp()) / "a.txt"
    >>> with open_atomic(target) as fh:
    ...     _ = fh.write("hello")
    >>> target.read_text()
    'hello'
    """
    path = Path(path)
    parent = path.parent if str(path.parent) else Path(".")
    if path.is_dir():
        raise InvalidArgument(where, "a file path", f"{shorten(str(path))} (a folder)")
    try:
        parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=parent)
    except OSError as exc:
        raise InvalidArgument(
            where, "a writable location", f"{shorten(str(path))} ({exc.strerror or type(exc).__name__})"
        ) from None
    binary = "b" in mode
    try:
        with os.fdopen(fd, mode, encoding=None if binary else encoding, newline=None if binary else "") as fh:
            yield fh
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def write_text(path: Path | str, text: str, *, where: str = "--out") -> Path:
    """Write ``text`` to ``path`` atomically."""
    with open_atomic(path, "w", where=where) as fh:
        fh.write(text)
    return Path(path)


def write_bytes(path: Path | str, data: bytes, *, where: str = "--out") -> Path:
    """Write ``data`` to ``path`` atomically."""
    with open_atomic(path, "wb", where=where, encoding=None) as fh:
        fh.write(data)
    return Path(path)
