"""The `panel` import format: validate a country-year panel of one's own (its spec file and the
CSV it names) and record it among the imports, so that a panel is checked, with provenance,
before `lens risk forecast --panel` or `backtest --panel` use it.

The store keeps no copy of the panel's rows (forecasts read the file in place, as for EWP's
panel): the import records the spec file, its checksum and the number of complete rows; each
row read carries the CSV's checksum, which every forecast from it keeps as ``data_sha256``.

Public API::

    read_panel_import(spec_path) -> (rows, problems)   # one PanelRow per complete row
    load_panel_import(session, rows, data_import) -> LoadCounts
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.orm import Session

from prevention_lens.errors import ValidationError
from prevention_lens.store.imports import LoadCounts
from prevention_lens.store.models import DataImport

TITLE = "Country-year panel (a spec file and its CSV)"
DESCRIPTION = (
    "A panel spec (YAML: unit, time, outcome, event, horizon, predictors, file) and the "
    "country-year CSV it names beside it; every column, value and country is checked. Rows "
    "are not copied: `lens risk forecast --panel SPEC.yaml` reads the file in place."
)


@dataclass(frozen=True)
class PanelRow:
    """One complete country-year of the panel, with the panel it belongs to."""

    panel: str
    data_sha256: str
    country_key: str
    year: int


def read_panel_import(spec_path: Path) -> tuple[Sequence[PanelRow], Sequence[ValidationError]]:
    """Load and validate the panel; a bad file raises (one clear error), so nothing is
    half-imported."""
    # Imported here so that registering the format does not load pandas at start-up.
    from prevention_lens.risk.panel import COUNTRY_KEY, load_spec_panel

    panel = load_spec_panel(spec_path)
    name = panel.spec.name or panel.source
    rows = [
        PanelRow(name, panel.sha256, str(key), int(year))
        for (_, year), key in zip(panel.frame.index, panel.frame[COUNTRY_KEY], strict=True)
    ]
    if not rows:
        raise ValidationError("the panel has no complete rows", file=spec_path.name)
    return rows, []


def load_panel_import(
    session: Session, rows: Sequence[PanelRow], data_import: DataImport
) -> LoadCounts:
    """Nothing to copy: every complete row counts as accepted."""
    del session, data_import  # the import record itself is the provenance
    return LoadCounts(created=len(rows))
