"""Fast segment writing: the rebuild's bulk segment writer, and the live index's writer.

Documents are analysed without Token objects (`IndonesianAnalyzer.term_positions`), postings
are pooled with cheap bookkeeping, and field lengths are read once per segment instead of
looked up on disk for every posting. `rebuild` uses `_SegmentBuilder` in its worker processes
(or in-process for small archives) to write whole segments of the ``REBUILD`` index, which the
parent commits; `SearchIndex` uses `LiveWriter` for every batch it adds to the live index.
"""

from __future__ import annotations

import contextlib
import copy
import itertools
import logging
import marshal
import multiprocessing
import os
import struct
import time
import traceback
from collections.abc import Callable, Iterable
from multiprocessing.connection import Connection
from typing import Any

from whoosh import formats, index
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, _lenfield
from whoosh.fields import FieldType, Schema
from whoosh.filedb.filestore import FileStorage
from whoosh.util.numeric import byte_to_length
from whoosh.writing import PostingPool, SegmentWriter

from earsip.search.analysis import IndonesianAnalyzer
from earsip.search.schema import doc_fields
from earsip.search.values import IndexDoc

logger = logging.getLogger(__name__)

NAME = "REBUILD"  # the rebuilt index's name beside the live one
TEMP_PREFIX = ".rebuild-"

# Each pooled posting is a (field, term, docnum, weight, value) tuple of about this many bytes.
_POSTING_BYTES = 200
_RUN_CHUNK = 50_000  # postings marshalled together in a spilled run
_CHUNK_HEADER = struct.Struct("<Q")
_ENCODED_MAX = 200_000  # term texts kept encoded (each posting then shares its term's bytes)


