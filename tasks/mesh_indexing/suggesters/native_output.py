"""Keep a native library's progress bars out of the training log.

omikuji (Rust) draws a progress bar on the process's stdout/stderr for every tree it trains:
megabytes of log per out-of-fold fit. Its output is captured at the file-descriptor level
and shown only when the call fails.
"""

import contextlib
import logging
import os
import sys
import tempfile
from collections.abc import Iterator

logger = logging.getLogger(__name__)


@contextlib.contextmanager
def captured_native_output(what: str) -> Iterator[None]:
    """Run the block with fds 1 and 2 sent to a temporary file; log its tail on error."""
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()
    with tempfile.TemporaryFile() as sink:
        saved = [os.dup(1), os.dup(2)]
        try:
            os.dup2(sink.fileno(), 1)
            os.dup2(sink.fileno(), 2)
            yield
        except BaseException:
            os.dup2(saved[0], 1)
            os.dup2(saved[1], 2)
            sink.seek(0)
            tail = sink.read()[-4000:].decode("utf-8", "replace")
            logger.error("%s failed; its last output:\n%s", what, tail)
            raise
        finally:
            os.dup2(saved[0], 1)
            os.dup2(saved[1], 2)
            for fd in saved:
                os.close(fd)
