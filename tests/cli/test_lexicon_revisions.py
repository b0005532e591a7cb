"""`lens lexicon propose`, `review` and `history`: a proposed change through review into the
concept's history, and a rejection that changes nothing, on the shipped lexicon in a temporary
SQLite store. Fixtures come from test_lexicon.py."""

from __future__ import annotations

from pathlib import Path

import yaml

from prevention_lens.errors import ConflictError, NotFoundError, ValidationError
from tests.cli.test_lexicon import Lexicon, lens_lexicon, lexicon_file

__all__ = ["lens_lexicon", "lexicon_file"]  # shared fixtures


def test_propose_then_approve_changes_the_concept_and_its_history(
    lens_lexicon: Lexicon, tmp_path: Path
) -> None:
    # `show --json` writes a file `propose --from` reads back (JSON is YAML).
    document = lens_lexicon("show", "hum/do-no-harm-humanitarian", "--json").json()
    labels = document["labels"]
    assert isinstance(labels, dict)
    labels["en"]["alt"].append("do no harm")
    mappings = document["mappings"]
    assert isinstance(mappings, list)
    mappings.append(
        {
            "target": "com/rumour-management",
            "kind": "related",
            "rationale": "Rumours can make aid harm.",
        }
    )
    proposal = tmp_path / "proposal.yaml"
    proposal.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    proposed = lens_lexicon(
        "propose", "hum/do-no-harm-humanitarian", "--from", str(proposal), "--note", "usage"
    )
    assert proposed.code == 0, proposed.error
    assert proposed.out.startswith("Proposed revision 1 of hum/do-no-harm-humanitarian: labels")
    assert "+related com/rumour-management" in proposed.out
    # Nothing is published before review.
    assert "do no harm;" not in lens_lexicon("show", "hum/do-no-harm-humanitarian").out
    waiting = lens_lexicon("review")
    assert waiting.code == 0 and "hum/do-no-harm-humanitarian" in waiting.out
    assert "labels changed" in waiting.out and "+related com/rumour-management" in waiting.out
    assert len(lens_lexicon("review", "--json").json()["pending"]) == 1  # type: ignore[arg-type]
    approved = lens_lexicon("review", "1", "--approve", "--note", "checked")
    assert approved.code == 0, approved.error
    assert approved.out.strip() == "Revision 1 of hum/do-no-harm-humanitarian is approved."
    shown = lens_lexicon("show", "hum/do-no-harm-humanitarian")
    also = "also: Protection Principle 1; avoid causing harm; do no harm"
    assert f"en: do no harm (humanitarian) ({also})" in shown.out
    assert "com/rumour-management" in shown.out
    # The inverse mapping shows on the other concept too.
    assert "hum/do-no-harm-humanitarian" in lens_lexicon("show", "com/rumour-management").out
    history = lens_lexicon("history", "hum/do-no-harm-humanitarian")
    assert history.code == 0 and "approved" in history.out and "checked" in history.out
    record = lens_lexicon("history", "hum/do-no-harm-humanitarian", "--json").json()
    revisions = record["revisions"]
    assert isinstance(revisions, list) and revisions[0]["status"] == "approved"
    # The new label now names two concepts: the error lists both.
    ambiguous = lens_lexicon("show", "Do No Harm")
    assert isinstance(ambiguous.error, ValidationError)
    assert "'Do No Harm' names 2 concepts: dev/do-no-harm" in str(ambiguous.error)
    assert "hum/do-no-harm-humanitarian ('do no harm', en)" in str(ambiguous.error)
    assert lens_lexicon("review").out.startswith("No proposed lexicon changes")
    again = lens_lexicon("review", "1", "--reject")
    assert isinstance(again.error, ConflictError)


def test_a_proposal_without_mappings_keeps_them_and_a_rejection_changes_nothing(
    lens_lexicon: Lexicon, tmp_path: Path
) -> None:
    before = lens_lexicon("show", "ap/genocide").out
    document = lens_lexicon("show", "ap/genocide", "--json").json()
    del document["mappings"]
    document["definition"] = "Acts committed with intent to destroy a protected group."
    proposal = tmp_path / "genocide.yaml"
    proposal.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    proposed = lens_lexicon("propose", "genocide", "--from", str(proposal))
    assert proposed.code == 0, proposed.error
    assert "definition: Any of five acts" in proposed.out
    assert "→ Acts committed with intent to destroy a protected group." in proposed.out
    assert "+" not in proposed.out and "-related" not in proposed.out
    rejected = lens_lexicon("review", "1", "--reject", "--note", "not the treaty text")
    assert rejected.out.strip() == "Revision 1 of ap/genocide is rejected."
    assert lens_lexicon("show", "ap/genocide").out == before
    assert "rejected" in lens_lexicon("history", "ap/genocide").out
    wrong = tmp_path / "wrong.yaml"
    wrong.write_text("id: ap/war-crimes\n", encoding="utf-8")
    mismatch = lens_lexicon("propose", "ap/genocide", "--from", str(wrong))
    assert isinstance(mismatch.error, ValidationError) and "not 'ap/genocide'" in str(
        mismatch.error
    )
    # The file is the whole concept: leaving out why a scheme has no term is refused.
    del document["no_term"]
    proposal.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    lacking = lens_lexicon("propose", "ap/genocide", "--from", str(proposal))
    assert isinstance(lacking.error, ValidationError)
    assert "core concept ap/genocide maps into no concept of" in str(lacking.error)
    listed = tmp_path / "list.yaml"
    listed.write_text("- genocide\n", encoding="utf-8")
    assert isinstance(
        lens_lexicon("propose", "ap/genocide", "--from", str(listed)).error, ValidationError
    )
    no_decision = lens_lexicon("review", "1")
    assert isinstance(no_decision.error, ValidationError)
    assert isinstance(lens_lexicon("review", "--approve").error, ValidationError)
    assert isinstance(lens_lexicon("review", "99", "--approve").error, NotFoundError)


def test_a_proposal_file_that_is_not_text_is_named(lens_lexicon: Lexicon, tmp_path: Path) -> None:
    picture = tmp_path / "scan.yaml"
    picture.write_bytes(b"\x89PNG\r\n\x1a\n\x00\xd0\xff")
    refused = lens_lexicon("propose", "genocide", "--from", str(picture))
    assert isinstance(refused.error, ValidationError)
    assert "scan.yaml" in str(refused.error) and "not UTF-8" in str(refused.error)
