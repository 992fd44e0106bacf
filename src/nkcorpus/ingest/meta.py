"""Document metadata: a title, a date, a source, an author, a URL and the
folder of each file, and where they come from.

Three places, the first that knows a field wins:

1. a *sidecar*: a CSV or TSV file in the corpus root (``.csv``, ``.tsv``,
   maybe gzipped) whose header names a file column (``file``, ``path``,
   ``filename``, ``id``, ``name``) and at least one field (``title``,
   ``date``, ``source``/``publisher``, ``author``, ``url``/``link``); a row
   belongs to the file whose path inside the corpus, name, or name without
   its extension is the row's file value;
2. the file's own metadata: HTML ``<title>`` and ``<meta>`` dates, PDF and
   DOCX properties (``ingest.extract``), else a first line that reads as a
   title;
3. a date in the file's name (``laporan-2019-06-30.pdf``, ``20190630_x.txt``,
   ``rapat-2019.docx``).

A file's modification time is never its date: a copy changes it.

Dates are ISO strings as precise as known: ``YYYY-MM-DD``, ``YYYY-MM`` or
``YYYY``; so they sort, and compare as ranges, as text. They are read with
python-dateutil, day first (``16/09/2019`` is 16 September), with English
and Indonesian month names (``16 Agustus 2019``, ``Oct 9, 2019``); an ISO
date (``2019-10-09``) is always year, month, day.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from functools import lru_cache
from pathlib import PurePosixPath

# Fields a sidecar may give, and the column names read as each (case and
# spaces, hyphens, underscores do not matter).
FIELD_COLUMNS = {
    "title": ("title", "judul", "headline"),
    "date": ("date", "tanggal", "published", "publishdate", "publicationdate", "datepublished", "pubdate"),
    "source": ("source", "publisher", "penerbit", "media", "outlet", "sumber", "site"),
    "author": ("author", "authors", "penulis", "byline", "creator"),
    "url": ("url", "link", "uri", "href"),
}
FILE_COLUMNS = ("file", "path", "filename", "filepath", "id", "name", "docid", "document")
SIDECAR_SUFFIXES = (".csv", ".tsv", ".csv.gz", ".tsv.gz")
MAX_SIDECAR_BYTES = 256 * 2**20  # a bigger file is not read (a warning says so)
MAX_FIELD_CHARS = 1000  # longer values are cut
MIN_YEAR, MAX_YEAR = 1800, 2200


@dataclass(frozen=True, slots=True)
class Meta:
    """What is known of a document; None where nothing is."""

    title: str | None = None
    date: str | None = None  # YYYY-MM-DD, YYYY-MM or YYYY
    source: str | None = None
    author: str | None = None
    url: str | None = None
    folder: str = ""  # the folder inside the corpus ("" for its root)

    def over(self, other: Meta) -> Meta:
        """This metadata, its gaps filled from ``other``."""
        return Meta(*(mine if mine is not None else theirs
                      for mine, theirs in zip(self._values(), other._values())),
                    folder=self.folder or other.folder)

    def _values(self) -> tuple:
        return (self.title, self.date, self.source, self.author, self.url)


# --- dates ----------------------------------------------------------------------------

_DAY_FIRST = re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})")
_ISO = re.compile(r"(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?(?:[T ].*)?")
# A date in a file name: 2019-06-30, 2019_06_30, 2019.06.30, 20190630,
# 30-06-2019, 2019-06, or a lone year, not inside a longer number or word
# (the hash in 002_ce2136e8353e10c5.txt is no year).
_NAME_DATES = (
    (re.compile(r"(?<![0-9A-Za-z])((?:18|19|20|21)\d\d)[-_.]?(\d\d)[-_.]?(\d\d)(?![0-9A-Za-z])"), (1, 2, 3)),
    (re.compile(r"(?<![0-9A-Za-z])(\d\d)[-_.](\d\d)[-_.]((?:18|19|20|21)\d\d)(?![0-9A-Za-z])"), (3, 2, 1)),
    (re.compile(r"(?<![0-9A-Za-z])((?:18|19|20|21)\d\d)[-_.](\d\d)(?![0-9A-Za-z])"), (1, 2, None)),
    (re.compile(r"(?<![0-9A-Za-z.])((?:18|19|20|21)\d\d)(?![0-9A-Za-z])"), (1, None, None)),
)
_MONTHS = (
    ("Jan", "January", "Januari"), ("Feb", "February", "Februari", "Pebruari"),
    ("Mar", "March", "Maret"), ("Apr", "April"), ("May", "Mei"),
    ("Jun", "June", "Juni"), ("Jul", "July", "Juli"),
    ("Aug", "August", "Agustus", "Agu", "Agt", "Ags", "Agst"),
    ("Sep", "Sept", "September"), ("Oct", "October", "Oktober", "Okt"),
    ("Nov", "November", "Nopember"), ("Dec", "December", "Desember", "Des"),
)
_WEEKDAYS = (
    ("Mon", "Monday", "Senin"), ("Tue", "Tuesday", "Selasa"), ("Wed", "Wednesday", "Rabu"),
    ("Thu", "Thursday", "Kamis"), ("Fri", "Friday", "Jumat", "Jum'at"),
    ("Sat", "Saturday", "Sabtu"), ("Sun", "Sunday", "Minggu", "Ahad"),
)


@lru_cache(maxsize=1)
def _parserinfo():
    from dateutil import parser

    class Info(parser.parserinfo):
        MONTHS = [tuple(dict.fromkeys(m)) for m in _MONTHS]
        WEEKDAYS = [tuple(dict.fromkeys(d)) for d in _WEEKDAYS]
        JUMP = [*parser.parserinfo.JUMP, "pukul", "tanggal", "tgl"]

    return Info(dayfirst=True)


def _iso(year: int, month: int | None = None, day: int | None = None) -> str | None:
    if not MIN_YEAR <= year <= MAX_YEAR:
        return None
    if month is None:
        return f"{year:04d}"
    if not 1 <= month <= 12:
        return None
    if day is None:
        return f"{year:04d}-{month:02d}"
    try:
        datetime(year, month, day)
    except ValueError:
        return None
    return f"{year:04d}-{month:02d}-{day:02d}"


def parse_date(value: object) -> str | None:
    """``value`` (a string as people write dates, or a datetime) as an ISO
    date as precise as it says (YYYY-MM-DD, YYYY-MM or YYYY); None if it
    is not a date."""
    if isinstance(value, datetime):
        return _iso(value.year, value.month, value.day)
    if not isinstance(value, str):
        return None
    return _parse_text(" ".join(value.split())[:100])


@lru_cache(maxsize=4096)  # a sidecar repeats its dates: 21,940 rows of CLICK-ID have 400
def _parse_text(text: str) -> str | None:
    if not text or not any(ch.isdigit() for ch in text):
        return None
    if text.startswith("D:") and text[2:6].isdigit():  # a PDF date string: D:YYYYMMDD...
        digits = text[2:10]
        return _iso(int(digits[:4]), int(digits[4:6]) if len(digits) >= 6 else None,
                    int(digits[6:8]) if len(digits) >= 8 else None)
    iso = _ISO.fullmatch(text)
    if iso:
        year, month, day = (int(g) if g else None for g in iso.groups())
        return _iso(year, month, day if month else None)
    numeric = _DAY_FIRST.fullmatch(text)
    if numeric:  # 16/09/2019, 16-09-2019, 16.09.2019: the common case, without dateutil
        day, month, year = map(int, numeric.groups())
        return _iso(year, month, day)
    return _fuzzy_date(text)


def _fuzzy_date(text: str) -> str | None:
    """A date in words or with slashes, day first; its precision is what
    changes when the defaults for the missing parts change."""
    from dateutil import parser

    try:
        a = parser.parse(text, parserinfo=_parserinfo(), default=datetime(2000, 1, 1), ignoretz=True)
        b = parser.parse(text, parserinfo=_parserinfo(), default=datetime(2001, 2, 2), ignoretz=True)
    except (ValueError, OverflowError, TypeError):
        return None
    if a.year != b.year:
        return None  # no year: not a date a document can be placed by
    return _iso(a.year, a.month if a.month == b.month else None,
                a.day if a.day == b.day and a.month == b.month else None)


def date_in_name(rel: str) -> str | None:
    """The first date in the file name of ``rel`` (not its folders), if any."""
    name = PurePosixPath(rel).name
    for pattern, (y, m, d) in _NAME_DATES:
        for found in pattern.finditer(name):
            date = _iso(int(found.group(y)), int(found.group(m)) if m else None,
                        int(found.group(d)) if d else None)
            if date:
                return date
    return None


# --- a document's own metadata ----------------------------------------------------------


def file_meta(rel: str, title: str | None, date: str | None, first_text: str = "") -> Meta:
    """Metadata from a file itself: its extracted title (else a first line
    that reads as a title) and date (else a date in its name), its folder."""
    if not title and first_text:
        title = first_line_title(first_text)
    folder = rel.rpartition("/")[0]
    return Meta(title=clean(title), date=date or date_in_name(rel), folder=folder)


def first_line_title(text: str) -> str | None:
    """The first non-blank line of ``text`` if it reads as a title (a short
    line not ending like a sentence), as passages take it for context."""
    from nkcorpus.ingest.passages import is_heading

    for line in text.split("\n", 20)[:20]:
        if line.strip():
            return " ".join(line.split()) if is_heading(line) else None
    return None


def clean(value: object) -> str | None:
    """A field value, white space collapsed, cut to MAX_FIELD_CHARS; None if blank."""
    if value is None:
        return None
    text = " ".join(str(value).split())[:MAX_FIELD_CHARS]
    return text or None


# --- the sidecar ------------------------------------------------------------------------


def is_sidecar_name(name: str) -> bool:
    lower = name.lower()
    return not name.startswith(".") and lower.endswith(SIDECAR_SUFFIXES)


@dataclass(slots=True)
class Sidecar:
    """The rows of the corpus's sidecar files, by the keys a file is found by."""

    by_key: dict[str, Meta] = field(default_factory=dict)
    files: tuple[str, ...] = ()  # the sidecar files read
    problems: list[str] = field(default_factory=list)  # warnings about them
    keys_by_file: dict[str, set[str]] = field(default_factory=dict)  # sidecar file -> its rows' keys

    def lookup(self, rel: str) -> Meta | None:
        """The row for file ``rel``: by its path, its name, its name without extension."""
        name = rel.rpartition("/")[2]
        for key in (rel, name, name.rpartition(".")[0] or name):
            meta = self.by_key.get(_key(key))
            if meta is not None:
                return meta
        return None

    @property
    def rows(self) -> int:
        return len(self.by_key)

    def unmatched(self, rels: Iterable[str]) -> dict[str, int]:
        """How many rows of each sidecar file belong to none of ``rels``."""
        used = set()
        for rel in rels:
            name = rel.rpartition("/")[2]
            for key in map(_key, (rel, name, name.rpartition(".")[0] or name)):
                if key in self.by_key:
                    used.add(key)
                    break
        return {name: len(keys - used) for name, keys in self.keys_by_file.items()}

    def notes(self, rels: Iterable[str]) -> list[str]:
        """What the user should hear of the sidecar: its problems, and rows
        that match no file."""
        notes = list(self.problems)
        for name, missing in self.unmatched(rels).items():
            if missing:
                rows = len(self.keys_by_file[name])
                notes.append(f"metadata file {name}: {missing} of {rows} rows match no file in the corpus")
        return notes


