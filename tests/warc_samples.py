"""Web archives written by the tests from the seed articles (FIXTURE DATA).

Each seed article becomes an HTML page in a WARC response record, with the request records,
a warcinfo record, an image, a 404 page and an English page around them, as a crawl has.
"""

from __future__ import annotations

import html
import io
import json
from pathlib import Path

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

REPO_ROOT = Path(__file__).resolve().parent.parent
ENGLISH = (
    "Russian drones attacked Kyiv overnight, officials said on Monday. The city's mayor reported "
    "damage to several residential buildings and power lines in the eastern districts. Emergency "
    "services worked through the night while residents sheltered in metro stations across the city."
)


def seed_articles() -> list[dict]:
    """The committed seed articles (id, title, text)."""
    with (REPO_ROOT / "corpus" / "articles.jsonl").open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def page(title: str, text: str, date: str | None = None) -> bytes:
    """A plain news page: title, optional date meta tag, the paragraphs in an <article>."""
    paragraphs = "".join(f"<p>{html.escape(p)}</p>\n" for p in text.split("\n\n"))
    meta = f'<meta name="date" content="{date}">' if date else ""
    return (
        f"<!DOCTYPE html><html lang='de'><head><meta charset='utf-8'><title>{html.escape(title)}</title>"
        f"{meta}</head><body><nav><a href='/'>Start</a></nav><article><h1>{html.escape(title)}</h1>\n"
        f"{paragraphs}</article><footer>Impressum</footer></body></html>"
    ).encode()


def _response(writer, url: str, body: bytes, *, content_type: str, status: str, date: str):
    headers = StatusAndHeaders(status, [("Content-Type", content_type)], protocol="HTTP/1.1")
    record = writer.create_warc_record(
        url, "response", payload=io.BytesIO(body), http_headers=headers, warc_headers_dict={"WARC-Date": date}
    )
    writer.write_record(record)


def write_warc(path: Path, *, articles: list[dict] | None = None, extras: bool = True) -> list[str]:
    """Write a WARC (gzipped for ``.warc.gz``) of the seed articles; return the article URLs in order."""
    articles = seed_articles() if articles is None else articles
    urls = []
    with Path(path).open("wb") as handle:
        writer = WARCWriter(handle, gzip=str(path).endswith(".gz"))
        writer.write_record(writer.create_warcinfo_record(Path(path).name, {"software": "newskit tests"}))
        for number, article in enumerate(articles):
            url = f"https://news.example.org/artikel/{number}"
            request = writer.create_warc_record(
                url, "request", payload=io.BytesIO(f"GET /artikel/{number} HTTP/1.1\r\n\r\n".encode())
            )
            writer.write_record(request)
            body = page(
                article["title"] or "Nachricht",
                article["text"],
                f"2026-01-2{number}" if number < 2 else None,
            )
            _response(
                writer,
                url,
                body,
                content_type="text/html; charset=utf-8",
                status="200 OK",
                date=f"2026-02-0{number + 1}T08:00:00Z",
            )
            urls.append(url)
        if extras:
            _response(
                writer,
                "https://news.example.org/logo.png",
                b"\x89PNG\r\n\x1a\n" + b"\x00" * 64,
                content_type="image/png",
                status="200 OK",
                date="2026-02-01T08:00:00Z",
            )
            _response(
                writer,
                "https://news.example.org/gone",
                page("Nicht gefunden", "Diese Seite gibt es nicht."),
                content_type="text/html",
                status="404 Not Found",
                date="2026-02-01T08:00:00Z",
            )
            _response(
                writer,
                "https://news.example.org/en/kyiv",
                page("Drones over Kyiv", ENGLISH),
                content_type="text/html",
                status="200 OK",
                date="2026-02-01T08:00:00Z",
            )
    return urls
