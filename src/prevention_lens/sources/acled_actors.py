"""Who did what to whom in an ACLED event: the perpetrator and the target, read from the event
type, the sub-event type and each actor's 'inter' code, in whichever order ACLED wrote them.

ACLED's codebook says that actor 1 and actor 2 do not imply direction, so the order alone
cannot say who is the perpetrator; the inter codes can (civilians, code 7, are the target of
violence against civilians; protesters, code 6, of excessive force). One table,
``RULES``, decides per event type and sub-event type; docs/data.md describes it.

Public API::

    INTER_TYPES, RULES, inter_code(text) -> int, perpetrator_kind(name, code) -> str
    Roles, event_roles(event_type, sub_event_type, actor1, inter1, actor2, inter2) -> Roles
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

# ACLED's inter codes and the words its newer exports write instead of the numbers.
INTER_TYPES = {
    1: "state forces",
    2: "rebel group",
    3: "political militia",
    4: "identity militia",
    5: "rioters",
    6: "protesters",
    7: "civilians",
    8: "external/other forces",
}
_INTER_WORDS = {
    **{label: code for code, label in INTER_TYPES.items()},
    "state force": 1,
    "rebel groups": 2,
    "political militias": 3,
    "identity militias": 4,
    "communal militia": 4,  # the name of code 4 before 2019
    "communal militias": 4,
    "rioter": 5,
    "protester": 6,
    "protestors": 6,
    "protestor": 6,
    "civilian": 7,
    "external/other force": 8,
    "external forces": 8,
    "other forces": 8,
}
STATE = 1
NON_STATE_CODES = frozenset({2, 3, 4, 5, 6, 7})
EXTERNAL = 8
# ACLED names state forces "Military Forces of Mali (2021-)", "Police Forces of ...",
# "Government of ..."; among external/other forces (code 8) only such a name says that the
# actor is a state's: any other code-8 actor is of a kind the store cannot place (unknown).
_STATE_NAME = re.compile(
    r"^(?:(?:military|police|naval|air|border|security|special) forces|government) of\b",
    re.IGNORECASE,
)

Rule = Literal["against", "met", "by", "ordered", "none"]
# (event type, sub-event type or "*") -> (rule, inter codes):
#   against: the target is the actor with one of the codes, the perpetrator the other actor;
#   met:     as "against" when another actor is named, else no perpetrator and no target;
#   by:      the perpetrator is the actor with one of the codes, the target the other actor;
#   ordered: the perpetrator is actor 1 and the target actor 2, as ACLED wrote them (events
#            whose definition gives no direction, such as an armed clash);
#   none:    no perpetrator and no target (a peaceful protest; non-violent developments).
# "against" and "by" fall back to "ordered" when neither actor has one of the codes.
RULES: dict[tuple[str, str], tuple[Rule, frozenset[int]]] = {
    ("violence against civilians", "*"): ("against", frozenset({7})),
    ("protests", "excessive force against protesters"): ("against", frozenset({6})),
    ("protests", "protest with intervention"): ("against", frozenset({6})),
    ("protests", "peaceful protest"): ("none", frozenset()),
    # Older exports: "Riots/Protests" without a sub-event type; a protest met by another actor
    # is taken as an intervention against the protesters.
    ("protests", "*"): ("met", frozenset({6})),
    ("riots", "*"): ("by", frozenset({5})),
    ("explosions/remote violence", "*"): ("against", frozenset({7})),
    ("battles", "government regains territory"): ("by", frozenset({1})),
    ("battles", "non-state actor overtakes territory"): ("by", frozenset({2, 3, 4, 8})),
    ("battles", "*"): ("ordered", frozenset()),
    ("strategic developments", "arrests"): ("by", frozenset({1})),
    ("strategic developments", "looting/property destruction"): ("against", frozenset({7})),
    ("strategic developments", "*"): ("none", frozenset()),
}
_DEFAULT_RULE: tuple[Rule, frozenset[int]] = ("ordered", frozenset())


@dataclass(frozen=True)
class _Actor:
    name: str
    code: int
    side: int  # 1 or 2: which of ACLED's actor columns


@dataclass(frozen=True)
class Roles:
    """The perpetrator (name, kind) and the target (name, ACLED actor type) of an event, and
    the columns they came from; empty names when the event has none."""

    perpetrator_name: str = ""
    perpetrator_kind: str = "unknown"
    target_name: str = ""
    target_type: str = ""
    perpetrator_side: int = 1

    @property
    def perpetrator_column(self) -> str:
        return f"actor{self.perpetrator_side}"

    @property
    def perpetrator_kind_column(self) -> str:
        return f"inter{self.perpetrator_side}"


def inter_code(text: str) -> int:
    """1–8 from a number or ACLED's words for it; 0 when blank, 0 or unknown."""
    folded = " ".join(text.strip().lower().split())
    if folded.isascii() and folded.isdigit():
        number = int(folded)
        return number if number in INTER_TYPES else 0
    return _INTER_WORDS.get(folded, 0)


def perpetrator_kind(name: str, code: int) -> str:
    """state, non_state or unknown, in the store's taxonomy, for an actor and its inter code."""
    if code == STATE:
        return "state"
    if code in NON_STATE_CODES:
        return "non_state"
    # Code 8, or no code: only a state forces' name says more.
    return "state" if _STATE_NAME.match(name.strip()) else "unknown"


def event_roles(
    event_type: str, sub_event_type: str, actor1: str, inter1: str, actor2: str, inter2: str
) -> Roles:
    """The perpetrator and the target of one ACLED event (see ``RULES``)."""
    event, sub = event_type.strip().lower(), sub_event_type.strip().lower()
    rule, codes = RULES.get((event, sub)) or RULES.get((event, "*")) or _DEFAULT_RULE
    actors = [
        _Actor(name.strip(), inter_code(inter), side)
        for side, (name, inter) in enumerate(((actor1, inter1), (actor2, inter2)), start=1)
        if name.strip()
    ]
    if rule == "none" or not actors:
        return Roles()
    matching = [actor for actor in actors if actor.code in codes]
    others = [actor for actor in actors if actor.code not in codes]
    if rule in ("against", "met") and matching:
        if others:
            return _roles(others[0], matching[0])
        # Only the targeted actor is named: still the target of an attack by someone ACLED
        # could not name, but at a protest nobody met ("met") there is no target.
        return Roles() if rule == "met" else _roles(None, matching[0])
    if rule == "by" and matching:
        # Two actors of the acting type (rioters against rioters): the second is the target.
        rest = others or matching[1:]
        return _roles(matching[0], rest[0] if rest else None)
    return _roles(actors[0], actors[1] if len(actors) > 1 else None)


def _roles(perpetrator: _Actor | None, target: _Actor | None) -> Roles:
    target_name = target.name if target else ""
    target_type = INTER_TYPES.get(target.code, "") if target else ""
    if perpetrator is None:
        return Roles(target_name=target_name, target_type=target_type)
    return Roles(
        perpetrator_name=perpetrator.name,
        perpetrator_kind=perpetrator_kind(perpetrator.name, perpetrator.code),
        target_name=target_name,
        target_type=target_type,
        perpetrator_side=perpetrator.side,
    )
