"""Reading blocks, and hashing them beside the encryption on a second thread.

AES-GCM (cryptography) runs at several GB/s but holds the GIL; SHA-256 is several times slower and
releases it (hashlib, for buffers over 2 KiB). So an upload hashes each block on a worker thread
while the main thread seals the same block (`Hasher`): the hash costs about as long as the rest of
the upload, and now runs beside it instead of after it.
"""
from __future__ import annotations

import hashlib
import threading
from typing import BinaryIO


def fill(source: BinaryIO, buffer: bytearray) -> int:
    """Fill `buffer` from `source` (looping over short reads); the number of bytes read."""
    view = memoryview(buffer)
    filled = 0
    total = len(buffer)
    readinto = getattr(source, "readinto", None)
    while filled < total:
        if readinto is not None:
            try:
                n = readinto(view[filled:])
            except NotImplementedError:  # an io.RawIOBase that implements read() only
                readinto = None
                continue
        else:
            data = source.read(total - filled)
            n = len(data)
            view[filled:filled + n] = data
        if not n:
            break
        filled += n
    return filled


class Hasher:
    """Feeds blocks to a hash on a worker thread, one at a time, in order.

    `update(block)` waits for the previous block (so its buffer may be reused) and starts this one;
    leaving the context waits for the last and ends the thread. The caller must not change a block
    until the next `update()` or the end of the context. `inline=True` hashes on the calling thread
    (a small file is not worth a thread). A bare thread and two locks rather than an executor: the
    hand-over happens once per block, and its cost shows at a few hundred blocks per second.
    """

    def __init__(self, digest: hashlib._Hash) -> None:
        self._digest = digest
        self._thread: threading.Thread | None = None
        self._block: memoryview | None = None
        self._error: BaseException | None = None
        self._work = threading.Lock()  # released when a block (or the end) is handed over
        self._idle = threading.Lock()  # released when the worker has finished a block
        self._work.acquire()
        self._busy = False

    def _run(self) -> None:
        while True:
            self._work.acquire()
            block, self._block = self._block, None
            if block is None:
                return
            try:
                self._digest.update(block)
            except BaseException as error:  # handed to the caller
                self._error = error
            self._idle.release()

    def update(self, block: memoryview, *, inline: bool = False) -> None:
        self._wait()
        if inline:
            self._digest.update(block)
            return
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="sha256", daemon=True)
            self._thread.start()
        self._idle.acquire()
        self._busy = True
        self._block = block
        self._work.release()

    def _wait(self) -> None:
        if self._busy:
            self._idle.acquire()  # the worker's release: this block is hashed
            self._idle.release()
            self._busy = False
        if self._error is not None:
            error, self._error = self._error, None
            raise error

    def __enter__(self) -> Hasher:
        return self

    def __exit__(self, *exc: object) -> None:
        try:
            self._wait()
        finally:
            if self._thread is not None:
                self._block = None
                self._work.release()  # no block: the worker ends
                self._thread.join()
