"""Actor intake: the template round trip, all-or-nothing imports whose errors name row and
field, duplicates in the file and in the store, warnings, XLSX, and the example mapping kept
apart from real records."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from prevention_lens.actors.duplicates import duplicate_pairs, find_duplicates, similarity
from prevention_lens.actors.example import EXAMPLE_PREFIX, generate_example, load_example
from prevention_lens.actors.records import DRAFT_FIELDS, ActorFilter, list_actors
from prevention_lens.errors import ImportRejectedError, ValidationError
from prevention_lens.ingest.actors import import_actor_sheet, read_actor_sheet
from prevention_lens.settings import Settings
from prevention_lens.sources.actor_sheet import (
    ACTOR_COLUMNS,
    RELATIONSHIP_COLUMNS,
    parse_actor_sheet,
    write_csv,
    write_xlsx,
)
from prevention_lens.store import Store
from prevention_lens.store.access import ANONYMOUS, LOCAL_OPERATOR
from prevention_lens.store.models import Actor

ACTORS = [
    {"actor_ref": "cpf", "name": "Coast Peace Forum", "kind": "civil_society", "levels": "local",
     "countries": "Kenya"},
    {"actor_ref": "wn", "name": "Lake Women Network", "kind": "civil_society",
     "levels": "national; regional", "countries": "KEN; Uganda", "contact_email": "a@b.org"},
]  # fmt: skip
RELATIONS = [{"source_ref": "cpf", "target_ref": "wn", "kind": "partnership"}]


def _sheet(tmp_path: Path, actors: list[dict[str, str]], relations: list[dict[str, str]]) -> Path:
    path = tmp_path / "map.csv"
    write_csv(path, actors, relations)
    return path


def _problems(path: Path) -> list[ValidationError]:
    return read_actor_sheet(path)[1]


def test_the_template_names_every_draft_field() -> None:
    assert set(DRAFT_FIELDS) <= set(ACTOR_COLUMNS)
    assert RELATIONSHIP_COLUMNS[:3] == ("source_ref", "target_ref", "kind")


@settings(max_examples=25, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.lists(
        st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=30).map(
            str.strip
        ),
        min_size=1,
        max_size=5,
    )
)
def test_the_csv_template_round_trips(tmp_path: Path, descriptions: list[str]) -> None:
    actors = [
        {"actor_ref": f"r{i}", "name": f"Org {i}", "kind": "media", "levels": "local",
         "countries": "KEN", "description": text}
        for i, text in enumerate(descriptions)
    ]  # fmt: skip
    sheet = parse_actor_sheet(_sheet(tmp_path, actors, []))
    assert [row.cells["description"] for row in sheet.actors] == descriptions


def test_a_good_sheet_imports_as_drafts_and_again_changes_nothing(
    store: Store, settings: Settings, tmp_path: Path
) -> None:
    path = _sheet(tmp_path, ACTORS, RELATIONS)
    result = import_actor_sheet(store, settings, LOCAL_OPERATOR, path)
    assert (result.report.rows_read, result.report.rows_created) == (3, 3)
    with store.session() as session:
        rows = list_actors(session, LOCAL_OPERATOR, ActorFilter())
        assert {row.status for row in rows} == {"draft"}
        assert {row.staff.source for row in rows if row.staff} == {"import:map.csv"}
        assert list_actors(session, ANONYMOUS, ActorFilter()) == []
    again = import_actor_sheet(store, settings, LOCAL_OPERATOR, path)
    assert (again.report.rows_created, again.report.rows_unchanged) == (0, 3)


@pytest.mark.parametrize(
    ("change", "where", "problem"),
    [
        ({"countries": "Kenia"}, "row 2, field 'countries'", "did you mean Kenya"),
        ({"kind": "club"}, "row 2, field 'kind'", "unknown value 'club'"),
        ({"levels": ""}, "row 2, field 'levels'", "at least one level"),
        ({"actor_ref": "wn"}, "row 3, field 'actor_ref'", "repeats row 2"),
        ({"contact_email": "nope"}, "row 2, field 'contact_email'", "not an e-mail"),
        ({"name": "Example: Fake"}, "row 2, field 'name'", "example mapping"),
    ],
)
def test_a_bad_row_names_row_and_field_and_nothing_is_imported(
    sqlite_store: Store, settings: Settings, tmp_path: Path, change: dict[str, str], where: str,
    problem: str,
) -> None:  # fmt: skip
    path = _sheet(tmp_path, [{**ACTORS[0], **change}, ACTORS[1]], [])
    with pytest.raises(ImportRejectedError) as caught:
        import_actor_sheet(sqlite_store, settings, LOCAL_OPERATOR, path)
    assert f"map.csv, {where}" in str(caught.value) and problem in str(caught.value)
    with sqlite_store.session() as session:
        assert session.query(Actor).count() == 0


@pytest.mark.parametrize(
    ("relation", "field", "problem"),
    [
        ({"source_ref": "cpf", "target_ref": "cpf", "kind": "partnership"}, "target_ref",
         "relationship with itself"),
        ({"source_ref": "cpf", "target_ref": "ghost", "kind": "funding"}, "target_ref",
         "no row of the actors sheet"),
        ({"source_ref": "cpf", "target_ref": "wn", "kind": "friendship"}, "kind", "unknown value"),
        ({"source_ref": "cpf", "target_ref": "wn", "kind": "referral", "strength": "9"},
         "strength", "not 1, 2 or 3"),
        ({"source_ref": "cpf", "target_ref": "wn", "kind": "referral", "start_date": "2020-02-01",
          "end_date": "2019-01-01"}, "end_date", "ends before it starts"),
    ],
)  # fmt: skip
def test_bad_relationships_are_named(
    tmp_path: Path, relation: dict[str, str], field: str, problem: str
) -> None:
    problems = _problems(_sheet(tmp_path, ACTORS, [relation]))
    assert len(problems) == 1
    assert problems[0].file == "map.relationships.csv" and problems[0].row == 2
    assert problems[0].field == field and problem in problems[0].problem


def test_a_relationship_to_an_invalid_actor_names_its_row(tmp_path: Path) -> None:
    problems = _problems(_sheet(tmp_path, [{**ACTORS[0], "kind": "club"}, ACTORS[1]], RELATIONS))
    assert [(p.row, p.field) for p in problems] == [(2, "kind"), (2, "source_ref")]
    assert "actor row 2 is invalid" in problems[1].problem


def test_a_file_in_the_wrong_template_gets_one_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "other.csv"
    path.write_text("id,organisation,country\n1,X,KEN\n")
    with pytest.raises(ValidationError) as caught:
        read_actor_sheet(path)
    message = str(caught.value)
    assert "missing column(s) actor_ref, name, kind, levels, countries" in message
    assert "unknown column(s) id, organisation, country" in message
    assert "lens actors template" in message


def test_the_same_organisation_twice_in_a_file_is_an_error(tmp_path: Path) -> None:
    twin = {**ACTORS[0], "actor_ref": "again", "name": "coast peace forum!"}
    problems = _problems(_sheet(tmp_path, [*ACTORS, twin], []))
    assert [(p.row, p.field) for p in problems] == [(4, "name")]
    assert "same organisation as row 2" in problems[0].problem


def test_a_similar_name_is_imported_with_a_proposed_merge(
    sqlite_store: Store, settings: Settings, tmp_path: Path
) -> None:
    similar = {**ACTORS[0], "actor_ref": "cpf2", "name": "Coast Peace Forum (CPF)"}
    result = import_actor_sheet(
        sqlite_store, settings, LOCAL_OPERATOR, _sheet(tmp_path, [*ACTORS, similar], [])
    )
    assert [(m["keep_name"], m["drop_name"]) for m in result.proposed_merges] == [
        ("Coast Peace Forum", "Coast Peace Forum (CPF)")
    ]


def test_a_name_already_stored_from_elsewhere_rejects_the_file(
    sqlite_store: Store, settings: Settings, tmp_path: Path
) -> None:
    import_actor_sheet(sqlite_store, settings, LOCAL_OPERATOR, _sheet(tmp_path, ACTORS, []))
    other = tmp_path / "other.csv"
    write_csv(other, [{**ACTORS[0], "actor_ref": "x", "name": "The Coast Peace Forum"}], [])
    with pytest.raises(ImportRejectedError) as caught:
        import_actor_sheet(sqlite_store, settings, LOCAL_OPERATOR, other)
    assert "other.csv, row 2, field 'name': is already stored as actor 1" in str(caught.value)
    with sqlite_store.session() as session:
        assert session.query(Actor).count() == 2
        found = find_duplicates(session, LOCAL_OPERATOR, "Coast Peace Forum CPF", ["KEN"])
        assert [match["actor_id"] for match in found] == [1]
        assert find_duplicates(session, LOCAL_OPERATOR, "Coast Peace Forum", ["COL"]) == []


def test_skip_invalid_imports_the_valid_rows(
    sqlite_store: Store, settings: Settings, tmp_path: Path
) -> None:
    path = _sheet(tmp_path, [{**ACTORS[0], "countries": "Narnia"}, ACTORS[1]], RELATIONS)
    result = import_actor_sheet(sqlite_store, settings, LOCAL_OPERATOR, path, skip_invalid=True)
    assert (result.report.rows_created, result.report.rows_rejected) == (1, 2)


def test_contact_details_in_public_fields_are_warnings(
    sqlite_store: Store, settings: Settings, tmp_path: Path
) -> None:
    noisy = {**ACTORS[0], "description": "Call +254 700 123 456"}
    result = import_actor_sheet(
        sqlite_store, settings, LOCAL_OPERATOR, _sheet(tmp_path, [noisy, ACTORS[1]], [])
    )
    assert result.report.rows_created == 2
    assert result.warnings == (
        "map.csv, row 2: description holds what looks like a phone number; put it under contacts",
    )


def test_an_xlsx_workbook_imports_like_csv(
    sqlite_store: Store, settings: Settings, tmp_path: Path
) -> None:
    path = write_xlsx(tmp_path / "map.xlsx", ACTORS, RELATIONS, [("name", "required")])
    result = import_actor_sheet(sqlite_store, settings, LOCAL_OPERATOR, path)
    assert result.report.rows_created == 3
    bad = write_xlsx(tmp_path / "bad.xlsx", ACTORS, [{**RELATIONS[0], "target_ref": "cpf"}])
    problems = _problems(bad)
    assert [(p.file, p.row, p.field) for p in problems] == [
        ("bad.xlsx (relationships)", 2, "target_ref")
    ]


def test_the_example_is_fixed_by_its_seed_and_labelled() -> None:
    first, second = generate_example(), generate_example()
    assert first == second
    assert 250 <= len(first.actors) <= 350 and 600 <= len(first.relationships) <= 900
    assert all(row["name"].startswith(EXAMPLE_PREFIX) for row in first.actors)
    assert all("not a real organisation" in row["description"] for row in first.actors)
    assert len({row["name"] for row in first.actors}) == len(first.actors)
    assert all(r["source_ref"] != r["target_ref"] for r in first.relationships)


def test_the_example_loads_once_and_never_mixes_with_real_records(
    sqlite_store: Store, settings: Settings, tmp_path: Path
) -> None:
    import_actor_sheet(sqlite_store, settings, LOCAL_OPERATOR, _sheet(tmp_path, ACTORS, []))
    mapping = generate_example()
    with sqlite_store.session() as session:
        counts = load_example(session, LOCAL_OPERATOR, mapping)
    assert counts["actors_created"] == len(mapping.actors)
    with sqlite_store.session() as session:
        again = load_example(session, LOCAL_OPERATOR, mapping)
        assert again["actors_created"] == again["relationships_created"] == 0
        real = list_actors(session, ANONYMOUS, ActorFilter(dataset="real"))
        example = list_actors(session, ANONYMOUS, ActorFilter(dataset="example"))
        assert real == [] and len(example) == len(mapping.actors)
        analyst_real = list_actors(session, LOCAL_OPERATOR, ActorFilter(dataset="real"))
        assert {row.name for row in analyst_real} == {a["name"] for a in ACTORS}
        pairs = duplicate_pairs(session, LOCAL_OPERATOR, "example")
        assert len(pairs) == 3 and all(pair["drop_name"].endswith(")") for pair in pairs)


def test_similarity_ignores_case_accents_punctuation_and_common_words() -> None:
    assert similarity("The Coast Peace Forum", "coast peace forum!") == 100
    assert similarity("Asociación Paz Costera", "Asociacion Paz Costera") == 100
    assert similarity("Women Mediators Organisation", "Women Mediators Organization") >= 88
    assert similarity("Peace Forum", "Coastal Peace Forum") < 88


def test_an_actor_sheet_with_an_unclosed_quote_names_its_row_and_line(tmp_path: Path) -> None:
    sheet = tmp_path / "actors.csv"
    sheet.write_text(",".join(ACTOR_COLUMNS) + '\n"Women for Peace' + "," * 3 + "\n", "utf-8")
    with pytest.raises(ValidationError) as raised:
        parse_actor_sheet(sheet)
    assert (raised.value.file, raised.value.row) == ("actors.csv", 2)
    assert "a quote opened in this row (line 2) is never closed" in str(raised.value)
