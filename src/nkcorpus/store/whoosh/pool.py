"""A Whoosh segment writer for full builds that groups postings as they come.

Whoosh's ``SegmentWriter`` puts every posting, a ``(field, term, docnum,
weight, value)`` tuple, into a pool that pickles runs of them to disk and
merge-sorts them all at commit, and then looks up each posting's document
length in a column file it has just written. For a fresh build nothing of
that is needed: documents arrive in ascending order, so each term's postings
are appended to its own list already sorted, and commit sorts only the
distinct terms. ``BuildWriter`` does that, keeps the field lengths in
memory, analyzes text through the tokenizer's ``terms`` (no Token objects)
and writes whole posting lists in Whoosh's block format. The index is a
plain Whoosh index with the same terms, postings, statistics, lengths and
stored fields as ``SegmentWriter`` writes for the same documents
(``tests/test_pool.py``); its postings file is some 10% smaller, as values
shared between postings are pickled once per block and blocks under
``_COMPRESS_MIN`` bytes are stored uncompressed.

Memory stays bounded: when the pool's estimated size passes ``limitmb``
the segment is written out and a new one begun, so a large build may end
with several segments.
"""

from __future__ import annotations

import operator
import zlib
from array import array
from collections import Counter
from pickle import dumps

from whoosh import formats
from whoosh.codec.whoosh3 import WHOOSH3_HEADER_MAGIC, W3TermInfo
from whoosh.system import pack_int, pack_uint, pack_ushort
from whoosh.util.numeric import byte_to_length, length_to_byte
from whoosh.writing import SegmentWriter

# Estimated bytes of pool memory per posting (three list slots, a value
# that is mostly shared) and per distinct term (dict entry, key, list).
_POSTING_BYTES = 48
_TERM_BYTES = 240
# Blocks of postings smaller than this are stored uncompressed: zlib's cost
# per call is most of what it costs, and small blocks shrink little.
_COMPRESS_MIN = 128


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
        length, pooled = 0, []
        for tbytes, freq, weight, vbytes in field.index(value):
            pooled += (tbytes, weight * boost, vbytes)
            length += freq
        _pool_document(self, table, pooled)
        return length

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
            field = self.schema[name]
            fw.start_field(name, field)
            terms = _TermWriter(fw, field.format, self._lengths.get(name, {}).get,
                                getattr(self.codec, "_compression", 3))
            for term in sorted(table):
                flat = table.pop(term)
                terms.write(term.encode("utf-8") if isinstance(term, str) else term,
                            flat[0::3], flat[1::3], flat[2::3])
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


class _TermWriter:
    """Writes posting lists the way Whoosh's ``W3PostingsWriter`` does
    (blocks of ``blocklimit`` postings: a pickled info tuple, then the
    pickled ids, weights and values, zlib-compressed) and adds each term to
    the field writer's term table. One thing differs, within the format: a
    block of less than ``_COMPRESS_MIN`` bytes is stored uncompressed (its
    info says so, as Whoosh's reader expects)."""

    def __init__(self, fw, fmt, lengths, compression: int) -> None:
        self.fw, self.lengths, self.compression = fw, lengths, compression
        self.limit = fw._codec._blocklimit
        self.fixed = fmt.fixed_value_size()
        self.postfile = fw._postfile
        self.prefix = pack_ushort(fw._fieldid)

    def write(self, btext: bytes, ids: list, weights: list, values: list) -> None:
        info = W3TermInfo()
        postfile, limit = self.postfile, self.limit
        start = postfile.tell()
        postfile.write(WHOOSH3_HEADER_MAGIC)
        lens = list(map(self.lengths, ids))
        for first in range(0, len(ids), limit):
            last = first + limit >= len(ids)
            self._block(info, ids[first:first + limit], weights[first:first + limit],
                        values[first:first + limit], lens[first:first + limit], last)
        info.set_extent(start, postfile.tell() - start)
        self.fw._tindex.add(self.prefix + btext, info.to_bytes())

    def _block(self, info, ids: list, weights: list, values: list, lens: list, last: bool) -> None:
        floats = array("f", weights)
        known = [n for n in lens if n]
        minlength = min(known) if known else None
        maxlength = max(known) if known else 0
        maxweight = max(0, *weights)
        _add_block(info, ids, floats, minlength, maxlength, maxweight)
        deltas = tuple(map(operator.sub, ids, [0, *ids[:-1]]))
        data = dumps((deltas, _mini_weights(floats), self._mini_values(values)), 2)
        comp = self.compression if len(data) >= _COMPRESS_MIN else 0
        if comp:
            data = zlib.compress(data, comp)
        head = dumps((len(ids), ids[-1], maxweight, comp,
                      length_to_byte(minlength), length_to_byte(maxlength)), 2)
        size = len(head) + len(data)
        self.postfile.write(pack_int(-size if last else size) + head + data)

    def _mini_values(self, values: list):
        if self.fixed is None or self.fixed < 0:
            return tuple(values)
        if self.fixed == 0:
            return None
        return b"".join(values)


