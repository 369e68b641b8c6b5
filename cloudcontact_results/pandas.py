"""The pandas bridge: reports as DataFrames (needs ``pip install 'cloudcontact-results[pandas]'``).

Importing this module imports pandas; the rest of the library imports it only
when a frame is asked for. ``to_pandas(report)`` is ``report.to_pandas()``.

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

from collections.abc import Iterator
from typing import overload

try:
    import pandas as pd
except ImportError as exc:  # pragma: no cover - exercised without the extra
    raise ImportError(
        "cloudcontact_results.pandas needs pandas: pip install 'cloudcontact-results[pandas]'"
    ) from exc

from ._files.options import Engine
from ._formats.report import Report

__all__ = ["Engine", "to_pandas"]


@overload
def to_pandas(
    report: Report, *, chunksize: None = None, engine: Engine = "auto"
) -> pd.DataFrame: ...


@overload
def to_pandas(
    report: Report, *, chunksize: int, engine: Engine = "auto"
) -> Iterator[pd.DataFrame]: ...


def to_pandas(
    report: Report, *, chunksize: int | None = None, engine: Engine = "auto"
) -> pd.DataFrame | Iterator[pd.DataFrame]:
    """``report.to_pandas(chunksize=..., engine=...)``: see :meth:`Report.to_pandas`."""
    if chunksize is None:
        return report.to_pandas(engine=engine)
    return report.to_pandas(chunksize=chunksize, engine=engine)
