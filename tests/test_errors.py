"""Errors name the file, row, field and problem, and carry the web status code."""

from __future__ import annotations

from prevention_lens.errors import (
    LensError,
    NotFoundError,
    UnknownCountryError,
    ValidationError,
)


def test_validation_error_names_where_and_what() -> None:
    error = ValidationError("is not a number", file="panel.csv", row=12, field="gdp")
    assert str(error) == "panel.csv, row 12, field 'gdp': is not a number"
    assert error.http_status == 422
    assert str(ValidationError("bad", field="x")) == "field 'x': bad"
    assert str(ValidationError("bad")) == "bad"


def test_unknown_country_lists_suggestions() -> None:
    error = UnknownCountryError("Myanmr", ["Myanmar", "Mayotte"])
    assert str(error) == "Unknown country 'Myanmr'. Did you mean: Myanmar, Mayotte?"
    assert isinstance(error, NotFoundError) and isinstance(error, LensError)
    assert error.http_status == 404


def test_too_many_requests_carries_the_seconds_to_wait() -> None:
    from prevention_lens.errors import TooManyRequestsError

    error = TooManyRequestsError("Too many login attempts.", retry_after=12.2)
    assert isinstance(error, LensError) and error.http_status == 429
    assert error.retry_after == 13 and str(error) == "Too many login attempts."
    assert TooManyRequestsError("wait", retry_after=0).retry_after == 1


def test_import_rejected_is_a_validation_error_in_the_tree() -> None:
    from pathlib import Path

    from prevention_lens.errors import ImportRejectedError, RejectedGroup
    from prevention_lens.ingest import runner
    from prevention_lens.ingest.rejections import rejected_import

    problems = [
        ValidationError("'x' is not a count", file="f.csv", row=row, field="deaths")
        for row in (2, 3)
    ]
    error = rejected_import(Path("f.csv"), problems)
    assert isinstance(error, ImportRejectedError) and isinstance(error, ValidationError)
    assert error.http_status == 422 and error.file == "f.csv" and error.problems == tuple(problems)
    assert error.rejected == (
        RejectedGroup("deaths", "'…' is not a count", 2, (2, 3), str(problems[0])),
    )
    assert str(error).startswith("f.csv: 2 invalid row(s), nothing imported: ")
    # Callers that caught it from the runner before it moved keep working.
    assert runner.ImportRejectedError is ImportRejectedError


def test_a_row_with_several_problems_counts_as_one_invalid_row() -> None:
    from pathlib import Path

    from prevention_lens.ingest.rejections import rejected_import

    problems = [
        ValidationError("is required", file="t.csv", row=2, field="language"),
        ValidationError("unknown country 'Narnia'", file="t.csv", row=2, field="countries"),
        ValidationError("unknown group(s) aliens", file="t.csv", row=3, field="targeted_groups"),
    ]
    error = rejected_import(Path("t.csv"), problems)
    assert str(error).startswith("t.csv: 2 invalid row(s), nothing imported: ")
    assert len(error.problems) == 3
