"""Country-name lists: a CSV that pairs names used by some source with a country code.

The EWP country name sheet (columns ``ewp_name`` and ``ccode``) is one such list.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from prevention_lens.errors import ValidationError
from prevention_lens.sources.files import read_csv_rows

NAME_COLUMNS = ("name", "ewp_name", "country_name", "country")
CODE_COLUMNS = {"cow": "cow", "ccode": "cow", "gw": "gw", "gwno": "gw", "iso3": "iso3"}


@dataclass(frozen=True)
class CountryNameRow:
    """One name, the code it stands for, and where it came from."""

    row: int
    name: str
    scheme: str
    code: str

    def __post_init__(self) -> None:
        if not self.name:
            raise ValidationError("name is empty", row=self.row, field="name")
        if not self.code:
            raise ValidationError("code is empty", row=self.row, field=self.scheme)


def _header(path: Path) -> list[str]:
    with path.open(encoding="utf-8-sig") as handle:
        return [part.strip().strip('"') for part in handle.readline().rstrip("\r\n").split(",")]


def read_country_names(path: Path) -> tuple[list[CountryNameRow], list[ValidationError]]:
    """The valid rows and a list of problems, one per rejected row."""
    if not path.is_file():
        raise ValidationError("file does not exist", file=str(path))
    header = _header(path)
    name_column = next((column for column in NAME_COLUMNS if column in header), None)
    code_column = next((column for column in CODE_COLUMNS if column in header), None)
    if name_column is None or code_column is None:
        raise ValidationError(
            "needs a name column (one of "
            + ", ".join(NAME_COLUMNS)
            + ") and a code column (one of "
            + ", ".join(CODE_COLUMNS)
            + f"); found {', '.join(header)}",
            file=path.name,
            row=1,
        )
    scheme = CODE_COLUMNS[code_column]
    rows: list[CountryNameRow] = []
    problems: list[ValidationError] = []
    for number, values in read_csv_rows(path, (name_column, code_column)):
        code = values[code_column]
        if scheme != "iso3" and code and not code.isdigit():
            problems.append(
                ValidationError(
                    f"{code!r} is not a numeric {scheme.upper()} code",
                    file=path.name,
                    row=number,
                    field=code_column,
                )
            )
            continue
        try:
            rows.append(CountryNameRow(number, values[name_column], scheme, code))
        except ValidationError as error:
            field = name_column if error.field == "name" else code_column
            problems.append(ValidationError(error.problem, file=path.name, row=number, field=field))
    return rows, problems
