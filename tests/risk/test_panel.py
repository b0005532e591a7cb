"""Panels: specs from YAML, validation of the file, country keys, complete cases, provenance."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from prevention_lens.errors import UnknownCountryError, ValidationError
from prevention_lens.risk.panel import PanelSpec, load_packaged_panel, load_panel
from tests.conftest import sources_folder

SPEC = PanelSpec(
    unit="ccode",
    time="year",
    outcome="onset_1or2",
    event="onset",
    label="name",
    horizon=2,
    predictors=("deaths", "year"),
)
HEADER = "name,ccode,year,deaths,onset,onset_1or2\n"
ROWS = [
    "Chad,483,2000,1.5,0,1",
    "Chad,483,2001,NA,1,0",
    "Chad,483,2002,0,0,0",
    "Myanmar,775,2000,3,0,0",
    "Myanmar,775,2001,2,0,1",
    "Myanmar,775,2002,1,1,0",
]


def _write(tmp_path: Path, rows: list[str], header: str = HEADER) -> Path:
    path = tmp_path / "panel.csv"
    path.write_text(header + "\n".join(rows) + "\n")
    return path


def test_spec_reads_yaml_and_rejects_unknown_keys(tmp_path: Path) -> None:
    path = tmp_path / "spec.yaml"
    path.write_text(
        "unit: ccode\ntime: year\noutcome: y\nhorizon: 2\npredictors: [a, b]\nfile: x.csv\n"
    )
    spec = PanelSpec.from_yaml(path)
    assert spec.predictors == ("a", "b") and spec.file == "x.csv" and spec.unit_scheme == "cow"
    path.write_text("unit: ccode\ntime: year\noutcome: y\nhorizon: 2\npredictors: [a]\nlag: 1\n")
    with pytest.raises(ValidationError, match="unknown keys lag"):
        PanelSpec.from_yaml(path)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"horizon": 0}, "whole number of years >= 1"),
        ({"predictors": ()}, "lists no predictors"),
        ({"predictors": ("a", "a")}, "lists a twice"),
        ({"predictors": ("onset_1or2",)}, "cannot also be a predictor"),
        ({"unit_scheme": "fips"}, "must be one of cow"),
    ],
)
def test_spec_validates_on_creation(changes: dict[str, object], message: str) -> None:
    fields: dict[str, object] = {
        "unit": "ccode",
        "time": "year",
        "outcome": "onset_1or2",
        "horizon": 2,
        "predictors": ("a",),
    }
    with pytest.raises(ValidationError, match=message):
        PanelSpec(**(fields | changes))  # type: ignore[arg-type]


def test_packaged_ewp_spec_declares_the_39_predictors() -> None:
    spec = PanelSpec.packaged("ewp2025")
    assert len(spec.predictors) == 39 and spec.outcome == "mk_onset_1or2" and spec.horizon == 2
    assert spec.file is not None and not spec.file.startswith("/")
    with pytest.raises(ValidationError, match="no packaged spec 'nope'; known: ewp2025"):
        PanelSpec.packaged("nope")


def test_load_panel_indexes_joins_countries_and_counts_dropped_rows(tmp_path: Path) -> None:
    path = _write(tmp_path, ROWS)
    panel = load_panel(path, SPEC)
    assert list(panel.frame.index.names) == ["ccode", "year"]
    assert len(panel.frame) == 5 and panel.rows_dropped == 1
    assert dict(panel.dropped) == {"deaths": 1}
    assert panel.frame.loc[(775, 2001), "country_key"] == "MMR"
    assert panel.frame.loc[(483, 2000), "name"] == "Chad"
    assert panel.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert panel.source == "panel.csv" and panel.years == [2000, 2001, 2002]
    # The incomplete row still counts for scoring: its event is kept in `outcomes`.
    assert panel.outcomes.loc[(483, 2001), "onset"] == 1


def test_training_rows_stop_at_the_last_year_and_need_a_known_outcome(tmp_path: Path) -> None:
    panel = load_panel(_write(tmp_path, [*ROWS[:5], "Myanmar,775,2002,1,1,NA"]), SPEC)
    rows = panel.training(2001)
    assert rows.features.columns.tolist() == ["deaths", "year"]
    assert rows.time.tolist() == [2000, 2000, 2001] and rows.outcome.tolist() == [1, 0, 1]
    assert panel.training(2002).time.max() == 2002 and len(panel.training(2002).time) == 4
    with pytest.raises(ValidationError, match="no training rows with year <= 1999"):
        panel.training(1999)
    with pytest.raises(ValidationError, match="no complete rows for year 2010"):
        panel.at(2010)


def test_missing_column_names_file_and_column(tmp_path: Path) -> None:
    path = _write(
        tmp_path, [row.rsplit(",", 1)[0] for row in ROWS], HEADER.replace(",onset_1or2", "")
    )
    with pytest.raises(ValidationError, match=r"panel\.csv, field 'onset_1or2': declared column"):
        load_panel(path, SPEC)


def test_non_numeric_value_names_file_row_column_and_value(tmp_path: Path) -> None:
    rows = [*ROWS]
    rows[2] = "Chad,483,2002,many,0,0"
    with pytest.raises(ValidationError) as caught:
        load_panel(_write(tmp_path, rows), SPEC)
    assert str(caught.value) == "panel.csv, row 4, field 'deaths': 'many' is not a number"


def test_outcome_must_be_zero_or_one(tmp_path: Path) -> None:
    rows = [*ROWS]
    rows[0] = "Chad,483,2000,1.5,0,2"
    with pytest.raises(ValidationError, match="row 2, field 'onset_1or2': '2' is not 0 or 1"):
        load_panel(_write(tmp_path, rows), SPEC)


def test_repeated_country_year_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="ccode 483 appears twice in year 2000"):
        load_panel(_write(tmp_path, [*ROWS, ROWS[0]]), SPEC)


def test_unknown_country_names_it_with_suggestions(tmp_path: Path) -> None:
    rows = [*ROWS, "Myanmarr,999,2002,1,0,0"]
    with pytest.raises(UnknownCountryError) as caught:
        load_panel(_write(tmp_path, rows), SPEC)
    assert "cow:999 (Myanmarr) in panel.csv row 8" in str(caught.value)
    assert "Myanmar" in caught.value.suggestions


def test_units_may_be_names_resolved_on_the_rows_date(tmp_path: Path) -> None:
    spec = PanelSpec(
        unit="country", unit_scheme=None, time="year", outcome="y", horizon=1, predictors=("x",)
    )
    path = tmp_path / "names.csv"
    path.write_text("country,year,x,y\nBurma,2000,1,0\nCôte d'Ivoire,2000,2,1\n")
    panel = load_panel(path, spec)
    assert sorted(panel.frame["country_key"]) == ["CIV", "MMR"]


@pytest.mark.shared_data
def test_the_ewp_panel_loads_with_its_checksum() -> None:
    panel = load_packaged_panel(sources=sources_folder())
    assert panel.sha256.startswith("92ade125d6e2d417")
    assert len(panel.outcomes) == 9463 and panel.rows_dropped == 155
    assert dict(panel.dropped) == {"popsize.log2": 46, "gdppcgrowth": 125, "un_imr_sqrt": 76}
    assert panel.years[0] == 1960 and panel.years[-1] == 2024
    assert panel.at(2024)["country_key"].is_unique
