"""What a failure says on the command line: the flag at fault, or one line naming the problem.

The library's errors name what a Python caller wrote: a field
(``ExportOptions.timezone``) or a keyword argument (``overwrite=True``). On the
command line the user wrote flags, so the messages name those instead:

- an error of a field that a flag of the running command sets is a usage
  error: argparse's ``usage:`` and ``error: --timezone: …``, exit 2;
- any other failure is one line, ``error: …``, exit 1; a missing optional
  dependency says which extra to install.
"""

from __future__ import annotations

import argparse
import re
from typing import Final

from .._shown import shown
from ..errors import FieldError

__all__ = ["failure_line", "flag_message", "in_flags"]

#: The fields of the library's errors, as the flags that set them. A field set by
#: different flags in different commands lists each; the running command's is used.
#: A label joining flags by ``/`` names several flags that set the field together.
FLAGS: Final[dict[str, tuple[str, ...]]] = {
    # The export dialog (export, store export, jobs add) and store load's archive options.
    "ExportOptions.format": ("--format",),
    "ExportOptions.lists": ("--lists",),
    "ExportOptions.dispositions": ("--dispositions",),
    "ExportOptions.interval": ("--from/--to",),
    "ExportOptions.timezone": ("--timezone", "--archive-timezone"),
    "ExportOptions.language": ("--language", "--archive-language"),
    "ExportOptions.dialect": ("--dialect", "--archive-dialect"),
    "ExportOptions.compress": ("--zip",),
    "ExportOptions.file_format": ("--file-format",),
    "ExportOptions.layout": ("--layout",),
    # An export job: the only option a job refuses is an interval (an incremental one's).
    "ExportJob.schedule": ("--schedule",),
    "ExportJob.start": ("--start",),
    "ExportJob.destination": ("--destination",),
    "ExportJob.options": ("--from/--to",),
    "ExportJob.keep": ("--keep",),
    "Remote.url": ("--destination",),
    "Remote.endpoint": ("--endpoint",),
    "Remote.identity_file": ("--identity-file",),
    "Remote.token_variable": ("--token-variable",),
    "Remote.timeout": ("--timeout",),
    # read_report's keyword arguments (inspect).
    "timezone": ("--timezone",),
    "errors": ("--errors",),
    "encoding": ("--encoding",),
    "datetime_format": ("--datetime-format",),
    "script_fields": ("--script-fields",),
    # The platform client and the sync (store sync).
    "url": ("--url",),
    "since": ("--since",),
    "page_size": ("--page-size",),
    "key_columns": ("--key-column",),
}

#: Keyword arguments the library's messages suggest, as the flags that pass them.
KEYWORDS: Final = {
    "overwrite=True": "--force",
    "insecure_http=True": "--insecure-http",
    "compress": "--zip",
    "file_format": "--file-format",
}

#: A keyword as a word of the message: not part of a field's name, a path or a quoted value.
_KEYWORD: Final = re.compile(
    r"(?<![\w.\-'\"/\\])(" + "|".join(map(re.escape, KEYWORDS)) + r")(?![\w=])",
)

#: Optional dependencies the commands import when first needed: the extra that
#: installs each, and what needs it.
EXTRAS: Final = {
    "openpyxl": ("xlsx", "reading an Excel workbook"),
    "python_calamine": ("xlsx", "reading an Excel workbook"),
    "xlsxwriter": ("xlsx", "writing an Excel workbook"),
    "pyarrow": ("arrow", "reading or writing a Parquet file"),
    "matplotlib": ("plot", "drawing the charts of the HTML report"),
}

#: The distribution ``pip`` installs.
DISTRIBUTION: Final = "cloudcontact-results"


def in_flags(text: str) -> str:
    """``text`` with the keyword arguments it suggests named by their flags.

    >>> in_flags("is read-only; pass overwrite=True to replace it")
    'is read-only; pass --force to replace it'
    >>> in_flags("compress applies to CSV only; a compressed file")
    '--zip applies to CSV only; a compressed file'
    """
    return _KEYWORD.sub(lambda match: KEYWORDS[match.group(1)], text)


def flag_message(error: FieldError, parser: argparse.ArgumentParser) -> str | None:
    """``error`` as a usage error of the flag that gave its value, or None if no flag of
    ``parser`` sets its field (the value came from a file or a store: bad data).

    The value is quoted only when it is text, as typed; a switch's ``True``
    or a parsed interval would show Python, not what the user wrote.
    """
    label = next(
        (
            label
            for label in FLAGS.get(error.field, ())
            if label.split("/")[0] in parser._option_string_actions  # noqa: SLF001
        ),
        None,
    )
    if label is None:
        return None
    message = f"{label}: {in_flags(error.reason)}"
    if isinstance(error.value, str):
        message += f" (got {shown(error.value)})"
    return message


def failure_line(error: BaseException, source: str | None) -> str:
    """The one line (after ``error: ``) that a failure of a command prints.

    Args:
        error: a library error, an ``OSError`` or an ``ImportError``.
        source: the file the command reads, named before a line number.
    """
    if isinstance(error, ImportError):
        return _missing(error)
    if isinstance(error, OSError):
        if error.filename is not None and error.strerror:
            return f"{error.filename}: {error.strerror}"
        return str(error)
    text = in_flags(str(error))
    if source is not None and getattr(error, "line", None) is not None:
        return f"{source}: {text}"
    return text


def _missing(error: ImportError) -> str:
    """What a missing optional dependency needs installed, from the module that was missing."""
    cause: BaseException | None = error
    while cause is not None:
        name = getattr(cause, "name", None)
        if isinstance(name, str) and (top := name.partition(".")[0]) in EXTRAS:
            extra, what = EXTRAS[top]
            return (
                f'{what} needs {top}, which is not installed: pip install "{DISTRIBUTION}[{extra}]"'
            )
        cause = cause.__cause__ or cause.__context__
    return str(error)
