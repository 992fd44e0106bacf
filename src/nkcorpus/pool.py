"""A Whoosh segment writer for full builds that groups postings as they come.

Whoosh's ``SegmentWriter`` puts every posting, a ``(field, term, docnum,
weight, value)`` tuple, into a pool that pickles runs of them to disk and
merge-sorts them all at commit, and then looks up each posting's document
length in a column file it has just written. For a fresh build nothing of
that is needed: documents arrive in ascending order, so each term's postings
are appended to its own list already sorted, and commit sorts only the
distinct terms. ``BuildWriter`` does that, keeps the field lengths in
memory, analyzes text through the tokenizer's ``terms`` (no Token objects)
and hands whole posting lists to Whoosh's own block encoder. The files it
writes are Whoosh's format, byte for byte what ``SegmentWriter`` writes for
the same documents (``tests/test_pool.py``).

Memory stays bounded: when the pool's estimated size passes ``limitmb``
the segment is written out and a new one begun, so a large build may end
with several segments.
"""

from __future__ import annotations

from collections import Counter

from whoosh import formats
from whoosh.system import pack_uint
from whoosh.util.numeric import byte_to_length, length_to_byte
from whoosh.writing import SegmentWriter

# Estimated bytes of pool memory per posting (three list slots, a value
# that is mostly shared) and per distinct term (dict entry, key, list).
_POSTING_BYTES = 48
_TERM_BYTES = 240


class BuildWriter(SegmentWriter):
    """A ``SegmentWriter`` for a new, empty index (see the module's docstring).
    Every posting of a field is held as a flat list ``[docnum, weight, value,
    docnum, ...]`` per term until the segment is written."""

    def __init__(self, ix, limitmb: int = 128, **kwargs) -> None:
        super().__init__(ix, limitmb=limitmb, **kwargs)
        if any(f.vector or f.separate_spelling() for _, f in self.schema.items()):
            raise ValueError("BuildWriter writes no term vectors or spelling fields")
        self._limit = limitmb * 2**20
        self._written: list = []  # segments already written out
        self._reset_pool()

    def _reset_pool(self) -> None:
        self._postings: dict[str, dict] = {}  # field -> term (str or bytes) -> flat list
        self._lengths: dict[str, dict[int, int]] = {}  # field -> docnum -> stored length
        self._count = 0  # postings and terms added, for the size estimate
        self._terms = 0

    # --- adding ------------------------------------------------------------

    def add_document(self, **fields) -> None:
        self._check_state()
        schema, docnum, pdw = self.schema, self.docnum, self.perdocwriter
        docboost = self._doc_boost(fields)
        names = sorted(name for name in fields if not name.startswith("_"))
        self._check_fields(schema, names)
        pdw.start_doc(docnum)
        try:
            for name in names:
                value = fields[name]
                if value is not None:
                    self._add_field(name, schema[name], value, fields, docboost)
        except Exception:
            pdw.cancel_doc()
            raise
        pdw.finish_doc()
        self._added = True
        self.docnum += 1
        if self._count * _POSTING_BYTES + self._terms * _TERM_BYTES > self._limit:
            self._next_segment()

    def _add_field(self, name: str, field, value, fields: dict, docboost: float) -> None:
        length = 0
        if field.indexed:
            boost = self._field_boost(fields, name, docboost)
            length = self._index(name, field, value, boost)
        stored = fields.get(f"_stored_{name}", value)
        self.perdocwriter.add_field(name, field, stored if field.stored else None, length)
        if field.column_type and stored is not None:
            self.perdocwriter.add_column_value(name, field.column_type, field.to_column_value(stored))

    def _index(self, name: str, field, value, boost: float) -> int:
        """Pool the postings of one field of the current document; its length."""
        terms = getattr(field.analyzer, "terms", None)
        kind = type(field.format)
        if terms is not None and isinstance(value, str) and kind in _FAST:
            table = self._postings.setdefault(name, {})
            length = _FAST[kind](self, table, field.format, terms(value), boost)
        else:
            table = self._postings.setdefault(name, {})
            length = self._index_slow(table, field, value, boost)
        if length and field.scorable:
            self._record_length(name, length)
        return length if field.scorable else 0

    def _index_slow(self, table: dict, field, value, boost: float) -> int:
        """Whoosh's own ``field.index`` (for fields without a fast analyzer)."""
        length = 0
        for tbytes, freq, weight, vbytes in field.index(value):
            self._pool(table, tbytes, weight * boost, vbytes)
            length += freq
        return length

    def _pool(self, table: dict, term, weight: float, value: bytes) -> None:
        entry = table.get(term)
        if entry is None:
            table[term] = [self.docnum, weight, value]
            self._terms += 1
        else:
            entry += (self.docnum, weight, value)
        self._count += 1

    def _record_length(self, name: str, length: int) -> None:
        """What the length column gives back for ``length`` (None for 0)."""
        lb = length_to_byte(length)
        if lb:
            self._lengths.setdefault(name, {})[self.docnum] = byte_to_length(lb)

    # --- writing -----------------------------------------------------------

    def _next_segment(self) -> None:
        """Write the pooled segment out and begin a new, empty one."""
        self._written.append(self._write_segment())
        codec = self.codec
        self.newsegment = codec.new_segment(self.storage, self.indexname)
        self.perdocwriter = codec.per_document_writer(self.storage, self.newsegment)
        self.fieldwriter = codec.field_writer(self.storage, self.newsegment)
        self.docnum = self.docbase = 0
        self._added = False

    def _write_segment(self):
        self.perdocwriter.close()
        self._write_postings()
        self.fieldwriter.close()
        self._reset_pool()
        self._assemble_segment()
        return self.get_segment()

    def _write_postings(self) -> None:
        fw = self.fieldwriter
        for name in sorted(self._postings):
            table = self._postings[name]
            lengths = self._lengths.get(name, {}).get
            fw.start_field(name, self.schema[name])
            for term in sorted(table):
                flat = table.pop(term)
                fw.start_term(term.encode("utf-8") if isinstance(term, str) else term)
                _write_term(fw._postwriter, flat[0::3], flat[1::3], flat[2::3], lengths)
                fw.finish_term()
            fw.finish_field()

    def finish_segments(self) -> list:
        """Write the last segment; every segment this writer wrote."""
        if self._added:
            self._written.append(self._write_segment())
        else:
            self._close_segment()
        return self._written

    def commit(self, mergetype=None, optimize=None, merge=None) -> None:
        self._check_state()
        kept = self._merge_segments(mergetype, optimize, merge)
        self._commit_toc(kept + self.finish_segments())
        self._finish()


