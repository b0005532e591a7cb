"""The access policy's rules, one module per capability, registered on import of this package.

A new capability adds a module here and one line to ``RULES`` below; the mechanism
(``mechanism.py``) and every caller stay as they are. The list is explicit, not a scan of the
folder, so that type checkers, linters and packagers see every module.
"""

from __future__ import annotations

from prevention_lens.store.policies import (
    accounts,
    actors,
    data,
    incidents,
    lexicon,
    risk,
    situations,
    speech,
    whatworks,
)
from prevention_lens.store.policies.mechanism import POLICIES

# Every rules module, in the order they register.
RULES = (data, accounts, risk, incidents, actors, whatworks, lexicon, situations, speech)

__all__ = ["POLICIES", "RULES"]
