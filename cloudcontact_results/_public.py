"""Public objects carry the name of the public module users import them from.

The classes and functions of the public API are written in private modules,
which may move. Each public module gives the ones it exports its own name as
``__module__``, so ``repr``, ``help`` and pickles show ``cloudcontact_results``
(or ``cloudcontact_results.store``, ``cloudcontact_results.platform``) and a
pickle made today still loads after a private module moved.
"""

from __future__ import annotations

import inspect
import types
import typing
from collections.abc import Mapping

__all__ = ["WRITTEN_IN", "publish"]

_PRIVATE = "cloudcontact_results._"

#: The private module each published class or function was written in, by its
#: public ``"module.name"``: the examples of its docstring read that module's names.
WRITTEN_IN: dict[str, str] = {}


def publish(namespace: Mapping[str, object]) -> None:
    """Give the classes and functions a public module exports that module's name.

    Args:
        namespace: the public module's ``globals()``; the names of its
            ``__all__`` it holds are published, the rest (names imported at
            first use) are published by the module they come from. Only
            objects written in a private module are renamed: a class of a
            public module (``errors``) keeps its own.

    A class's annotations are strings (``from __future__ import annotations``)
    that ``typing.get_type_hints`` reads in the namespace of the class's
    ``__module__``: each becomes a forward reference bound to the module it
    was written in, so the hints resolve as before, lazily.
    """
    module = typing.cast("str", namespace["__name__"])
    for name in typing.cast("list[str]", namespace["__all__"]):
        value = namespace.get(name)
        if not isinstance(value, type | types.FunctionType):
            continue
        home = value.__module__
        if not home.startswith(_PRIVATE):
            continue
        if isinstance(value, type):
            _bind_annotations(value, home)
        value.__module__ = module
        WRITTEN_IN[f"{module}.{name}"] = home


def _bind_annotations(cls: type, home: str) -> None:
    own = inspect.get_annotations(cls)
    if not own:
        return
    cls.__annotations__ = {
        name: typing.ForwardRef(hint, is_argument=False, module=home, is_class=True)
        if isinstance(hint, str)
        else hint
        for name, hint in own.items()
    }
