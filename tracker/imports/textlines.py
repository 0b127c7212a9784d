"""Text files decoded line by line, so one damaged line costs that line and not the file.

Units' CSV lists arrive as UTF-8 (with or without BOM), GBK, UTF-16 from Excel, or a mix (one
row pasted in from another file). A single byte that is valid in no encoding used to make the
whole file undecodable, or decoded the whole file as the wrong encoding, so detection saw no
header and every row was lost. Here the file's encoding is chosen from the lines that decode
cleanly, each line is decoded on its own, and the lines that do not decode are listed with the
column of their first bad byte for the reader to reject (detection just reads past them).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

__all__ = ["DecodedLines", "decode_lines", "line_payload"]

_BOM = b"\xef\xbb\xbf"
_BREAK = re.compile(rb"\r\n|\r|\n")
"""Line breaks as the csv module counts them (Excel for Mac still writes a bare CR). Neither
byte occurs inside a GBK or UTF-8 character, so splitting bytes here is safe."""
_CUT_TAIL = 4
"""A character cut by the end of a head read is at most this many bytes from the end."""


@dataclass(slots=True)
class DecodedLines:
    """The lines of a text file (split on CR LF, CR or LF) and the ones that did not decode."""

    encoding: str
    lines: list[str]
    """Every line; a line that did not decode is decoded with U+FFFD in place of bad bytes."""
    raw: list[bytes] = field(default_factory=list)
    """The lines as bytes (for a UTF-16 file: re-encoded), to keep a bad line as payload."""
    bad: dict[int, int] = field(default_factory=dict)
    """1-based line number -> 1-based byte column of the first byte that did not decode."""

    def text(self, *, blank_bad: bool = False) -> str:
        """The file as text; ``blank_bad`` empties the bad lines (so a reader skips them)."""
        if not blank_bad:
            return "\n".join(self.lines)
        return "\n".join("" if i in self.bad else ln for i, ln in enumerate(self.lines, 1))


def line_payload(raw: bytes, encoding: str = "utf-8", limit: int = 2000) -> str:
    """A bad line for the reject table: readable text, the undecodable bytes as ``\\xff``."""
    codec = "utf-8" if encoding == "utf-16" else encoding  # UTF-16 lines are kept re-encoded
    return raw[:limit].decode(codec, errors="backslashreplace")


def _choose(lines: list[bytes]) -> str:
    """UTF-8 unless more lines read only as GBK than read as UTF-8.

    A non-ASCII line that is valid UTF-8 is strong evidence (GBK text almost never is), so a
    tie goes to UTF-8; a line valid in neither is damage and says nothing.
    """
    utf8 = gbk = 0
    for line in lines:
        if max(line, default=0) < 0x80:
            continue
        try:
            line.decode("utf-8")
            utf8 += 1
        except UnicodeDecodeError:
            try:
                line.decode("gb18030")
                gbk += 1
            except UnicodeDecodeError:
                pass
    return "gb18030" if gbk > utf8 else "utf-8"


def _decode_one(line: bytes, encoding: str, *, last_of_head: bool) -> tuple[str, int | None]:
    """(text, column of the first bad byte or None); a head's cut last character is dropped."""
    try:
        return line.decode(encoding), None
    except UnicodeDecodeError as exc:
        if last_of_head and exc.start >= len(line) - _CUT_TAIL:
            try:
                return line[: exc.start].decode(encoding), None
            except UnicodeDecodeError:
                pass
        return line.decode(encoding, errors="replace"), exc.start + 1


def _utf16(raw: bytes) -> DecodedLines:
    """UTF-16 cannot be split on a byte: decode it whole; U+FFFD marks the damaged lines."""
    try:
        return _from_text(raw.decode("utf-16"), "utf-16", frozenset())
    except UnicodeDecodeError:
        text = raw.decode("utf-16", errors="replace")
        damaged = frozenset(
            i for i, ln in enumerate(re.split(r"\r\n|\r|\n", text), 1) if "\ufffd" in ln
        )
        return _from_text(text, "utf-16", damaged)


def _from_text(text: str, encoding: str, damaged: frozenset[int]) -> DecodedLines:
    lines = re.split(r"\r\n|\r|\n", text.lstrip("\ufeff"))
    out = DecodedLines(encoding, lines, [ln.encode("utf-8", "replace") for ln in lines])
    for i in sorted(damaged):
        out.bad[i] = lines[i - 1].index("\ufffd") + 1
    return out


def decode_lines(raw: bytes, *, complete: bool = True) -> DecodedLines:
    """Decode ``raw`` line by line in the encoding most of its lines are in.

    ``complete=False`` means ``raw`` is the head of a longer file: a character cut by its end is
    dropped rather than reported as damage.
    """
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return _utf16(raw)
    body = raw[len(_BOM) :] if raw.startswith(_BOM) else raw
    parts = _BREAK.split(body)
    encoding = _choose(parts)
    out = DecodedLines(encoding, [], parts)
    last = len(parts)
    for i, part in enumerate(parts, start=1):
        text, column = _decode_one(part, encoding, last_of_head=not complete and i == last)
        out.lines.append(text)
        if column is not None:
            out.bad[i] = column
    return out
