"""Shared reading of source files: checksums and CSV rows with errors that name file and row."""

from __future__ import annotations

import csv
import hashlib
from collections.abc import Iterator, Sequence
from pathlib import Path

from prevention_lens.csvsafe import csv_records, unclosed_quote
from prevention_lens.errors import ValidationError


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def read_csv_rows(path: Path, required: Sequence[str]) -> Iterator[tuple[int, dict[str, str]]]:
    """(row number, row) pairs; row 1 is the header, so the first data row is row 2 (blank rows
    are skipped and not counted). A missing required column, a row with more values than the
    header, and a quote that is never closed (the csv module would read the rest of the file
    as one cell) raise ValidationError naming the row."""
    if not path.is_file():
        raise ValidationError("file does not exist", file=str(path))
    try:
        handle = path.open(newline="", encoding="utf-8-sig")
    except OSError as error:
        raise ValidationError(f"cannot open: {error.strerror}", file=str(path)) from None
    with handle:
        records = csv_records(handle)
        try:
            first = next(records, None)
        except UnicodeDecodeError:
            raise ValidationError("is not UTF-8 text", file=str(path), row=1) from None
        except csv.Error as error:
            raise ValidationError(f"malformed CSV: {error}", file=path.name, row=1) from None
        if first is not None and first.unclosed:
            raise unclosed_quote(first, file=path.name, row=1)
        header = first.cells if first is not None else []
        missing = [name for name in required if name not in header]
        if missing:
            raise ValidationError(
                f"missing column(s) {', '.join(missing)}; found {', '.join(header) or 'none'}",
                file=path.name,
                row=1,
            )
        number = 1
        line = 1
        try:
            for record in records:
                line = record.line
                if not record.cells:
                    continue
                number += 1
                if record.unclosed:
                    raise unclosed_quote(record, file=path.name, row=number, header=header)
                if len(record.cells) > len(header):
                    raise ValidationError(
                        f"has {len(record.cells)} values for {len(header)} columns",
                        file=path.name,
                        row=number,
                    )
                # A short row's missing cells are empty, as csv.DictReader gives them.
                cells = [*record.cells, *[""] * (len(header) - len(record.cells))]
                yield number, {key: value.strip() for key, value in zip(header, cells, strict=True)}
        except UnicodeDecodeError:
            raise ValidationError(f"is not UTF-8 text after line {line}", file=path.name) from None
        except csv.Error as error:
            raise ValidationError(
                f"malformed CSV: {error}", file=path.name, row=number + 1
            ) from None
