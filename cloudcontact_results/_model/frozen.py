"""An immutable, hashable mapping of text, for the frozen model classes."""

from __future__ import annotations

import operator
from collections.abc import Callable, ItemsView, Iterator, KeysView, Mapping, ValuesView
from typing import Any, Final

__all__ = ["EMPTY_TEXT_MAP", "FrozenTextMap", "all_text", "text_dict"]


class FrozenTextMap(Mapping[str, str]):
    """A read-only copy of a ``str -> str`` mapping.

    ``Record.fields`` and ``Attempt.script_values`` hold one, so a record
    cannot be changed after it was validated, and records and attempts are
    hashable and picklable like the frozen classes they belong to. It
    compares equal to any mapping with the same items, ``dict`` included.

    >>> fields = FrozenTextMap({"Фамилия": "Егоров"})
    >>> fields == {"Фамилия": "Егоров"}, fields["Фамилия"], len(fields)
    (True, 'Егоров', 1)
    >>> fields["Фамилия"] = "Маслов"
    Traceback (most recent call last):
    ...
    TypeError: 'FrozenTextMap' object does not support item assignment
    """

    __slots__ = ("_items",)

    def __init__(self, items: Mapping[str, str] | None = None) -> None:
        self._items: dict[str, str] = dict(items) if items is not None else {}

    @classmethod
    def wrap(cls, items: dict[str, str]) -> FrozenTextMap:
        """A read-only view of ``items``, without copying: the caller gives it up.

        No items give one shared empty mapping. The store builds its records'
        mappings here, a few per attempt read: no ``__init__``, no copy.
        """
        if not items:
            return EMPTY_TEXT_MAP
        mapping: FrozenTextMap = _new(cls)
        _set_items(mapping, items)
        return mapping

    def __getitem__(self, key: str) -> str:
        return self._items[key]

    def get(self, key: str, default: Any = None) -> Any:
        # Reports look values up once per cell: skip Mapping.get's try/except.
        return self._items.get(key, default)

    # The reports read every value of a record's fields: the dict's own views
    # are several times as fast as Mapping's generic ones.
    def keys(self) -> KeysView[str]:
        return self._items.keys()

    def values(self) -> ValuesView[str]:
        return self._items.values()

    def items(self) -> ItemsView[str, str]:
        return self._items.items()

    def __contains__(self, key: object) -> bool:
        return key in self._items

    def __iter__(self) -> Iterator[str]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, FrozenTextMap):
            return self._items == other._items
        if isinstance(other, Mapping):
            return self._items == dict(other)
        return NotImplemented

    def __hash__(self) -> int:
        return hash(frozenset(self._items.items()))

    def __repr__(self) -> str:
        return repr(self._items)

    def __reduce__(self) -> tuple[type[FrozenTextMap], tuple[dict[str, str]]]:
        return FrozenTextMap, (self._items,)


#: ``text_dict(mapping)``: the ``dict`` behind a :class:`FrozenTextMap`, for
#: the compiled hot loops that only read it: each of the mapping's own methods
#: is a call in Python, the dict's are C, and this is one C call. Nothing may
#: change the dict it gives.
text_dict: Final[Callable[[FrozenTextMap], dict[str, str]]] = operator.attrgetter("_items")

_new = object.__new__
_set_items = vars(FrozenTextMap)["_items"].__set__  # the slot's own setter
#: The one shared empty mapping: a record without fields and an attempt without
#: script values hold it, so hot loops tell "none" by identity, without a call.
EMPTY_TEXT_MAP: Final = FrozenTextMap()


def all_text(mapping: FrozenTextMap) -> bool:
    """True only if every key and value of ``mapping`` is exactly ``str``.

    A fast path for the validators of text mappings: False sends the
    mapping to the validator, which accepts ``str`` subclasses too and
    names the first offending item.
    """
    for key, value in mapping._items.items():  # noqa: SLF001  # its own class
        if type(key) is not str or type(value) is not str:
            return False
    return True
