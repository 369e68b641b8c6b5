"""The reports on a Dask cluster (needs ``pip install 'cloudcontact-results[dask]'``).

Importing this module imports dask; the rest of the library never does.
Both reports are folds over one record at a time, so they parallelise by
partitioning the records: the workers build and format the rows of their
partitions with the same functions :func:`~cloudcontact_results.export`
uses, and the files they make are the files ``export`` makes.

- :func:`export_partitioned` writes a :class:`dask.bag.Bag` of records as a
  folder of part files (each a complete report), or as one report equal byte
  for byte to ``export`` of all the records in bag order.
- :func:`store_bag` feeds a results store's campaign into a bag, each
  partition read by the worker that computes it.
- :func:`read_reports` reads many exports (a year of daily zips) as one
  :class:`dask.dataframe.DataFrame` with the columns and dtypes of
  ``Report.to_pandas()``.

All three run on whatever scheduler dask is set to use: a ``distributed.Client``
for a cluster (or a ``LocalCluster`` on one machine), otherwise dask's
default. Files are read and written by the workers, so paths must name the
same files on every worker (one machine, or a shared file system).

>>> import io
>>> import dask
>>> import dask.bag as db
>>> import cloudcontact_results as ccr
>>> from cloudcontact_results.dask import export_partitioned
>>> campaign, records = ccr.demo_campaign(40)
>>> bag = db.from_sequence(list(records), npartitions=4)
>>> stream = io.BytesIO()
>>> with dask.config.set(scheduler="sync"):
...     export_partitioned(campaign, bag, stream, single_file=True).rows
40
"""

from __future__ import annotations

import collections
import contextlib
import glob
import io
import itertools
import os
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, Literal, overload

try:
    import dask.bag
    from dask.base import compute as _untyped_compute
    from dask.delayed import delayed as _untyped_delayed
except ImportError as exc:  # pragma: no cover - exercised without the extra
    raise ImportError(
        "cloudcontact_results.dask needs dask: pip install 'cloudcontact-results[dask]'"
    ) from exc

import attrs

from ._csv.ranges import (
    BlockCount,
    ReportRange,
    block_edges,
    count_block,
    read_layout,
    report_range,
)
from ._csv.write import write_csv, write_parts
from ._files.encodings import checked_encoding
from ._files.options import ReadOptions
from ._files.sink import Destination, ExportResult, atomic_folder
from ._files.source import open_input
from ._formats.export import write_report
from ._formats.report import Report, open_report
from ._model.campaign import Campaign, Record
from ._options import ExportOptions, Packaging, Rendering, Selection
from ._report.columns import Column
from ._report.frame import to_pandas
from ._report.plan import ReportPlan
from ._report.reports import plan_of
from ._store._parts import plan_parts, read_part
from ._store._store import ResultsStore
from ._types import DEFAULT_TIMEZONE, Language
from .errors import ExportError, OptionsError, ReadError

if TYPE_CHECKING:
    import dask.dataframe as dd
    import pandas as pd
    from dask.delayed import Delayed

# dask's functions carry no annotations: these are the ones used, typed as used.
_compute: Callable[..., tuple[Any, ...]] = _untyped_compute
_delayed: Callable[..., Callable[..., Delayed]] = _untyped_delayed

__all__ = [
    "DEFAULT_BLOCKSIZE",
    "PartitionedExport",
    "export_partitioned",
    "read_reports",
    "store_bag",
]

#: Plain CSV files larger than this are read in byte ranges of about this size.
DEFAULT_BLOCKSIZE: Final = 32 * 1024 * 1024

_ZIP_MAGIC: Final = (b"PK\x03\x04", b"PK\x05\x06")
_GLOB_CHARACTERS: Final = frozenset("*?[")


# --- export --------------------------------------------------------------------------


@attrs.frozen
class PartitionedExport:
    """What :func:`export_partitioned` wrote as part files.

    Attributes:
        rows: the number of data rows in all the parts (headers not counted).
        path: the folder holding the parts.
        bytes: the size of all the parts.
        parts: each part's :class:`ExportResult`, in partition order; part
            ``i`` is ``part-<i>.csv`` (``.zip`` when compressed), numbered
            from 0 with at least five digits.
    """

    rows: int
    path: Path
    bytes: int
    parts: tuple[ExportResult, ...]


