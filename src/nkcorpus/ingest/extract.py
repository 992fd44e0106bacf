"""Turn one document file into plain text plus a map from text lines to locations.

Pure library code: the parsers (pypdf, python-docx, BeautifulSoup,
charset-normalizer) are imported lazily, inside the function that needs them,
so that importing this module costs next to nothing.
"""

from __future__ import annotations

import codecs
import contextlib
import io
import re
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO


@dataclass(frozen=True, slots=True)
class Extracted:
    """Plain text of one file and where each of its lines came from.

    ``text`` has lines separated by "\\n" and no "\\r". ``locations`` is None
    when text line i is location ``first_line + i - 1`` (plain text files;
    ``first_line`` is 1 unless this is a later part of a big file, see
    ``extract_parts``); otherwise it has one 1-based location (in ``unit``)
    per text line: ``locations[i - 1]`` is the location of line i, and
    ``len(locations) == text.count("\\n") + 1``.
    """

    text: str
    unit: str
    locations: tuple[int, ...] | None
    title: str | None = None
    encoding: str | None = None
    first_line: int = 1
    date: str | None = None  # from the format's metadata: YYYY-MM-DD, YYYY-MM or YYYY (ingest.meta)


class ExtractError(Exception):
    """The file cannot be read as text; the message is a short human reason."""


TEXT_SUFFIXES = frozenset({".txt", ".md", ".markdown", ".text"})
HTML_SUFFIXES = frozenset({".html", ".htm", ".xhtml"})
SUPPORTED_SUFFIXES = TEXT_SUFFIXES | HTML_SUFFIXES | frozenset({".pdf", ".docx"})

# Plain text is decoded this many bytes at a time (any size, bounded memory).
TEXT_PART_BYTES = 2**20
# The other formats are parsed whole; larger files are skipped. A parsed HTML
# tree takes about 20 times its file's size in memory, a DOCX's XML about 10.
MAX_PARSED_BYTES = {**dict.fromkeys(HTML_SUFFIXES, 16 * 2**20), ".pdf": 256 * 2**20, ".docx": 256 * 2**20}
MAX_DOCX_XML_BYTES = 32 * 2**20

_SNIFF_BYTES = 8192
_BOMS = (  # UTF-32 before UTF-16: their little-endian BOMs share a prefix.
    (codecs.BOM_UTF32_LE, "utf-32-le", "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32-be", "utf-32"),
    (codecs.BOM_UTF8, "utf-8", "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16-le", "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16-be", "utf-16"),
)
# Without a BOM, a file with no NUL byte is never UTF-16/32: don't let the
# detector guess them for short single-byte texts.
_DETECT_EXCLUDED = ["utf_16", "utf_16_be", "utf_16_le", "utf_32", "utf_32_be", "utf_32_le", "utf_7"]
_CONTROL_RE = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")
_LETTER_RE = re.compile(r"[^\W\d_]")
_NON_ASCII_LETTER_RE = re.compile(r"[^\W\d_A-Za-z]")


def extract(path: Path, data: bytes | None = None) -> Extracted:
    """Extract text from ``path`` (or from ``data``, its bytes, if given).

    Raises ExtractError for unsupported or unreadable files; an OSError
    from reading the file propagates unchanged.
    """
    handler = _HANDLERS.get(path.suffix.lower())
    if handler is None:
        raise ExtractError("unsupported file type")
    if data is None and handler is _extract_pdf:
        with open(path, "rb") as stream:  # pypdf reads only what it needs
            return _extract_pdf(stream)
    if data is None:
        data = path.read_bytes()
    return handler(data)


def extract_parts(path: Path, part_bytes: int | None = None) -> Iterator[Extracted]:
    """The text of ``path`` in one or more parts, in order, in bounded memory.

    Plain text is decoded ``part_bytes`` at a time and cut at paragraph or
    line ends (``part_bytes`` defaults to TEXT_PART_BYTES); each part's
    ``first_line`` says where it starts. Other formats give one part, and
    raise ExtractError when larger than their limit in ``MAX_PARSED_BYTES``.
    OSError from reading the file propagates.
    """
    suffix = path.suffix.lower()
    if suffix in TEXT_SUFFIXES:
        yield from _text_parts(path, part_bytes or TEXT_PART_BYTES)
        return
    limit = MAX_PARSED_BYTES.get(suffix)
    if limit is not None and (size := path.stat().st_size) > limit:
        raise ExtractError(f"too large to parse: {_mib(size)} (the limit for {suffix} is {_mib(limit, 0)})")
    yield extract(path)


