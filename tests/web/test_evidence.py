"""Evidence-library pages on the shipped real entries: search with facets and paging, entry
pages, the gap map and its links, the transfer view, the admins' review and the analysts' form;
and no draft or staff field reaching anonymous readers or contributors by any page or export.

The fixtures here (``library``, ``client``, ``login``) serve test_evidence_api.py too.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from html import unescape
from typing import Any

import pytest
from fastapi.testclient import TestClient

from prevention_lens.accounts import users
from prevention_lens.settings import Settings
from prevention_lens.store import Store
from prevention_lens.store.access import ANONYMOUS, LOCAL_OPERATOR, Principal, Role
from prevention_lens.web.app import create_app
from prevention_lens.whatworks.entries import EntryDraft
from prevention_lens.whatworks.gapmap import library_gap_map
from prevention_lens.whatworks.library import EntryFilter, add_entries, list_entries, review_entry
from prevention_lens.whatworks.packaged import load_packaged
from prevention_lens.whatworks.search import facet_counts
from tests.web.forms import csrf_token, log_in

PASSWORD = "correct horse battery"
ANALYST, CONTRIBUTOR, ADMIN = "analyst-zq", "contrib-zq", "admin-zq"
# The hidden draft: a word that no shipped entry holds, in its title and summary.
DRAFT_WORD = "quokka"
DRAFT_KEY = "zuberi-2024-quokka-radio"
# What of the draft may not appear (the query itself is echoed in the search box).
DRAFT_MARKERS = (DRAFT_KEY, "Vexillary", f"{DRAFT_WORD}s and neighbours")
# A user's entry that an admin published with a note: its staff fields are the markers.
NOTED_KEY = "okonkwo-2023-okapi-dialogues"
REVIEW_NOTE = "REVIEW-NOTE-7731"
STAFF_MARKERS = (ANALYST, ADMIN, REVIEW_NOTE, "verified against the public records it names")
PAIR = ("media_development", "mass_atrocities")


def draft(key: str, title: str, **changes: Any) -> EntryDraft:
    """A complete entry (publishable) on media development and mass atrocities in Rwanda."""
    values: dict[str, Any] = {
        "key": key,
        "title": title,
        "authors": ("Zuberi, Amani",),
        "year": 2024,
        "venue": "Journal of Test Studies",
        "url": f"https://example.org/{key}",
        "kind": "impact_evaluation",
        "design": "randomised",
        "strength": 5,
        "summary": f"A radio drama about {DRAFT_WORD}s and neighbours, tested in villages.",
        "interventions": (PAIR[0],),
        "outcomes": (PAIR[1],),
        "countries": ("Rwanda",),
        "effect": "positive",
    }
    values.update(changes)
    return EntryDraft(**values)


@pytest.fixture
def library(sqlite_store: Store) -> Store:
    """The shipped entries, three users, a hidden draft and a user's entry an admin published."""
    with sqlite_store.session() as session:
        people = {}
        for name, role in ((ANALYST, Role.ANALYST), (CONTRIBUTOR, Role.CONTRIBUTOR)):
            people[name] = users.principal_of(
                users.add_user(session, LOCAL_OPERATOR, name, PASSWORD, role)
            )
        admin = users.principal_of(
            users.add_user(session, LOCAL_OPERATOR, ADMIN, PASSWORD, Role.ADMIN)
        )
        load_packaged(session)
        add_entries(
            session,
            people[ANALYST],
            [
                draft(DRAFT_KEY, f"Vexillary {DRAFT_WORD} radio dialogues and genocide prevention"),
                draft(
                    NOTED_KEY,
                    "Okapi dialogues between neighbours",
                    authors=("Okonkwo, Ada",),
                    year=2023,
                    summary="Facilitated dialogues between neighbouring villages.",
                    url="https://example.org/okapi",
                ),
            ],
        )
        review_entry(session, admin, NOTED_KEY, "publish", note=REVIEW_NOTE)
    return sqlite_store


@pytest.fixture
def client(settings: Settings, library: Store) -> Iterator[TestClient]:
    with TestClient(create_app(settings, library), base_url="https://testserver") as test:
        yield test


