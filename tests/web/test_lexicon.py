"""Sector-lexicon pages on the shipped concepts: the browser side by side with its filter and
language switch, a concept page with its mappings drawn (one SVG edge per mapping), the reframe
box, and changes proposed by analysts and approved by admins; and no proposal or its note
reaching anonymous readers or contributors by any page or API route.

The fixtures here (``lexicon_store``, ``client``, ``login``) serve test_lexicon_api.py too.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from html import unescape
from typing import Any
from urllib.parse import urlencode

import pytest
from fastapi.testclient import TestClient

from prevention_lens.accounts import users
from prevention_lens.lexicon.content import shipped_lexicon
from prevention_lens.lexicon.model import SCHEMES
from prevention_lens.lexicon.records import load_shipped, propose_change, stored_lexicon
from prevention_lens.settings import Settings
from prevention_lens.store import Store
from prevention_lens.store.access import LOCAL_OPERATOR, Role
from prevention_lens.web.app import create_app
from tests.web.forms import csrf_token, log_in

PASSWORD = "correct horse battery"
ANALYST, CONTRIBUTOR, ADMIN = "analyst-lx", "contrib-lx", "admin-lx"
# A proposal that is never approved: its content and note must reach only analysts and admins.
SECRET_DEFINITION = "WOMBAT-DEFINITION-5521 a proposed definition nobody approved"
SECRET_NOTE = "WOMBAT-NOTE-8812 why the analyst wants it"
SECRET_MARKERS = ("WOMBAT-DEFINITION-5521", "WOMBAT-NOTE-8812")
PENDING_CONCEPT = "pb/sustaining-peace"
MASS = "ap/mass-atrocity-crimes"
HR_TERM = "hr/gross-human-rights-violations"
REPORT_SENTENCE = "The risk of mass atrocities is rising."


@pytest.fixture
def lexicon_store(sqlite_store: Store) -> Store:
    """The shipped lexicon, three users, and one change an analyst proposed (not reviewed)."""
    with sqlite_store.session() as session:
        for name, role in (
            (ANALYST, Role.ANALYST),
            (CONTRIBUTOR, Role.CONTRIBUTOR),
            (ADMIN, Role.ADMIN),
        ):
            users.add_user(session, LOCAL_OPERATOR, name, PASSWORD, role)
        load_shipped(session)
        analyst = users.principal_of(users.get_user(session, ANALYST))
        lexicon = stored_lexicon(session)
        current = lexicon.concept(PENDING_CONCEPT)
        from dataclasses import replace

        propose_change(
            session,
            analyst,
            replace(current, definition=SECRET_DEFINITION),
            list(lexicon.mappings_from(PENDING_CONCEPT)),
            SECRET_NOTE,
        )
    return sqlite_store


@pytest.fixture
def client(settings: Settings, lexicon_store: Store) -> Iterator[TestClient]:
    with TestClient(create_app(settings, lexicon_store), base_url="https://testserver") as test:
        yield test


@pytest.fixture
def login(client: TestClient) -> Callable[[str], TestClient]:
    def as_user(username: str) -> TestClient:
        log_in(client, username, PASSWORD)
        return client

    return as_user


def text_of(html: str) -> str:
    return unescape(re.sub(r"<[^>]+>", " ", html))


def svg_of(page: str) -> str:
    match = re.search(r'<svg[^>]*class="mapping-diagram".*?</svg>', page, re.S)
    assert match, "the concept page has no mapping diagram"
    return match.group(0)


# --- the browser -----------------------------------------------------------------------------


def test_the_browser_shows_every_scheme_side_by_side_with_core_concepts_marked(
    client: TestClient,
) -> None:
    page = client.get("/lexicon")
    assert page.status_code == 200
    lexicon = shipped_lexicon()
    assert re.findall(r'<section class="lexicon-scheme[^"]*" data-scheme="(\w+)"', page.text) == (
        list(SCHEMES)
    )
    shown = re.findall(r'<li(?: class="core")? data-concept="([^"]+)"', page.text)
    assert sorted(shown) == sorted(lexicon.concepts)
    core = set(re.findall(r'<li class="core" data-concept="([^"]+)"', page.text))
    assert core == {concept.id for concept in lexicon.concepts.values() if concept.core}
    assert f'href="/lexicon/{MASS}"' in page.text
    assert 'href="/lexicon" aria-current="page"' in page.text  # the navigation names it


def test_the_filter_finds_concepts_by_any_label_accents_ignored(client: TestClient) -> None:
    page = client.get("/lexicon", params={"q": "génocide"}).text
    shown = set(re.findall(r'data-concept="([^"]+)"', page))
    assert "ap/genocide" in shown
    assert "hr/accountability" not in shown
    spanish = set(re.findall(r'data-concept="([^"]+)"', client.get("/lexicon?q=crímenes").text))
    assert MASS in spanish  # its Spanish label is "crímenes atroces"
    core_only = client.get("/lexicon?core=true").text
    assert 'data-concept="ap/atrocity-lens"' not in core_only
    assert f'data-concept="{MASS}"' in core_only


def test_the_language_switch_shows_french_and_spanish_labels_where_present(
    client: TestClient,
) -> None:
    lexicon = shipped_lexicon()
    french = client.get("/lexicon?lang=fr").text
    assert 'lang="fr" aria-current="true">Français' in french
    assert f'href="/lexicon/{MASS}?lang=fr" lang="fr">atrocités criminelles</a>' in french
    missing = next(c for c in lexicon.concepts.values() if "fr" not in c.pref_labels)
    assert f'href="/lexicon/{missing.id}?lang=fr" lang="en">{missing.label()}</a>' in unescape(
        french
    )
    assert "no Français label" in french
    spanish = client.get("/lexicon?lang=es").text
    assert ">crímenes atroces</a>" in spanish
    assert client.get("/lexicon?lang=de").status_code == 422


# --- one concept -----------------------------------------------------------------------------


def test_a_concept_page_shows_labels_definition_source_notes_and_mappings(
    client: TestClient,
) -> None:
    lexicon = shipped_lexicon()
    concept = lexicon.concept(MASS)
    page = client.get(f"/lexicon/{MASS}")
    assert page.status_code == 200
    text = text_of(page.text)
    for language in ("en", "fr", "es"):
        assert concept.pref_labels[language] in text
    assert concept.definition is not None and concept.source is not None
    assert " ".join(concept.definition.split()) in " ".join(text.split())
    assert concept.source.citation in text
    assert f'href="{concept.source.url}"' in page.text
    for note in concept.scope_notes:
        assert note.note in text
        assert f"With {SCHEMES[note.audience]} readers" in text
    rows = re.findall(r'<tr data-target="([^"]+)" data-kind="(\w+)">', page.text)
    mappings = lexicon.mappings_from(MASS)
    assert sorted(rows) == sorted((m.target, m.kind) for m in mappings)
    for mapping in mappings:
        assert mapping.rationale in text
    for scheme, reason in concept.no_term.items():
        assert f'data-scheme="{scheme}"' in page.text and reason in text
    assert HR_TERM in page.text  # what human-rights readers call it


def test_the_diagram_draws_one_labelled_edge_per_mapping_and_links_every_node(
    client: TestClient,
) -> None:
    lexicon = shipped_lexicon()
    for concept_id in (MASS, "ap/atrocity-prevention", "hr/gross-human-rights-violations"):
        svg = svg_of(client.get(f"/lexicon/{concept_id}").text)
        edges = re.findall(
            r'<line class="edge edge-(\w+)" data-source="([^"]+)" data-target="([^"]+)" '
            r'data-kind="(\w+)"[^>]*?(?: stroke-dasharray="([^"]+)")?>',
            svg,
        )
        mappings = lexicon.mappings_from(concept_id)
        assert len(edges) == len(mappings)
        assert sorted((target, kind) for _, _, target, kind, _ in edges) == sorted(
            (m.target, m.kind) for m in mappings
        )
        assert all(source == concept_id for _, source, _, _, _ in edges)
        labels = re.findall(r'<text class="edge-label"[^>]*>(\w+)</text>', svg)
        assert sorted(labels) == sorted(m.kind for m in mappings)
        links = set(re.findall(r'<a href="/lexicon/([^"?]+)" class="node-link"', svg))
        assert links == {m.target for m in mappings}
    # Kinds differ by dash pattern, not only by colour.
    svg = svg_of(client.get("/lexicon/ap/atrocity-prevention").text)
    pattern = r'data-kind="(\w+)"[^>]*?stroke-width="[^"]+"(?: stroke-dasharray="([^"]+)")?'
    dashes = dict(re.findall(pattern, svg))
    assert len(set(dashes.values())) == len(dashes) >= 2


def test_unknown_concepts_and_schemes_are_404(client: TestClient) -> None:
    assert client.get("/lexicon/ap/no-such-concept").status_code == 404
    assert client.get("/lexicon/xx/genocide").status_code == 404


# --- reframe ---------------------------------------------------------------------------------


def test_the_reframe_box_rewrites_for_an_audience_and_marks_each_change(
    client: TestClient,
) -> None:
    form = client.get("/lexicon/reframe")
    assert form.status_code == 200 and 'name="csrf_token"' in form.text
    page = client.post(
        "/lexicon/reframe",
        data={
            "text": REPORT_SENTENCE,
            "audience": "hr",
            "language": "en",
            "csrf_token": csrf_token(client, "/lexicon/reframe"),
        },
    )
    assert page.status_code == 200
    mark = re.search(r'<mark class="change[^"]*"[^>]*title="([^"]+)">([^<]+)</mark>', page.text)
    assert mark is not None
    assert mark.group(2) == "gross human rights violations"
    title = unescape(mark.group(1))
    rationale = shipped_lexicon().mappings_from(MASS)
    expected = next(m.rationale for m in rationale if m.target == HR_TERM)
    assert MASS in title and HR_TERM in title and expected in title
    shown = re.search(r'<div class="reframed-text"[^>]*>(.*?)</div>', page.text, re.S)
    assert shown is not None
    assert unescape(re.sub(r"<[^>]+>", "", shown.group(1))) == (
        "The risk of gross human rights violations is rising."
    )
    assert 'data-changes="1"' in page.text
    # The flag (mass is not a legal element) is listed too.
    assert re.search(
        r'<tr data-concept="ap/mass-atrocity-crimes" data-kind="misleading">', page.text
    )


def test_the_reframe_box_needs_its_csrf_token_and_names_a_bad_audience(
    client: TestClient,
) -> None:
    refused = client.post(
        "/lexicon/reframe", data={"text": REPORT_SENTENCE, "audience": "hr", "language": "en"}
    )
    assert refused.status_code == 403
    bad = client.post(
        "/lexicon/reframe",
        data={
            "text": REPORT_SENTENCE,
            "audience": "martians",
            "language": "en",
            "csrf_token": csrf_token(client, "/lexicon/reframe"),
        },
    )
    assert bad.status_code == 422 and "unknown audience" in unescape(bad.text)
    assert REPORT_SENTENCE in bad.text  # the text typed is kept


# --- proposing and reviewing -----------------------------------------------------------------


def _edit_fields(page: str) -> list[tuple[str, str]]:
    """The edit form's fields as a browser would send them, unchanged."""
    fields: list[tuple[str, str]] = []
    for tag in re.findall(
        r"<input [^>]*>|<textarea [^>]*>.*?</textarea>|<select .*?</select>", page, re.S
    ):
        name = re.search(r'name="([^"]+)"', tag)
        if name is None:
            continue
        if tag.startswith("<textarea"):
            value = re.search(r">(.*)</textarea>", tag, re.S)
            fields.append((name.group(1), unescape(value.group(1) if value else "")))
        elif tag.startswith("<select"):
            option = re.search(r'<option value="([^"]*)" selected>', tag) or re.search(
                r'<option value="([^"]*)"', tag
            )
            fields.append((name.group(1), option.group(1) if option else ""))
        elif 'type="checkbox"' in tag:
            if " checked" in tag:
                fields.append((name.group(1), "on"))
        else:
            value = re.search(r'value="([^"]*)"', tag)
            fields.append((name.group(1), unescape(value.group(1)) if value else ""))
    return fields