@attrs.frozen
class _Job:
    """What every worker needs to report its partition: picklable, small."""

    campaign: Campaign
    selection: Selection
    rendering: Rendering
    packaging: Packaging

    def plan(self) -> ReportPlan:
        return ReportPlan.build(self.campaign, self.selection, self.rendering)


def _part_body(records: Iterable[Record], job: _Job) -> tuple[bytes, int]:
    """The rows of one partition as CSV bytes, without header: a worker's share of one file."""
    stream = io.BytesIO()
    packaging = Packaging(dialect=job.packaging.dialect)
    result = write_csv(job.plan(), records, stream, packaging, header=False)
    return stream.getvalue(), result.rows


def _part_file(records: Iterable[Record], job: _Job, path: str) -> ExportResult:
    """One partition as a complete report at ``path``: a worker's part file."""
    return write_report(job.plan(), records, path, job.packaging)


@overload
def export_partitioned(
    campaign: Campaign,
    records_bag: dask.bag.Bag,
    destination: str | os.PathLike[str],
    options: ExportOptions | None = None,
    *,
    single_file: Literal[False] = False,
) -> PartitionedExport: ...


@overload
def export_partitioned(
    campaign: Campaign,
    records_bag: dask.bag.Bag,
    destination: Destination,
    options: ExportOptions | None = None,
    *,
    single_file: Literal[True],
) -> ExportResult: ...


def export_partitioned(
    campaign: Campaign,
    records_bag: dask.bag.Bag,
    destination: Destination,
    options: ExportOptions | None = None,
    *,
    single_file: bool = False,
) -> PartitionedExport | ExportResult:
    """Export the records of ``records_bag``, formatting each partition on a worker.

    Two shapes, for two sizes of job:

    - **part files** (the default): ``destination`` is a folder that does not
      exist yet (or is empty). Each worker writes its partition as a complete
      report, header included, as ``part-00000.csv``, ``part-00001.csv``…
      (``.zip`` with ``compress``). The client only gathers small results, so
      this scales with the workers. The parts are written into a temporary
      folder beside ``destination``, renamed to it when every part is
      written, and removed on any failure.
    - **one file** (``single_file=True``): the report whose bytes equal
      ``export(campaign, records, destination, options)`` of all the records
      in bag order (partitions in order; for a zip, with ``zip_timestamp`` set,
      since a zip records when it was written). The workers format the rows,
      and the client writes the header and then each partition's bytes in
      order, zipping them if asked, as they arrive, holding a few partitions
      at a time. ``destination`` is a path, written atomically as by
      ``export``, or a binary stream. The client's own writing (and zipping)
      caps the speed of this shape: see ``docs/scale.md``.

    Args:
        campaign: the campaign the records belong to.
        records_bag: a :class:`dask.bag.Bag` of its :class:`Record` objects.
        destination: a folder path (part files) or a file path or binary
            stream (one file).
        options: the export dialog; ``ExportOptions()`` by default.
        single_file: write one report instead of part files.

    Returns:
        A :class:`PartitionedExport` for part files, an :class:`ExportResult`
        for one file.

    Raises:
        OptionsError: the options are not :class:`ExportOptions`, or
            ``records_bag`` is not a bag.
        CampaignMismatchError, UnknownDispositionError: the options do not fit
            the campaign (raised before any work), or a record does not fit it
            (raised by the worker that met it, and then here).
        ExportError: the destination is unusable.
    """
    plan = plan_of(campaign, options)
    if not isinstance(records_bag, dask.bag.Bag):
        raise OptionsError("records_bag", records_bag, "must be a dask.bag.Bag of records")
    packaging = options.packaging if options is not None else Packaging()
    job = _Job(campaign, plan.selection, plan.rendering, packaging)
    partitions: list[Delayed] = records_bag.to_delayed(optimize_graph=True)  # type: ignore[no-untyped-call]
    if single_file:
        bodies = [_alone(_delayed(_part_body, pure=False)(part, job)) for part in partitions]
        return write_parts(plan, _in_order(bodies), destination, packaging)
    if not isinstance(destination, str | os.PathLike):
        raise ExportError(
            f"destination {destination!r}: must be a folder path for part files "
            "(a stream takes single_file=True)"
        )
    return _export_parts(job, partitions, Path(destination).absolute())


