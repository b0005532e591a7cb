"""What a loader reports back to the import runner: rows created, updated and left unchanged."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class LoadCounts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
