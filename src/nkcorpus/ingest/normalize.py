"""Text repair and Unicode normalization, line by line faithful.

Every function here keeps the number of ``\\n``-separated lines unchanged, so
line numbers computed on repaired text point at the same lines of the source.
"""

from __future__ import annotations

import re
import unicodedata

# Line separators other than "\n" that Python's splitlines() would honour but
# editors, grep and ripgrep do not: turn them into spaces to keep line counts.
_OTHER_BREAKS = re.compile("[\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")
# "Â" left behind when a UTF-8 no-break space (C2 A0) was decoded as Latin-1
# and the A0 then turned into a space or was dropped: never a real letter in
# Indonesian text when it stands before white space or at a line's end.
_STRAY_A_CIRCUMFLEX = re.compile("\u00c2(?=[\\s\u00a0]|$)", re.MULTILINE)
_SPACES = re.compile("[\u00a0\u2000-\u200a\u202f\u205f\u3000]")
_INVISIBLE = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")
# C0 and C1 controls (C1 after ftfy has read what it can as Windows-1252):
# never text, and a terminal may obey them (\x9b is an 8-bit escape).
_CONTROL = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x9f]")


def repair(text: str) -> str:
    """Fix mojibake, odd spaces and controls, and NFC-normalize ``text``."""
    text = text.replace("\r\n", "\n")
    text = _OTHER_BREAKS.sub(" ", text)
    text = _fix_encoding(text)
    text = _STRAY_A_CIRCUMFLEX.sub("", text)
    text = _SPACES.sub(" ", text)
    text = _INVISIBLE.sub("", text)
    text = _CONTROL.sub(" ", text)
    return unicodedata.normalize("NFC", text)


def _fix_encoding(text: str) -> str:
    """ftfy's mojibake repair, kept only if it leaves the lines as they were."""
    if text.isascii():
        return text
    import ftfy  # imported lazily: only non-ASCII text needs it

    fixed = ftfy.fix_text(
        text,
        fix_line_breaks=False,
        normalization=None,
        uncurl_quotes=False,
        fix_latin_ligatures=False,
        fix_character_width=False,
    )
    return fixed if fixed.count("\n") == text.count("\n") else text
