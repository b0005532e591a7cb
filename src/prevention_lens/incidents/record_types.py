"""The typed incident record that ``records.get_incident`` returns: what one reader may see of a
record, its sources, evidence files and custody log, as frozen dataclasses.

Fields the access policy withholds from a reader are never in the object: the restricted fields
(exact coordinates, who entered and verified it) sit in ``staff`` and the confidential ones
(witnesses, source identities, the exact place) in ``confidential``, and each part is None when
the reader's clearance does not reach it. A source's or file's ``added_by`` (restricted) is None
when withheld; it is never None otherwise. ``to_dict()`` gives the API's JSON shape, in which
withheld fields are absent.

Public API::

    IncidentRecord, IncidentStaffFields, IncidentConfidentialFields, TargetGroup,
    SourceRecord, AttachmentRecord, CustodyRecord            # frozen; each has to_dict()
    part_of(cls, row) -> cls | None                          # a part, if the reader was given it
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from datetime import date, datetime
from typing import Any, Self, TypeVar

from prevention_lens.errors import LensError

T = TypeVar("T")


def field_names(cls: type) -> tuple[str, ...]:
    return tuple(item.name for item in fields(cls))


def part_of(cls: type[T], row: Mapping[str, Any]) -> T | None:
    """The part ``cls`` built from a projected row, or None when the policy gave the reader none
    of its fields. Some fields but not all means the types and the policy disagree: a bug."""
    names = field_names(cls)
    given = [name for name in names if name in row]
    if not given:
        return None
    if len(given) != len(names):
        missing = sorted(set(names) - set(given))
        raise LensError(f"{cls.__name__} lacks {', '.join(missing)} in the projected row")
    return cls(**{name: row[name] for name in names})


@dataclass(frozen=True)
class TargetGroup:
    """A group the victims were targeted for belonging to (ethnicity, religion, ...)."""

    dimension: str
    name: str


@dataclass(frozen=True)
class IncidentStaffFields:
    """The record's restricted fields: analysts and admins only."""

    latitude: float | None
    longitude: float | None
    withdrawn_reason: str
    import_id: int | None
    created_by: str
    updated_by: str
    verified_by: str | None


@dataclass(frozen=True)
class IncidentConfidentialFields:
    """The record's confidential fields: admins only."""

    exact_place: str
    witness_identity: str
    witness_contact: str
    source_identity: str


@dataclass(frozen=True)
class SourceRecord:
    """A source the record cites. ``added_by`` is None when withheld from the reader."""

    id: int
    incident_id: int
    url: str
    publisher: str
    published_on: date | None
    archived_sha256: str | None
    archived_size: int | None
    confidentiality: int
    added_by: str | None
    added_at: datetime

    @classmethod
    def from_projection(cls, row: Mapping[str, Any]) -> Self:
        return cls(**_with_added_by(cls, row))

    def to_dict(self) -> dict[str, Any]:
        return _without_withheld(self, ("added_by",))


@dataclass(frozen=True)
class AttachmentRecord:
    """An evidence file kept with the record. ``added_by`` is None when withheld."""

    id: int
    incident_id: int
    filename: str
    media_type: str
    sha256: str
    size_bytes: int
    description: str
    confidentiality: int
    added_by: str | None
    added_at: datetime

    @classmethod
    def from_projection(cls, row: Mapping[str, Any]) -> Self:
        return cls(**_with_added_by(cls, row))

    def to_dict(self) -> dict[str, Any]:
        return _without_withheld(self, ("added_by",))


@dataclass(frozen=True)
class CustodyRecord:
    """One entry of the record's chain of custody (analysts and admins read it)."""

    id: int
    seq: int
    incident_id: int | None
    action: str
    actor: str
    at: datetime
    detail: Mapping[str, object]
    record_sha256: str | None
    previous_hash: str
    entry_hash: str

    def to_dict(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in field_names(CustodyRecord)} | {
            "detail": dict(self.detail)
        }


def _with_added_by(cls: type, row: Mapping[str, Any]) -> dict[str, Any]:
    # ``added_by`` is restricted: absent from the projection for readers below analyst.
    return {name: row.get(name) if name == "added_by" else row[name] for name in field_names(cls)}


