"""The Arrow bridge: reports as Arrow tables (needs ``pip install 'cloudcontact-results[arrow]'``).

Importing this module imports pyarrow; the rest of the library imports it
only when a table or a Parquet file is asked for. ``to_arrow(report)`` is
``report.to_arrow()``; ``export(..., ExportOptions(file_format="parquet"))``
writes a Parquet file with the same columns and types.

>>> import io
>>> import cloudcontact_results as ccr
>>> from cloudcontact_results.arrow import to_arrow
>>> campaign = ccr.Campaign("Demo", [ccr.CallingList("Clients", ["Name"])])
>>> stream = io.BytesIO()
>>> _ = ccr.export(campaign, [ccr.Record("1", "Clients", {"Name": "Egorov"})], stream)
>>> table = to_arrow(ccr.read_report(io.BytesIO(stream.getvalue())))
>>> table.num_rows, str(table.schema.field("total_attempts").type)
(1, 'int64')
"""

from __future__ import annotations

try:
    import pyarrow as pa
except ImportError as exc:  # pragma: no cover - exercised without the extra
    raise ImportError(
        "cloudcontact_results.arrow needs pyarrow: pip install 'cloudcontact-results[arrow]'"
    ) from exc

from ._files.options import Engine
from ._formats.report import Report

__all__ = ["to_arrow"]


def to_arrow(report: Report, *, engine: Engine = "auto") -> pa.Table:
    """``report.to_arrow(engine=...)``: see :meth:`Report.to_arrow`."""
    return report.to_arrow(engine=engine)
