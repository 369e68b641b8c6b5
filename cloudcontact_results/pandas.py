"""The pandas bridge: reports as DataFrames (needs ``pip install 'cloudcontact-results[pandas]'``).

Importing this module imports pandas; the rest of the library never does.
``Report.to_pandas()`` is the same function, for code that does not import
this module.

>>> import io
>>> import cloudcontact_results as ccr
>>> from cloudcontact_results.pandas import to_pandas
>>> campaign = ccr.Campaign("Demo", [ccr.CallingList("Clients", ["Name"])])
>>> stream = io.BytesIO()
>>> _ = ccr.export(campaign, [ccr.Record("1", "Clients", {"Name": "Egorov"})], stream)
>>> frame = to_pandas(ccr.read_report(io.BytesIO(stream.getvalue())))
>>> frame[["Name", "total_attempts"]].to_dict("records")
[{'Name': 'Egorov', 'total_attempts': 0}]
"""

from __future__ import annotations

try:
    import pandas as pd  # noqa: F401  # fail at import, naming the extra
except ImportError as exc:  # pragma: no cover - exercised without the extra
    raise ImportError(
        "cloudcontact_results.pandas needs pandas: pip install 'cloudcontact-results[pandas]'"
    ) from exc

from ._report.frame import to_pandas

__all__ = ["to_pandas"]
