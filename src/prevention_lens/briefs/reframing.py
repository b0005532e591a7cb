"""A brief's prose in the reader's sector terms: every string goes through the lexicon's
``reframe`` and the distinct changes are kept, so the brief can list the terms it changed.
"""

from __future__ import annotations

from collections.abc import Iterable

from prevention_lens.lexicon.model import Lexicon
from prevention_lens.lexicon.reframe import reframe


class Reframer:
    """Reframes texts for one audience and language, remembering each distinct change
    (original term, audience term, rationale) in the order first met."""

    def __init__(self, lexicon: Lexicon, audience: str, language: str = "en") -> None:
        self.lexicon = lexicon
        self.audience = audience
        self.language = language
        self._terms: dict[tuple[str, str], str] = {}

    def __call__(self, text: str) -> str:
        if not text.strip():
            return text
        reframed = reframe(self.lexicon, text, self.audience, self.language)
        for change in reframed.changes:
            self._terms.setdefault(
                (change.original_text.lower(), change.replacement.lower()), change.rationale
            )
        return reframed.text

    def all(self, texts: Iterable[str]) -> tuple[str, ...]:
        return tuple(self(text) for text in texts)

    def heading(self, title: str) -> str:
        """A section heading in the audience's term where the lexicon has one."""
        return self(title)

    def terms(self) -> tuple[tuple[str, str, str], ...]:
        return tuple((original, term, why) for (original, term), why in self._terms.items())
