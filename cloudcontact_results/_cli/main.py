"""The ``cloudcontact-results`` command: the root parser, composed of the command groups.

Exit codes: 0 on success, 1 for bad data (a campaign or report that cannot be
read, an export that cannot be written), 2 for bad usage (argparse's own).
Errors are one line on stderr, ``error: …``, never a traceback.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from typing import Final

from ..errors import ResultsError
from .files import add_file_commands
from .jobs import add_job_commands
from .output import write
from .store import add_store_commands
from .sync import add_sync_commands

__all__ = ["main"]

PROG: Final = "cloudcontact-results"


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line with ``argv`` (default: ``sys.argv[1:]``); return the exit code.

    Usage errors raise :class:`SystemExit` with code 2, as argparse does.
    """
    parser = _parser()
    args = parser.parse_args(argv)
    run: Callable[[argparse.Namespace], int] = args.run
    try:
        return run(args)
    except (ResultsError, OSError) as exc:
        write(sys.stderr, f"error: {_describe(exc, args)}")
        return 1
    except KeyboardInterrupt:
        write(sys.stderr, "interrupted")
        return 130


def _describe(exc: ResultsError | OSError, args: argparse.Namespace) -> str:
    if isinstance(exc, OSError):
        if exc.filename is not None and exc.strerror:
            return f"{exc.filename}: {exc.strerror}"
        return str(exc)
    source = getattr(args, "source", None)
    if source is not None and getattr(exc, "line", None) is not None:
        return f"{source}: {exc}"
    return str(exc)


def _parser() -> argparse.ArgumentParser:
    """The whole command line: every group registers its commands here."""
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="Export and read the results of CloudContact (ServicePattern) "
        "calling campaigns.",
    )
    commands = parser.add_subparsers(title="commands", dest="command", required=True)
    add_file_commands(commands)
    store_commands = add_store_commands(commands)
    add_job_commands(store_commands)
    add_sync_commands(store_commands)
    return parser
