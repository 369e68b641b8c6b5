"""Generated code: small helpers that emit lines of Python, and compiling them.

The library generates a few hot functions from its own tables (a class's
checked ``__init__``, the rows of the reports, the export's loops, the
store's codecs), in one style, that of attrs' ``_make.py``:

- every generator builds a **list of lines**, one statement a line, from the
  helpers below: :func:`function`, :func:`if_block`, :func:`branches`,
  :func:`for_loop`, :func:`assign`, :func:`indent`; :func:`wrapped` and
  :func:`joined` write an expression too long for one line with one item (or
  one ``and``/``or`` part) a line inside brackets, so no line is longer
  than :data:`MAX_LINE`;
- names say what they hold: locals are named after the attribute or column
  they hold (``record_id``, ``list_name``), globals after what they are
  (``DELIMITER``, ``guard_cell``);
- expressions that stand for a value are written over a fixed variable name
  (``value``) and bound by an assignment, never filled into a template;
- :func:`compile_source` compiles the lines under a unique file name and
  registers them with :mod:`linecache`, so tracebacks and debuggers show the
  generated lines, as they do for attrs' generated methods.

>>> namespace = {"LIMIT": 3}
>>> lines = function(
...     "clamp",
...     ["value"],
...     [*if_block("value > LIMIT", ["return LIMIT"]), "return value"],
... )
>>> print(source_of(lines), end="")
def clamp(value):
    if value > LIMIT:
        return LIMIT
    return value
>>> compile_source(lines, namespace, "doctest clamp")
>>> namespace["clamp"](5)
3
"""

from __future__ import annotations

import itertools
import linecache
from collections.abc import Callable, Iterable, Mapping, Sequence
from types import CodeType
from typing import Any, Final

import attrs

__all__ = [
    "GENERATED",
    "MAX_LINE",
    "WIDTH",
    "InlineExpression",
    "assign",
    "compile_source",
    "for_loop",
    "function",
    "if_block",
    "indent",
    "joined",
    "negated",
    "source_of",
    "try_block",
    "wrapped",
]

#: What the file name of every generated source starts with.
GENERATED: Final = "<cloudcontact_results generated "
#: The longest a line may be, indentation included (a test holds every generated source to it).
MAX_LINE: Final = 100
#: Where :func:`wrapped` and :func:`joined` break what they write, indentation not
#: counted: room for seven levels of indentation under :data:`MAX_LINE`.
WIDTH: Final = 72

_numbers = itertools.count(1)


@attrs.frozen
class InlineExpression:
    """An expression of generated code over one variable, and the globals it reads.

    ``write(name)`` is the expression's source over the variable ``name``;
    ``names`` are the globals that source uses.

    >>> positive = InlineExpression(lambda value: f"{value} > ZERO", {"ZERO": 0})
    >>> positive.write("count")
    'count > ZERO'
    """

    write: Callable[[str], str]
    names: Mapping[str, Any] = attrs.field(factory=dict)


def indent(lines: Iterable[str], levels: int = 1) -> list[str]:
    """``lines``, each indented ``levels`` times four spaces (blank lines stay blank)."""
    prefix = "    " * levels
    return [prefix + line if line else line for line in lines]


def function(name: str, parameters: Sequence[str], body: Sequence[str]) -> list[str]:
    """``def name(parameters):`` and its ``body`` (``pass`` when empty)."""
    return [*wrapped(f"def {name}(", parameters, "):"), *indent(body or ["pass"])]


def if_block(test: str, body: Sequence[str], otherwise: Sequence[str] | None = None) -> list[str]:
    """``if test:`` and ``body``; ``else:`` and ``otherwise`` when given."""
    return branches([(test, body)], otherwise)


def branches(
    cases: Sequence[tuple[str, Sequence[str]]], otherwise: Sequence[str] | None = None
) -> list[str]:
    """``if``/``elif`` each (test, body) of ``cases`` in turn; ``else:`` and ``otherwise``.

    >>> print(source_of(branches([("a", ["x = 1"]), ("b", ["x = 2"])], ["x = 3"])), end="")
    if a:
        x = 1
    elif b:
        x = 2
    else:
        x = 3
    """
    lines: list[str] = []
    for number, (test, body) in enumerate(cases):
        lines += [*f"{'el' if number else ''}if {test}:".splitlines(), *indent(body or ["pass"])]
    if otherwise:
        lines += ["else:", *indent(otherwise)]
    return lines