def _mib(nbytes: int, decimals: int = 1) -> str:
    return f"{nbytes / 2**20:.{decimals}f} MiB"


# ---------------------------------------------------------------- plain text


def decode_text(data: bytes, *, hint: str | None = None) -> tuple[str, str]:
    """Decode bytes to text with "\\n" line ends; return (text, encoding name).

    Order: a BOM (UTF-8/16/32), then strict UTF-8, then ``hint`` (an
    encoding the document declares), then cp1252 if the result looks like
    Latin-script text, then charset-normalizer. Line ends "\\r\\n" and a lone
    "\\r" become "\\n", so the line count is unchanged. Raises
    ExtractError("binary file") for NUL bytes near the start (without a
    BOM) or when no plausible encoding is found.
    """
    decoded = _decode_bom(data)
    if decoded is None:
        if b"\x00" in data[:_SNIFF_BYTES]:
            raise ExtractError("binary file")
        decoded = _decode_unmarked(data, hint)
    text, encoding = decoded
    return _normalize_newlines(text), encoding


def _decode_bom(data: bytes) -> tuple[str, str] | None:
    """Decode data that starts with a Unicode byte order mark, else None."""
    for bom, codec, name in _BOMS:
        if data.startswith(bom):
            return data[len(bom) :].decode(codec, "replace"), name
    return None


def _decode_unmarked(data: bytes, hint: str | None) -> tuple[str, str]:
    """Decode data without a BOM: UTF-8, the hint, cp1252, then detection."""
    text = _try_decode(data, "utf-8")
    if text is not None:
        return text, "utf-8"
    if hint and (text := _try_decode(data, hint)) is not None:
        return text, hint
    text = _try_decode(data, "cp1252")
    if text is not None and _looks_latin(text):
        return text, "cp1252"
    return _detect(data)


def _try_decode(data: bytes, encoding: str) -> str | None:
    """Strictly decode data, or None if it is not valid in that encoding."""
    try:
        return data.decode(encoding)
    except (ValueError, LookupError):  # UnicodeError, or a codec that is not text
        return None


def _looks_latin(text: str) -> bool:
    """Whether text decoded as cp1252 reads like Latin-script prose.

    Few control characters, and at most 30% of the letters non-ASCII
    (Indonesian in cp1252 has only the odd "é"; Cyrillic or Greek read
    as cp1252 is almost all accented letters).
    """
    sample = text[:65536]
    if len(_CONTROL_RE.findall(sample)) > len(sample) // 100:
        return False
    letters = len(_LETTER_RE.findall(sample))
    return len(_NON_ASCII_LETTER_RE.findall(sample)) <= max(1, letters * 0.3)


def _detect(data: bytes) -> tuple[str, str]:
    """Decode with the encoding charset-normalizer finds, or raise "binary file"."""
    try:
        from charset_normalizer import from_bytes

        match = from_bytes(data, cp_exclusion=_DETECT_EXCLUDED).best()
        encoding = codecs.lookup(match.encoding).name if match else None
    except MemoryError:
        raise
    except Exception as exc:  # the detector is a black box: never let it escape
        raise ExtractError(f"cannot detect text encoding: {_short(exc)}") from exc
    if encoding is None:
        raise ExtractError("binary file")
    return data.decode(encoding, "replace"), encoding


