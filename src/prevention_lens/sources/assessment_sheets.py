"""Assessment sheets: a CSV with one line per indicator (code, score, evidence, source).

`lens risk assess COUNTRY --template` writes one to fill in; `--from FILE` reads it back.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from prevention_lens.errors import ValidationError
from prevention_lens.sources.files import read_csv_rows

COLUMNS = ("code", "score", "evidence", "source_url")


@dataclass(frozen=True)
class SheetLine:
    row: int
    code: str
    score: int | None
    evidence: str
    source_url: str


def read_assessment_sheet(path: Path) -> list[SheetLine]:
    """Every filled line; an empty score means not assessed. Bad lines stop the whole sheet."""
    lines: list[SheetLine] = []
    problems: list[str] = []
    for number, values in read_csv_rows(path, ("code", "score")):
        raw = values["score"]
        if raw == "" and not values.get("evidence"):
            continue
        try:
            score = None if raw in ("", "na", "NA", "n/a") else int(raw)
        except ValueError:
            problems.append(
                str(
                    ValidationError(
                        f"{raw!r} is not a score (0–3, or empty)",
                        file=path.name,
                        row=number,
                        field="score",
                    )
                )
            )
            continue
        lines.append(
            SheetLine(
                number,
                values["code"],
                score,
                values.get("evidence", ""),
                values.get("source_url", ""),
            )
        )
    if problems:
        raise ValidationError("; ".join(problems))
    return lines
