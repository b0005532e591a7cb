"""`lens situations`: set with a rationale, show beside the suggestion, history, list."""

from __future__ import annotations

import pytest

from prevention_lens.cli.main import COMMANDS
from tests.cli.conftest import Lens


@pytest.fixture(autouse=True)
def _registered(monkeypatch: pytest.MonkeyPatch) -> None:
    # The command table lists it; set here too so that this file stands on its own.
    monkeypatch.setitem(COMMANDS, "situations", ("prevention_lens.cli.situations", "app"))


def test_set_show_history_and_list(lens: Lens) -> None:
    first = lens(
        "situations",
        "set",
        "Burma",
        "serious_concern",
        "--rationale",
        "Tension",
        "--on",
        "2024-01-05",
    )
    assert first.code == 0, first.err
    assert first.out.strip() == "Myanmar: Serious concern from 2024-01-05."
    later = lens(
        "situations",
        "set",
        "MMR",
        "current_crisis",
        "--rationale",
        "Killings in Rakhine",
        "--on",
        "2025-02-01",
        "--json",
    )
    assert later.code == 0, later.err
    payload = later.json()
    assert isinstance(payload, dict) and payload["set_by"] == "local-operator"
    assert payload["category"] == "current_crisis" and payload["effective_on"] == "2025-02-01"

    shown = lens("situations", "show", "Myanmar")
    assert shown.code == 0, shown.err
    assert "Current crisis" in shown.out and "Killings in Rakhine" in shown.out
    assert "Suggested: None (confidence low); a suggestion only" in shown.out
    assert "  - No forecast is stored for this country." in shown.out
    as_json = lens("situations", "show", "MMR", "--json").json()
    assert isinstance(as_json, dict)
    assert as_json["current"]["category"] == "current_crisis"
    assert (
        as_json["suggestion"]["category"] == "none" and len(as_json["suggestion"]["reasons"]) == 4
    )

    history = lens("situations", "history", "MMR", "--json").json()
    assert isinstance(history, list)
    assert [row["category"] for row in history] == ["current_crisis", "serious_concern"]
    table = lens("situations", "history", "MMR")
    assert "2 situation(s), newest first" in table.out and "Tension" in table.out

    listed = lens("situations", "list", "--json").json()
    assert isinstance(listed, list) and [row["country_key"] for row in listed] == ["MMR"]
    assert lens("situations", "list", "--category", "imminent_risk", "--json").json() == []
    assert "No country has a situation category in category 'imminent_risk'" in (
        lens("situations", "list", "--category", "imminent_risk").out
    )


def test_mistakes_are_one_line_naming_the_field(lens: Lens) -> None:
    bad = lens("situations", "set", "MMR", "emergency", "--rationale", "Why")
    assert bad.code == 2
    assert bad.err.startswith("Error: ") and "category" in bad.err and bad.err.count("\n") == 1
    empty = lens("situations", "set", "MMR", "none", "--rationale", "  ")
    assert empty.code == 2 and "rationale" in empty.err and "is required" in empty.err
    day = lens("situations", "set", "MMR", "none", "--rationale", "Why", "--on", "soon")
    assert day.code == 2 and "--on" in day.err and "not a date like" in day.err
    missing = lens("situations", "set", "MMR", "none")
    assert missing.code == 2 and "--rationale" in missing.err
    unknown = lens("situations", "show", "Atlantis")
    assert unknown.code == 2 and unknown.err.startswith("Error: Unknown country 'Atlantis'")


def test_empty_store_says_so(lens: Lens) -> None:
    assert "Chad: no situation category is set." in lens("situations", "show", "TCD").out
    assert "Chad: no situation category was ever set." in lens("situations", "history", "TCD").out
    assert lens("situations", "list").out.startswith("No country has a situation category in ")