def _normalize_newlines(text: str) -> str:
    """Turn "\\r\\n" and a lone "\\r" into "\\n" (one line end each)."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _extract_text(data: bytes) -> Extracted:
    """Plain text and Markdown: decoded as is, unit "line", identity locations."""
    text, encoding = decode_text(data)
    return Extracted(text, "line", None, encoding=encoding)


# ------------------------------------------------------- big plain text files


def _text_parts(path: Path, part_bytes: int) -> Iterator[Extracted]:
    """A text file in parts of about ``part_bytes``; a small file is one part,
    decoded exactly as ``extract`` does."""
    with open(path, "rb") as stream:
        head = stream.read(part_bytes)
        second = stream.read(part_bytes)
        if not second:
            yield _extract_text(head)
            return
        decoder, encoding = _stream_decoder(head)
        chunks = _chunks(stream, (head, second), part_bytes)
        yield from _decoded_parts(chunks, decoder, encoding)


def _chunks(stream: Any, first: tuple[bytes, ...], size: int) -> Iterator[tuple[bytes, bool]]:
    """(chunk, is_last) for the chunks already read, then the rest of stream."""
    pending = list(first)
    while pending:
        chunk = pending.pop(0)
        if not pending and (more := stream.read(size)):
            pending.append(more)
        yield chunk, not pending


def _stream_decoder(head: bytes) -> tuple[Any, str]:
    """An incremental decoder for a big file, chosen from its first bytes as
    ``decode_text`` chooses; stray bytes become U+FFFD (or, in a UTF-8 file,
    are read as cp1252: files pasted together from several sources)."""
    for bom, _, name in _BOMS:
        if head.startswith(bom):  # these codecs strip the BOM themselves
            return codecs.getincrementaldecoder(name)("replace"), name
    if b"\x00" in head[:_SNIFF_BYTES]:
        raise ExtractError("binary file")
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except ValueError:
        encoding = _head_encoding(head)
        return codecs.getincrementaldecoder(encoding)("replace"), encoding
    codecs.register_error("nkcorpus.cp1252", _cp1252_fallback)
    return codecs.getincrementaldecoder("utf-8")("nkcorpus.cp1252"), "utf-8"


def _head_encoding(head: bytes) -> str:
    """The single-byte or detected encoding of a file that is not UTF-8."""
    text = _try_decode(head, "cp1252")
    if text is not None and _looks_latin(text):
        return "cp1252"
    return _detect(head)[1]


def _cp1252_fallback(error: UnicodeError) -> tuple[str, int]:
    """Codec error handler: decode the offending bytes as cp1252."""
    if not isinstance(error, UnicodeDecodeError):
        raise error
    bad = error.object[error.start : error.end]
    return bad.decode("cp1252", "replace"), error.end


def _decoded_parts(chunks: Iterator[tuple[bytes, bool]], decoder: Any,
                   encoding: str) -> Iterator[Extracted]:
    """Decode chunks and cut the text into parts at paragraph or line ends."""
    pending, line = "", 1
    for chunk, last in chunks:
        pending += decoder.decode(chunk, last)
        held = "\r" if not last and pending.endswith("\r") else ""  # maybe half of "\r\n"
        pending = _normalize_newlines(pending[: len(pending) - len(held)])
        cut = len(pending) if last else _cut_point(pending)
        part, pending = pending[:cut], pending[cut:] + held
        if part:
            yield Extracted(part, "line", None, encoding=encoding, first_line=line)
            line += part.count("\n")


def _cut_point(text: str) -> int:
    """Where to end a part: after the last blank line in the second half of
    ``text``, else after its last line end, else a space; else at the end."""
    half = len(text) // 2
    for separator in ("\n\n", "\n"):
        found = text.rfind(separator, half)
        if found >= 0:
            return found + len(separator)
    found = max(text.rfind(" ", half), text.rfind("\t", half))
    return found + 1 if found >= 0 else len(text)


# ------------------------------------------------------------ shared helpers


class _Lines:
    """Collects text lines with their locations; ``gap()`` asks for a blank line."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.locations: list[int] = []
        self._gap = False

    def add(self, line: str, location: int) -> None:
        """Append one line (after a blank line if a gap is pending)."""
        if self._gap and self.lines and self.lines[-1]:
            self.lines.append("")
            self.locations.append(self.locations[-1])
        self._gap = False
        self.lines.append(line)
        self.locations.append(location)

    def gap(self) -> None:
        """Separate what comes next from what came before by one blank line."""
        self._gap = True

    def result(self, unit: str, title: str | None, encoding: str | None = None,
               date: str | None = None) -> Extracted:
        """The collected lines as an Extracted (one location even when empty)."""
        if not self.lines:
            return Extracted("", unit, (1,), title, encoding, date=date)
        return Extracted("\n".join(self.lines), unit, tuple(self.locations), title, encoding, date=date)


@contextlib.contextmanager
def _library_errors(reason: str) -> Iterator[None]:
    """Turn any library exception into ExtractError("<reason>: <detail>")."""
    try:
        yield
    except (ExtractError, MemoryError):
        raise
    except Exception as exc:
        raise ExtractError(f"{reason}: {_short(exc)}") from exc