class _Pool(PostingPool):
    """Whoosh's posting pool with cheaper bookkeeping.

    Adding a posting is a bare list append (the writer checks the size once per document), and
    spilled runs are marshalled in large chunks instead of pickled one posting at a time.
    """

    def __init__(self, tempstore: FileStorage, segment: Any, limitmb: int) -> None:
        super().__init__(tempstore, segment, limitmb=limitmb)
        self.max_postings = max(10_000, limitmb * 1024 * 1024 // _POSTING_BYTES)
        self.add = self.current.append  # shadows PostingPool.add

    def save(self) -> None:
        super().save()
        self.add = self.current.append

    def _write_run(self, f: Any, items: Iterable[tuple]) -> None:
        it = iter(items)
        while chunk := list(itertools.islice(it, _RUN_CHUNK)):
            data = marshal.dumps(chunk)
            f.write(_CHUNK_HEADER.pack(len(data)))
            f.write(data)
        f.close()

    def _read_run(self, path: str) -> Iterable[tuple]:
        f = self._open_run(path)
        try:
            while header := f.read(_CHUNK_HEADER.size):
                (size,) = _CHUNK_HEADER.unpack(header)
                yield from marshal.loads(f.read(size))  # noqa: S302 - our own run file
        finally:
            f.close()
            self._remove_run(path)


class _Lengths:
    """The field lengths of a finished segment, decoded once per field instead of per posting.

    Answers like Whoosh's per-document reader (which looks the column file up on disk again for
    every posting of a field without lengths).
    """

    def __init__(self, pdr: Any, fieldnames: Iterable[str], doccount: int) -> None:
        self._by_field: dict[str, list[int | None]] = {}
        for name in fieldnames:
            lenfield = _lenfield(name)
            if pdr.has_column(lenfield):
                column = pdr.column_reader(lenfield, LENGTHS_COLUMN)
                self._by_field[name] = [
                    byte_to_length(b) if b else None for b in (column[i] for i in range(doccount))
                ]

    def doc_field_length(self, docnum: int, fieldname: str, default: int = 0) -> int | None:
        lengths = self._by_field.get(fieldname)
        return default if lengths is None else lengths[docnum]


def _fast_schema(schema: Schema) -> Schema:
    """Return a copy of `schema` whose text fields index without Token objects.

    Only the writer's copy changes; the schema saved with the index is the original.
    """
    fast = copy.copy(schema)
    fast._fields = dict(schema._fields)
    for name, field in schema.items():
        if (
            isinstance(getattr(field, "analyzer", None), IndonesianAnalyzer)
            and not field.vector
            and type(field.format) in (formats.Positions, formats.Existence)
        ):
            fast_field = copy.copy(field)
            fast_field.index = _fast_index(field)
            fast._fields[name] = fast_field
    return fast


def _fast_index(field: FieldType) -> Callable[..., list[tuple[bytes, int, float, bytes]]]:
    """Return `field.index` computed from `IndonesianAnalyzer.term_positions`.

    Yields what Whoosh's Positions/Existence formats yield for the same analyzer: each term
    (UTF-8) with its frequency, weight (frequency x field boost, or the boost) and value.
    """
    analyzer: IndonesianAnalyzer = field.analyzer
    fmt = field.format
    boost = fmt.field_boost
    encode = fmt.encode
    original = field.index
    encoded: dict[str, bytes] = {}

    def utf8(term: str) -> bytes:
        b = encoded.get(term)
        if b is None:
            if len(encoded) > _ENCODED_MAX:
                encoded.clear()
            b = encoded[term] = term.encode("utf-8")
        return b

    if type(fmt) is formats.Positions:
        def index(value: object, **kwargs: object) -> list[tuple[bytes, int, float, bytes]]:
            if not isinstance(value, str):
                return list(original(value, **kwargs))
            return [
                (utf8(term), len(places), float(len(places)) * boost, encode(places))
                for term, places in analyzer.term_positions(value).items()
            ]
    else:
        def index(value: object, **kwargs: object) -> list[tuple[bytes, int, float, bytes]]:
            if not isinstance(value, str):
                return list(original(value, **kwargs))
            return [(utf8(term), 1, boost, b"") for term in analyzer.term_positions(value)]

    return index


def _flush_with_lengths(writer: SegmentWriter) -> None:
    """Write a segment writer's postings, the field lengths decoded once (`_Lengths`)."""
    writer.perdocwriter.close()
    pdr = writer.per_document_reader()
    try:
        lengths = _Lengths(pdr, writer.schema.names(), writer.docnum)
        writer.fieldwriter.add_postings(writer.schema, lengths, writer.pool.iter_postings())
        writer.fieldwriter.close()
    finally:
        pdr.close()


class _SegmentBuilder(SegmentWriter):
    """A writer of one new segment of the rebuild index, without locking or merging."""

    _tempstorage: Any  # Whoosh's (an untyped library), replaced below
    schema: Any

    def __init__(self, ix: index.FileIndex, tempdir: str, limitmb: int) -> None:
        # Not compound: a compound file names its parts after the index, and the switch-over
        # renames the segments (by hard links, file by file).
        super().__init__(ix, _lk=False, limitmb=limitmb, compound=False)
        # Whoosh names the temporary folder after the index, so parallel builders would share
        # (and delete) it: each gets its own.
        shared = self._tempstorage
        self._tempstorage = FileStorage(tempdir).create()
        with contextlib.suppress(OSError):
            os.rmdir(shared.folder)
        self.pool = _Pool(self._tempstorage, self.newsegment, limitmb)
        self.schema = _fast_schema(self.schema)

    def add(self, doc: IndexDoc) -> None:
        self.add_document(**doc_fields(doc))
        if len(self.pool.current) >= self.pool.max_postings:
            self.pool.save()

    def _flush_segment(self) -> None:
        _flush_with_lengths(self)

    def finish(self) -> Any:
        """Write the segment's files and return the segment (not yet in any table of contents)."""
        segment = self._finalize_segment()
        self._tempstorage.destroy()
        self.is_closed = True
        return segment

    def discard(self) -> None:
        with contextlib.suppress(Exception):
            self._close_segment()
        with contextlib.suppress(Exception):
            self._tempstorage.destroy()
        self.is_closed = True


class LiveWriter(SegmentWriter):
    """Whoosh's segment writer for the live index (locking, deletions, merging as usual), with
    the rebuild's faster analysis, pool and field lengths; the schema saved with the index
    stays the original."""

    schema: Any  # Whoosh's (an untyped library), replaced below

    def __init__(self, ix: index.FileIndex, **kwargs: Any) -> None:
        super().__init__(ix, **kwargs)
        limitmb = kwargs.get("limitmb", 128)
        self.pool = _Pool(self._tempstorage, self.newsegment, limitmb)
        self._schema = self.schema
        self.schema = _fast_schema(self.schema)

    def add_document(self, **fields: Any) -> None:
        super().add_document(**fields)
        if len(self.pool.current) >= self.pool.max_postings:
            self.pool.save()

    def _flush_segment(self) -> None:
        _flush_with_lengths(self)

    def _commit_toc(self, segments: list) -> None:
        self.schema = self._schema  # the table of contents pickles the schema
        super()._commit_toc(segments)


class LocalSink:
    """Builds segments in this process."""

    def __init__(self, folder: str, limitmb: int) -> None:
        self._folder = folder
        self._limitmb = limitmb
        self._ix = index.open_dir(folder, indexname=NAME)
        self._builder: _SegmentBuilder | None = None

    def add(self, docs: list[IndexDoc]) -> None:
        if self._builder is None:
            tempdir = os.path.join(self._folder, f"{TEMP_PREFIX}{os.getpid()}-{time.time_ns()}")
            self._builder = _SegmentBuilder(self._ix, tempdir, self._limitmb)
        for doc in docs:
            self._builder.add(doc)

    def finish(self) -> Any | None:
        builder, self._builder = self._builder, None
        return builder.finish() if builder is not None else None

    def close(self) -> None:
        if self._builder is not None:
            self._builder.discard()
            self._builder = None


def _worker(conn: Connection, folder: str, limitmb: int) -> None:
    """Run in a worker process: build segments from batches until told to stop."""
    sink = LocalSink(folder, limitmb)
    try:
        while True:
            try:
                message = conn.recv()
            except EOFError:  # the parent is gone
                return
            if message is None:
                return
            kind, payload = message
            if kind == "add":
                sink.add(payload)
            else:
                conn.send(("segment", sink.finish()))
    except BaseException:
        with contextlib.suppress(OSError):
            conn.send(("error", traceback.format_exc()))
    finally:
        sink.close()
        conn.close()


class RemoteSink:
    """Builds segments in a worker process (spawned, so it shares nothing with this one)."""

    def __init__(self, folder: str, limitmb: int) -> None:
        ctx = multiprocessing.get_context("spawn")
        self._conn, child = ctx.Pipe()
        self._process = ctx.Process(
            target=_worker, args=(child, folder, limitmb), name="earsip-reindex", daemon=True
        )
        self._process.start()
        child.close()

    def _check(self) -> None:
        if self._conn.poll():
            self._reply()

    def _reply(self) -> Any:
        try:
            kind, payload = self._conn.recv()
        except (EOFError, OSError) as e:
            raise RuntimeError("index rebuild worker died") from e
        if kind == "error":
            raise RuntimeError(f"index rebuild worker failed:\n{payload}")
        return payload

    def add(self, docs: list[IndexDoc]) -> None:
        self._check()
        try:
            self._conn.send(("add", docs))
        except OSError as e:
            raise RuntimeError("index rebuild worker died") from e

    def finish(self) -> Any | None:
        self._check()
        try:
            self._conn.send(("finish", None))
        except OSError as e:
            raise RuntimeError("index rebuild worker died") from e
        return self._reply()

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self._conn.send(None)
        self._process.join(timeout=30)
        if self._process.is_alive():
            self._process.kill()
            self._process.join()
        self._conn.close()