def _without_withheld(record: object, optional: tuple[str, ...]) -> dict[str, Any]:
    return {
        name: getattr(record, name)
        for name in field_names(type(record))
        if not (name in optional and getattr(record, name) is None)
    }


# The public fields, in the policy's order (the API's JSON keeps it).
PUBLIC_FIELDS = (
    "id",
    "dataset",
    "external_id",
    "revision",
    "status",
    "confidentiality",
    "withdrawn",
    "category",
    "ucdp_type_of_violence",
    "acled_event_type",
    "acled_sub_event_type",
    "title",
    "narrative",
    "date_start",
    "date_end",
    "date_precision",
    "country_id",
    "admin1",
    "admin2",
    "place_name",
    "public_latitude",
    "public_longitude",
    "location_precision",
    "perpetrator_kind",
    "perpetrator_name",
    "target_groups",
    "identity_targeted",
    "fatalities_best",
    "fatalities_low",
    "fatalities_high",
    "created_at",
    "updated_at",
    "verified_at",
)


@dataclass(frozen=True)
class IncidentRecord:
    """One incident as a reader may see it. ``staff`` and ``confidential`` are None when the
    reader's clearance does not reach them; ``custody`` is empty for readers below analyst."""

    id: int
    dataset: str
    external_id: str | None
    revision: int
    status: str
    confidentiality: int
    withdrawn: bool
    category: str
    ucdp_type_of_violence: int | None
    acled_event_type: str | None
    acled_sub_event_type: str | None
    title: str
    narrative: str
    date_start: date
    date_end: date | None
    date_precision: str
    country_id: int
    admin1: str | None
    admin2: str | None
    place_name: str
    public_latitude: float | None
    public_longitude: float | None
    location_precision: str
    perpetrator_kind: str
    perpetrator_name: str
    target_groups: tuple[TargetGroup, ...]
    identity_targeted: bool
    fatalities_best: int | None
    fatalities_low: int | None
    fatalities_high: int | None
    created_at: datetime
    updated_at: datetime
    verified_at: datetime | None
    staff: IncidentStaffFields | None
    confidential: IncidentConfidentialFields | None
    country_key: str
    country_name: str
    category_label: str
    sources: tuple[SourceRecord, ...]
    attachments: tuple[AttachmentRecord, ...]
    custody: tuple[CustodyRecord, ...]

    @classmethod
    def from_projection(
        cls,
        row: Mapping[str, Any],
        *,
        country_key: str,
        country_name: str,
        category_label: str,
        sources: tuple[SourceRecord, ...] = (),
        attachments: tuple[AttachmentRecord, ...] = (),
        custody: tuple[CustodyRecord, ...] = (),
    ) -> IncidentRecord:
        """From the policy's projection of the record (``store.access.project``)."""
        public = {name: row[name] for name in PUBLIC_FIELDS}
        public["target_groups"] = tuple(
            TargetGroup(dimension=str(group["dimension"]), name=str(group["name"]))
            for group in row["target_groups"] or ()
        )
        return cls(
            **public,
            staff=part_of(IncidentStaffFields, row),
            confidential=part_of(IncidentConfidentialFields, row),
            country_key=country_key,
            country_name=country_name,
            category_label=category_label,
            sources=sources,
            attachments=attachments,
            custody=custody,
        )

    def to_dict(self) -> dict[str, Any]:
        """The API's JSON shape: the policy's fields in its order (withheld ones absent), the
        country and category in words, then sources, attachments and custody."""
        shown: dict[str, Any] = {name: getattr(self, name) for name in PUBLIC_FIELDS}
        shown["target_groups"] = [
            {"dimension": group.dimension, "name": group.name} for group in self.target_groups
        ]
        for part in (self.staff, self.confidential):
            if part is not None:
                shown |= {name: getattr(part, name) for name in field_names(type(part))}
        return shown | {
            "country_key": self.country_key,
            "country_name": self.country_name,
            "category_label": self.category_label,
            "sources": [source.to_dict() for source in self.sources],
            "attachments": [attachment.to_dict() for attachment in self.attachments],
            "custody": [entry.to_dict() for entry in self.custody],
        }
