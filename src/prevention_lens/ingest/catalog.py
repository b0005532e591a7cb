"""Looking up import formats: the built-in ones (``ingest/formats.py``) and plugins'.

Kept apart from the registry so that the registry imports no loader and the loaders, which
build their own formats, never import the module that imports them (no import cycle).
"""

from __future__ import annotations

from importlib.metadata import entry_points

from prevention_lens.errors import NotFoundError
from prevention_lens.ingest.registry import ImportFormat, registered_formats


def _load_registrations() -> dict[str, ImportFormat]:
    # Imported here, not at the top: the built-in formats pull in every capability's loader,
    # which `lens --version` and the other commands that import nothing from them should not.
    from prevention_lens.ingest import formats  # noqa: F401  (registers the built-in formats)

    for entry in entry_points(group="prevention_lens.import_formats"):
        entry.load()
    return registered_formats()


def available_formats() -> list[ImportFormat]:
    return sorted(_load_registrations().values(), key=lambda item: item.name)


def get_format(name: str) -> ImportFormat:
    known = _load_registrations()
    try:
        return known[name]
    except KeyError:
        names = ", ".join(sorted(known)) or "none"
        raise NotFoundError(f"Unknown source format {name!r}; known formats: {names}.") from None