@pytest.fixture
def login(client: TestClient) -> Callable[[str], TestClient]:
    def as_user(username: str) -> TestClient:
        log_in(client, username, PASSWORD)
        return client

    return as_user


def principal(store: Store, username: str | None) -> Principal:
    if username is None:
        return ANONYMOUS
    with store.session() as session:
        return users.principal_of(users.get_user(session, username))


def facet_links(page: str, facet: str) -> dict[str, int]:
    """The value → count a facet of the search page shows."""
    section = re.search(rf'data-facet="{facet}">(.*?)</section>', page, re.S)
    assert section, f"no {facet} facet"
    found = re.findall(
        r'data-value="([^"]+)">[^<]*</a> <span class="count" data-count="(\d+)"', section.group(1)
    )
    return {value: int(count) for value, count in found}


def cell_count(page: str, intervention: str, outcome: str) -> int:
    match = re.search(
        rf'data-intervention="{intervention}" data-outcome="{outcome}" data-count="(\d+)"', page
    )
    assert match, f"no cell {intervention} × {outcome}"
    return int(match.group(1))


# --- reading -------------------------------------------------------------------------------


def test_the_search_page_lists_the_shipped_entries_with_citation_strength_and_effect(
    client: TestClient, library: Store
) -> None:
    page = client.get("/evidence")
    assert page.status_code == 200
    with library.session() as session:
        published = list_entries(session, ANONYMOUS)
    assert len(published) >= 80
    assert f'data-total="{len(published)}"' in page.text
    first = published[0]
    text = unescape(page.text)
    assert first.citation in text and f'href="/evidence/{first.key}"' in page.text
    assert re.search(r"Strength \d/5 · (Very strong|Strong|Moderate|Limited|Weak)", text)
    assert "Effect: " in text and "⚠ Harm found" in text
    assert 'href="/countries/' in page.text
    # Paging: 20 a page, the next page starts where this one ended.
    assert page.text.count('class="evidence-hit"') == 20
    second = client.get("/evidence?offset=20").text
    assert f"21–40 of {len(published)}" in second and 'rel="prev"' in second


def test_every_facet_counts_what_the_entries_hold_and_links_add_and_remove_filters(
    client: TestClient, library: Store
) -> None:
    with library.session() as session:
        expected = facet_counts(list_entries(session, ANONYMOUS))
    page = client.get("/evidence").text
    for facet in ("kind", "design", "interventions", "outcomes", "countries", "effect"):
        assert facet_links(page, facet) == expected[facet], facet
    # Strength filters on "at least": each value counts it and the stronger ones.
    strength = facet_links(page, "strength")
    exact = {int(value): count for value, count in expected["strength"].items()}
    assert strength["4"] == sum(count for level, count in exact.items() if level >= 4)
    kind = next(iter(expected["kind"]))
    filtered = client.get(f"/evidence?kind={kind}")
    assert f'data-total="{expected["kind"][kind]}"' in filtered.text
    assert facet_links(filtered.text, "kind") == {kind: expected["kind"][kind]}
    # The chosen value's link removes the filter again.
    assert 'href="/evidence" aria-current="true" class="selected"' in filtered.text
    harmful = client.get("/evidence?harm_only=true").text
    with library.session() as session:
        harms = list_entries(session, ANONYMOUS, EntryFilter(harm_only=True))
    assert f'data-total="{len(harms)}"' in harmful and harms


def test_a_query_in_french_finds_english_entries(client: TestClient) -> None:
    page = client.get("/evidence", params={"q": "prévention du génocide"}).text
    titles = re.findall(r'<h3><a href="/evidence/[^"]+">([^<]+)</a>', page)
    assert any("Genocide" in title for title in titles[:3]), titles[:5]
    assert client.get("/evidence?mode=telepathy&q=x").status_code == 422


