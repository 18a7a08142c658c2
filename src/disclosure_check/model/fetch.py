"""The result of fetching one report page over HTTP(S). Pure data; ``disclosure_check.fetch`` fills it.

The raw bytes are kept in ``body`` but left out of every dump (``model_dump``/``model_dump_json``):
a report page is 50–300 KB and the audit store keeps it once, as a BLOB keyed by ``sha256``, next
to this record. To rebuild a result from the store: ``FetchResult.model_validate({**record,
"body": blob})`` — the validator checks the bytes against the recorded hash.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, computed_field, model_validator


class FetchErrorKind(StrEnum):
    """Why a fetch failed (stable names: the audit maps them to findings and statistics)."""

    invalid_url = "invalid_url"  # not an http/https URL, or malformed
    dns = "dns"  # the host name does not resolve
    connection = "connection"  # refused, reset, closed early
    timeout = "timeout"  # connect/read timeout or the total deadline
    tls = "tls"  # certificate or handshake failure
    invalid_response = "invalid_response"  # not HTTP, bad headers, bad compression
    http_status = "http_status"  # a 4xx/5xx answer (after retries for 5xx)
    redirect_loop = "redirect_loop"
    too_many_redirects = "too_many_redirects"
    too_large = "too_large"  # body (or announced Content-Length) over max_bytes


class Redirect(BaseModel):
    """One hop of a redirect chain: ``url`` answered ``status`` pointing to ``location``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    url: str
    status: int
    location: str  # absolute, resolved against ``url``


class FetchResult(BaseModel):
    """One fetch: what was asked, what answered, the bytes and their hash, or one error line."""

    # extra="ignore": a dump contains the computed ``ok``; validating that dump must still work.
    model_config = ConfigDict(extra="ignore")

    url: str  # as requested
    final_url: str  # after redirects (== url when there were none or the URL was invalid)
    redirects: list[Redirect] = Field(default_factory=list)
    status: int | None = None  # HTTP status of the last response; None when none arrived
    reason: str | None = None  # its reason phrase
    headers: dict[str, str] = Field(default_factory=dict)  # last response; repeats joined ", "
    content_type: str | None = None  # media type only, lower case: "text/html"
    charset: str | None = None  # charset parameter of Content-Type, lower case, as declared
    content_encoding: str | None = None  # "gzip" when the server compressed (body is decoded)
    last_modified: str | None = None  # header value as sent
    last_modified_at: datetime | None = None  # parsed, when parseable
    etag: str | None = None
    not_modified: bool = False  # 304 to a conditional request: no body, the stored one is current
    fetched_at: datetime
    elapsed_s: float = 0.0
    attempts: int = 1
    size: int = 0  # len(body)
    sha256: str = ""  # hex digest of body (the audit store's content hash)
    body: bytes = Field(default=b"", exclude=True, repr=False)
    error: str | None = None  # one clear line; None when the page was fetched
    error_kind: FetchErrorKind | None = None

    @computed_field  # type: ignore[prop-decorator]
    @property
    def ok(self) -> bool:
        return self.error is None

    @model_validator(mode="after")
    def _hash_matches_body(self) -> FetchResult:
        # A record rebuilt from the store must carry the bytes it describes.
        if self.body:
            digest = hashlib.sha256(self.body).hexdigest()
            if self.sha256 and self.sha256 != digest:
                raise ValueError("body does not match the recorded sha256")
            self.sha256, self.size = digest, len(self.body)
        return self
