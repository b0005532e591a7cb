"""Country-year panels for risk models: a small spec file says which columns mean what.

``PanelSpec`` (from YAML) names the unit, time, outcome, horizon and predictors of any country-year
CSV; ``load_panel`` validates the file, joins it to the country reference and keeps complete cases.

Public API::

    PanelSpec.from_yaml(path) / PanelSpec.packaged("ewp2025") / PanelSpec.from_mapping(dict)
    load_panel(path, spec) -> Panel
    load_packaged_panel("ewp2025", sources=None) -> Panel   # file relative to LENS_SOURCES
    load_spec_panel(spec_path) -> Panel     # a spec file of your own; its file beside it
    Panel.training(last_year) -> TrainingData;  Panel.at(year) -> DataFrame
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from prevention_lens.countries import SCHEMES, reference
from prevention_lens.errors import UnknownCountryError, ValidationError
from prevention_lens.settings import load_settings
from prevention_lens.yamlfile import read_yaml_mapping

SPEC_FIELDS = (
    "name",
    "file",
    "unit",
    "unit_scheme",
    "label",
    "time",
    "outcome",
    "event",
    "horizon",
    "predictors",
    "training_requires",
)
COUNTRY_KEY = "country_key"
_NUMBER_LIMIT = 5  # how many bad values one error message shows at most


@dataclass(frozen=True)
class PanelSpec:
    """What the columns of a country-year file mean.

    ``unit`` holds the country (a code in ``unit_scheme``, or a name when that is None);
    ``outcome`` is the 0/1 target, an event within ``horizon`` years after ``time``; ``event``
    (optional) is the same-year event that the EWP protocol scores; ``label`` a display name;
    ``training_requires`` columns must be known for a row's outcome to count as known: rows
    lacking one are left out of training, and forecasts made from them are not judged (a
    two-year window whose second year has not happened yet is not a window without an event).
    """

    unit: str
    time: str
    outcome: str
    horizon: int
    predictors: tuple[str, ...]
    file: str | None = None
    name: str | None = None
    unit_scheme: str | None = "cow"
    label: str | None = None
    event: str | None = None
    training_requires: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        # Lists given in code become tuples, so that a spec stays immutable and hashable.
        object.__setattr__(self, "predictors", tuple(self.predictors))
        object.__setattr__(self, "training_requires", tuple(self.training_requires))
        for attribute in ("unit", "time", "outcome"):
            value = getattr(self, attribute)
            if not isinstance(value, str) or not value:
                raise ValidationError(f"must be a column name, got {value!r}", field=attribute)
        if isinstance(self.horizon, bool) or not isinstance(self.horizon, int) or self.horizon < 1:
            raise ValidationError(
                f"must be a whole number of years >= 1, got {self.horizon!r}", field="horizon"
            )
        if not self.predictors:
            raise ValidationError("lists no predictors", field="predictors")
        repeated = sorted({p for p in self.predictors if self.predictors.count(p) > 1})
        if repeated:
            raise ValidationError(f"lists {', '.join(repeated)} twice", field="predictors")
        for column in (self.outcome, self.unit, *(c for c in (self.event,) if c)):
            if column in self.predictors:
                raise ValidationError(f"{column!r} cannot also be a predictor", field="predictors")
        if self.unit_scheme is not None and self.unit_scheme not in SCHEMES:
            raise ValidationError(
                f"must be one of {', '.join(SCHEMES)} or empty, got {self.unit_scheme!r}",
                field="unit_scheme",
            )

    @property
    def columns(self) -> tuple[str, ...]:
        """Every column the spec declares, each once, in a stable order."""
        named = [self.unit, self.time, self.outcome, *self.predictors, *self.training_requires]
        named += [column for column in (self.event, self.label) if column]
        return tuple(dict.fromkeys(named))

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any], *, source: str = "spec") -> PanelSpec:
        """A spec from parsed YAML; unknown or missing keys raise ValidationError."""
        unknown = sorted(set(data) - set(SPEC_FIELDS))
        if unknown:
            raise ValidationError(
                f"unknown keys {', '.join(unknown)}; expected some of {', '.join(SPEC_FIELDS)}",
                file=source,
            )
        missing = [
            key for key in ("unit", "time", "outcome", "horizon", "predictors") if key not in data
        ]
        if missing:
            raise ValidationError(f"missing keys {', '.join(missing)}", file=source)
        values = dict(data)
        for key in ("predictors", "training_requires"):
            listed = values.get(key, ())
            if isinstance(listed, str) or not isinstance(listed, Sequence):
                raise ValidationError(
                    f"must be a list of column names, got {listed!r}", file=source, field=key
                )
            values[key] = tuple(str(item) for item in listed)
        return cls(**values)

    @classmethod
    def from_yaml(cls, path: Path) -> PanelSpec:
        """Read a spec file."""
        data = read_yaml_mapping(path, holds="a mapping of keys to values", file=path.name)
        return cls.from_mapping(data, source=path.name)

    @classmethod
    def packaged(cls, name: str) -> PanelSpec:
        """A spec shipped in ``prevention_lens/risk/specs`` (e.g. ``ewp2025``)."""
        folder = resources.files("prevention_lens.risk") / "specs"
        entry = folder / f"{name}.yaml"
        if not entry.is_file():
            known = sorted(
                p.name.removesuffix(".yaml") for p in folder.iterdir() if p.name.endswith(".yaml")
            )
            raise ValidationError(f"no packaged spec {name!r}; known: {', '.join(known)}")
        data = yaml.safe_load(entry.read_text(encoding="utf-8"))
        return cls.from_mapping(data, source=f"{name}.yaml")


@dataclass(frozen=True)
class TrainingData:
    """The rows a model may learn from: predictors, outcome and each row's time."""

    features: pd.DataFrame
    outcome: pd.Series
    time: pd.Series