def _export_parts(job: _Job, partitions: Sequence[Delayed], folder: Path) -> PartitionedExport:
    suffix = ".zip" if job.packaging.compress else ".csv"
    width = max(5, len(str(len(partitions) - 1)))
    names = [f"part-{index:0{width}d}{suffix}" for index in range(len(partitions))]
    with atomic_folder(folder) as temporary:
        tasks = [
            _delayed(_part_file, pure=False)(part, job, os.fspath(temporary / name))
            for part, name in zip(partitions, names, strict=True)
        ]
        written: tuple[ExportResult, ...] = _compute(*tasks)
    parts = tuple(
        attrs.evolve(result, path=folder / name)
        for result, name in zip(written, names, strict=True)
    )
    return PartitionedExport(
        rows=sum(part.rows for part in parts),
        path=folder,
        bytes=sum(part.bytes for part in parts),
        parts=parts,
    )


def _alone(task: Delayed) -> Delayed:
    """``task`` with only the part of its graph it needs.

    A partition of a bag carries the graph of every partition; computed
    one by one, each would ship all of them (records held in the graph
    included) to the scheduler.
    """
    from dask.delayed import Delayed  # noqa: PLC0415  # a name for the runtime, not only types

    key = task.key
    return Delayed(key, dict(task.__dask_graph__().cull({key})))  # type: ignore[attr-defined,no-untyped-call]


def _distributed_client() -> Any:
    """The current ``distributed`` client, or None (without importing distributed)."""
    if "distributed" not in sys.modules:
        return None
    import distributed  # noqa: PLC0415  # imported already: checked above

    try:
        return distributed.default_client()  # type: ignore[no-untyped-call]
    except ValueError:
        return None


def _in_order(tasks: Sequence[Delayed], window: int | None = None) -> Iterator[Any]:
    """The results of ``tasks`` in their order, computing at most ``window`` ahead.

    With a ``distributed`` client the next tasks run while the client
    consumes a result; the results not yet consumed wait on the workers.
    """
    client = _distributed_client()
    if client is None:
        size = window or max(1, os.cpu_count() or 1)
        for first in range(0, len(tasks), size):
            yield from _compute(*tasks[first : first + size])
        return
    size = window or max(2, 2 * sum(client.nthreads().values()))
    waiting = iter(tasks)
    futures = collections.deque(client.compute(task) for task in _take(waiting, size))
    try:
        while futures:
            result = futures.popleft().result()
            futures.extend(client.compute(task) for task in _take(waiting, 1))
            yield result
            del result
    finally:
        for future in futures:
            future.cancel()


def _take(iterator: Iterator[Any], count: int) -> list[Any]:
    return [item for _, item in zip(range(count), iterator, strict=False)]


# --- reading -------------------------------------------------------------------------


@attrs.frozen
class _ReadSettings:
    """The options of :func:`read_reports`, as every worker needs them."""

    options: ReadOptions
    columns: tuple[str, ...]

    def read(self, path: str) -> Report:
        return open_report(path, self.options)


@attrs.frozen
class _Empty:
    """A report's description without its rows: what the DataFrame's ``meta`` is made of."""

    report: Report
    timezone: str

    @property
    def columns(self) -> tuple[Column, ...]:
        return self.report.columns

    @property
    def list_columns(self) -> tuple[str, ...]:
        return self.report.list_columns

    @property
    def script_field_names(self) -> tuple[str, ...]:
        return self.report.script_field_names

    @property
    def extra_columns(self) -> tuple[str, ...]:
        return self.report.extra_columns

    @property
    def language(self) -> Language:
        return self.report.language

    def __iter__(self) -> Iterator[Any]:
        return iter(())


def _checked(frame: pd.DataFrame, path: str, settings: _ReadSettings) -> pd.DataFrame:
    if tuple(frame.columns) != settings.columns:
        raise ReadError(
            "its columns are not those of the first file "
            f"({', '.join(settings.columns)}): a report of another campaign or format",
            line=1,
            value=", ".join(map(str, frame.columns)),
            file=path,
        )
    return frame


