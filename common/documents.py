"""What an uploaded document is, read from its bytes, and its fingerprint.

A source's archived copy may be a PDF or an HTML snapshot. The type is sniffed from the content, never taken from
the file's name or the browser's Content-Type: PDF by its magic number (the `filetype` library), HTML by the
WHATWG MIME Sniffing Standard's HTML patterns ("rules for identifying an unknown MIME type", section 7.1), which a
browser would use to decide to render it. Anything else is refused.

A helper that imports no app code.
"""

import hashlib

import filetype

PDF = "application/pdf"
HTML = "text/html"
# WHATWG MIME Sniffing 7.1: after leading whitespace, one of these (case-insensitive) followed by a space or ">".
_HTML_TAGS = (
    b"<!doctype html", b"<html", b"<head", b"<script", b"<iframe", b"<h1", b"<div", b"<font", b"<table", b"<a",
    b"<style", b"<title", b"<b", b"<body", b"<br", b"<p",
)  # fmt: skip
_WHITESPACE = b"\t\n\x0c\r "
_BOM = b"\xef\xbb\xbf"


def sniff(data: bytes) -> str | None:
    """`application/pdf`, `text/html`, or None for anything else (an image, a script, plain text, nothing)."""
    if not data:
        return None
    kind = filetype.guess(data[:8192])
    if kind is not None:
        return PDF if kind.mime == PDF else None
    head = data[:1024].removeprefix(_BOM).lstrip(_WHITESPACE).lower()
    if head.startswith(b"<!--"):
        return HTML
    for tag in _HTML_TAGS:
        if head.startswith(tag) and head[len(tag) : len(tag) + 1] in (b" ", b">"):
            return HTML
    return None


def sha256(data: bytes) -> str:
    """The SHA-256 of `data` in lower-case hexadecimal, as `sha256sum` prints it."""
    return hashlib.sha256(data).hexdigest()
