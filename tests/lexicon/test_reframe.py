"""Reframing a text for an audience: whole terms and their inflections, case kept, quotations
left alone, every change and flag listed (lexicon/reframe.py)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from prevention_lens.errors import ValidationError
from prevention_lens.lexicon.content import shipped_lexicon
from prevention_lens.lexicon.model import Concept, ConceptMapping, Lexicon, ScopeNote
from prevention_lens.lexicon.reframe import (
    MAX_TEXT_CHARS,
    Reframed,
    reframe,
    reframe_summary,
)


def _concept(
    concept_id: str,
    pref: str,
    *alt: str,
    notes: tuple[ScopeNote, ...] = (),
    fr: str | None = None,
) -> Concept:
    pref_labels = {"en": pref} | ({"fr": fr} if fr else {})
    return Concept(
        id=concept_id,
        scheme=concept_id.split("/")[0],
        core=False,
        pref_labels=pref_labels,
        alt_labels={"en": alt},
        definition=None,
        source=None,
        scope_notes=notes,
    )


def _note(audience: str, kind: str, note: str) -> ScopeNote:
    return ScopeNote(audience=audience, kind=kind, note=note, basis="practice")


TINY = Lexicon(
    concepts={
        concept.id: concept
        for concept in (
            _concept(
                "ap/atrocity-prevention",
                "atrocity prevention",
                "prevention of atrocity crimes",
                notes=(_note("dev", "misleading", "Heard as conflict prevention."),),
                fr="prévention des atrocités",
            ),
            _concept(
                "ap/upstream-prevention", "upstream prevention", "upstream atrocity prevention"
            ),
            _concept("ap/mass-atrocity-crimes", "mass atrocity crimes", "atrocity"),
            _concept("ap/atrocity-situation", "atrocity situation"),
            _concept(
                "ap/genocide",
                "genocide",
                notes=(
                    _note("dev", "sensitive", "Governments hear an accusation."),
                    _note("dev", "misleading", "A legal finding, not a description."),
                    _note("hr", "preferred", "Precise in legal work."),
                ),
            ),
            _concept("ap/identity-based-violence", "identity-based violence", "IBV"),
            _concept("ap/responsibility-to-protect", "responsibility to protect", "R2P"),
            _concept("ap/crimes-against-humanity", "crimes against humanity"),
            _concept("ap/cohesion", "cohesion"),
            _concept(
                "ap/incitement",
                "incitement",
                notes=(_note("dev", "sensitive", "Implies a crime."),),
                fr="incitation",
            ),
            _concept("hr/womens-rights", "women's rights"),
            _concept("com/kalar", "kalar", notes=(_note("dev", "sensitive", "A slur."),)),
            _concept("dev/risk-reduction", "risk reduction", fr="réduction des risques"),
            _concept("dev/resilience-building", "resilience building"),
            _concept("dev/grave-violation", "grave violation"),
            _concept("dev/crisis", "crisis"),
            _concept("dev/group-violence", "group-based violence"),
            _concept("dev/state-responsibility", "State responsibility"),
            _concept("dev/serious-crimes", "serious crimes"),
            _concept(
                "dev/social-cohesion",
                "social cohesion",
                notes=(
                    _note("dev", "sensitive", "Can sound like asking minorities to keep quiet."),
                ),
            ),
            _concept("dev/gender-equality", "gender equality"),
            _concept("dev/peace-dividend", "peace dividend"),
        )
    },
    mappings=(
        ConceptMapping("ap/atrocity-prevention", "dev/risk-reduction", "close", "Risk language."),
        ConceptMapping("ap/upstream-prevention", "dev/resilience-building", "exact", "Same work."),
        ConceptMapping("ap/mass-atrocity-crimes", "dev/grave-violation", "close", "Grave harm."),
        ConceptMapping("ap/atrocity-situation", "dev/crisis", "close", "A crisis setting."),
        ConceptMapping("ap/identity-based-violence", "dev/group-violence", "exact", "Same."),
        ConceptMapping(
            "ap/responsibility-to-protect", "dev/state-responsibility", "close", "State."
        ),
        ConceptMapping("ap/crimes-against-humanity", "dev/serious-crimes", "close", "Serious."),
        ConceptMapping("dev/social-cohesion", "ap/cohesion", "exact", "Same bonds."),
        ConceptMapping("hr/womens-rights", "dev/gender-equality", "close", "Equality frame."),
        # Related mappings never substitute.
        ConceptMapping("ap/genocide", "dev/peace-dividend", "related", "Not the same."),
    ),
)
TERM_WORDS = {
    word.casefold()
    for concept in TINY.concepts.values()
    for label in concept.labels("en")
    for word in label.replace("-", " ").split()
}


def _dev(text: str) -> Reframed:
    return reframe(TINY, text, "dev")


def _pairs(reframed: Reframed) -> list[tuple[str, str]]:
    return [(change.original_text, change.replacement) for change in reframed.changes]


# --- whole terms ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "kalarwork and kalars-like",
        "genocidal intent",
        "pre-genocide warning",
        "genocide-related cases",
        "xatrocity prevention",
        "kalar2 and 2kalar",
        "post-atrocity prevention",
        "O'genocide",
        "genocide's2",
    ],
)
def test_never_inside_other_words(text: str) -> None:
    result = _dev(text)
    assert result.text == text
    assert result.changes == ()
    assert result.flags == ()


def test_terms_between_punctuation_and_markup_match() -> None:
    result = _dev("(genocide), **kalar** and _atrocity prevention_; atrocity prevention.")
    assert [flag.term for flag in result.flags] == [
        "genocide",
        "genocide",
        "kalar",
        "atrocity prevention",
        "atrocity prevention",
    ]
    assert result.text == "(genocide), **kalar** and _risk reduction_; risk reduction."


# --- inflections ---------------------------------------------------------------------------


def test_plurals_match_and_the_replacement_becomes_plural() -> None:
    result = _dev("One atrocity, many atrocities; two atrocity situations; genocides too.")
    assert _pairs(result) == [
        ("atrocity", "grave violation"),
        ("atrocities", "grave violations"),
        ("atrocity situations", "crises"),
    ]
    assert result.text == "One grave violation, many grave violations; two crises; genocides too."
    assert {flag.term for flag in result.flags} == {"genocides"}


def test_possessives_keep_their_apostrophe() -> None:
    result = _dev("The atrocity's scale and the IBV’s roots.")
    assert _pairs(result) == [
        ("atrocity's", "grave violation's"),
        ("IBV’s", "group-based violence’s"),
    ]


def test_an_acronym_replacement_takes_a_plain_s() -> None:
    lexicon = Lexicon(
        concepts={
            "ap/early-warning": _concept("ap/early-warning", "early warning"),
            "pb/ewer": _concept("pb/ewer", "EWER"),
            "hr/defender": _concept("hr/defender", "defender"),
            "com/hrds": _concept("com/hrds", "HRDs"),
        },
        mappings=(
            ConceptMapping("ap/early-warning", "pb/ewer", "exact", "Same."),
            ConceptMapping("hr/defender", "com/hrds", "exact", "Same."),
        ),
    )
    assert reframe(lexicon, "Early warnings", "pb").text == "EWERs"
    assert reframe(lexicon, "defenders", "com").text == "HRDs"


def test_a_term_already_plural_matches_as_given() -> None:
    result = _dev("Crimes against humanity were committed.")
    assert _pairs(result) == [("Crimes against humanity", "Serious crimes")]
    assert result.changes[0].concept_id == "ap/crimes-against-humanity"


# --- case ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("atrocity prevention works", "risk reduction works"),
        ("Atrocity prevention works", "Risk reduction works"),
        ("Atrocity Prevention Works", "Risk Reduction Works"),
        ("ATROCITY PREVENTION WORKS", "RISK REDUCTION WORKS"),
        ("aTrOcItY pReVeNtIoN works", "risk reduction works"),
        ("A Report On Identity-Based Violence", "A Report On Group-Based Violence"),
        ("the responsibility to protect", "the State responsibility"),
        ("The Responsibility to Protect", "The State Responsibility"),
        ("R2P and RESPONSIBILITY TO PROTECT", "State responsibility and STATE RESPONSIBILITY"),
        ("IBV", "group-based violence"),
        ("Prevention Of Atrocity Crimes", "Risk Reduction"),
    ],
)
def test_case_is_kept(text: str, expected: str) -> None:
    assert _dev(text).text == expected


@pytest.mark.parametrize(
    "text",
    [
        "the Atrocity Prevention Board met",
        "the Atrocities Prevention Board met",
        "the Identity-Based Violence Unit",
        "the Office on Atrocity Prevention",
        "the Special Adviser's Office for the Responsibility to Protect",
    ],
)
def test_names_of_bodies_are_never_renamed_but_are_flagged(text: str) -> None:
    result = _dev(text)
    assert result.text == text
    assert all(not flag.replaced for flag in result.flags)


def test_a_capitalised_term_before_an_ordinary_word_is_rewritten() -> None:
    assert _dev("the Atrocity Prevention team").text == "the Risk Reduction team"


def test_acronyms_keep_their_case() -> None:
    result = _dev("r2p and ibv are not acronyms here")
    assert result.changes == ()


# --- quotations ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "quoted",
    [
        '"atrocity prevention and genocide"',
        "“atrocity prevention and genocide”",
        "«atrocity prevention and genocide»",
        "‘atrocity prevention and genocide’",
        "‘don’t say atrocity prevention, say genocide’",
    ],
)
def test_quotations_are_never_changed_but_are_flagged(quoted: str) -> None:
    text = f"She said {quoted}, and atrocity prevention followed."
    result = _dev(text)
    assert result.text == f"She said {quoted}, and risk reduction followed."
    assert len(result.changes) == 1
    quoted_flags = [flag for flag in result.flags if flag.start < text.index(", and")]
    assert {flag.concept_id for flag in quoted_flags} == {
        "ap/atrocity-prevention",
        "ap/genocide",
    }
    assert not any(flag.replaced for flag in quoted_flags)


def test_an_unclosed_quotation_runs_to_the_end_of_its_paragraph() -> None:
    text = "“atrocity prevention, atrocity prevention\n\natrocity prevention"
    assert _dev(text).text == "“atrocity prevention, atrocity prevention\n\nrisk reduction"


def test_apostrophes_inside_words_do_not_open_quotations() -> None:
    text = "Don’t forget atrocity prevention; it’s vital"
    assert _dev(text).text == "Don’t forget risk reduction; it’s vital"


# --- longest match, own terms, flags -------------------------------------------------------


def test_the_longest_term_wins() -> None:
    result = _dev("Upstream atrocity prevention, then atrocity prevention.")
    assert [(c.original_text, c.concept_id, c.target_id) for c in result.changes] == [
        ("Upstream atrocity prevention", "ap/upstream-prevention", "dev/resilience-building"),
        ("atrocity prevention", "ap/atrocity-prevention", "dev/risk-reduction"),
    ]
    assert result.text == "Resilience building, then risk reduction."


def test_the_audiences_own_terms_stay_and_block_shorter_terms_inside_them() -> None:
    result = _dev("social cohesion and cohesion")
    assert _pairs(result) == [("cohesion", "social cohesion")]
    assert result.changes[0].start == len("social cohesion and ")
    assert [(flag.concept_id, flag.term) for flag in result.flags] == [
        ("dev/social-cohesion", "social cohesion")
    ]
    # For another audience the development term is what gets rewritten.
    assert reframe(TINY, "social cohesion", "ap").text == "cohesion"


def test_flags_without_a_replacement_one_per_note() -> None:
    result = _dev("Genocide, kalar.")
    assert result.changes == ()
    assert [(flag.term, flag.concept_id, flag.kind, flag.replaced) for flag in result.flags] == [
        ("Genocide", "ap/genocide", "sensitive", False),
        ("Genocide", "ap/genocide", "misleading", False),
        ("kalar", "com/kalar", "sensitive", False),
    ]
    assert result.flags[2].note == "A slur."
    assert result.flags[2].basis == "practice"


def test_a_replaced_term_is_flagged_for_its_original_concept() -> None:
    result = _dev("atrocity prevention")
    assert [(flag.concept_id, flag.kind, flag.replaced) for flag in result.flags] == [
        ("ap/atrocity-prevention", "misleading", True)
    ]


def test_preferred_notes_and_other_audiences_notes_do_not_flag() -> None:
    assert reframe(TINY, "genocide", "hr").flags == ()
    assert reframe(TINY, "genocide", "pb").flags == ()


# --- apostrophes and hyphens ---------------------------------------------------------------


@pytest.mark.parametrize("term", ["women's rights", "women’s rights", "Women's Rights"])
def test_straight_and_curly_apostrophes_match(term: str) -> None:
    result = _dev(f"on {term} today")
    assert [c.target_id for c in result.changes] == ["dev/gender-equality"]


@pytest.mark.parametrize(
    "term",
    [
        "identity-based violence",
        "identity based violence",
        "identity\u2011based violence",
        "identity-\nbased violence",
        "identity-based  violence",
        "identity-based-violence",
    ],
)
def test_hyphen_and_space_variants_match(term: str) -> None:
    result = _dev(f"roots of {term}.")
    assert result.text == "roots of group-based violence."


# --- offsets, languages, errors, output ----------------------------------------------------


def test_offsets_point_into_the_original_and_changes_are_in_text_order() -> None:
    text = "IBV and atrocity prevention; atrocities and R2P."
    result = _dev(text)
    assert [(c.start, c.end) for c in result.changes] == [(0, 3), (8, 27), (29, 39), (44, 47)]
    for change in result.changes:
        assert text[change.start : change.end] == change.original_text
    assert (
        result.text
        == "group-based violence and risk reduction; grave violations and State responsibility."
    )
    assert result.original == text


def test_french_text_uses_french_labels_and_elision() -> None:
    result = reframe(TINY, "La prévention des atrocités et l’incitation.", "dev", "fr")
    assert result.text == "La réduction des risques et l’incitation."
    assert [flag.term for flag in result.flags] == ["prévention des atrocités", "incitation"]


def test_no_english_replacement_in_a_french_text() -> None:
    lexicon = Lexicon(
        concepts={
            "ap/genocide": _concept("ap/genocide", "genocide", fr="génocide"),
            "dev/mass-killing": _concept("dev/mass-killing", "mass killing"),
        },
        mappings=(ConceptMapping("ap/genocide", "dev/mass-killing", "close", "Close."),),
    )
    assert reframe(lexicon, "le génocide", "dev", "fr").changes == ()
    assert reframe(lexicon, "the genocide", "dev").text == "the mass killing"


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"audience": "development"}, "audience"),
        ({"audience": "dev", "language": "de"}, "language"),
        ({"audience": "dev", "text": "x" * (MAX_TEXT_CHARS + 1)}, "text"),
    ],
)
def test_bad_input_names_the_field(kwargs: dict[str, str], field: str) -> None:
    arguments = {"text": "genocide"} | kwargs
    with pytest.raises(ValidationError) as raised:
        reframe(TINY, **arguments)
    assert raised.value.field == field


def test_to_dict_and_summary() -> None:
    result = _dev("Atrocity prevention and kalar.")
    data = result.to_dict()
    assert data["text"] == "Risk reduction and kalar."
    assert data["audience"] == "dev"
    assert data["changes"][0] == {
        "start": 0,
        "end": 19,
        "original_text": "Atrocity prevention",
        "replacement": "Risk reduction",
        "concept_id": "ap/atrocity-prevention",
        "target_id": "dev/risk-reduction",
        "kind": "close",
        "rationale": "Risk language.",
    }
    assert [flag["concept_id"] for flag in data["flags"]] == [
        "ap/atrocity-prevention",
        "com/kalar",
    ]
    summary = reframe_summary(result)
    assert summary.splitlines()[0] == "Reframed for Development (dev): 1 change, 2 flags."
    assert "'Atrocity prevention' -> 'Risk reduction'" in summary
    assert "'kalar' (com/kalar, kept) is sensitive: A slur." in summary
    assert reframe_summary(_dev("nothing")) == "Reframed for Development (dev): 0 changes, 0 flags."


# --- properties ----------------------------------------------------------------------------

PLAIN_WORDS = st.text(
    alphabet=st.characters(codec="utf-8", categories=("L", "N", "P", "Zs", "S")),
    max_size=12,
).filter(lambda word: not any(term in word.casefold() for term in TERM_WORDS))
FRAGMENTS = st.sampled_from(
    ["genocidal", "kalarwork", "prevention", "upstream", "speech", "the", "of", "rights"]
)
SEPARATORS = st.sampled_from([" ", "\n", "\n\n", "-", ", ", "'", "’", '"', "“", "”", "«", "»"])
TERMS = st.sampled_from(
    [label for concept in TINY.concepts.values() for label in concept.labels("en")]
    + ["Atrocities", "GENOCIDE'S", "identity based violence", "IBV’s", "women’s rights"]
)


@given(st.lists(st.one_of(PLAIN_WORDS, FRAGMENTS, SEPARATORS), max_size=30))
@hypothesis_settings(max_examples=150, deadline=None)
def test_text_without_a_known_term_is_returned_unchanged(parts: list[str]) -> None:
    text = "".join(parts)
    result = _dev(text)
    assert result.text == text
    assert result.changes == ()
    assert result.flags == ()


@given(st.lists(st.one_of(TERMS, FRAGMENTS, SEPARATORS, PLAIN_WORDS), max_size=30))
@hypothesis_settings(max_examples=150, deadline=None)
def test_changes_and_flags_point_at_the_original_text(parts: list[str]) -> None:
    text = "".join(parts)
    result = _dev(text)
    rebuilt, position = [], 0
    for change in result.changes:
        assert change.original_text == text[change.start : change.end]
        assert change.start >= position
        rebuilt += [text[position : change.start], change.replacement]
        position = change.end
    assert "".join([*rebuilt, text[position:]]) == result.text
    for flag in result.flags:
        assert flag.term == text[flag.start : flag.end]


QUOTE_MARKS = st.sampled_from([('"', '"'), ("“", "”"), ("«", "»"), ("‘", "’")])
UNQUOTED = st.lists(st.one_of(TERMS, FRAGMENTS, st.just(" "), st.just(", ")), max_size=6)


@given(st.lists(st.tuples(UNQUOTED, QUOTE_MARKS, UNQUOTED), min_size=1, max_size=5))
@hypothesis_settings(max_examples=150, deadline=None)
def test_text_inside_quotations_is_never_altered(
    pieces: list[tuple[list[str], tuple[str, str], list[str]]],
) -> None:
    text, quotations = "", []
    for before, (opening, closing), inside in pieces:
        text += " ".join(before) + " "
        # Curly single quotes close at a right quote that is not between letters; keep the
        # possessive IBV’s out of them, where it would close the quotation early.
        body = " ".join(part.replace("’", "'") for part in inside)
        quotations.append((len(text), len(text) + len(body) + 2))
        text += opening + body + closing + " "
    result = _dev(text)
    for start, end in quotations:
        assert not any(c.start < end and start < c.end for c in result.changes)
        shift = sum(
            len(c.replacement) - (c.end - c.start) for c in result.changes if c.end <= start
        )
        assert result.text[start + shift : end + shift] == text[start:end]


# --- the Wilton Park report ----------------------------------------------------------------

# Paragraph 3 of the Wilton Park report (2018), the product's source report.
WILTON_PARK_PARAGRAPH_3 = (
    "3. **Harmonising with overlapping agendas.** While mass atrocities typically occur within "
    "situations of armed conflict, this is not always the case. Atrocity prevention is still "
    "commonly associated with conflict prevention despite the fact that there are important "
    "distinctions in response, and conflict prevention measures can hinder or undermine "
    "atrocity prevention or civilian protection efforts. While participants noted the "
    "distinctions between development, conflict prevention, and atrocity prevention, they also "
    "welcomed the important points of overlap, and acknowledged that, in practice, definitional "
    "differences matter very little to those most vulnerable to violence. Upstream atrocity "
    "prevention involves a spectrum of activities, including community building, addressing "
    "the roots of identity-based violence, media development, assessment and forecasting, the "
    "protection and promotion of social cohesion, human rights standards, and normative and "
    "treaty-bound obligations, among others."
)


def _change_rows(reframed: Reframed) -> list[tuple[str, str, str, str, str]]:
    return [
        (c.original_text, c.replacement, c.concept_id, c.target_id, c.kind)
        for c in reframed.changes
    ]


def _flag_rows(reframed: Reframed) -> list[tuple[str, str, str, bool]]:
    return [(f.term, f.concept_id, f.kind, f.replaced) for f in reframed.flags]


def test_wilton_park_paragraph_for_human_rights_readers() -> None:
    result = reframe(shipped_lexicon(), WILTON_PARK_PARAGRAPH_3, "hr")
    assert _change_rows(result) == [
        (
            "mass atrocities",
            "gross human rights violations",
            "ap/mass-atrocity-crimes",
            "hr/gross-human-rights-violations",
            "close",
        ),
        (
            "Upstream atrocity prevention",
            "Prevention of human rights violations",
            "ap/upstream-prevention",
            "hr/prevention-of-violations",
            "close",
        ),
    ]
    assert _flag_rows(result) == [
        ("mass atrocities", "ap/mass-atrocity-crimes", "misleading", True),
        ("Atrocity prevention", "ap/atrocity-prevention", "sensitive", False),
        ("atrocity prevention", "ap/atrocity-prevention", "sensitive", False),
        ("civilian protection", "sec/protection-of-civilians", "misleading", False),
        ("atrocity prevention", "ap/atrocity-prevention", "sensitive", False),
        ("identity-based violence", "ap/identity-based-violence", "counterproductive", False),
        ("social cohesion", "dev/social-cohesion", "misleading", False),
    ]
    assert result.text == WILTON_PARK_PARAGRAPH_3.replace(
        "While mass atrocities", "While gross human rights violations"
    ).replace("Upstream atrocity prevention", "Prevention of human rights violations")


def test_wilton_park_paragraph_for_community_readers() -> None:
    result = reframe(shipped_lexicon(), WILTON_PARK_PARAGRAPH_3, "com")
    assert _change_rows(result) == [
        (
            "social cohesion",
            "community cohesion",
            "dev/social-cohesion",
            "com/community-cohesion",
            "close",
        )
    ]
    assert _flag_rows(result) == [
        ("mass atrocities", "ap/mass-atrocity-crimes", "counterproductive", False),
        ("Atrocity prevention", "ap/atrocity-prevention", "counterproductive", False),
        ("atrocity prevention", "ap/atrocity-prevention", "counterproductive", False),
        ("atrocity prevention", "ap/atrocity-prevention", "counterproductive", False),
    ]
    assert result.text == WILTON_PARK_PARAGRAPH_3.replace(
        "promotion of social cohesion", "promotion of community cohesion"
    )


def test_wilton_park_paragraph_for_security_readers_is_flagged_not_rewritten() -> None:
    result = reframe(shipped_lexicon(), WILTON_PARK_PARAGRAPH_3, "sec")
    assert result.text == WILTON_PARK_PARAGRAPH_3
    assert _flag_rows(result) == [
        ("mass atrocities", "ap/mass-atrocity-crimes", "sensitive", False),
        ("Upstream atrocity prevention", "ap/upstream-prevention", "misleading", False),
        ("identity-based violence", "ap/identity-based-violence", "sensitive", False),
    ]
