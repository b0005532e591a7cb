"""Reading a risk framework file: the UN Framework of Analysis for Atrocity Crimes (2014) as YAML.

Factors carry numbers and indicators carry ids ("7.3"), so corrected wording never breaks scores.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from prevention_lens.errors import ValidationError
from prevention_lens.yamlfile import read_yaml

FRAMEWORK_KINDS = frozenset({"common", "genocide", "crimes_against_humanity", "war_crimes"})


@dataclass(frozen=True)
class IndicatorRow:
    code: str
    factor_number: int
    text: str
    unverified: bool
    unverified_reason: str


@dataclass(frozen=True)
class FactorRow:
    number: int
    kind: str
    name: str
    summary: str
    unverified: bool
    unverified_reason: str
    indicators: tuple[IndicatorRow, ...]


def _text(entry: dict[str, Any], key: str, where: str, path: Path) -> str:
    value = entry.get(key)
    if not isinstance(value, str) or not value.strip():
        raise ValidationError(f"{where} has no {key}", file=path.name, field=key)
    return value.strip()


def read_framework(path: Path) -> tuple[list[FactorRow], list[ValidationError]]:
    """The framework's factors with their indicators; a malformed entry stops the whole file."""
    if not path.is_file():
        raise ValidationError("file does not exist", file=str(path))
    document = read_yaml(path, file=path.name)
    factors = document.get("risk_factors") if isinstance(document, dict) else None
    if not isinstance(factors, list) or not factors:
        raise ValidationError("has no risk_factors list", file=path.name, field="risk_factors")
    rows: list[FactorRow] = []
    seen: set[str] = set()
    for position, entry in enumerate(factors, start=1):
        where = f"risk factor #{position}"
        if not isinstance(entry, dict) or not isinstance(entry.get("number"), int):
            raise ValidationError(f"{where} has no whole-number 'number'", file=path.name)
        number = entry["number"]
        kind = _text(entry, "kind", where, path).replace(" ", "_")
        if kind not in FRAMEWORK_KINDS:
            raise ValidationError(
                f"{where} has kind {kind!r}; expected one of {', '.join(sorted(FRAMEWORK_KINDS))}",
                file=path.name,
                field="kind",
            )
        indicators = []
        for item in entry.get("indicators") or []:
            code = str(item.get("id", "")).strip() if isinstance(item, dict) else ""
            if not code.startswith(f"{number}.") or code in seen:
                raise ValidationError(
                    f"indicator {code!r} of factor {number} is missing, misnumbered or repeated",
                    file=path.name,
                    field="id",
                )
            seen.add(code)
            indicators.append(
                IndicatorRow(
                    code=code,
                    factor_number=number,
                    text=_text(item, "text", f"indicator {code}", path),
                    unverified=bool(item.get("unverified", False)),
                    unverified_reason=str(item.get("unverified_reason", "") or ""),
                )
            )
        rows.append(
            FactorRow(
                number=number,
                kind=kind,
                name=_text(entry, "name", where, path),
                summary=str(entry.get("summary", "") or "").strip(),
                unverified=bool(entry.get("unverified", False)),
                unverified_reason=str(entry.get("unverified_reason", "") or ""),
                indicators=tuple(indicators),
            )
        )
    return rows, []
