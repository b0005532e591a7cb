"""Incident drafts: a bad draft names its field, and the file and row it came from."""

from __future__ import annotations

import dataclasses

import pytest

from prevention_lens.errors import ValidationError
from prevention_lens.incidents.drafts import (
    INCIDENT_MAX_CHARS,
    MAX_SOURCES,
    MAX_TARGET_GROUPS,
    SOURCE_MAX_CHARS,
    TARGET_GROUP_MAX_CHARS,
    SourceDraft,
    draft_from_mapping,
    draft_sources,
)
from tests.incidents.sample_draft import draft_values


@pytest.mark.parametrize(
    ("changes", "field", "problem"),
    [
        ({"category": "picnic"}, "category", "unknown category 'picnic'"),
        ({"date_start": "25/08/2017"}, "date_start", "is not a date"),
        ({"date_end": "2017-08-01"}, "date_end", "before it starts"),
        ({"latitude": "95", "longitude": "10"}, "latitude", "outside -90..90"),
        ({"longitude": ""}, "latitude", "both latitude and longitude"),
        ({"fatalities_best": "many"}, "fatalities_best", "is not a count"),
        ({"fatalities_best": "-3", "fatalities_low": ""}, "fatalities_best", "negative"),
        ({"fatalities_low": "20"}, "fatalities_low", "above best"),
        ({"target_groups": "Rohingya"}, "target_groups", "dimension: name"),
        ({"target_groups": "tribe: X"}, "target_groups", "unknown identity dimension"),
        ({"country": ""}, "country", "is required"),
        ({"witness": "x"}, "witness", "is not a field"),
    ],
)
def test_a_bad_draft_names_its_field(changes: dict[str, object], field: str, problem: str) -> None:
    with pytest.raises(ValidationError) as caught:
        draft_from_mapping(draft_values(**changes), file="sheet.csv", row=7)
    assert caught.value.field == field and problem in str(caught.value)
    assert "sheet.csv" in str(caught.value) and "row 7" in str(caught.value)


@pytest.mark.parametrize("field", sorted(INCIDENT_MAX_CHARS))
def test_every_text_field_has_a_maximum_named_in_the_error(field: str) -> None:
    most = INCIDENT_MAX_CHARS[field]
    with pytest.raises(ValidationError) as caught:
        draft_from_mapping(draft_values(**{field: "x" * (most + 1)}), file="sheet.csv", row=3)
    assert caught.value.field == field
    assert f"longer than {most:,} characters" in str(caught.value)
    assert "xxxx" not in str(caught.value)  # the message never echoes the long text


def test_a_fifty_megabyte_narrative_is_refused_by_the_draft_itself() -> None:
    draft = dataclasses.replace(draft_from_mapping(draft_values()), narrative="n" * 50_000_000)
    with pytest.raises(ValidationError, match="narrative"):
        draft.check()


def test_text_at_the_maximum_is_accepted() -> None:
    values = {field: "y" * most for field, most in INCIDENT_MAX_CHARS.items()}
    for code in ("category", "country", "date_precision", "location_precision", "perpetrator_kind"):
        values.pop(code)
    draft = draft_from_mapping(draft_values(**values))
    assert len(draft.narrative) == INCIDENT_MAX_CHARS["narrative"]


def test_target_groups_and_sources_are_bounded() -> None:
    groups = "; ".join(f"ethnicity: group {n}" for n in range(MAX_TARGET_GROUPS + 1))
    with pytest.raises(ValidationError, match=f"at most {MAX_TARGET_GROUPS}"):
        draft_from_mapping(draft_values(target_groups=groups))
    long_name = f"ethnicity: {'g' * (TARGET_GROUP_MAX_CHARS + 1)}"
    with pytest.raises(ValidationError, match="longer than"):
        draft_from_mapping(draft_values(target_groups=long_name))
    many = [{"url": f"https://example.org/{n}"} for n in range(MAX_SOURCES + 1)]
    with pytest.raises(ValidationError, match=f"at most {MAX_SOURCES}"):
        draft_from_mapping(draft_values(sources=draft_sources(many)))


@pytest.mark.parametrize("field", sorted(SOURCE_MAX_CHARS))
def test_source_text_is_bounded(field: str) -> None:
    most = SOURCE_MAX_CHARS[field]
    long_value = "https://example.org/" + "p" * most if field == "url" else "p" * (most + 1)
    with pytest.raises(ValidationError) as caught:
        draft_sources([{field: long_value}])
    assert caught.value.field == field and f"{most:,}" in str(caught.value)


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "JAVASCRIPT:alert(document.cookie)",
        " javascript:alert(1)",
        " data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
        "vbscript:msgbox(1)",
        "java\tscript:alert(1)",
        "https://example.org/\nx",
        "file:///etc/passwd",
        "//evil.example/x",
        "example.org/report",
        "https:///no-host",
    ],
)
def test_source_links_other_than_http_https_and_ipfs_are_refused(url: str) -> None:
    with pytest.raises(ValidationError) as caught:
        draft_sources([{"url": url}])
    assert caught.value.field == "url"
    with pytest.raises(ValidationError):
        dataclasses.replace(
            draft_from_mapping(draft_values()), sources=(SourceDraft(url=url),)
        ).check()


@pytest.mark.parametrize(
    "url",
    [
        "https://news.example.org/tula-toli?x=1#p",
        "HTTP://EXAMPLE.ORG/",
        "  https://example.org/trimmed  ",
        "ipfs://bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi",
    ],
)
def test_http_https_and_ipfs_links_are_kept_trimmed(url: str) -> None:
    (source,) = draft_sources([{"url": url}])
    assert source.url == url.strip()
