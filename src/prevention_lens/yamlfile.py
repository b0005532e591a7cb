"""Reading a YAML (or JSON: JSON is YAML) file that a person wrote: a missing file, text that
is not UTF-8 and a YAML mistake are each a ValidationError naming the file, never a traceback.
YAML loads only when a file is read, so importing this costs nothing at CLI start.

Public API::

    read_yaml(path, *, file=None) -> Any                    the document
    read_yaml_mapping(path, *, holds, file=None) -> dict    the document, which must be a mapping
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from prevention_lens.errors import ValidationError

__all__ = ["read_yaml", "read_yaml_mapping"]


def read_yaml(path: Path, *, file: str | None = None) -> Any:
    """The document in the file; ``file`` is how errors name it (default: the path)."""
    import yaml

    label = file or str(path)
    if not path.is_file():
        raise ValidationError("file does not exist", file=label)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        raise ValidationError(
            f"is not UTF-8 text (byte {error.start} cannot be read); save it as UTF-8",
            file=label,
        ) from None
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise ValidationError(f"is not valid YAML: {error}", file=label) from None


def read_yaml_mapping(path: Path, *, holds: str, file: str | None = None) -> dict[str, Any]:
    """The document, which must be a mapping; ``holds`` says what it should hold ("one concept
    as a mapping (labels:, definition:, …)") for the error when it is not."""
    document = read_yaml(path, file=file)
    if not isinstance(document, dict):
        raise ValidationError(f"the file must hold {holds}", file=file or str(path))
    return {str(key): value for key, value in document.items()}