def _read_file(path: str, settings: _ReadSettings) -> pd.DataFrame:
    """One whole file as a DataFrame: a partition."""
    with _naming(path):
        frame = to_pandas(settings.read(path))
    return _checked(frame, path, settings)


def _read_range(
    path: str,
    index: int,
    edges: tuple[int, ...],
    counts: list[BlockCount],
    settings: _ReadSettings,
) -> pd.DataFrame:
    """Byte range ``index`` of a large plain CSV file as a DataFrame: a partition."""
    with _naming(path):
        start, end, lines_before = report_range(path, index, edges, counts)
        part = ReportRange(
            path=path,
            layout=read_layout(path, settings.options),
            start=start,
            end=end,
            lines_before=lines_before,
            options=settings.options,
        )
        frame = to_pandas(part)
    return _checked(frame, path, settings)


@contextlib.contextmanager
def _naming(path: str) -> Iterator[None]:
    """A :class:`ReadError` raised inside names ``path`` (unless it names a file already)."""
    try:
        yield
    except ReadError as error:
        if error.file is not None:
            raise
        raise error.in_file(path) from error


def _paths(paths_or_glob: str | os.PathLike[str] | Iterable[str | os.PathLike[str]]) -> list[str]:
    """The files named: each pattern expanded in sorted order, each path as given."""
    given = [paths_or_glob] if isinstance(paths_or_glob, str | os.PathLike) else list(paths_or_glob)
    found: list[str] = []
    for item in given:
        name = os.fspath(item)
        if _GLOB_CHARACTERS.isdisjoint(name):
            found.append(name)
            continue
        matches = sorted(glob.glob(name))  # noqa: PTH207  # a pattern given as text
        if not matches:
            raise ReadError("no file matches the pattern", file=name)
        found += matches
    if not found:
        raise OptionsError("paths_or_glob", paths_or_glob, "names no file")
    return found


def _size_and_zip(path: str) -> tuple[int, bool]:
    """The size of the file, and whether it is a zip."""
    with _naming(path), open_input(path) as file:
        return os.fstat(file.fileno()).st_size, file.read(4) in _ZIP_MAGIC


def read_reports(
    paths_or_glob: str | os.PathLike[str] | Iterable[str | os.PathLike[str]],
    *,
    timezone: str = DEFAULT_TIMEZONE,
    script_fields: Iterable[str] = (),
    errors: Literal["raise", "skip"] = "raise",
    encoding: str | None = None,
    datetime_format: str | None = None,
    member: str | None = None,
    formula_guard: bool = True,
    blocksize: int | None = DEFAULT_BLOCKSIZE,
) -> dd.DataFrame:
    """Read many CSV or zip exports as one Dask DataFrame, lazily.

    Every file becomes one partition, except a plain CSV file larger than
    ``blocksize``, which is read in byte ranges of about that size cut
    where records end (quoted line breaks included: see ``docs/scale.md``).
    A zip is one partition: its CSV can only be read from the start. The
    columns and dtypes are those of ``Report.to_pandas()`` (categorical
    dispositions have unknown categories until computed); each partition's
    index starts at 0, and divisions are unknown. Every file must have the
    columns of the first one (the same campaign's reports, in one format).

    The first file's header is read at once, for the columns; everything
    else is read by the workers when the DataFrame is computed.

    Args:
        paths_or_glob: a path, a glob pattern (``"exports/*.zip"``, expanded in
            sorted order) or several of them.
        timezone, script_fields, encoding, datetime_format, member, formula_guard:
            as for :func:`~cloudcontact_results.read_report` (without a
            ``datetime_format``, each byte range of a large file keeps to the
            form of its own first date-time).
        errors: ``"raise"`` (the default) or ``"skip"`` bad lines;
            ``"collect"`` has no place to collect to on a cluster.
        blocksize: the size in bytes of the byte ranges, or None to read
            every file whole.

    Returns:
        A :class:`dask.dataframe.DataFrame`.

    Raises:
        ReadError: a file cannot be read; its ``file`` names it and its
            ``line`` the line, counted from the top of that file. Raised when
            the DataFrame is computed, except for the first file's header.
        OptionsError: an unknown time zone, errors mode or blocksize.
    """
    # Imported here: dask.dataframe imports pandas, which an export does not need.
    from dask.dataframe import from_delayed  # noqa: PLC0415
    from dask.dataframe.utils import clear_known_categories  # noqa: PLC0415

    if errors not in ("raise", "skip"):
        raise OptionsError(
            "errors", errors, "must be 'raise' or 'skip' (nowhere to collect on a cluster)"
        )
    if blocksize is not None and (
        not isinstance(blocksize, int) or isinstance(blocksize, bool) or blocksize <= 0
    ):
        raise OptionsError("blocksize", blocksize, "must be a number of bytes > 0, or None")
    paths = _paths(paths_or_glob)
    checked_encoding(encoding)  # named before the other options, as it always was
    options = ReadOptions.of(
        timezone=timezone,
        script_fields=script_fields,
        errors=errors,
        encoding=encoding,
        datetime_format=datetime_format,
        member=member,
        formula_guard=formula_guard,
    )
    settings = _ReadSettings(options, columns=())
    with _naming(paths[0]):
        first = settings.read(paths[0])
    meta = clear_known_categories(to_pandas(_Empty(first, timezone)))  # type: ignore[no-untyped-call]
    settings = attrs.evolve(settings, columns=tuple(meta.columns))
    parts: list[Delayed] = []
    for path in paths:
        size, is_zip = _size_and_zip(path) if blocksize is not None else (0, True)
        if blocksize is None or size <= blocksize or is_zip:
            parts.append(_delayed(_read_file, pure=True)(path, settings))
            continue
        edges = block_edges(size, blocksize)
        counts = [
            _delayed(count_block, pure=True)(path, start, end)
            for start, end in itertools.pairwise(edges)
        ]
        parts += [
            _delayed(_read_range, pure=True)(path, index, edges, counts, settings)
            for index in range(len(edges) - 1)
        ]
    frame: dd.DataFrame = from_delayed(parts, meta=meta, verify_meta=True)
    return frame