def post_form(
    client: TestClient, path: str, fields: list[tuple[str, str]], follow_redirects: bool = True
) -> Any:
    """Post fields that repeat (the form's rows) as a browser encodes them."""
    return client.post(
        path,
        content=urlencode(fields),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        follow_redirects=follow_redirects,
    )


def _replace(fields: list[tuple[str, str]], name: str, value: str) -> list[tuple[str, str]]:
    return [(key, value if key == name else held) for key, held in fields]


def test_an_analyst_proposes_an_admin_approves_and_the_page_shows_the_change_and_history(
    client: TestClient, login: Callable[[str], TestClient]
) -> None:
    concept_id = "ap/genocide"
    new_definition = "An edited definition of genocide, for the test of review."
    login(ANALYST)
    form = client.get(f"/lexicon/{concept_id}/edit")
    assert form.status_code == 200
    fields = _edit_fields(form.text)
    before = shipped_lexicon().mappings_from(concept_id)
    assert sum(1 for key, value in fields if key == "mapping_target" and value) == len(before)
    fields = _replace(fields, "definition", new_definition)
    fields = _replace(fields, "note", "Shorter wording")
    sent = post_form(client, f"/lexicon/{concept_id}/edit", fields, follow_redirects=False)
    assert sent.status_code == 303, text_of(sent.text)[:500]
    location = sent.headers["location"]
    assert location.startswith(f"/lexicon/{concept_id}?proposed=")
    shown = client.get(location.split("#")[0]).text
    assert "was proposed as revision" in shown
    assert re.search(r'data-status="proposed"', shown) and "Shorter wording" in shown
    assert new_definition not in shown  # not applied before review
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})

    login(ADMIN)
    review = client.get("/lexicon/review").text
    revision_id = location.split("proposed=")[1].split("#")[0]
    assert f'data-revision="{revision_id}"' in review
    assert '<tr data-field="Definition">' in review and f"<ins>{new_definition}</ins>" in review
    assert '<tr data-field="Mappings">' not in review.split(f'data-revision="{revision_id}"')[1]
    approved = client.post(
        f"/lexicon/revisions/{revision_id}/review",
        data={
            "decision": "approve",
            "note": "Fine",
            "csrf_token": csrf_token(client, "/lexicon/review"),
        },
        follow_redirects=False,
    )
    assert approved.status_code == 303
    page = client.get(f"/lexicon/{concept_id}").text
    assert new_definition in page
    assert re.search(r'data-status="approved"', page) and "Review: Fine" in page
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    public = client.get(f"/lexicon/{concept_id}").text
    assert new_definition in public  # approved content is public
    assert "Shorter wording" not in public and "History" not in public


