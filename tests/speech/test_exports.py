"""The lexicon written out: our CSV layout imports back unchanged, JSON carries the same terms,
and each shows only what its reader may see. Fixtures come from test_lexicon.py."""

from __future__ import annotations

import pytest

from prevention_lens.errors import ValidationError
from prevention_lens.sources.speech_lexicon import parse_terms_csv
from prevention_lens.speech.exports import export_terms, export_terms_csv
from prevention_lens.speech.lexicon import list_terms
from prevention_lens.store import Store
from prevention_lens.store.access import ANONYMOUS
from tests.speech.test_lexicon import ANALYST, _zawgyi_detector, lexicon

__all__ = ["_zawgyi_detector", "lexicon"]  # shared fixtures


def test_an_export_reimports_unchanged_and_shows_only_what_the_reader_may_see(
    lexicon: tuple[Store, int, int],
) -> None:
    store, _, _ = lexicon
    with store.session() as session:
        staff_csv = export_terms_csv(session, ANALYST)
        public_csv = export_terms_csv(session, ANONYMOUS)
        staff = list_terms(session, ANALYST)
    rows, problems = parse_terms_csv(staff_csv, file="export.csv")
    assert problems == []
    assert [(row.term, row.language, row.countries) for row in rows] == [
        ("ကုလား", "my", ("MMR",)),
        ("madoadoa", "sw", ("KEN",)),
    ]
    assert rows[0].senses[1].phrases == ("ကုလားထိုင်", "kalar htaing")
    assert [row.why_inflames for row in rows] == [record.why_inflames for record in staff]
    public_rows, _ = parse_terms_csv(public_csv, file="public.csv")
    assert [row.term for row in public_rows] == ["ကုလား"]
    assert "madoadoa" not in public_csv and "adam" not in public_csv and "ana" not in public_csv
    assert '"terms"' in export_terms(staff, "json")
    with pytest.raises(ValidationError, match="unknown format"):
        export_terms(staff, "xml")