@dataclass(frozen=True, eq=False)
class Panel:
    """A validated panel: complete cases indexed by (unit, time), with provenance.

    ``frame`` holds the country key, label, predictors, outcome and event columns of rows whose
    predictors are all known; ``outcomes`` holds outcome and event for every row of the file
    (so scoring counts events in rows that could not be forecast), the outcome left empty where
    its window has not closed (a ``training_requires`` column is unknown); ``dropped`` counts, per
    predictor, the rows left out because that value was missing (a row may count twice).
    """

    frame: pd.DataFrame
    spec: PanelSpec
    sha256: str
    source: str
    dropped: Mapping[str, int] = field(default_factory=dict)
    outcomes: pd.DataFrame = field(default_factory=pd.DataFrame)

    @property
    def rows_dropped(self) -> int:
        """Rows of the file left out as incomplete cases."""
        return len(self.outcomes) - len(self.frame)

    @property
    def years(self) -> list[int]:
        """The times present among complete cases, ascending."""
        return sorted(int(t) for t in self.frame.index.get_level_values(1).unique())

    def training(
        self,
        last_year: int,
        *,
        first_year: int | None = None,
        columns: Sequence[str] | None = None,
    ) -> TrainingData:
        """Complete rows with time <= last_year whose outcome (and required columns) are known.

        ``columns``: the frame's columns to return as features (default: the predictors).
        """
        spec = self.spec
        chosen = self._columns(columns)
        times = self.frame.index.get_level_values(1)
        keep = times <= last_year
        if first_year is not None:
            keep &= times >= first_year
        rows = self.frame.loc[keep]
        known = rows[[spec.outcome, *spec.training_requires]].notna().all(axis=1)
        rows = rows.loc[known]
        if rows.empty:
            raise ValidationError(
                f"no training rows with {spec.time} <= {last_year}", file=self.source
            )
        return TrainingData(
            features=rows[chosen],
            outcome=rows[spec.outcome].astype(int),
            time=pd.Series(rows.index.get_level_values(1), index=rows.index, name=spec.time),
        )

    def _columns(self, columns: Sequence[str] | None) -> list[str]:
        chosen = list(self.spec.predictors if columns is None else columns)
        missing = [column for column in chosen if column not in self.frame.columns]
        if missing:
            raise ValidationError(
                f"the panel has no columns {', '.join(missing)}", file=self.source
            )
        return chosen

    def at(self, year: int) -> pd.DataFrame:
        """Complete rows of one time (all frame columns); an absent year raises ValidationError."""
        times = self.frame.index.get_level_values(1)
        rows = self.frame.loc[times == year]
        if rows.empty:
            raise ValidationError(
                f"no complete rows for {self.spec.time} {year}; the panel covers "
                f"{self.years[0]}–{self.years[-1]}"
                if self.years
                else "the panel is empty",
                file=self.source,
            )
        return rows


