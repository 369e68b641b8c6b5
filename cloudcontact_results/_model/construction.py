"""How the model's hot classes are built: checked for everyone, trusted for the store.

Two ways to make an :class:`Attempt` or a :class:`Record`, both generated
from the class's attrs field list (so neither can forget a field) and
compiled with a file name and a :mod:`linecache` entry:

- :func:`install_checked_init` replaces the attrs ``__init__`` with one that
  runs **every** converter and validator of the fields, in attrs' order
  (convert, assign, validate, ``__attrs_post_init__``), but first tries a
  cheap inline test per field — ``type(value) is str`` for a text field, for
  instance — and calls the field's own validator only when that test cannot
  prove the value valid. The validators stay the one definition of each
  check and of its error message; the inline tests only ever skip a
  validator that would have passed.
- :func:`trusted_builder` makes a function that sets the fields without any
  check: the **trusted-source path**, for values the library validated
  itself before (the results store reading its own rows). Nothing else may
  use it: it is how an invalid object could be built.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

import attrs

from .generated import compile_source

__all__ = ["install_checked_init", "trusted_builder"]

T = TypeVar("T")


def _setters(cls: type) -> dict[str, Any]:
    """``_set_<field>``: the slot descriptors' ``__set__`` of ``cls`` (frozen classes too)."""
    return {f"_set_{field.name}": vars(cls)[field.name].__set__ for field in attrs.fields(cls)}


def install_checked_init(
    cls: type[Any],
    fast: Mapping[str, str],
    *,
    fast_convert: Mapping[str, str] | None = None,
    converted: Mapping[str, tuple[str, str]] | None = None,
    fast_post_init: str | None = None,
    names: Mapping[str, Any] | None = None,
) -> None:
    """Give ``cls`` a generated ``__init__`` that checks every field, with fast paths.

    Args:
        cls: a slotted attrs class.
        fast: field name -> an expression over ``{v}`` (the value) that is
            true only when the field's validator would accept the value;
            fields without one always run their validator.
        fast_convert: field name -> an expression over ``{v}`` true only when
            the field's converter would return the value unchanged.
        converted: field name -> (a test over ``{v}``, an expression over
            ``{v}``): when the test is true, the expression gives what the
            field's converter would (a common type converted inline).
        fast_post_init: an expression over the field names true only when
            ``__attrs_post_init__`` would accept the object.
        names: the names those expressions use.
    """
    fast_convert = fast_convert or {}
    converted = converted or {}
    fields = attrs.fields(cls)
    namespace: dict[str, Any] = {"_NOTHING": attrs.NOTHING, **_setters(cls), **(names or {})}
    parameters: list[str] = []
    body: list[str] = []
    for field in fields:
        name = field.name
        if field.default is attrs.NOTHING:
            parameters.append(name)
        elif isinstance(field.default, attrs.Factory):  # type: ignore[arg-type]  # typed as a function
            if field.default.takes_self:
                raise TypeError(f"{cls.__name__}.{name}: a default taking self is not supported")
            parameters.append(f"{name}=_NOTHING")
            namespace[f"_factory_{name}"] = field.default.factory
            body.append(f"    if {name} is _NOTHING:")
            body.append(f"        {name} = _factory_{name}()")
        else:
            parameters.append(f"{name}=_default_{name}")
            namespace[f"_default_{name}"] = field.default
    for field in fields:
        if field.converter is None:
            continue
        name = field.name
        namespace[f"_convert_{name}"] = field.converter
        skip = fast_convert.get(name)
        inline = converted.get(name)
        if inline is not None:
            test, expression = inline
            body.append(f"    if {test.format(v=name)}:")
            body.append(f"        {name} = {expression.format(v=name)}")
            body.append(f"    elif not ({skip or 'False'}):".format(v=name))
        elif skip is not None:
            body.append(f"    if not ({skip.format(v=name)}):")
        if inline is None and skip is None:
            body.append(f"    {name} = _convert_{name}({name})")
        else:
            body.append(f"        {name} = _convert_{name}({name})")
    body += [f"    _set_{field.name}(self, {field.name})" for field in fields]
    # One test of every fast path; when any fails, every validator runs in
    # attrs' order, so the first invalid field raises its own error.
    tests: list[str] = []
    checks: list[str] = []
    for field in fields:
        if field.validator is None:
            continue
        name = field.name
        namespace[f"_validate_{name}"] = field.validator
        namespace[f"_attribute_{name}"] = field
        checks.append(f"        _validate_{name}(self, _attribute_{name}, {name})")
        skip = fast.get(name)
        tests.append("False" if skip is None else f"({skip.format(v=name)})")
    if checks:
        body.append(f"    if not ({' and '.join(tests)}):")
        body += checks
    post_init = getattr(cls, "__attrs_post_init__", None)
    if post_init is not None:
        namespace["_post_init"] = post_init
        if fast_post_init is None:
            body.append("    _post_init(self)")
        else:
            body.append(f"    if not ({fast_post_init}):")
            body.append("        _post_init(self)")
    source = f"def __init__(self, {', '.join(parameters)}):\n" + "\n".join(body) + "\n"
    compile_source(source, namespace, f"{cls.__name__}.__init__")
    init = namespace["__init__"]
    init.__qualname__ = f"{cls.__name__}.__init__"
    init.__doc__ = cls.__init__.__doc__
    cls.__init__ = init


def trusted_builder(
    cls: type[T],
    *,
    arguments: Sequence[str] | None = None,
    values: Mapping[str, str] | None = None,
    namespace: Mapping[str, Any] | None = None,
    what: str = "",
) -> Callable[..., T]:
    """A function making a ``cls`` from trusted values, running no converter and no validator.

    The trusted-source path: only for values the library itself validated
    before (the store's own rows).

    Args:
        cls: a slotted attrs class.
        arguments: the function's parameters; the field names by default.
        values: field name -> the expression (over ``arguments`` and
            ``namespace``) of its value, for every field in order; each
            field's own argument by default.
        namespace: names the expressions use.
        what: a word for the generated file name.

    Raises:
        TypeError: ``values`` does not name every field of ``cls``, in order.
    """
    names = tuple(field.name for field in attrs.fields(cls))  # type: ignore[arg-type]  # attrs class
    if values is None:
        values = {name: name for name in names}
    if tuple(values) != names:
        raise TypeError(f"the values of a trusted {cls.__name__} must name every field, in order")
    if arguments is None:
        arguments = names
    scope: dict[str, Any] = {"_new": object.__new__, "_cls": cls, **_setters(cls)}
    scope.update(namespace or {})
    lines = [f"def build({', '.join(arguments)}):", "    self = _new(_cls)"]
    lines += [f"    _set_{name}(self, {expression})" for name, expression in values.items()]
    lines.append("    return self")
    compile_source(
        "\n".join(lines) + "\n", scope, f"trusted {cls.__name__}{' ' + what if what else ''}"
    )
    build: Callable[..., T] = scope["build"]
    return build
