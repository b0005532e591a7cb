"""A store with the Framework of Analysis loaded from a small framework file written here."""

from __future__ import annotations

from pathlib import Path

import pytest

from prevention_lens.ingest import get_format, run_import
from prevention_lens.settings import Settings
from prevention_lens.store import Store
from prevention_lens.store.access import LOCAL_OPERATOR

SMALL_FRAMEWORK = """
risk_factors:
  - number: 1
    kind: common
    name: "Armed conflict or other forms of instability"
    summary: "Stress on the State."
    indicators:
      - {id: "1.1", unverified: true, text: "An armed conflict is under way."}
      - {id: "1.2", text: "A security crisis."}
  - number: 11
    kind: crimes against humanity
    name: "Signs of a widespread or systematic attack"
    summary: "Attacks on civilians."
    indicators: []
"""


@pytest.fixture
def framework_file(tmp_path: Path) -> Path:
    path = tmp_path / "framework.yaml"
    path.write_text(SMALL_FRAMEWORK)
    return path


@pytest.fixture
def framework_store(store: Store, settings: Settings, framework_file: Path) -> Store:
    run_import(store, settings, LOCAL_OPERATOR, get_format("un-framework"), framework_file)
    return store
