"""``python -m cloudcontact_results``: the ``cloudcontact-results`` command."""

from __future__ import annotations

from ._cli import main

raise SystemExit(main())
