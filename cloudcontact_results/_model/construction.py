"""How the model's hot classes are built: checked for everyone, trusted for the store.

Two ways to make an :class:`Attempt` or a :class:`Record`, both generated
from the class's attrs field list (so neither can forget a field) and
compiled with a file name and a :mod:`linecache` entry:

- :func:`install_checked_init` replaces the attrs ``__init__`` with one that
  does what attrs' does, in attrs' order (each field's default, conversion
  and assignment, then every validator, then ``__attrs_post_init__``), but
  first tries the inline test each validator and converter carries
  (``validators.py``) — ``type(value) is str`` for a text field, for
  instance — and calls the validator or converter only when that test
  cannot prove the call would change nothing. The validators stay the one
  definition of each check and of its error message; the inline tests only
  ever skip a call that would have passed.
- :func:`trusted_builder` makes a function that sets the fields without any
  check: the **trusted-source path**, for values the library validated
  itself before (the results store reading its own rows). Nothing else may
  use it: it is how an invalid object could be built.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

import attrs

from .._codegen import (
    assign,
    branches,
    compile_source,
    function,
    if_block,
    joined,
    negated,
)
from .validators import Validator, converter_tests

__all__ = ["install_checked_init", "post_init_with", "trusted_builder"]

T = TypeVar("T")
C = TypeVar("C", bound=type)

#: Where :func:`post_init_with` keeps a post-init check's inline test.
_POST_INIT_TEST = "_inline_test"


def post_init_with(
    accepts: Callable[[Mapping[str, str]], str], **names: Any
) -> Callable[[Callable[[Any], None]], Callable[[Any], None]]:
    """A decorator for ``__attrs_post_init__``: the inline test of the objects it accepts.

    ``accepts(values)`` is the test's source over the fields' values:
    ``values`` maps a field's name to the variable holding its value.
    ``names`` are the globals it reads. Like every inline test it must
    never raise: with attrs' validators disabled it sees unchecked values.
    """

    def decorate(post_init: Callable[[Any], None]) -> Callable[[Any], None]:
        setattr(post_init, _POST_INIT_TEST, (accepts, names))
        return post_init

    return decorate


def _setter(cls: type, name: str) -> Any:
    """The slot descriptor's ``__set__`` of field ``name`` (frozen classes too)."""
    descriptor = getattr(cls, name, None)
    if not hasattr(descriptor, "__set__") or not hasattr(descriptor, "__get__"):
        raise TypeError(f"{cls.__name__}.{name}: a checked __init__ needs a slotted class")
    return descriptor.__set__  # type: ignore[union-attr]  # checked just above


@functools.cache  # one twin a class: every read of a file builds its row function
def _unfrozen_twin(cls: type) -> type:
    """A plain class with the slots of ``cls``, whose objects can become ``cls`` objects.

    CPython allows the ``__class__`` assignment only between classes of the
    same layout, and a ``__weakref__`` slot makes layouts differ: the
    classes built this way declare ``weakref_slot=False``.
    """
    slots = vars(cls).get("__slots__")
    if slots is None or "__weakref__" in slots or cls.__bases__ != (object,):
        raise TypeError(
            f"{cls.__name__}: a trusted builder needs a slotted attrs class with no base "
            "and no weakref slot"
        )
    return type(f"Unfrozen{cls.__name__}", (), {"__slots__": slots, "__module__": cls.__module__})


def _refuse_what_is_unsupported(cls: type, fields: Sequence[attrs.Attribute[Any]]) -> None:
    """Raise TypeError for what attrs' ``__init__`` does that a checked one does not."""
    where = cls.__name__
    if "__slots__" not in vars(cls):
        raise TypeError(f"{where}: a checked __init__ needs a slotted attrs class")
    if issubclass(cls, BaseException):
        raise TypeError(f"{where}: a checked __init__ cannot build an exception")
    if hasattr(cls, "__attrs_pre_init__"):
        raise TypeError(f"{where}: a checked __init__ does not call __attrs_pre_init__")
    if "_attrs_cached_hash" in vars(cls).get("__slots__", ()):
        raise TypeError(f"{where}: a checked __init__ does not support cache_hash")
    for field in fields:
        if not field.init:
            raise TypeError(
                f"{where}.{field.name}: a checked __init__ does not support init=False fields"
            )
        if isinstance(field.converter, attrs.Converter):
            raise TypeError(
                f"{where}.{field.name}: a checked __init__ takes plain converters, "
                "not attrs.Converter"
            )


def _add(namespace: dict[str, Any], names: Mapping[str, Any]) -> None:
    """Put ``names`` in the globals of generated code: a name given twice must name one object."""
    for name, value in names.items():
        if name in namespace and namespace[name] is not value:
            raise TypeError(f"the generated name {name!r} stands for two objects")
        namespace[name] = value


def _parameter(field: attrs.Attribute[Any], namespace: dict[str, Any]) -> tuple[str, list[str]]:
    """The parameter of ``field`` and the statements giving it its default when needed."""
    name = field.alias or field.name
    default: Any = field.default
    if default is attrs.NOTHING:
        return name, []
    if isinstance(default, attrs.Factory):  # type: ignore[arg-type]  # typed as a function
        _add(namespace, {f"factory_{name}": default.factory})
        made = f"factory_{name}(self)" if default.takes_self else f"factory_{name}()"
        return f"{name}=NOTHING", if_block(f"{name} is NOTHING", assign(name, made))
    _add(namespace, {f"default_{name}": default})
    return f"{name}=default_{name}", []


