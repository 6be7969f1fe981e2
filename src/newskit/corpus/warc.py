"""Web archives: the HTML responses of a ``.warc``/``.warc.gz`` file as raw records.

warcio streams the archive record by record (gzip members, chunked and compressed HTTP
bodies), so a crawl file is never held in memory. Each HTML response with HTTP status 200
goes through the same trafilatura extraction as an ``.html`` file. Records that are not
articles are skipped and counted by reason (the ingest summary prints the counts): other
WARC record types (requests, metadata), other content types, other statuses, and pages in
which trafilatura finds no main text. ``raw_record`` is the WARC record's position in the
file, from 1; the URL is the record's ``WARC-Target-URI``; the date is the page's own date
where trafilatura finds one, else the record's ``WARC-Date`` (the crawl date).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path

from newskit.corpus.encoding import decode_bytes
from newskit.corpus.readers import WARC_SUFFIXES, RawRecord, read_html
from newskit.errors import NewskitError

HTML_TYPES = ("text/html", "application/xhtml+xml")


def is_warc(path: Path) -> bool:
    """Whether ``path`` names a WARC file (``.warc`` or ``.warc.gz``)."""
    return Path(path).name.lower().endswith(WARC_SUFFIXES)


def read_warc_records(path: Path, *, where: str, max_bytes: int, skipped: Counter) -> Iterator[RawRecord]:
    """Stream the articles of a WARC file; ``skipped`` counts what was left out, by reason."""
    from warcio.archiveiterator import ArchiveIterator
    from warcio.exceptions import ArchiveLoadFailed

    found = False
    with Path(path).open("rb") as handle:
        try:
            for number, record in enumerate(ArchiveIterator(handle), start=1):
                found = True
                if record.format != "warc":  # warcio reads what is not WARC as old-style ARC
                    raise ArchiveLoadFailed(f"record {number} is not a WARC record")
                raw = _article_of(record, number, where=where, max_bytes=max_bytes, skipped=skipped)
                if raw is not None:
                    yield raw
        except ArchiveLoadFailed as exc:
            message = f"{where}: not a readable WARC file ({' '.join(str(exc).split())[:200]})"
            raise NewskitError(message, "check that it is a .warc or .warc.gz file") from None
    if not found:
        raise NewskitError(f"{where}: WARC file has no records", "check the file")


def _article_of(record, number: int, *, where: str, max_bytes: int, skipped: Counter) -> RawRecord | None:
    if record.rec_type != "response" or record.http_headers is None:
        skipped[f"WARC {record.rec_type} records"] += 1
        return None
    content_type = (record.http_headers.get_header("Content-Type") or "").split(";")[0].strip().lower()
    if content_type not in HTML_TYPES:
        skipped["non-HTML responses"] += 1
        return None
    if record.http_headers.get_statuscode() != "200":
        skipped["responses with HTTP status other than 200"] += 1
        return None
    payload = record.content_stream().read(max_bytes + 1)
    if len(payload) > max_bytes:
        raise NewskitError(
            f"{where}:{number}: WARC record is too large (over {max_bytes:,} bytes)", "raise --max-bytes"
        )
    label = f"{where}:{number}"
    try:
        decoded = decode_bytes(payload, where=label)
        page = read_html(decoded.text, encoding=decoded.encoding, where=label)
    except NewskitError:
        skipped["HTML responses without main text"] += 1
        return None
    meta = dict(page.meta)
    url = record.rec_headers.get_header("WARC-Target-URI")
    if url:
        meta["url"] = url
    if not meta.get("date") and record.rec_headers.get_header("WARC-Date"):
        meta["date"] = record.rec_headers.get_header("WARC-Date")
    return RawRecord(page.text, page.encoding, number, meta, page.text_column)
