"""Downloading a public source into LENS_SOURCES: streamed, checksummed, moved into place whole."""

from __future__ import annotations

import hashlib
import shutil
import tempfile
import urllib.request
import zipfile
from collections.abc import Callable
from pathlib import Path
from urllib.error import URLError

from prevention_lens.errors import LensError
from prevention_lens.sources.catalog import PublicSource

Progress = Callable[[int, int | None], None]


def download(source: PublicSource, sources_root: Path, progress: Progress | None = None) -> Path:
    """Fetch the source's file into its folder under sources_root; unzip archives there."""
    if source.download_url is None:
        raise LensError(
            f"{source.title} cannot be downloaded automatically: get it from "
            f"{source.landing_page} and put it in {sources_root / source.folder}."
        )
    target_folder = sources_root / source.folder
    target_folder.mkdir(parents=True, exist_ok=True)
    file_name = source.download_url.rsplit("/", 1)[-1]
    digest = hashlib.sha256()
    try:
        request = urllib.request.Request(  # noqa: S310  (https addresses from the catalog)
            source.download_url, headers={"User-Agent": "prevention-lens"}
        )
        with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310
            total = int(response.headers.get("Content-Length") or 0) or None
            with tempfile.NamedTemporaryFile(dir=target_folder, delete=False) as handle:
                done = 0
                for block in iter(lambda: response.read(1 << 16), b""):
                    handle.write(block)
                    digest.update(block)
                    done += len(block)
                    if progress:
                        progress(done, total)
                partial = Path(handle.name)
    except (URLError, TimeoutError, OSError) as error:
        raise LensError(f"Downloading {source.download_url} failed: {error}") from None
    final = target_folder / file_name
    shutil.move(partial, final)
    if zipfile.is_zipfile(final):
        with zipfile.ZipFile(final) as archive:
            for member in archive.namelist():
                if Path(member).is_absolute() or ".." in Path(member).parts:
                    raise LensError(f"{final.name} holds an unsafe path {member!r}; not extracted.")
            archive.extractall(target_folder)
    (target_folder / f"{file_name}.sha256").write_text(f"{digest.hexdigest()}  {file_name}\n")
    return final