def test_an_entry_page_shows_every_public_field_and_links_its_countries(
    client: TestClient, library: Store
) -> None:
    with library.session() as session:
        entries = list_entries(session, ANONYMOUS)
    harmful = next(e for e in entries if e.harm and e.countries and e.doi)
    page = client.get(f"/evidence/{harmful.key}")
    assert page.status_code == 200
    text = unescape(page.text)
    assert harmful.title in text and harmful.citation in text
    assert f'href="https://doi.org/{harmful.doi}"' in page.text
    assert 'class="harm-finding"' in page.text and harmful.harm in text
    for key in harmful.countries:
        assert f'href="/countries/{key}"' in page.text
    for address in harmful.verified_at:
        assert address in text
    assert "Edit this entry" not in page.text
    assert client.get("/evidence/no-such-entry-2020").status_code == 404


def test_the_gap_map_counts_cells_and_links_each_to_its_entries(
    client: TestClient, library: Store
) -> None:
    page = client.get("/evidence/gaps")
    assert page.status_code == 200
    with library.session() as session:
        expected = library_gap_map(session, ANONYMOUS)
    for cell in expected.cells:
        assert cell_count(page.text, cell.intervention, cell.outcome) == cell.count
    full = max(expected.cells, key=lambda cell: cell.count)
    link = f"/evidence?intervention={full.intervention}&amp;outcome={full.outcome}"
    assert f'<a href="{link}"' in page.text
    listed = client.get(unescape(link)).text
    assert f'data-total="{full.count}"' in listed
    # Absolute and synthesis gaps are told apart, in words and marks as well as colour.
    assert "absolute gap" in page.text and "synthesis gap" in page.text
    empty = next(cell for cell in expected.cells if cell.count == 0)
    assert f'data-outcome="{empty.outcome}" data-count="0" data-state="absolute_gap"' in page.text


def test_a_countrys_gap_map_links_to_the_entries_it_counts(
    client: TestClient, library: Store
) -> None:
    page = client.get("/evidence/gaps?country=Rwanda")
    assert page.status_code == 200 and "Evidence gap map: Rwanda" in page.text
    with library.session() as session:
        expected = library_gap_map(session, ANONYMOUS, country="RWA")
    cell = max(expected.cells, key=lambda cell: cell.count)
    assert cell_count(page.text, cell.intervention, cell.outcome) == cell.count
    link = re.search(
        rf'data-intervention="{cell.intervention}" data-outcome="{cell.outcome}"[^>]*>\s*'
        r'<a href="([^"]+)"',
        page.text,
    )
    assert link and "scope_country=RWA" in link.group(1)
    assert f'data-total="{cell.count}"' in client.get(unescape(link.group(1))).text
    assert client.get("/evidence/gaps?region=Africa").status_code == 200
    assert client.get("/evidence/gaps?region=Atlantis").status_code == 422
    assert client.get("/evidence/gaps?country=Narnia").status_code == 404


def test_the_transfer_view_ranks_entries_with_reasons(
    client: TestClient, settings: Settings
) -> None:
    if settings.sources is None:
        pytest.skip("the shared data folder is absent (LENS_SOURCES)")
    moved = client.get("/evidence/transfer/Burma", follow_redirects=False)
    assert moved.status_code == 307 and moved.headers["location"] == "/evidence/transfer/MMR"
    page = client.get("/evidence/transfer/MMR")
    assert page.status_code == 200
    assert "What works here: Myanmar" in page.text
    assert re.search(r"\d+% similar", page.text)
    assert '<ul class="reasons"' in page.text and 'href="/countries/MMR"' in page.text


# --- review and the form -------------------------------------------------------------------


def test_an_admin_publishes_a_draft_and_an_analyst_cannot(
    client: TestClient, login: Callable[[str], TestClient]
) -> None:
    login(ANALYST)
    assert DRAFT_KEY in client.get("/evidence?status=draft").text
    token = csrf_token(client, f"/evidence/{DRAFT_KEY}")
    refused = client.post(
        f"/evidence/{DRAFT_KEY}/review", data={"decision": "publish", "csrf_token": token}
    )
    assert refused.status_code == 403
    assert client.get("/evidence/review").status_code == 403
    client.post("/logout", data={"csrf_token": token})
    client.cookies.clear()
    assert client.get(f"/evidence/{DRAFT_KEY}").status_code == 404
    login(ADMIN)
    review = client.get("/evidence/review")
    assert review.status_code == 200 and DRAFT_KEY in review.text
    token = csrf_token(client, "/evidence/review")
    no_token = client.post(f"/evidence/{DRAFT_KEY}/review", data={"decision": "publish"})
    assert no_token.status_code == 403
    done = client.post(
        f"/evidence/{DRAFT_KEY}/review",
        data={"decision": "publish", "csrf_token": token},
        follow_redirects=False,
    )
    assert done.status_code == 303 and done.headers["location"] == "/evidence/review"
    assert DRAFT_KEY not in client.get("/evidence/review").text
    client.cookies.clear()
    assert client.get(f"/evidence/{DRAFT_KEY}").status_code == 200


