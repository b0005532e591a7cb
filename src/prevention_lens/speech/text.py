"""How a post's text is made ready for matching and scoring: HTML entities undone, Burmese in
Zawgyi converted to Unicode, links and handles replaced by fixed tokens, spaces collapsed.

Zawgyi is a font encoding that reuses Unicode's Myanmar code points for other letters, so
Zawgyi text looks like garbage to anything reading Unicode. ``myanmartools`` (Google's detector)
gives the probability that a text is Zawgyi; above ``ZAWGYI_THRESHOLD`` it is converted with
``python-myanmar`` and the result kept only if the detector reads it as Unicode afterwards (the
reordering check), so a misdetected Unicode text is never mangled.

Public API::

    ZAWGYI_THRESHOLD = 0.95
    zawgyi_probability(text) -> float
    to_unicode(text) -> Normalised          # .text, .converted (bool), .zawgyi_probability
    normalise_post(text) -> str             # what the lexicon matcher and the classifier read
"""

from __future__ import annotations

import html
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

ZAWGYI_THRESHOLD = 0.95
# After conversion the detector must read the text as Unicode with at least this confidence.
_UNICODE_AFTER = 0.05
_MYANMAR = re.compile("[\u1000-\u109f\uaa60-\uaa7f]")
_URL = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
_HANDLE = re.compile(r"(?<![\w@])@\w{1,30}")
_RETWEET = re.compile(r"^(?:\s*!*\s*RT\b:?)+", re.IGNORECASE)
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class Normalised:
    text: str
    converted: bool
    zawgyi_probability: float


@lru_cache(maxsize=1)
def _detector() -> Any:
    import warnings

    from myanmartools import ZawgyiDetector

    # myanmartools reads its model with importlib.resources.open_binary, deprecated since 3.11;
    # the warning is its own, and the tests make every warning an error.
    with warnings.catch_warnings():
        warnings.filterwarnings(
            "ignore", message="open_binary is deprecated", category=DeprecationWarning
        )
        return ZawgyiDetector()


def zawgyi_probability(text: str) -> float:
    """The detector's probability that ``text`` is Zawgyi; 0.0 for text with no Myanmar letters."""
    if not _MYANMAR.search(text):
        return 0.0
    return float(_detector().get_zawgyi_probability(text))


def to_unicode(text: str) -> Normalised:
    """``text`` in Unicode: converted from Zawgyi when the detector is confident and the
    conversion reads as Unicode; otherwise unchanged."""
    probability = zawgyi_probability(text)
    if probability < ZAWGYI_THRESHOLD:
        return Normalised(text, False, probability)
    from myanmar import converter

    converted = unicodedata.normalize("NFC", converter.convert(text, "zawgyi", "unicode"))
    if zawgyi_probability(converted) > _UNICODE_AFTER:
        return Normalised(text, False, probability)
    return Normalised(converted, True, probability)


def normalise_post(text: str) -> str:
    """The post as matched and scored: entities undone (twice, for doubly escaped tweets),
    Unicode NFC, Zawgyi converted, links as "http", handles as "@user", retweet marks dropped."""
    unescaped = html.unescape(html.unescape(text))
    cleaned = unicodedata.normalize("NFC", unescaped)
    cleaned = to_unicode(cleaned).text
    cleaned = _URL.sub("http", cleaned)
    cleaned = _HANDLE.sub("@user", cleaned)
    cleaned = _RETWEET.sub("", cleaned)
    return _SPACES.sub(" ", cleaned).strip()
