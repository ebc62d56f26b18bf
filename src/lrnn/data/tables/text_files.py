"""The bytes of a text table before pyarrow parses them: the encoding named (a text encoding,
not a codec such as base64), the file's first block checked once decoded (binary formats,
byte-order marks that contradict --encoding, NUL characters: a UTF-16 file is full of NUL
bytes but none once decoded), whether it holds hexadecimal numbers, and, on error paths only,
the line where a row or a byte went wrong. Everything reads the one file object that safe_io
opened."""

from __future__ import annotations

import codecs
import csv
import io
from pathlib import Path
from typing import BinaryIO

from ...errors import InputError

SNIFF_BYTES = 8192
BINARY_MAGIC = {b"\x1f\x8b": "gzip", b"\x89PNG": "PNG image", b"PK\x03\x04": "zip archive",
                b"%PDF": "PDF", b"PAR1": "Parquet (name it .parquet)"}
# longest first: a UTF-32-LE mark begins with the UTF-16-LE one
BOMS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
        (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
HEX_MARKS = (b"0x", b"0X")


def text_encoding(name: str) -> str:
    """`name` if it is a text encoding Python knows; the same rule as the --encoding setting."""
    from ...config.values import encoding

    try:
        return encoding(name)
    except ValueError as exc:
        raise InputError(f"--encoding {name}: expected {exc}") from None


def _family(encoding: str) -> str:
    name = codecs.lookup(encoding).name
    return "utf-32" if name.startswith("utf-32") else "utf-16" if name.startswith("utf-16") \
        else name


def _looks_like_utf16(head: bytes) -> bool:
    """ASCII text in UTF-16 without a byte-order mark: every other byte is NUL."""
    even, odd = head[0::2], head[1::2]
    return len(head) >= 8 and (even.count(0) > 0.8 * len(even) or odd.count(0) > 0.8 * len(odd))


def sniff(f: BinaryIO, path: Path, encoding: str) -> None:
    """Refuse a binary file, or text in another encoding than `encoding` says, from the first
    block (then rewound)."""
    head = f.read(SNIFF_BYTES)
    f.seek(0)
    for magic, kind in BINARY_MAGIC.items():
        if head.startswith(magic):
            raise InputError(f"{path}: expected a text CSV, found a binary file ({kind})")
    family = _family(encoding)
    for bom, marked in BOMS:
        if head.startswith(bom):
            if family != marked:
                raise InputError(f"{path}: starts with a {marked.upper()} byte-order mark; pass "
                                 f"--encoding {marked}")
            break
    try:
        text = codecs.getincrementaldecoder(encoding)(errors="replace").decode(head)
    except UnicodeError as exc:  # utf-32 without its byte-order mark, for one
        raise InputError(f"{path}: the file is not valid {encoding} text ({exc}); pass its "
                         f"--encoding") from None
    if "\0" in text:
        hint = "; it looks like UTF-16 text: pass --encoding utf-16-le (or utf-16-be)" \
            if family not in ("utf-16", "utf-32") and _looks_like_utf16(head) else ""
        raise InputError(f"{path}: expected a text CSV, found binary data (NUL bytes){hint}")


def holds_hex(f: BinaryIO) -> bool:
    """Whether "0x" or "0X" occurs anywhere in the file: pyarrow reads 0x10 as the integer 16,
    which deserves a warning (the columns are found afterwards, on this rare path only).
    Read in blocks from the page cache."""
    f.seek(0)
    tail = b""
    while block := f.read(4 << 20):
        if _holds_mark(block) or tail + block[:1] in HEX_MARKS:  # within, or across the edge
            return True
        tail = block[-1:]
    return False


def _holds_mark(data: bytes) -> bool:
    """Whether data holds one of HEX_MARKS. Why not `mark in data`: a numeric CSV is full of
    "0", where that search slows to ~0.6 GB/s (0.7 s for a 220 MB file, on the read's path);
    the letter alone is rare in numbers and found at memchr's speed, so each "x" or "X" is
    looked at instead (0.03 s), unless there are many (a text column of them)."""
    for mark in HEX_MARKS:
        zero, letter = mark[:1], mark[1:]
        at, looked = data.find(letter, 1), 0
        while at != -1:
            if data[at - 1:at] == zero:
                return True
            looked += 1
            if looked > 64:
                return mark in data
            at = data.find(letter, at + 1)
    return False


def _text(f: BinaryIO, encoding: str, errors: str):
    f.seek(0)
    return io.TextIOWrapper(f, encoding=encoding, errors=errors, newline="")


def bad_row(f: BinaryIO, path: Path, delimiter: str, encoding: str) -> InputError:
    """Stream the file with the csv module (only on this error path) to name the first row
    whose field count differs from the header's."""
    stream = _text(f, encoding, "replace")
    try:
        reader = csv.reader(stream, delimiter=delimiter, strict=True)
        try:
            expected = len(next(reader))
            for row in reader:
                if row and len(row) != expected:
                    return InputError(f"{path} line {reader.line_num}: expected {expected} "
                                      f"fields, found {len(row)}")
        except csv.Error as exc:
            return InputError(f"{path} line {reader.line_num}: {exc} (an unterminated quote?)")
    finally:
        stream.detach()
    return InputError(f"{path}: a row has a different number of fields than the header "
                      f"(an unterminated quote?)")


def not_text(f: BinaryIO, path: Path, encoding: str, column: str | None) -> InputError:
    line = first_undecodable_line(f, encoding)
    where = f" line {line}" if line else ""
    what = f"column '{column}' is" if column else "the file is"
    return InputError(f"{path}{where}: {what} not valid {encoding} text; pass --encoding (for "
                      f"example latin-1 or cp1252, or utf-16 for a file with NUL bytes)")


def first_undecodable_line(f: BinaryIO, encoding: str) -> int | None:
    """The line (counted in the decoded text) of the first byte `encoding` cannot decode."""
    f.seek(0)
    decoder = codecs.getincrementaldecoder(encoding)()
    lines = 1
    while True:
        block = f.read(1 << 20)
        try:
            text = decoder.decode(block, final=not block)
        except UnicodeError as exc:
            start = getattr(exc, "start", 0)
            partial = block[:start].decode(encoding, errors="replace") if start else ""
            return lines + partial.count("\n")
        lines += text.count("\n")
        if not block:
            return None