def file_sha256(path: Path) -> str:
    """SHA-256 of a file's bytes, hex."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _numeric(raw: pd.DataFrame, column: str, file: str, *, whole: bool = False) -> pd.Series:
    values = pd.to_numeric(raw[column], errors="coerce")
    bad = values.isna() & raw[column].notna()
    if bad.any():
        position = int(np.flatnonzero(bad.to_numpy())[0])
        value = raw[column].iloc[position]
        raise ValidationError(
            f"{value!r} is not a number", file=file, row=position + 2, field=column
        )
    if whole:
        known = values.dropna()
        fractional = known[known != np.floor(known)]
        if not fractional.empty:
            position = int(raw.index.get_loc(fractional.index[0]))  # type: ignore[arg-type]
            raise ValidationError(
                f"{raw[column].iloc[position]!r} is not a whole number",
                file=file,
                row=position + 2,
                field=column,
            )
    return values.astype(float)


def _country_keys(raw: pd.DataFrame, spec: PanelSpec, times: pd.Series, file: str) -> list[str]:
    countries = reference()
    found: dict[tuple[object, int], str] = {}
    keys: list[str] = []
    units = raw[spec.unit].tolist()
    labels = raw[spec.label].tolist() if spec.label else [None] * len(raw)
    for position, (unit, year) in enumerate(zip(units, times.astype(int).tolist(), strict=True)):
        cache_key = (unit, year)
        if cache_key not in found:
            on = date(year, 7, 1)
            try:
                if spec.unit_scheme is None:
                    record = countries.resolve(str(unit), on=on)
                else:
                    record = countries.resolve(str(unit), scheme=spec.unit_scheme, on=on)
            except UnknownCountryError as error:
                label = labels[position]
                named = f"{spec.unit_scheme}:{unit}" if spec.unit_scheme else str(unit)
                if label:
                    named += f" ({label})"
                hints = countries.suggest(str(label)) if label else list(error.suggestions)
                raise UnknownCountryError(f"{named} in {file} row {position + 2}", hints) from None
            found[cache_key] = record.key
        keys.append(found[cache_key])
    return keys


def load_panel(path: Path, spec: PanelSpec) -> Panel:
    """Read, validate and index a country-year CSV described by ``spec``.

    Raises ValidationError for a missing declared column, a non-numeric value (naming file, row,
    column and value), a repeated (unit, time) or an outcome other than 0/1, and
    UnknownCountryError for a unit that does not resolve (with suggestions). Rows missing any
    predictor are dropped and counted in ``Panel.dropped``.
    """
    file = path.name
    if not path.is_file():
        raise ValidationError("file not found", file=str(path))
    raw = pd.read_csv(path, dtype=str, keep_default_na=True)
    for column in spec.columns:
        if column not in raw.columns:
            raise ValidationError(
                "declared column is missing from the file", file=file, field=column
            )
    text_columns = {c for c in (spec.label,) if c}
    numeric_scheme = spec.unit_scheme in {"cow", "gw", "iso_numeric", "vdem"}
    if not numeric_scheme:  # names, ISO3 and ISO2 codes are text
        text_columns.add(spec.unit)
    table = pd.DataFrame(index=raw.index)
    for column in spec.columns:
        if column in text_columns:
            table[column] = raw[column]
        else:
            whole = column == spec.time or (column == spec.unit and numeric_scheme)
            table[column] = _numeric(raw, column, file, whole=whole)
    for column in (spec.unit, spec.time):
        missing = table[column].isna()
        if missing.any():
            row = int(np.flatnonzero(missing.to_numpy())[0]) + 2
            raise ValidationError("is empty", file=file, row=row, field=column)
    for column in (spec.outcome, *(c for c in (spec.event,) if c)):
        values = table[column].dropna()
        wrong = values[~values.isin((0.0, 1.0))]
        if not wrong.empty:
            row = int(raw.index.get_loc(wrong.index[0])) + 2  # type: ignore[arg-type]
            raise ValidationError(
                f"{raw[column].loc[wrong.index[0]]!r} is not 0 or 1",
                file=file,
                row=row,
                field=column,
            )
    if numeric_scheme:
        table[spec.unit] = table[spec.unit].astype(int)
    table[spec.time] = table[spec.time].astype(int)
    repeated = table.duplicated([spec.unit, spec.time])
    if repeated.any():
        row = int(np.flatnonzero(repeated.to_numpy())[0])
        raise ValidationError(
            f"{spec.unit} {table[spec.unit].iloc[row]} appears twice in {spec.time} "
            f"{table[spec.time].iloc[row]}",
            file=file,
            row=row + 2,
        )
    table.insert(0, COUNTRY_KEY, _country_keys(raw, spec, table[spec.time], file))
    # The time can be a predictor too (EWP uses the year): then it stays a column as well.
    table = table.set_index([spec.unit, spec.time], drop=False).sort_index()
    table = table.drop(columns=[c for c in (spec.unit, spec.time) if c not in spec.predictors])
    incomplete = table[list(spec.predictors)].isna()
    dropped = {str(column): int(count) for column, count in incomplete.sum().items() if count}
    frame = table.loc[~incomplete.any(axis=1)]
    kept = [
        COUNTRY_KEY,
        *(c for c in (spec.label,) if c),
        spec.outcome,
        *(c for c in (spec.event,) if c and c != spec.outcome),
    ]
    outcomes = table[kept].copy()
    window_known = table[[spec.outcome, *spec.training_requires]].notna().all(axis=1)
    outcomes.loc[~window_known, spec.outcome] = np.nan
    return Panel(
        frame=frame,
        spec=spec,
        sha256=file_sha256(path),
        source=file,
        dropped=dropped,
        outcomes=outcomes,
    )


def load_packaged_panel(name: str = "ewp2025", sources: Path | None = None) -> Panel:
    """The panel of a packaged spec, its file found under ``sources`` (default LENS_SOURCES)."""
    spec = PanelSpec.packaged(name)
    if spec.file is None:
        raise ValidationError(f"packaged spec {name!r} names no file", field="file")
    folder = sources if sources is not None else load_settings().require_sources()
    return load_panel(folder / spec.file, spec)


def spec_file(spec: PanelSpec, spec_path: Path) -> Path:
    """The panel file a spec file names: as given when absolute, else beside the spec file."""
    if spec.file is None:
        raise ValidationError("names no panel file; add `file: PATH.csv`", file=spec_path.name)
    named = Path(spec.file).expanduser()
    return named if named.is_absolute() else spec_path.parent / named


def load_spec_panel(spec_path: Path) -> Panel:
    """The panel a spec file (YAML, see ``PanelSpec``) describes, validated."""
    if not spec_path.is_file():
        raise ValidationError("spec file not found", file=str(spec_path))
    spec = PanelSpec.from_yaml(spec_path)
    if spec.name is None:
        spec = PanelSpec.from_mapping(
            {key: getattr(spec, key) for key in SPEC_FIELDS} | {"name": spec_path.stem},
            source=spec_path.name,
        )
    return load_panel(spec_file(spec, spec_path), spec)
