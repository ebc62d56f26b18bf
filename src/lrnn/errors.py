"""What can go wrong for a user, one class per kind of failure, each with its exit code
(DESIGN.md, "Errors and exit codes"). The CLI prints an LrnnError as one line and exits with
its code; anything else is a bug (exit 1, with a traceback).

| class            | what happened                                         | exit |
|------------------|-------------------------------------------------------|------|
| InputError       | bad data, file, setting or request                    | 2    |
| TrainingDiverged | the loss became NaN or infinite                       | 2    |
| StorageError     | the disk refused a write (full, read-only, no right)  | 2    |
| PeerFailed       | another process of a torchrun job failed              | 2    |
| ArtifactError    | an unreadable, incompatible or unsafe run or checkpoint | 3  |
| Interrupted      | SIGINT / SIGTERM stopped training after a checkpoint  | 130 / 143 |
"""

from __future__ import annotations

import signal

EXIT_BUG = 1
EXIT_INPUT = 2
EXIT_ARTIFACT = 3
EXIT_INTERRUPTED = 128 + signal.SIGINT  # 130
EXIT_TERMINATED = 128 + signal.SIGTERM  # 143
EXIT_BROKEN_PIPE = 128 + 13  # SIGPIPE's number: what a shell reports for `... | head`


class LrnnError(Exception):
    """An error reported to the user as one line, with an exit code."""

    exit_code = EXIT_BUG


class InputError(LrnnError):
    """Bad input data, file, setting or request."""

    exit_code = EXIT_INPUT


class TrainingDiverged(LrnnError):
    """The training loss stopped being a finite number."""

    exit_code = EXIT_INPUT


class StorageError(LrnnError):
    """A write the disk refused; nothing was published."""

    exit_code = EXIT_INPUT


class PeerFailed(LrnnError):
    """Another process of the same torchrun job failed; its own message says why."""

    exit_code = EXIT_INPUT


class ArtifactError(LrnnError):
    """An unreadable, incompatible or unsafe run directory, model file or checkpoint."""

    exit_code = EXIT_ARTIFACT


class Interrupted(LrnnError):
    """Training stopped by SIGINT or SIGTERM after a last checkpoint."""

    def __init__(self, signum: int, message: str):
        super().__init__(message)
        self.exit_code = 128 + signum