def test_a_proposal_that_breaks_the_lexicon_is_refused_with_the_form_kept(
    client: TestClient, login: Callable[[str], TestClient]
) -> None:
    login(ANALYST)
    fields = _edit_fields(client.get("/lexicon/ap/genocide/edit").text)
    fields = _replace(fields, "source_citation", "")
    fields = _replace(fields, "source_url", "")
    refused = post_form(client, "/lexicon/ap/genocide/edit", fields)
    assert refused.status_code == 422
    assert "Nothing was stored" in refused.text and "a definition needs its source" in refused.text
    with_self = [*fields, ("mapping_target", "ap/genocide")]
    assert post_form(client, "/lexicon/ap/genocide/edit", with_self).status_code == 422


def test_forms_that_write_need_their_csrf_token(
    client: TestClient, login: Callable[[str], TestClient]
) -> None:
    login(ANALYST)
    fields = [
        (key, value)
        for key, value in _edit_fields(client.get("/lexicon/ap/genocide/edit").text)
        if key != "csrf_token"
    ]
    assert post_form(client, "/lexicon/ap/genocide/edit", fields).status_code == 403
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    login(ADMIN)
    refused = client.post("/lexicon/revisions/1/review", data={"decision": "approve"})
    assert refused.status_code == 403
    assert SECRET_DEFINITION not in client.get(f"/lexicon/{PENDING_CONCEPT}").text


