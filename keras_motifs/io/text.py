"""Text files read whole, with a clear error for compressed or binary content."""

from __future__ import annotations

from ..errors import DataFormatError


def decode_text(data: bytes, path, what: str, encoding: str = "utf-8", gzip_advice: str = "decompress it first (gunzip)") -> str:
    """``data`` (the bytes of ``path``) as text; DataFormatError naming the file (and the line of
    the first undecodable byte) when it is gzip-compressed or not ``encoding`` text. ``what``
    names the expected format in the message, e.g. "a MEME motif file"."""
    if data[:2] == b"\x1f\x8b":
        raise DataFormatError(f"file '{path}': gzip-compressed; {gzip_advice}")
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        label = "ASCII" if encoding == "ascii" else encoding.upper()
        raise DataFormatError(f"file '{path}', line {line}: not {label} text; not {what}") from None