# --- the results store -----------------------------------------------------------------


def store_bag(store: ResultsStore, name: str, npartitions: int) -> dask.bag.Bag:
    """Campaign ``name``'s records in ``store`` as a bag of ``npartitions`` partitions.

    Each partition is read by the worker that computes it, in a read
    transaction of its own, from the store: the reading (turning rows into
    records) is as costly as the formatting, so it runs on the workers too,
    and the client never holds a record. The partitions are planned here, in
    one read transaction: runs of consecutive records of about equal size,
    list by list in the campaign's order of lists, each in load order (the
    order of ``store.records(name)``), and the last ingest.

    An SQLite store: every partition reads the attempts ingested up to that
    moment, so attempts a feed adds later, and records loaded later, are
    left out. What is not pinned: a list removed or replaced, or a record's
    fields replaced, after this call shows in the partitions read after it.
    The workers must see the store's file at the same path on the same
    machine (a ``LocalCluster``, or workers on the store's host): SQLite's
    write-ahead log does not work over a network file system.

    A PostgreSQL store: every partition reads the very snapshot the
    partitions were planned in (exported by this call's transaction, which
    is kept open while the bag, or a bag made from it, is referenced): nothing
    written after this call shows. Workers may run on any host that reaches
    the database; each opens its own connection from the store's URL
    *without* its password (which is never put in the task graph), logging
    in with its own ``PGPASSWORD``, ``~/.pgpass`` or service file. Keep the
    bag until it is computed: a partition read after it was let go of fails
    with :class:`StoreError`.

    Args:
        store: an open :class:`ResultsStore`.
        name: the campaign.
        npartitions: how many partitions (some are empty if there are fewer
            records).

    Returns:
        A :class:`dask.bag.Bag` of :class:`Record` objects, for
        :func:`export_partitioned` with ``store.campaign(name)``.

    Raises:
        UnknownNameError: the store holds no such campaign (raised here).
        OptionsError: ``npartitions`` is not a whole number >= 1.
        StoreError: the store cannot be read (here, or on a worker).
    """
    parts = plan_parts(store, name, npartitions)
    bag: dask.bag.Bag = dask.bag.from_delayed(  # type: ignore[no-untyped-call]
        [_delayed(read_part, pure=False)(part) for part in parts]
    )
    return bag
