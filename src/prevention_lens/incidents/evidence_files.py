"""The evidence folder against the store, for `lens db check`: each original an attachment or
an archived source refers to is there and still matches its SHA-256, and nothing else is kept.

Public API::

    check_evidence_files(session, root) -> EvidenceFilesReport
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from prevention_lens.incidents.evidence import original_path
from prevention_lens.store.models import IncidentAttachment, IncidentSource

_SHA256 = re.compile(r"[0-9a-f]{64}")
_CHUNK = 1024 * 1024


@dataclass(frozen=True)
class EvidenceFileProblem:
    kind: str  # missing | changed | orphaned | stray
    path: str
    message: str


@dataclass(frozen=True)
class EvidenceFilesReport:
    originals: int  # files in the originals folder
    problems: list[EvidenceFileProblem]


@dataclass
class _Referrers:
    attachments: list[int]
    sources: list[int]

    def describe(self) -> str:
        parts = []
        if self.attachments:
            plural = "s" if len(self.attachments) > 1 else ""
            parts.append(f"the original of attachment{plural} {_listed(self.attachments)}")
        if self.sources:
            plural = "s" if len(self.sources) > 1 else ""
            parts.append(f"the archived copy of source{plural} {_listed(self.sources)}")
        return " and ".join(parts)


def _listed(numbers: list[int]) -> str:
    names = [str(number) for number in sorted(numbers)]
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _referenced(session: Session) -> tuple[dict[str, _Referrers], set[int]]:
    referrers: dict[str, _Referrers] = {}
    attachment_ids: set[int] = set()
    for attachment_id, sha256 in session.execute(
        select(IncidentAttachment.id, IncidentAttachment.sha256)
    ):
        referrers.setdefault(sha256, _Referrers([], [])).attachments.append(attachment_id)
        attachment_ids.add(attachment_id)
    for source_id, archived in session.execute(
        select(IncidentSource.id, IncidentSource.archived_sha256).where(
            IncidentSource.archived_sha256.is_not(None)
        )
    ):
        referrers.setdefault(str(archived), _Referrers([], [])).sources.append(source_id)
    return referrers, attachment_ids


def check_evidence_files(session: Session, root: Path) -> EvidenceFilesReport:
    """Compare the evidence folder ``root`` with the attachments and sources in the store.
    ``root/incoming`` is left alone: uploads wait there while they are received and checked."""
    referrers, attachment_ids = _referenced(session)
    problems: list[EvidenceFileProblem] = []
    for sha256, referring in sorted(referrers.items()):
        path = original_path(root, sha256)
        if not path.is_file():
            problems.append(
                EvidenceFileProblem(
                    "missing", str(path), f"{path}: {referring.describe()} is missing"
                )
            )
            continue
        actual = _sha256(path)
        if actual != sha256:
            message = (
                f"{path}: {referring.describe()} no longer matches its SHA-256 "
                f"(the file's is {actual})"
            )
            problems.append(EvidenceFileProblem("changed", str(path), message))
    folder = root / "originals"
    originals = sorted(p for p in folder.rglob("*") if p.is_file()) if folder.is_dir() else []
    problems += _unreferenced_originals(root, originals, set(referrers))
    problems += _unknown_working_copies(root, attachment_ids)
    return EvidenceFilesReport(len(originals), problems)


def _unreferenced_originals(
    root: Path, originals: list[Path], referenced: set[str]
) -> list[EvidenceFileProblem]:
    problems = []
    for path in originals:
        name = path.name
        if not (_SHA256.fullmatch(name) and path == original_path(root, name)):
            message = f"{path}: not an original (its name is not its SHA-256)"
            problems.append(EvidenceFileProblem("stray", str(path), message))
        elif name not in referenced:
            message = f"{path}: no attachment or archived source refers to this original"
            problems.append(EvidenceFileProblem("orphaned", str(path), message))
    return problems


def _unknown_working_copies(root: Path, attachment_ids: set[int]) -> list[EvidenceFileProblem]:
    problems = []
    folder = root / "working"
    for path in sorted(folder.iterdir()) if folder.is_dir() else []:
        if not (path.is_dir() and path.name.isascii() and path.name.isdigit()):
            message = f"{path}: not a working copy (working copies sit in a folder per attachment)"
            problems.append(EvidenceFileProblem("stray", str(path), message))
        elif int(path.name) not in attachment_ids:
            message = f"{path}: a working copy of attachment {path.name}, which does not exist"
            problems.append(EvidenceFileProblem("orphaned", str(path), message))
    return problems