def _add_block(info, ids: list, floats: array, minlength, maxlength, maxweight) -> None:
    """``W3TermInfo.add_block`` for one block's figures."""
    info._weight += sum(floats)
    info._df += len(ids)
    if info._minlength is None:
        info._minlength = minlength
    elif minlength is not None:
        info._minlength = min(info._minlength, minlength)
    info._maxlength = max(info._maxlength, maxlength)
    info._maxweight = max(info._maxweight, maxweight)
    if info._minid is None:
        info._minid = ids[0]
    info._maxid = ids[-1]


def _mini_weights(floats: array):
    """Whoosh's block weights: None if all 1.0, one value if all alike."""
    first = floats[0]
    if first == 1.0 and floats.count(1.0) == len(floats):
        return None
    if floats.count(first) == len(floats):
        return first
    return tuple(floats)


def _positions(writer: BuildWriter, table: dict, fmt, parts, boost: float) -> int:
    """Pool a ``Positions`` field: per term its positions and summed boosts
    (added up in token order, as Whoosh does)."""
    poses: dict[str, list[int]] = {}
    extra: dict[str, float] = {}  # boosts of the parts after the first
    length = 0
    for n, (terms, first, part_boost) in enumerate(parts):
        length += len(terms)
        for pos, term in enumerate(terms, first):
            known = poses.get(term)
            if known is None:
                poses[term] = [pos]
            else:
                known.append(pos)
            if n:
                extra[term] = extra.get(term, 0.0) + part_boost
    fb = fmt.field_boost
    plain = parts[0][2] == 1.0 and fb == boost == 1.0
    encode, pooled = fmt.encode, []
    for term, plist in poses.items():
        n = len(plist)
        if plain and n < _SHARED and term not in extra:
            weight = _FLOATS[n]
        else:
            weight = _sum_boosts(plist, parts) * fb * boost
        if n == 1 and plist[0] < _SHARED:
            value = _SINGLES[plist[0]]
        else:
            value = encode(plist)
        pooled += (term, weight, value)
    _pool_document(writer, table, pooled)
    return length


def _pool_document(writer: BuildWriter, table: dict, pooled: list) -> None:
    """Append one document's postings to their terms' lists; ``pooled`` is
    flat: ``[term, weight, value, term, ...]``."""
    docnum, added = writer.docnum, 0
    for i in range(0, len(pooled), 3):
        term = pooled[i]
        entry = table.get(term)
        if entry is None:
            table[term] = [docnum, pooled[i + 1], pooled[i + 2]]
            added += 1
        else:
            entry += (docnum, pooled[i + 1], pooled[i + 2])
    writer._count += len(pooled) // 3
    writer._terms += added


def _sum_boosts(plist: list[int], parts) -> float:
    """A term's tokens' boosts added up in order."""
    weight = 0.0
    for pos in plist:
        weight += next(b for _, first, b in reversed(parts) if pos >= first)
    return weight


def _frequency(writer: BuildWriter, table: dict, fmt, parts, boost: float) -> int:
    """Pool a ``Frequency`` field: per term its count and summed boosts."""
    fb = fmt.field_boost
    counts: Counter = Counter()
    weights: dict[str, float] = {}
    for terms, _, part_boost in parts:
        if len(parts) == 1 and part_boost == 1.0:
            counts = Counter(terms)
        else:
            for term in terms:
                counts[term] += 1
                weights[term] = weights.get(term, 0.0) + part_boost
    pooled = []
    for term, freq in counts.items():
        if weights:
            weight = weights[term] * fb * boost
        elif freq < _SHARED and fb == boost == 1.0:
            weight = _FLOATS[freq]
        else:
            weight = float(freq) * fb * boost
        pooled += (term, weight, _UINTS[freq] if freq < _SHARED else pack_uint(freq))
    _pool_document(writer, table, pooled)
    return counts.total()


_FAST = {formats.Positions: _positions, formats.Frequency: _frequency}

# Shared objects for the common values (a term seen once at a position, a
# small count): less memory, and pickle writes a repeated one as a reference.
_SHARED = 1024
_SINGLES = [formats.Positions().encode([pos]) for pos in range(_SHARED)]
_UINTS = [pack_uint(n) for n in range(_SHARED)]
_FLOATS = [float(n) for n in range(_SHARED)]