@contextlib.contextmanager
def _quiet() -> Iterator[None]:
    """Silence the warnings and log records parsers emit for sloppy files."""
    import logging  # not at module import: keep the CLI's start-up fast

    logger = logging.getLogger("pypdf")
    level = logger.level
    logger.setLevel(logging.CRITICAL)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        logger.setLevel(level)


def _short(exc: BaseException) -> str:
    """A one-line, bounded description of an exception."""
    lines = str(exc).strip().splitlines()
    message = lines[0] if lines else type(exc).__name__
    return message if len(message) <= 120 else message[:117] + "..."


def _clean_title(value: object) -> str | None:
    """A metadata title with whitespace collapsed, or None if blank."""
    if value is None:
        return None
    title = " ".join(str(value).split())
    return title or None


def _safe_title(get: Callable[[], object]) -> str | None:
    """Read an optional title; a broken metadata block just means no title."""
    try:
        return _clean_title(get())
    except MemoryError:
        raise
    except Exception:
        return None


# ---------------------------------------------------------------------- HTML

_DROP_TAGS = frozenset(
    {"script", "style", "noscript", "template", "svg", "head", "title", "iframe", "object"}
)
_BLOCK_TAGS = frozenset(
    {
        "address", "article", "aside", "blockquote", "body", "caption", "center",
        "details", "dialog", "div", "dl", "fieldset", "figcaption", "figure", "footer",
        "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hgroup", "hr", "html",
        "legend", "main", "menu", "nav", "ol", "p", "pre", "section", "summary",
        "table", "tbody", "tfoot", "thead", "ul",
    }
)  # fmt: skip
_LINE_TAGS = frozenset({"br", "li", "dt", "dd", "tr", "td", "th", "option"})
_HTML_SPACE_RE = re.compile(r"[ \t\n\r\f\xa0]+")
_META_CHARSET_RE = re.compile(
    rb"""<meta[^>]*?charset\s*=\s*["']?\s*([\w.:-]+)|<\?xml[^>]*?encoding\s*=\s*["']([\w.:-]+)""",
    re.IGNORECASE,
)
# As browsers do (WHATWG encoding labels): latin-1/ASCII mean windows-1252,
# and a UTF-16 label on a file without a BOM is wrong.
_CHARSET_OVERRIDES = {"latin-1": "cp1252", "iso8859-1": "cp1252", "ascii": "cp1252"}


def _declared_charset(data: bytes) -> str | None:
    """The encoding an HTML/XML document declares near its start, if usable."""
    found = _META_CHARSET_RE.search(data[:_SNIFF_BYTES])
    if not found:
        return None
    label = (found.group(1) or found.group(2)).decode("ascii", "replace")
    try:
        name = codecs.lookup(label).name
    except LookupError:
        return None
    if name.startswith(("utf-16", "utf-32")):
        return None
    return _CHARSET_OVERRIDES.get(name, name)


class _HtmlText:
    """Builds lines from a stream of HTML text pieces, line breaks and gaps."""

    def __init__(self) -> None:
        self.out = _Lines()
        self._pieces: list[str] = []
        self._location: int | None = None  # of the first non-blank piece

    def text(self, piece: str, location: int) -> None:
        """Add inline text; whitespace collapses as a browser would."""
        piece = _HTML_SPACE_RE.sub(" ", piece)
        if piece.startswith(" ") and (not self._pieces or self._pieces[-1].endswith(" ")):
            piece = piece[1:]
        self._append(piece, location)

    def preformatted(self, piece: str, location: int) -> None:
        """Add <pre> text: its newlines break lines, an empty line is a gap."""
        for offset, part in enumerate(piece.split("\n")):
            if offset and self._location is not None:
                self.line_break()
            elif offset:
                self.gap()
            self._append(part.replace("\xa0", " "), location + offset)

    def _append(self, piece: str, location: int) -> None:
        if piece:
            self._pieces.append(piece)
        if self._location is None and piece.strip():
            self._location = location

    def line_break(self) -> None:
        """End the current line (nothing happens if it is blank)."""
        line = "".join(self._pieces).strip()
        if line and self._location is not None:
            self.out.add(line, self._location)
        self._pieces.clear()
        self._location = None

    def gap(self) -> None:
        """End the current line and start a new paragraph."""
        self.line_break()
        self.out.gap()


