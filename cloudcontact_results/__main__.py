"""``python -m cloudcontact_results``: the ``cloudcontact-results`` command."""

from __future__ import annotations

from ._cli.main import main

raise SystemExit(main())
