"""Text files read whole, with a clear error for compressed or binary content."""

from __future__ import annotations

import gzip

from ..errors import DataFormatError


def gunzip_if_gzipped(data: bytes, path) -> bytes:
    """``data`` decompressed when it starts with the gzip magic bytes, else as it is; DataFormatError
    naming ``path`` for a damaged or truncated gzip file."""
    if data[:2] != b"\x1f\x8b":
        return data
    try:
        return gzip.decompress(data)
    except (OSError, EOFError) as exc:
        raise DataFormatError(f"file '{path}': not a readable gzip file ({exc}); the file is cut short "
                              "(an interrupted download?) or damaged") from None


def decode_text(data: bytes, path, what: str, encoding: str = "utf-8", gzip_advice: str = "decompress it first (gunzip)") -> str:
    """``data`` (the bytes of ``path``) as text; DataFormatError naming the file (and the line of
    the first undecodable byte) when it is gzip-compressed, UTF-16 or not ``encoding`` text (a
    leading UTF-8 byte-order mark is dropped). ``what``
    names the expected format in the message, e.g. "a MEME motif file"."""
    if data[:2] == b"\x1f\x8b":
        raise DataFormatError(f"file '{path}': gzip-compressed; {gzip_advice}")
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        raise DataFormatError(f"file '{path}': UTF-16 text (it starts with a UTF-16 byte-order mark); save it as "
                              f"UTF-8 or ASCII text; not {what}")
    if data[:3] == b"\xef\xbb\xbf":  # a UTF-8 byte-order mark (some editors write one): not part of the text
        data = data[3:]
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        label = "ASCII" if encoding == "ascii" else encoding.upper()
        raise DataFormatError(f"file '{path}', line {line}: not {label} text; not {what}") from None