def _extract_html(data: bytes) -> Extracted:
    """HTML: visible text, the title first; locations are source lines."""
    text, encoding = decode_text(data, hint=_declared_charset(data))
    with _quiet(), _library_errors("unreadable HTML"):
        from bs4 import BeautifulSoup

        soup = BeautifulSoup(text, "html.parser")
        builder = _HtmlText()
        title = _html_title(soup, builder.out)
        _walk_html(soup, builder)
        builder.gap()
        return builder.out.result("line", title, encoding, _safe_date(lambda: _html_date(soup)))


# <meta> tags that give an HTML page's publication date, best first.
_HTML_DATE_META = ("article:published_time", "datepublished", "date", "dc.date.issued", "dc.date",
                   "dcterms.date", "dcterms.issued", "citation_publication_date", "citation_date",
                   "pubdate", "publishdate", "og:published_time", "publication_date", "sailthru.date")


def _html_date(soup: Any) -> str | None:
    """The publication date in an HTML page's <meta> tags (name, property
    or itemprop), else the first <time datetime>."""
    from nkcorpus.ingest.meta import parse_date

    found: dict[str, str] = {}
    for tag in soup.find_all("meta"):
        key = tag.get("property") or tag.get("name") or tag.get("itemprop")
        value = tag.get("content")
        if isinstance(key, str) and isinstance(value, str):
            found.setdefault(key.strip().lower(), value)
    for key in _HTML_DATE_META:
        date = parse_date(found.get(key))
        if date:
            return date
    tag = soup.find("time", attrs={"datetime": True})
    return parse_date(tag.get("datetime")) if tag is not None else None


def _safe_date(get: Callable[[], object]) -> str | None:
    """Read an optional date; broken metadata just means no date."""
    from nkcorpus.ingest.meta import parse_date

    try:
        return parse_date(get())
    except MemoryError:
        raise
    except Exception:  # noqa: BLE001 - a library's metadata parser may raise anything
        return None


def _html_title(soup: Any, out: _Lines) -> str | None:
    """Add the <title> text as the first line (then a gap) and return it."""
    tag = soup.find("title")
    title = _clean_title(tag.get_text()) if tag is not None else None
    if title:
        out.add(title, tag.sourceline or 1)
        out.gap()
    return title


def _walk_html(root: Any, builder: _HtmlText) -> None:
    """Feed the visible text under ``root`` to ``builder``, in document order.

    Iterative (deeply nested markup must not hit the recursion limit). A text
    node's source line is estimated from the last start tag seen plus the
    newlines in between: exact for tags, a lower bound for text.
    """
    from bs4.element import NavigableString, PreformattedString, Tag

    line, pre_depth = 1, 0
    stack: list[tuple[Any, bool]] = [(child, False) for child in reversed(root.contents)]
    while stack:
        node, closing = stack.pop()
        if isinstance(node, Tag):
            if closing:
                pre_depth -= node.name == "pre"
                _html_boundary(node.name, builder)
            elif not _is_hidden(node):
                line = max(line, node.sourceline or line)
                pre_depth += node.name == "pre"
                _html_boundary(node.name, builder)
                stack.append((node, True))
                stack.extend((child, False) for child in reversed(node.contents))
        elif isinstance(node, NavigableString) and not isinstance(node, PreformattedString):
            line = _html_string(str(node), line, pre_depth > 0, builder)


def _is_hidden(tag: Any) -> bool:
    """Whether a tag's content is never shown (scripts, head, hidden=...)."""
    if tag.name in _DROP_TAGS or tag.has_attr("hidden"):
        return True
    style = str(tag.get("style") or "").replace(" ", "").lower()
    return "display:none" in style


def _html_boundary(name: str, builder: _HtmlText) -> None:
    """Start or end of a tag: blocks make paragraphs, some tags end lines."""
    if name in _BLOCK_TAGS:
        builder.gap()
    elif name in _LINE_TAGS:
        builder.line_break()


def _html_string(text: str, line: int, pre: bool, builder: _HtmlText) -> int:
    """Feed one text node starting at ``line``; return the line it ends on."""
    if pre:
        builder.preformatted(text, line)
    else:
        lead = len(text) - len(text.lstrip())
        builder.text(text, line + text.count("\n", 0, lead))
    return line + text.count("\n")


# ----------------------------------------------------------------------- PDF