def _key(value: str) -> str:
    return value.strip().lstrip("./").replace("\\", "/").casefold()


def _column(name: str) -> str:
    return re.sub(r"[\s_\-.]+", "", name.strip().lstrip("\ufeff")).casefold()


def signature(sidecars: Mapping[str, tuple[int, int]]) -> list:
    """What the manifest records of the sidecar files: [[name, size, mtime_ns], ...]."""
    return [[name, int(size), int(mtime)] for name, (size, mtime) in sorted(sidecars.items())]


def digest(root, names: Iterable[str]) -> str:
    """A digest of the sidecar files' contents (changes re-index the corpus)."""
    import hashlib

    h = hashlib.sha256()
    for name in sorted(names):
        h.update(name.encode("utf-8", "surrogateescape") + b"\0")
        try:
            with open(root / name, "rb") as stream:
                for block in iter(lambda: stream.read(2**20), b""):
                    h.update(block)
        except OSError as exc:
            h.update(f"unreadable: {exc.strerror}".encode())
        h.update(b"\0")
    return h.hexdigest()[:32]


def load_sidecar(root, names: Iterable[str]) -> Sidecar:
    """Read the sidecar files ``names`` (in the corpus folder ``root``) that
    have a file column and a metadata column; later files override earlier
    ones. Never raises: a file that cannot be read is a problem noted."""
    import csv

    sidecar = Sidecar()
    read = []
    for name in sorted(names):
        try:
            rows = _read_rows(root / name, name)
        except _NotSidecar:
            continue
        except (OSError, ValueError, csv.Error, EOFError, UnicodeError) as exc:
            reason = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
            sidecar.problems.append(f"metadata file {name} cannot be read ({reason}); its metadata is not used")
            continue
        read.append(name)
        keys = sidecar.keys_by_file.setdefault(name, set())
        for key, meta in rows:
            old = sidecar.by_key.get(key)
            sidecar.by_key[key] = meta if old is None else meta.over(old)
            keys.add(key)
    sidecar.files = tuple(read)
    return sidecar