def _write_term(pw, ids: list, weights: list, values: list, lengths) -> None:
    """Feed one term's postings to Whoosh's postings writer ``pw`` a block at
    a time, with the statistics its ``add_posting`` would have gathered."""
    from array import array

    limit = pw._blocklimit
    lens = list(map(lengths, ids))
    for start in range(0, len(ids), limit):
        if start:
            pw._write_block()
        end = start + limit
        pw._ids = array("I", ids[start:end])
        pw._weights = array("f", weights[start:end])
        pw._values = [v for v in values[start:end] if v]
        pw._maxweight = max(0, *weights[start:end])
        known = [n for n in lens[start:end] if n]
        pw._minlength = min(known) if known else None
        pw._maxlength = max(known) if known else 0


def _positions(writer: BuildWriter, table: dict, fmt, parts, boost: float) -> int:
    """Pool a ``Positions`` field: per term its positions and summed boosts."""
    poses: dict[str, list[int]] = {}
    weights: dict[str, float] = {}
    length = 0
    for terms, first, part_boost in parts:
        length += len(terms)
        for pos, term in enumerate(terms, first):
            known = poses.get(term)
            if known is None:
                poses[term] = [pos]
                weights[term] = 0.0 + part_boost
            else:
                known.append(pos)
                weights[term] += part_boost
    fb = fmt.field_boost
    encode = fmt.encode
    for term, plist in poses.items():
        value = _single(fmt, plist[0]) if len(plist) == 1 else encode(plist)
        writer._pool(table, term, weights[term] * fb * boost, value)
    return length


def _frequency(writer: BuildWriter, table: dict, fmt, parts, boost: float) -> int:
    """Pool a ``Frequency`` field: per term its count and summed boosts."""
    fb = fmt.field_boost
    length = 0
    if len(parts) == 1 and parts[0][2] == 1.0:
        counts = Counter(parts[0][0])
        for term, freq in counts.items():
            length += freq
            writer._pool(table, term, _float(freq) * fb * boost, _uint(freq))
        return length
    weights: dict[str, float] = {}
    counts = Counter()
    for terms, _, part_boost in parts:
        for term in terms:
            counts[term] += 1
            weights[term] = weights.get(term, 0.0) + part_boost
    for term, freq in counts.items():
        length += freq
        writer._pool(table, term, weights[term] * fb * boost, _uint(freq))
    return length


_FAST = {formats.Positions: _positions, formats.Frequency: _frequency}

# Shared objects for the common values (a term seen once at a position).
_SINGLES: dict[int, bytes] = {}
_UINTS: dict[int, bytes] = {}
_FLOATS: dict[int, float] = {}


def _single(fmt, pos: int) -> bytes:
    value = _SINGLES.get(pos)
    if value is None:
        value = _SINGLES[pos] = fmt.encode([pos])
    return value


def _uint(n: int) -> bytes:
    value = _UINTS.get(n)
    if value is None:
        value = _UINTS[n] = pack_uint(n)
    return value


def _float(n: int) -> float:
    value = _FLOATS.get(n)
    if value is None:
        value = _FLOATS[n] = float(n)
    return value