def _extract_pdf(data: bytes | BinaryIO) -> Extracted:
    """PDF (its bytes or an open binary file): text per page, a blank line
    between pages; unit "page"."""
    with _quiet(), _library_errors("broken PDF"):
        reader = _open_pdf(data)
        out = _Lines()
        for number, page_text in enumerate(_pdf_page_texts(reader), 1):
            out.gap()
            for line in _trim_blank_lines(_normalize_newlines(page_text).split("\n")):
                out.add(line.rstrip(), number)
        return out.result("page", _safe_title(lambda: reader.metadata and reader.metadata.title),
                          date=_safe_date(lambda: reader.metadata and (
                              reader.metadata.creation_date or reader.metadata.get("/CreationDate"))))


def _open_pdf(data: bytes | BinaryIO) -> Any:
    """A pypdf reader for data, decrypted with the empty password if needed."""
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data) if isinstance(data, bytes) else data)
    if reader.is_encrypted:
        try:
            decrypted = reader.decrypt("")
        except MemoryError:
            raise
        except Exception as exc:
            raise ExtractError("encrypted PDF") from exc
        if not decrypted:
            raise ExtractError("encrypted PDF")
    return reader


def _pdf_page_texts(reader: Any) -> list[str]:
    """Text of each page; a page that fails is empty, unless all pages fail."""
    texts: list[str] = []
    error: Exception | None = None
    for page in reader.pages:
        try:
            texts.append(page.extract_text() or "")
        except MemoryError:
            raise
        except Exception as exc:
            error = error or exc
            texts.append("")
    if error is not None and not any(texts):
        raise error
    return texts


def _trim_blank_lines(lines: list[str]) -> list[str]:
    """Drop leading and trailing blank lines."""
    start, end = 0, len(lines)
    while start < end and not lines[start].strip():
        start += 1
    while end > start and not lines[end - 1].strip():
        end -= 1
    return lines[start:end]


# ---------------------------------------------------------------------- DOCX

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_W_PARAGRAPH = _W + "p"
# Block-level containers whose paragraphs count: tables (rows, cells) and
# content controls; text boxes and headers/footers are not read.
_W_CONTAINERS = frozenset(
    _W + name for name in ("tbl", "tr", "tc", "sdt", "sdtContent", "customXml")
)


def _extract_docx(data: bytes) -> Extracted:
    """DOCX: one paragraph per line, a blank line between; unit "paragraph".

    Locations count non-empty paragraphs (body and table cells, in document
    order) from 1. A soft line break inside a paragraph makes several
    lines with the same location.
    """
    with _library_errors("not a valid DOCX file"):
        import docx

        _check_docx_size(data)
        document = docx.Document(io.BytesIO(data))
        out = _Lines()
        for number, text in enumerate(_docx_paragraphs(document.element.body, document), 1):
            out.gap()
            for line in _normalize_newlines(text).split("\n"):
                out.add(line, number)
        return out.result("paragraph", _safe_title(lambda: document.core_properties.title),
                          date=_safe_date(lambda: document.core_properties.created))


def _check_docx_size(data: bytes) -> None:
    """Refuse a DOCX whose text XML unpacks to more than MAX_DOCX_XML_BYTES."""
    import zipfile

    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        size = sum(info.file_size for info in archive.infolist()
                   if info.filename.startswith("word/") and info.filename.endswith(".xml"))
    if size > MAX_DOCX_XML_BYTES:
        raise ExtractError(f"too large to parse: {_mib(size)} of XML (the limit is {_mib(MAX_DOCX_XML_BYTES, 0)})")


def _docx_paragraphs(element: Any, document: Any) -> Iterator[str]:
    """Texts of the non-blank paragraphs under ``element``, in document order."""
    from docx.text.paragraph import Paragraph

    for child in element.iterchildren():
        if child.tag == _W_PARAGRAPH:
            text = Paragraph(child, document).text
            if text.strip():
                yield text
        elif child.tag in _W_CONTAINERS:
            yield from _docx_paragraphs(child, document)


_HANDLERS: dict[str, Callable[[bytes], Extracted]] = {
    **dict.fromkeys(TEXT_SUFFIXES, _extract_text),
    **dict.fromkeys(HTML_SUFFIXES, _extract_html),
    ".pdf": _extract_pdf,
    ".docx": _extract_docx,
}
