"""JSON objects whose keys are given once: shared by every reader of JSON text.

``json.loads`` keeps the last value of a key given twice, silently; the
readers of campaign files and of the platform's answers refuse such an
object instead (which value is meant?). This module is at the bottom of the
package and imports nothing of the library.
"""

from __future__ import annotations

from typing import Any

__all__ = ["DuplicateKey", "unique_object"]


class DuplicateKey(Exception):  # noqa: N818  # a signal out of json.loads, never shown
    """Raised by :func:`unique_object` out of ``json.loads``; ``key`` is the key given twice."""

    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def unique_object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """A JSON object (``object_pairs_hook``), refusing a key given twice.

    >>> import json
    >>> json.loads('{"a": 1, "b": 2}', object_pairs_hook=unique_object)
    {'a': 1, 'b': 2}
    >>> json.loads('{"a": 1, "a": 2}', object_pairs_hook=unique_object)
    Traceback (most recent call last):
    ...
    cloudcontact_results._jsontext.DuplicateKey: a
    """
    value: dict[str, Any] = {}
    for key, item in pairs:
        if key in value:
            raise DuplicateKey(key)
        value[key] = item
    return value
