"""Shared reading of source files: checksums and CSV rows with errors that name file and row."""

from __future__ import annotations

import csv
import hashlib
from collections.abc import Iterator, Sequence
from pathlib import Path

from prevention_lens.errors import ValidationError


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def read_csv_rows(path: Path, required: Sequence[str]) -> Iterator[tuple[int, dict[str, str]]]:
    """(row number, row) pairs; row 1 is the header, so the first data row is row 2."""
    if not path.is_file():
        raise ValidationError("file does not exist", file=str(path))
    try:
        handle = path.open(newline="", encoding="utf-8-sig")
    except OSError as error:
        raise ValidationError(f"cannot open: {error.strerror}", file=str(path)) from None
    with handle:
        reader = csv.DictReader(handle)
        try:
            header = reader.fieldnames or []
        except UnicodeDecodeError:
            raise ValidationError("is not UTF-8 text", file=str(path), row=1) from None
        missing = [name for name in required if name not in header]
        if missing:
            raise ValidationError(
                f"missing column(s) {', '.join(missing)}; found {', '.join(header) or 'none'}",
                file=path.name,
                row=1,
            )
        try:
            for number, row in enumerate(reader, start=2):
                if None in row:
                    raise ValidationError(
                        f"has {len(header) + len(row[None])} values for {len(header)} columns",
                        file=path.name,
                        row=number,
                    )
                yield number, {key: (value or "").strip() for key, value in row.items()}
        except UnicodeDecodeError:
            raise ValidationError(
                f"is not UTF-8 text after line {reader.line_num}", file=path.name
            ) from None
        except csv.Error as error:
            raise ValidationError(
                f"malformed CSV: {error}", file=path.name, row=reader.line_num
            ) from None