class _NotSidecar(Exception):
    """A CSV or TSV file that is not metadata (no file column or no field)."""


def _read_rows(path, name: str) -> list[tuple[str, Meta]]:
    import csv
    import gzip
    import io

    if path.stat().st_size > MAX_SIDECAR_BYTES:
        raise ValueError(f"larger than {MAX_SIDECAR_BYTES // 2**20} MiB")
    data = path.read_bytes()
    if name.lower().endswith(".gz"):
        data = gzip.decompress(data)[: MAX_SIDECAR_BYTES * 4]
    text = _decode(data)
    lines = io.StringIO(text, newline="")
    header_line = text.split("\n", 1)[0]
    delimiter = _delimiter(name, header_line)
    reader = csv.reader(lines, delimiter=delimiter)
    header = next(reader, None)
    if not header:
        raise _NotSidecar
    columns = [_column(h) for h in header]
    file_col = next((columns.index(c) for c in FILE_COLUMNS if c in columns), None)
    fields = {f: columns.index(c) for f, names in FIELD_COLUMNS.items() for c in names[::-1] if c in columns}
    if file_col is None or not fields:
        raise _NotSidecar
    out = []
    for row in reader:
        if len(row) <= file_col or not row[file_col].strip():
            continue
        values = {f: clean(row[i]) if i < len(row) else None for f, i in fields.items()}
        if values.get("date") is not None:
            values["date"] = parse_date(values["date"])
        if values.get("source") is not None:
            values["source"] = values["source"].lower()
        out.append((_key(row[file_col]), Meta(**values)))
    return out


def _decode(data: bytes) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _delimiter(name: str, header: str) -> str:
    """Tab for .tsv, comma for .csv, unless the header says otherwise
    (csv.Sniffer on the header line)."""
    import csv

    default = "\t" if ".tsv" in name.lower() else ","
    if default in header:
        return default
    try:
        return csv.Sniffer().sniff(header, delimiters=",;\t|").delimiter
    except csv.Error:
        return default


# --- putting it together ----------------------------------------------------------------


def resolve(rel: str, own: Meta, sidecar: Sidecar | None) -> Meta:
    """The metadata of file ``rel``: its sidecar row over its own."""
    row = sidecar.lookup(rel) if sidecar is not None else None
    meta = own if row is None else row.over(own)
    return meta if meta.folder == own.folder else replace(meta, folder=own.folder)
