"""A bounded directory of request bodies the gateway has not acknowledged yet, replayed oldest first.

Each pending batch is one file, written to a temporary name, fsynced, renamed
into place and the directory fsynced: once ``append`` returns, the batch
survives a crash. File names are increasing sequence numbers, so replay keeps
the order of sending. A lock file keeps two processes from replaying one spool.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, Iterator

from .errors import SpoolError

try:  # POSIX only; elsewhere one process per spool directory is the caller's rule
    import fcntl
except ImportError:  # pragma: no cover
    fcntl = None  # type: ignore[assignment]

_SUFFIX = ".batch.json"


class Spool:
    def __init__(self, directory: str | os.PathLike[str], *, max_bytes: int = 64 * 1024 * 1024, max_batches: int = 10_000) -> None:
        self.directory = Path(directory)
        self.rejected_directory = self.directory / "rejected"
        self.max_bytes = max_bytes
        self.max_batches = max_batches
        self.directory.mkdir(parents=True, exist_ok=True)
        self._lock_file = open(self.directory / ".lock", "a+b")  # noqa: SIM115 - held for the spool's lifetime
        if fcntl is not None:
            try:
                fcntl.flock(self._lock_file, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError as err:
                self._lock_file.close()
                raise SpoolError("SPOOL_LOCKED", f"another process uses the spool {self.directory}") from err

    def close(self) -> None:
        self._lock_file.close()

    def _files(self) -> list[Path]:
        return sorted(p for p in self.directory.iterdir() if p.name.endswith(_SUFFIX))

    def pending(self) -> int:
        return len(self._files())

    def size_bytes(self) -> int:
        return sum(p.stat().st_size for p in self._files())

    def append(self, body: dict[str, Any]) -> Path:
        """Keep one request body durably; raises ``SpoolError`` ``SPOOL_FULL`` past the bounds (nothing kept)."""
        data = json.dumps(body, separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode("utf-8")
        files = self._files()
        if len(files) >= self.max_batches or sum(p.stat().st_size for p in files) + len(data) > self.max_bytes:
            raise SpoolError("SPOOL_FULL", f"the spool {self.directory} is full ({len(files)} batches, limit {self.max_batches} batches / {self.max_bytes} bytes)", retriable=True)
        sequence = int(files[-1].name[: -len(_SUFFIX)]) + 1 if files else 1
        target = self.directory / f"{sequence:016d}{_SUFFIX}"
        temporary = self.directory / f".{sequence:016d}.tmp"
        try:
            with open(temporary, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(temporary, target)
            self._sync_directory()
        except OSError as err:
            raise SpoolError("SPOOL_FAILED", f"cannot write the spool {self.directory}: {err}") from err
        return target

    def entries(self) -> Iterator[tuple[Path, dict[str, Any]]]:
        """Pending batches, oldest first."""
        for path in self._files():
            yield path, json.loads(path.read_text("utf-8"))

    def remove(self, path: Path) -> None:
        path.unlink(missing_ok=True)
        self._sync_directory()

    def reject(self, path: Path) -> Path:
        """Move a batch the gateway refused for good aside (kept for a person to look at), out of the replay."""
        self.rejected_directory.mkdir(exist_ok=True)
        target = self.rejected_directory / path.name
        os.replace(path, target)
        self._sync_directory()
        return target

    def _sync_directory(self) -> None:
        if os.name != "posix":  # pragma: no cover
            return
        fd = os.open(self.directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
