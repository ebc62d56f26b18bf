"""The errors a user can cause, each with its exit code (see DESIGN.md, "Errors and exit codes")."""


class LrnnError(Exception):
    """An error reported to the user as one line, with an exit code."""

    exit_code = 1


class InputError(LrnnError):
    """Bad input data or settings: exit 2."""

    exit_code = 2


class ArtifactError(LrnnError):
    """An unreadable, incompatible or unsafe artifact: exit 3."""

    exit_code = 3
