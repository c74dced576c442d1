"""Settings of the dashboard, read from the environment at start-up.

=============================  ===========================================  ============
variable                       meaning                                      default
=============================  ===========================================  ============
``SOCMOB_SECRET_KEY``          signs CSRF tokens (set it when several        random per
                               worker processes serve one site)              process
``SOCMOB_MAX_UPLOAD_BYTES``    largest request body accepted                 5 MB
``SOCMOB_MAX_UPLOAD_ROWS``     most data rows accepted in an uploaded file   200,000
``SOCMOB_UPLOAD_STORE``        folder where uploads are kept; unset = none   unset
                               (uploads are processed and discarded)
=============================  ===========================================  ============
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path


def _int_env(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or not raw.strip():
        return default
    try:
        value = int(raw)
    except ValueError as exc:
        raise ValueError(f"environment variable {name}: expected an integer, got {raw!r}") from exc
    if value <= 0:
        raise ValueError(f"environment variable {name}: expected a positive integer")
    return value


@dataclass(frozen=True)
class Settings:
    """Run-time settings of the web app (see the module docstring)."""

    secret_key: str = field(default_factory=lambda: secrets.token_urlsafe(32), repr=False)
    max_upload_bytes: int = 5 * 1024 * 1024
    max_upload_rows: int = 200_000
    upload_store: Path | None = None
    edition: int = 2025
    warm: bool = True
    """Compute the all-area results (spatial clusters, expected fits) in a background
    thread at start-up, so the first area page does not wait for them."""
    data_version: str | None = None
    """The version of the embedded data the cache keys its answers to (default: a hash
    of the packaged data files, :func:`socmob.web.cache.data_version`)."""

    @classmethod
    def from_env(cls) -> Settings:
        """Settings from ``SOCMOB_*`` environment variables."""
        store = os.environ.get("SOCMOB_UPLOAD_STORE")
        kwargs: dict[str, object] = {
            "max_upload_bytes": _int_env("SOCMOB_MAX_UPLOAD_BYTES", cls.max_upload_bytes),
            "max_upload_rows": _int_env("SOCMOB_MAX_UPLOAD_ROWS", cls.max_upload_rows),
            "upload_store": Path(store) if store else None,
        }
        key = os.environ.get("SOCMOB_SECRET_KEY")
        if key:
            kwargs["secret_key"] = key
        return cls(**kwargs)  # type: ignore[arg-type]