def test_an_incomplete_draft_cannot_be_published(
    client: TestClient, library: Store, login: Callable[[str], TestClient]
) -> None:
    with library.session() as session:
        add_entries(
            session,
            principal(library, ANALYST),
            [EntryDraft(title="Only a title", authors=("Nobody, N.",), year=2020, key="bare-one")],
        )
    login(ADMIN)
    review = client.get("/evidence/review").text
    assert "a DOI or a stable URL" in review and "a summary in our own words" in review
    token = csrf_token(client, "/evidence/review")
    refused = client.post(
        "/evidence/bare-one/review", data={"decision": "publish", "csrf_token": token}
    )
    assert refused.status_code == 409 and "cannot be published yet" in refused.text


def test_analysts_add_and_edit_entries_with_errors_shown_by_field(
    client: TestClient, login: Callable[[str], TestClient]
) -> None:
    assert client.get("/evidence/new", follow_redirects=False).status_code == 303
    login(CONTRIBUTOR)
    assert client.get("/evidence/new").status_code == 403
    client.cookies.clear()
    login(ANALYST)
    token = csrf_token(client, "/evidence/new")
    form = {
        "csrf_token": token,
        "title": "Peace clubs in secondary schools",
        "authors": "Mwangi, Grace\nOtieno, Paul",
        "year": "2021",
        "doi": "not a doi",
        "countries": "Kenya",
        "interventions": ["community_building"],
        "outcomes": ["intergroup_attitudes"],
        "kind": "impact_evaluation",
        "strength": "4",
        "emmie_effect": "3",
    }
    bad = client.post("/evidence/new", data=form)
    assert bad.status_code == 422
    assert re.search(r'id="error-doi" role="alert">[^<]*is not a DOI', unescape(bad.text))
    assert 'name="doi" maxlength="200" placeholder="10.1037/a0011989" value="not a doi" ' in (
        bad.text
    )
    assert 'value="Peace clubs in secondary schools"' in bad.text  # nothing typed is lost
    bad_year = client.post("/evidence/new", data={**form, "doi": "", "year": "20x1"})
    assert bad_year.status_code == 422 and 'id="error-year"' in bad_year.text
    unknown = client.post("/evidence/new", data={**form, "doi": "", "countries": "Narnia"})
    assert unknown.status_code == 422, unknown.text
    assert 'id="error-countries"' in unknown.text, re.findall(r"error-message.*", unknown.text)
    made = client.post(
        "/evidence/new", data={**form, "doi": "10.1234/peace.2021"}, follow_redirects=False
    )
    assert made.status_code == 303
    key = made.headers["location"].removeprefix("/evidence/")
    page = client.get(f"/evidence/{key}").text
    assert "Peace clubs in secondary schools" in page and "Not public" in page
    assert 'href="/countries/KEN"' in page and "3 of 4" in page
    edit = client.get(f"/evidence/{key}/edit").text
    assert "Mwangi, Grace\nOtieno, Paul</textarea>" in edit and 'value="Kenya"' in edit
    changed = client.post(
        f"/evidence/{key}/edit",
        data={**form, "doi": "10.1234/peace.2021", "title": "Peace clubs in schools"},
        follow_redirects=False,
    )
    assert changed.status_code == 303
    assert "Peace clubs in schools" in client.get(f"/evidence/{key}").text


# --- leak tests ----------------------------------------------------------------------------


