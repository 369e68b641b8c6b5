"""The ``cloudcontact-results`` command: the root parser, composed of the command groups.

Exit codes: 0 on success, 1 for a failure (bad data, a file that cannot be
read or written, a missing optional dependency), 2 for bad usage (an unknown
flag, a bad value of a flag, flags that conflict), 130 when interrupted.
Errors are one line on stderr, never a traceback (see :mod:`.failures`).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence

from ..errors import FieldError, ResultsError
from .arguments import PROG, Parser, version
from .failures import failure_line, flag_message
from .files import add_file_commands
from .jobs import add_job_commands
from .lists import add_list_commands, add_list_store_commands
from .output import write
from .report import add_report_command, add_store_report_command
from .store import add_store_commands
from .sync import add_sync_commands

__all__ = ["main"]


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line with ``argv`` (default: ``sys.argv[1:]``); return the exit code.

    Usage errors raise :class:`SystemExit` with code 2, as argparse does;
    ``--help`` and ``--version`` raise it with code 0.
    """
    parser = _parser()
    args = parser.parse_args(argv)
    run: Callable[[argparse.Namespace], int] = args.run
    command: argparse.ArgumentParser = args.parser
    try:
        return run(args)
    except FieldError as exc:
        usage = flag_message(exc, command)
        if usage is not None:
            command.error(usage)
        return _failed(exc, args)
    except (ResultsError, OSError, ImportError) as exc:
        return _failed(exc, args)
    except KeyboardInterrupt:
        write(sys.stderr, "interrupted")
        return 130


def _failed(exc: BaseException, args: argparse.Namespace) -> int:
    write(sys.stderr, f"error: {failure_line(exc, getattr(args, 'source', None))}")
    return 1


def _parser() -> argparse.ArgumentParser:
    """The whole command line: every group registers its commands here."""
    parser: argparse.ArgumentParser = Parser(
        prog=PROG,
        description="Export and read the results of CloudContact (ServicePattern) "
        "calling campaigns.",
    )
    parser.add_argument(
        "--version",
        action="version",
        version=f"%(prog)s {version()}",
        help="print the installed version and exit",
    )
    commands = parser.add_subparsers(title="commands", dest="command", required=True)
    add_file_commands(commands)
    add_report_command(commands)
    add_list_commands(commands)
    store_commands = add_store_commands(commands)
    add_store_report_command(store_commands)
    add_job_commands(store_commands)
    add_sync_commands(store_commands)
    add_list_store_commands(store_commands)
    return parser
