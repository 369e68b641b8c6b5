"""The pictures of docs/analytics.md: drawn by docs/make_pictures.py, committed, shown."""

from __future__ import annotations

import importlib.util
from pathlib import Path

DOCS = Path(__file__).resolve().parent.parent / "docs"


def pictures() -> tuple[tuple[str, str, str], ...]:
    spec = importlib.util.spec_from_file_location("make_pictures", DOCS / "make_pictures.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    found: tuple[tuple[str, str, str], ...] = module.PICTURES
    return found


def test_every_picture_is_committed_and_shown_on_the_page() -> None:
    page = (DOCS / "analytics.md").read_text(encoding="utf-8")
    names = [name for name, _, _ in pictures()]
    assert sorted(names) == sorted(path.name for path in (DOCS / "pictures").glob("*.png"))
    for name in names:
        assert (DOCS / "pictures" / name).read_bytes().startswith(b"\x89PNG"), name
        assert f"(pictures/{name})" in page, name


def test_every_chart_has_a_picture() -> None:
    from cloudcontact_results import analytics  # noqa: PLC0415

    drawn = {table for _, table, _ in pictures()}
    assert drawn == set(analytics.Analytics.__annotations__)