@pytest.mark.parametrize("reader", [None, CONTRIBUTOR])
def test_a_draft_reaches_no_anonymous_reader_or_contributor_by_any_page(
    client: TestClient, library: Store, login: Callable[[str], TestClient], reader: str | None
) -> None:
    if reader:
        login(reader)
    pages = [
        "/evidence",
        f"/evidence?q={DRAFT_WORD}",
        f"/evidence?q={DRAFT_WORD}&mode=text",
        "/evidence?q=radio+dialogues+genocide&mode=semantic",
        "/evidence?status=draft",
        f"/evidence?intervention={PAIR[0]}&outcome={PAIR[1]}&country=RWA",
        "/evidence/gaps",
        "/evidence/gaps?country=RWA",
        "/api/v1/evidence/export?format=csv",
        "/api/v1/evidence/export?format=bibtex",
        "/api/v1/evidence/export?format=csl-json",
        f"/api/v1/evidence/export?format=ris&q={DRAFT_WORD}",
    ]
    for path in pages:
        answer = client.get(path)
        assert answer.status_code == 200, path
        assert not [marker for marker in DRAFT_MARKERS if marker in answer.text], path
    entry = client.get(f"/evidence/{DRAFT_KEY}")
    missing = client.get("/evidence/zzzzzz-2024-nothing-here")
    assert entry.status_code == missing.status_code == 404
    assert entry.text.replace(DRAFT_KEY, "K") == missing.text.replace(
        "zzzzzz-2024-nothing-here", "K"
    )
    edit = client.get(f"/evidence/{DRAFT_KEY}/edit", follow_redirects=False)
    assert edit.status_code == (403 if reader else 303)
    # Facet and gap-map counts are those of the published entries only.
    seen = principal(library, reader)
    with library.session() as session:
        visible = list_entries(session, seen)
        expected = facet_counts(visible)
        everything = facet_counts(list_entries(session, LOCAL_OPERATOR))
        gaps = library_gap_map(session, seen)
    assert all(entry.status == "published" for entry in visible)
    page = client.get("/evidence").text
    assert facet_links(page, "kind") == expected["kind"]
    assert expected["kind"]["impact_evaluation"] == everything["kind"]["impact_evaluation"] - 1
    gap_page = client.get("/evidence/gaps").text
    assert cell_count(gap_page, *PAIR) == gaps.cell(*PAIR).count
    with library.session() as session:
        assert (
            gaps.cell(*PAIR).count == library_gap_map(session, LOCAL_OPERATOR).cell(*PAIR).count - 1
        )


@pytest.mark.parametrize("reader", [None, CONTRIBUTOR])
def test_the_transfer_view_never_ranks_a_draft_for_readers_below_analyst(
    client: TestClient, settings: Settings, login: Callable[[str], TestClient], reader: str | None
) -> None:
    if settings.sources is None:
        pytest.skip("the shared data folder is absent (LENS_SOURCES)")
    if reader:
        login(reader)
    for path in ("/evidence/transfer/RWA", "/api/v1/evidence/transfer/RWA?limit=100"):
        answer = client.get(path)
        assert answer.status_code == 200, path
        assert not [marker for marker in DRAFT_MARKERS if marker in answer.text], path


def test_staff_fields_never_reach_anonymous_readers(client: TestClient) -> None:
    paths = [
        f"/evidence/{NOTED_KEY}",
        "/evidence?q=okapi",
        f"/api/v1/evidence/{NOTED_KEY}",
        "/api/v1/evidence?q=okapi",
        "/api/v1/evidence/export?format=csv",
        "/api/v1/evidence/export?format=bibtex",
        "/api/v1/evidence/export?format=csl-json",
        "/api/v1/evidence/export?format=ris",
    ]
    for path in paths:
        answer = client.get(path)
        assert answer.status_code == 200, path
        for marker in STAFF_MARKERS:
            assert marker not in answer.text, f"{marker} on {path}"
    body = client.get(f"/api/v1/evidence/{NOTED_KEY}").json()["entry"]
    assert not {"created_by", "reviewed_by", "reviewed_at", "review_note"} & set(body)


def test_analysts_see_the_staff_fields(
    client: TestClient, login: Callable[[str], TestClient]
) -> None:
    login(ANALYST)
    page = client.get(f"/evidence/{NOTED_KEY}").text
    assert ANALYST in page and ADMIN in page and REVIEW_NOTE in page
    assert "Edit this entry" in page
