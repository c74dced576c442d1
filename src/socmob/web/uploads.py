"""Reading uploaded files safely: size and row limits, and type sniffing by content.

The file name and the browser's content type are not trusted: the first bytes decide.
A CSV must be UTF-8 (or UTF-8 with a byte-order mark) text with no NUL bytes; an Excel
workbook must be a ZIP container holding ``xl/workbook.xml``. Anything else is refused
with a message that says what was expected. The bytes are then read by
:func:`socmob.io.read_file` (one NA convention, duplicate headers and ragged rows
refused, workbooks checked for zip bombs and bounded in cells), so the web app reads
exactly as the command line does. Uploads are read into memory, parsed, and discarded
when the request ends.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass

import pandas as pd

from socmob.errors import InputError

ZIP_MAGIC = b"PK\x03\x04"
MAX_UNCOMPRESSED_FACTOR = 50
"""An uploaded workbook may expand to at most this many times its size (at least 1 MB
counted): an honest sheet expands 5–20 fold; a zip bomb a thousandfold."""
MAX_COLUMNS = 200
"""Most columns counted per row when bounding the cells of an upload."""


@dataclass(frozen=True)
class Upload:
    """An uploaded file: its name as given and its bytes."""

    filename: str
    content: bytes


def sniff(upload: Upload) -> str:
    """Return ``"csv"`` or ``"xlsx"`` from the content, or raise :class:`InputError`."""
    head = upload.content[:4096]
    if not upload.content.strip():
        raise InputError("the file is empty", file=upload.filename,
                         expected="a CSV or Excel (.xlsx) file with a header row")
    if head.startswith(ZIP_MAGIC):
        try:
            with zipfile.ZipFile(io.BytesIO(upload.content)) as archive:
                if "xl/workbook.xml" in archive.namelist():
                    return "xlsx"
        except zipfile.BadZipFile:
            pass
        raise InputError("the file is a ZIP archive but not an Excel workbook",
                         file=upload.filename, expected="a CSV or Excel (.xlsx) file")
    if b"\x00" in head:
        raise InputError("the file is not text (it looks like a binary file)",
                         file=upload.filename, expected="a CSV or Excel (.xlsx) file")
    try:
        head.decode("utf-8-sig")
    except UnicodeDecodeError:
        # a multi-byte character cut at the 4 KiB boundary is fine; anything else is not
        try:
            head[:-4].decode("utf-8-sig")
        except UnicodeDecodeError:
            raise InputError("the file is not UTF-8 text", file=upload.filename,
                             expected="a CSV saved as UTF-8, or an Excel (.xlsx) file") from None
    return "csv"


def read_table(upload: Upload, *, max_rows: int) -> pd.DataFrame:
    """Parse an uploaded CSV or XLSX into a frame of raw values (text, and the numbers
    and dates an Excel sheet holds; missing cells ``None``) through :mod:`socmob.io`,
    refusing more than ``max_rows`` data rows. Types are the library's business."""
    from socmob.io import Limits, read_file

    kind = sniff(upload)
    limits = Limits(max_bytes=len(upload.content) + 1,
                    max_uncompressed=MAX_UNCOMPRESSED_FACTOR * max(len(upload.content), 1 << 20),
                    max_cells=max_rows * MAX_COLUMNS, max_rows=max_rows)
    data = read_file(upload.content, name=upload.filename,
                     format="excel" if kind == "xlsx" else "csv", types="raw", limits=limits)
    frame = data.frame
    if frame.empty:
        raise InputError("the file has a header but no data rows", file=upload.filename,
                         expected="at least one data row")
    return frame.astype(object).where(frame.notna(), None)


# ------------------------------------------------------- carrying an upload between steps

SEAL_SALT = "socmob.web.uploads.sealed"
SEAL_MAX_AGE = 3600
"""Seconds a sealed upload stays valid (a form left open longer is sent again)."""


def seal(upload: Upload, secret_key: str) -> str:
    """The upload as a signed, compressed text token for a hidden form field.

    Multi-step forms (upload → map the columns → check → report → downloads) carry the
    file in the page rather than on the server: the token is ``zlib`` compressed bytes
    (name and content), URL-safe base64, signed with the site's secret key and a time
    stamp (:class:`itsdangerous.TimestampSigner`, HMAC-SHA1 over the salted key) so a
    changed, forged or stale token is refused. It is signed, not encrypted: it goes back
    only to the browser that sent the file, over the same connection, and the pages
    that carry it are sent ``Cache-Control: no-store``.
    """
    import base64
    import zlib

    from itsdangerous import TimestampSigner

    packed = zlib.compress(upload.filename.encode("utf-8") + b"\0" + upload.content, 9)
    signer = TimestampSigner(secret_key, salt=SEAL_SALT)
    return signer.sign(base64.urlsafe_b64encode(packed)).decode("ascii")


def unseal(token: str, secret_key: str, *, max_bytes: int,
           max_age: int = SEAL_MAX_AGE) -> Upload:
    """The upload a :func:`seal` token carries; :class:`InputError` when the token was
    changed, is older than ``max_age`` seconds, or holds more than ``max_bytes``."""
    import base64
    import zlib

    from itsdangerous import BadSignature, SignatureExpired, TimestampSigner

    signer = TimestampSigner(secret_key, salt=SEAL_SALT)
    try:
        packed = base64.urlsafe_b64decode(signer.unsign(token.encode("ascii"),
                                                        max_age=max_age))
    except SignatureExpired:
        raise InputError("the uploaded file has expired (it is kept in the page for an "
                         "hour); upload it again",
                         expected="a file uploaded within the hour") from None
    except (BadSignature, UnicodeEncodeError, ValueError):
        raise InputError("the uploaded file in the form was changed or is damaged; upload "
                         "it again",
                         expected="the form as this site sent it") from None
    inflater = zlib.decompressobj()
    data = inflater.decompress(packed, max_bytes + 1024)
    if inflater.unconsumed_tail or len(data) > max_bytes + 1024:
        raise InputError("the uploaded file in the form is too large",
                         expected=f"at most {max_bytes:,} bytes")
    name, _, content = data.partition(b"\0")
    return Upload(name.decode("utf-8", "replace"), content)