def _conversion(converter: Any, name: str, namespace: dict[str, Any]) -> list[str]:
    """The statements converting variable ``name`` with ``converter``, its inline tests first."""
    _add(namespace, {f"convert_{name}": converter})
    call = assign(name, f"convert_{name}({name})")
    tests = converter_tests(converter)
    if tests is None:
        return call
    _add(namespace, tests.keeps.names)
    keeps = (f"not ({tests.keeps.write(name)})", call)
    if tests.inline is None:
        return branches([keeps])
    test, result = tests.inline
    _add(namespace, test.names)
    _add(namespace, result.names)
    return branches([(test.write(name), assign(name, result.write(name))), keeps])


def install_checked_init(cls: C) -> C:
    """Give ``cls`` a generated ``__init__`` that checks every field, with fast paths.

    It does what attrs' own ``__init__`` does — parameters by alias,
    keyword-only ones after ``*``, defaults and ``Factory`` defaults (taking
    ``self`` too), each field converted and set in field order, then every
    validator in field order (unless attrs' validators are disabled), then
    ``__attrs_post_init__`` — but skips a converter, the validators or the
    post-init check when the inline tests they carry (:class:`Validator`,
    :func:`give_converter_tests`, :func:`post_init_with`) prove the call would change
    nothing. Returns ``cls``.

    Raises:
        TypeError: ``cls`` uses what this ``__init__`` does not support: a
            class that is not slotted, ``__attrs_pre_init__``, ``init=False``
            fields, ``attrs.Converter`` converters, ``cache_hash``, exceptions.
    """
    fields: Sequence[attrs.Attribute[Any]] = attrs.fields(cls)
    _refuse_what_is_unsupported(cls, fields)
    namespace: dict[str, Any] = {
        "NOTHING": attrs.NOTHING,
        "validators_disabled": attrs.validators.get_disabled,
    }
    positional: list[str] = []
    keyword_only: list[str] = []
    body: list[str] = []
    variables: dict[str, str] = {}
    for field in fields:
        name = field.alias or field.name
        variables[field.name] = name
        parameter, default_lines = _parameter(field, namespace)
        (keyword_only if field.kw_only else positional).append(parameter)
        body += default_lines
        if field.converter is not None:
            body += _conversion(field.converter, name, namespace)
        _add(namespace, {f"set_{field.name}": _setter(cls, field.name)})
        body.append(f"set_{field.name}(self, {name})")
    body += _validation(fields, variables, namespace)
    body += _post_init(cls, variables, namespace)
    parameters = ["self", *positional, *(["*", *keyword_only] if keyword_only else [])]
    lines = function("__init__", parameters, body)
    compile_source(lines, namespace, f"{cls.__name__}.__init__")
    init = namespace["__init__"]
    original: Any = vars(cls)["__init__"]  # attrs' own
    init.__qualname__ = original.__qualname__
    init.__module__ = original.__module__
    init.__doc__ = original.__doc__
    init.__annotations__ = dict(original.__annotations__)
    setattr(cls, "__init__", init)  # noqa: B010  # replacing attrs' method is the point
    return cls


def _validation(
    fields: Sequence[attrs.Attribute[Any]], variables: Mapping[str, str], namespace: dict[str, Any]
) -> list[str]:
    """Every validator in field order, after one look at all their inline tests.

    When any test fails, every validator runs, so the first invalid field
    raises its own error, as in attrs.
    """
    checks: list[str] = []
    tests: list[str] = []
    for field in fields:
        if field.validator is None:
            continue
        name = variables[field.name]
        _add(namespace, {f"validate_{field.name}": field.validator, f"field_{field.name}": field})
        checks.append(f"validate_{field.name}(self, field_{field.name}, {name})")
        accepts = field.validator.accepts if isinstance(field.validator, Validator) else None
        if accepts is None:
            tests.append("False")
        else:
            _add(namespace, accepts.names)
            tests.append(f"({accepts.write(name)})")
    if not checks:
        return []
    run = if_block("not validators_disabled()", checks)
    if "False" in tests:
        return run
    return if_block(negated(joined("and", tests)), run)


def _post_init(cls: type, variables: Mapping[str, str], namespace: dict[str, Any]) -> list[str]:
    """``__attrs_post_init__`` when ``cls`` has one, unless its inline test proves it would pass."""
    post_init = getattr(cls, "__attrs_post_init__", None)
    if post_init is None:
        return []
    call = ["self.__attrs_post_init__()"]
    inline = getattr(post_init, _POST_INIT_TEST, None)
    if inline is None:
        return call
    accepts, names = inline
    _add(namespace, names)
    return if_block(f"not ({accepts(variables)})", call)


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
    before (the store's own rows; the cells the calling-list reader took
    from its CSV reader, with ids it checked).

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
    scope: dict[str, Any] = {"new": object.__new__, "Unfrozen": _unfrozen_twin(cls), "cls": cls}  # type: ignore[arg-type]  # a class is hashable
    _add(scope, namespace or {})
    # The fields are stored on an unfrozen twin of the class, by plain
    # attribute stores (which CPython specialises for slots, four times as
    # fast as calling each slot's setter), and the object then becomes a
    # ``cls``: a ``__class__`` assignment between classes of one layout.
    body = assign("self", "new(Unfrozen)")
    for name, expression in values.items():
        body += assign(f"self.{name}", expression)
    body.append("self.__class__ = cls")
    body.append("return self")
    lines = function("build", arguments, body)
    compile_source(lines, scope, f"trusted {cls.__name__}{' ' + what if what else ''}")
    build: Callable[..., T] = scope["build"]
    return build
