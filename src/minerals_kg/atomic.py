"""Files written whole or not at all: write to a temporary file beside the target, then rename.

A reader (or a crash) never sees half a file, and a failure leaves the old file in place.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from .errors import InvalidArgument, shorten

__all__ = ["atomic_directory", "open_atomic", "write_bytes", "write_text"]


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _check_parent(parent: Path, path: Path, where: str) -> None:
    """One precise error when a folder on the way to ``path`` is a file (``/dev/null/out``)."""
    for ancestor in (parent, *parent.parents):
        if ancestor.exists():
            if not ancestor.is_dir():
                raise InvalidArgument(
                    where, "a writable location", f"{shorten(str(path))} ({ancestor} is not a folder)"
                )
            return


def _publish(path: Path | str, mode: int) -> None:
    """Give a finished temporary file or folder the permissions a plain ``open``/``mkdir`` would."""
    os.chmod(path, mode & ~_umask())


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
    _check_parent(parent, path, where)
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
        _publish(tmp, 0o666)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


@contextlib.contextmanager
def atomic_directory(path: Path | str, *, marker: str, where: str = "--out") -> Iterator[Path]:
    """A temporary folder next to ``path`` to fill; on success it replaces ``path``, on error it is removed.

    ``path`` may be missing, an empty folder, or a folder an earlier run wrote (it holds ``marker``);
    any other folder is refused, so an export never deletes files it did not write.

    >>> import tempfile, pathlib
    >>> target = pathlib.Path(tempfile.mkdtemp()) / "csv"
    >>> with atomic_directory(target, marker="import.sh") as tmp:
    ...     _ = (tmp / "import.sh").write_text("#!/bin/sh")
    >>> sorted(p.name for p in target.iterdir())
    ['import.sh']
    """
    path = Path(path)
    if path.exists() and not path.is_dir():
        raise InvalidArgument(where, "a folder path", f"{shorten(str(path))} (a file)")
    if path.is_dir() and any(path.iterdir()) and not (path / marker).is_file():
        raise InvalidArgument(
            where,
            f"a new or empty folder, or one an earlier export wrote (with {marker})",
            f"{shorten(str(path))} (a folder with other files)",
        )
    parent = path.parent if str(path.parent) else Path(".")
    _check_parent(parent, path, where)
    try:
        parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{path.name}.", suffix=".tmp", dir=parent))
    except OSError as exc:
        raise InvalidArgument(
            where, "a writable location", f"{shorten(str(path))} ({exc.strerror or type(exc).__name__})"
        ) from None
    try:
        yield tmp
        _publish(tmp, 0o777)
        if path.is_dir():
            old = Path(f"{tmp}.old")
            os.rename(path, old)
            os.rename(tmp, path)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.rename(tmp, path)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
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
