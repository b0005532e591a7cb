"""`lens speech trends` and `surges` choose the feed as the web pages do: real monitoring when
there is any, else the example feed, never the two mixed; `--feed` picks one. Fixtures come
from test_speech.py."""

from __future__ import annotations

from pathlib import Path

import pytest

from prevention_lens.errors import ValidationError
from tests.cli.test_speech import Speech, _listed, keyword_scoring, speech, terms_file
from tests.cli.test_speech_monitoring import _feed
from tests.conftest import sources_folder

__all__ = ["keyword_scoring", "speech", "terms_file"]  # shared fixtures


@pytest.mark.usefixtures("keyword_scoring")
def test_real_monitoring_hides_the_example_feed_unless_it_is_asked_for(
    speech: Speech, tmp_path: Path
) -> None:
    assert speech("example", "--sources", str(sources_folder())).code == 0
    only_example = speech("trends", "--json").json()
    assert only_example["example"] and all(p["example"] for p in only_example["trends"])
    assert "EXAMPLE DATA" in speech("surges").out
    none_real = speech("trends", "--feed", "real")
    assert "No real monitored posts" in none_real.out and "--feed example" in none_real.out

    assert speech("posts", "import", str(_feed(tmp_path / "kenya.csv"))).code == 0
    real = speech("trends", "--json").json()
    assert not real["example"] and real["trends"]
    assert {p["country_key"] for p in real["trends"]} == {"KEN"}
    assert not any(p["example"] for p in real["trends"])
    table = speech("trends")
    assert "EXAMPLE" not in table.out and "--feed example" in table.out
    surges = speech("surges", "--json").json()
    assert not surges["example"] and [s["example"] for s in surges["surges"]] == [False]
    asked = _listed(speech("trends", "--feed", "example", "--json"), "trends")
    assert asked and all(p["example"] for p in asked)
    asked_surges = _listed(speech("surges", "--feed", "example", "--json"), "surges")
    assert all(s["example"] for s in asked_surges)


def test_an_unknown_feed_is_refused_naming_the_option(speech: Speech) -> None:
    refused = speech("trends", "--feed", "fake")
    assert isinstance(refused.error, ValidationError) and refused.error.field == "--feed"
    assert "choose real or example" in str(refused.error)