@pytest.mark.parametrize("who", [None, CONTRIBUTOR])
def test_readers_below_analyst_cannot_propose_or_review(
    client: TestClient, login: Callable[[str], TestClient], who: str | None
) -> None:
    if who:
        login(who)
    token = csrf_token(client, "/lexicon/reframe")
    expected = 403 if who else 303  # anonymous readers are sent to log in
    for path in ("/lexicon/ap/genocide/edit", "/lexicon/review"):
        assert client.get(path, follow_redirects=False).status_code == expected
    sent = client.post(
        "/lexicon/ap/genocide/edit",
        data={"csrf_token": token, "definition": "x"},
        follow_redirects=False,
    )
    assert sent.status_code == expected
    reviewed = client.post(
        "/lexicon/revisions/1/review",
        data={"csrf_token": token, "decision": "approve"},
        follow_redirects=False,
    )
    assert reviewed.status_code == expected
    page = client.get("/lexicon/ap/genocide").text
    assert "/lexicon/ap/genocide/edit" not in page and "History" not in page


LEAK_ROUTES = (
    "/lexicon",
    f"/lexicon/{PENDING_CONCEPT}",
    f"/lexicon/{PENDING_CONCEPT}/edit",
    "/lexicon/review",
    "/lexicon/reframe",
    "/api/v1/lexicon/schemes",
    "/api/v1/lexicon/concepts?q=sustaining",
    f"/api/v1/lexicon/concepts/{PENDING_CONCEPT}",
    f"/api/v1/lexicon/concepts/{PENDING_CONCEPT}/revisions",
    f"/api/v1/lexicon/term?concept={PENDING_CONCEPT}&audience=ap",
    "/api/v1/lexicon/revisions",
    "/api/v1/lexicon/export?format=turtle",
    "/api/v1/lexicon/export?format=json-ld",
)


@pytest.mark.parametrize("who", [None, CONTRIBUTOR])
def test_proposals_and_their_notes_never_reach_readers_below_analyst(
    client: TestClient, login: Callable[[str], TestClient], who: str | None
) -> None:
    if who:
        login(who)
    for path in LEAK_ROUTES:
        answer = client.get(path, follow_redirects=True)
        for marker in SECRET_MARKERS:
            assert marker not in answer.text, f"{path} shows {marker} to {who or 'anonymous'}"
    token = csrf_token(client, "/lexicon/reframe")
    reframed = client.post(
        "/lexicon/reframe",
        data={"text": "sustaining peace", "audience": "dev", "csrf_token": token},
    )
    assert all(marker not in reframed.text for marker in SECRET_MARKERS)


def test_analysts_and_admins_see_the_pending_proposal(
    client: TestClient, login: Callable[[str], TestClient]
) -> None:
    login(ANALYST)
    page = client.get(f"/lexicon/{PENDING_CONCEPT}").text
    assert SECRET_NOTE in page and SECRET_DEFINITION not in page  # the note, not yet the content
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    login(ADMIN)
    review = client.get("/lexicon/review").text
    assert SECRET_NOTE in review and SECRET_DEFINITION in review