def joined(joiner: str, parts: Sequence[str]) -> str:
    """``parts`` joined by ``joiner`` (``and``, ``or``): one expression.

    On one line when it fits, else in parentheses with one part a line.

    >>> joined("or", ["a", "b"])
    'a or b'
    >>> print(source_of(if_block(joined("or", ["a" * 40, "b" * 40]), ["pass"])), end="")
    if (
        aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
        or bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb
    ):
        pass
    >>> inner = joined("or", ["a" * 40, "b" * 40])
    >>> print(source_of(if_block(joined("and", ["c", inner]), ["pass"])), end="")
    if (
        c
        and (
            aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
            or bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb
        )
    ):
        pass
    """
    line = f" {joiner} ".join(parts)
    if len(line) <= WIDTH and "\n" not in line:
        return line
    first, *rest = parts
    lines = [f"    {first}", *(f"    {joiner} {part}" for part in rest)]
    # A part on several lines (itself joined) is indented as a whole.
    return "\n".join(["(", *(line.replace("\n", "\n    ") for line in lines), ")"])


def negated(test: str) -> str:
    """``not`` ``test``, in parentheses unless :func:`joined` already gave it some."""
    return f"not {test}" if test.startswith("(\n") else f"not ({test})"


def try_block(body: Sequence[str], exception: str, handler: Sequence[str]) -> list[str]:
    """``try:`` and ``body``; ``except exception:`` and ``handler``.

    >>> print(source_of(try_block(["x = cache[key]"], "KeyError", ["x = None"])), end="")
    try:
        x = cache[key]
    except KeyError:
        x = None
    """
    return ["try:", *indent(body), f"except {exception}:", *indent(handler)]


def for_loop(target: str, iterable: str, body: Sequence[str]) -> list[str]:
    """``for target in iterable:`` and its ``body``."""
    return [*f"for {target} in {iterable}:".splitlines(), *indent(body or ["pass"])]


def assign(target: str, expression: str) -> list[str]:
    """``target = expression``: one statement, on more lines if ``expression`` has them.

    A line too long for :data:`WIDTH` puts the expression in brackets on lines of its own.

    >>> assign("total", "a + b")
    ['total = a + b']
    >>> assign("total", "a" * 60 + " + " + "b" * 60)[0]
    'total = ('
    """
    line = f"{target} = {expression}"
    if len(line) <= WIDTH or "\n" in expression:
        return line.splitlines()
    return [f"{target} = (", *indent([expression]), ")"]


def wrapped(opening: str, items: Sequence[str], closing: str) -> list[str]:
    """``opening`` + the ``items`` separated by commas + ``closing``: one expression.

    On one line when it fits; else each item on a line of its own, between
    ``opening`` and ``closing`` (which end and start inside the brackets);
    an item of several lines keeps them.

    >>> wrapped("total = sum((", ["first", "second"], "))")
    ['total = sum((first, second))']
    >>> wrapped("total = sum((", ["a" * 60, "b" * 60], "))")[-1]
    '))'
    """
    line = f"{opening}{', '.join(items)}{closing}"
    if not items or (len(line) <= WIDTH and "\n" not in line):
        return [line]
    lines = [opening]
    for item in items:
        lines += indent(f"{item},".splitlines())
    return [*lines, closing]


def source_of(lines: Iterable[str]) -> str:
    """The text of ``lines``, each ended."""
    return "".join(line + "\n" for line in lines)


def _check_no_shadowing(code: CodeType, namespace: Mapping[str, Any], filename: str) -> None:
    """Fail if a variable of the generated functions has the name of one of their globals.

    Locals are named after what they hold, globals after what they are; the
    two must not meet, or a global would silently be out of reach.
    """
    for constant in code.co_consts:
        if isinstance(constant, CodeType):
            shadowing = (set(constant.co_varnames) | set(constant.co_cellvars)) & set(namespace)
            if shadowing:
                raise AssertionError(f"{filename}: locals shadow globals: {sorted(shadowing)}")
            _check_no_shadowing(constant, namespace, filename)


def compile_source(lines: Iterable[str], namespace: dict[str, Any], what: str) -> None:
    """Run the generated ``lines`` in ``namespace`` under a file name tracebacks can show.

    As attrs does for its generated methods: the file name is unique (``what``
    and a number) and the source is registered with :mod:`linecache` under it.
    """
    # A dict subclass as globals would make every global lookup of the code slow.
    if type(namespace) is not dict:
        raise TypeError("the namespace of generated code must be a dict")
    source = source_of(lines)
    filename = f"{GENERATED}{what} #{next(_numbers)}>"
    code = compile(source, filename, "exec")
    _check_no_shadowing(code, namespace, filename)
    linecache.cache[filename] = (len(source), None, source.splitlines(keepends=True), filename)
    exec(code, namespace)  # noqa: S102  # the source is built from the library's own tables
