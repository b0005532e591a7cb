"""ACLED's actors: perpetrator and target of each kind of event from the event type, the
sub-event type and the 'inter' codes, whichever order ACLED wrote the actors in."""

from __future__ import annotations

import pytest

from prevention_lens.sources.acled_actors import Roles, event_roles, inter_code

POLICE = "Police Forces of Nigeria (2015-2023)"
ARMY = "Military Forces of Myanmar (2021-)"
PROTESTERS = "Protesters (Nigeria)"
CIVILIANS = "Civilians (Nigeria)"
MILITIA = "Unidentified Armed Group (Nigeria)"
RIOTERS = "Rioters (Nigeria)"
REBELS = "KIA: Kachin Independence Army"


def _roles(event: str, sub: str, actor1: str, inter1: str, actor2: str, inter2: str) -> Roles:
    return event_roles(event, sub, actor1, inter1, actor2, inter2)


def _summary(roles: Roles) -> tuple[str, str, str, str]:
    return (roles.perpetrator_name, roles.perpetrator_kind, roles.target_name, roles.target_type)


CASES = [
    # Excessive force: the protesters are the target, in either order.
    (
        ("Protests", "Excessive force against protesters", POLICE, "1", PROTESTERS, "6"),
        (POLICE, "state", PROTESTERS, "protesters"),
    ),
    (
        ("Protests", "Excessive force against protesters", PROTESTERS, "6", POLICE, "1"),
        (POLICE, "state", PROTESTERS, "protesters"),
    ),
    (
        ("Protests", "Protest with intervention", PROTESTERS, "Protesters", POLICE, "State forces"),
        (POLICE, "state", PROTESTERS, "protesters"),
    ),
    # A peaceful protest has no perpetrator and no target.
    (("Protests", "Peaceful protest", PROTESTERS, "6", "", ""), ("", "unknown", "", "")),
    (("Protests", "", PROTESTERS, "6", "", "0"), ("", "unknown", "", "")),
    # Violence against civilians: the civilians are the target, the other actor the perpetrator.
    (
        ("Violence against civilians", "Attack", MILITIA, "3", CIVILIANS, "7"),
        (MILITIA, "non_state", CIVILIANS, "civilians"),
    ),
    (
        ("Violence against civilians", "Abduction/forced disappearance", CIVILIANS, "7", ARMY, "1"),
        (ARMY, "state", CIVILIANS, "civilians"),
    ),
    (
        ("Violence against civilians", "Sexual violence", CIVILIANS, "Civilians", MILITIA, ""),
        (MILITIA, "unknown", CIVILIANS, "civilians"),
    ),
    # External/other forces: a foreign state's military is a state actor; the rest of the
    # category (international missions, private security, mercenaries) is not known to be.
    (
        (
            "Violence against civilians",
            "Attack",
            "Military Forces of Russia (2000-)",
            "8",
            CIVILIANS,
            "7",
        ),
        ("Military Forces of Russia (2000-)", "state", CIVILIANS, "civilians"),
    ),
    (
        (
            "Violence against civilians",
            "Attack",
            "Wagner Group",
            "External/Other forces",
            CIVILIANS,
            "7",
        ),
        ("Wagner Group", "unknown", CIVILIANS, "civilians"),
    ),
    # Riots: the rioters are the perpetrators, in either order.
    (
        ("Riots", "Mob violence", CIVILIANS, "7", RIOTERS, "5"),
        (RIOTERS, "non_state", CIVILIANS, "civilians"),
    ),
    (
        ("Riots", "Violent demonstration", RIOTERS, "Rioters", "", ""),
        (RIOTERS, "non_state", "", ""),
    ),
    (
        ("Riots", "Violent demonstration", RIOTERS, "5", "Rioters (Ghana)", "5"),
        (RIOTERS, "non_state", "Rioters (Ghana)", "rioters"),
    ),
    # Remote violence against civilians.
    (
        ("Explosions/Remote violence", "Air/drone strike", CIVILIANS, "7", ARMY, "1"),
        (ARMY, "state", CIVILIANS, "civilians"),
    ),
    (
        ("Explosions/Remote violence", "Remote explosive/landmine/IED", REBELS, "2", ARMY, "1"),
        (REBELS, "non_state", ARMY, "state forces"),
    ),
    # Battles: the side that took or regained territory; a clash keeps ACLED's order.
    (
        ("Battles", "Government regains territory", REBELS, "2", ARMY, "1"),
        (ARMY, "state", REBELS, "rebel group"),
    ),
    (
        ("Battles", "Non-state actor overtakes territory", ARMY, "1", REBELS, "2"),
        (REBELS, "non_state", ARMY, "state forces"),
    ),
    (
        ("Battles", "Armed clash", REBELS, "2", ARMY, "1"),
        (REBELS, "non_state", ARMY, "state forces"),
    ),
    # Strategic developments: arrests are by the state; looting targets civilians; the rest
    # are developments with actors, not perpetrators.
    (
        ("Strategic developments", "Arrests", PROTESTERS, "6", POLICE, "1"),
        (POLICE, "state", PROTESTERS, "protesters"),
    ),
    (
        ("Strategic developments", "Looting/property destruction", CIVILIANS, "7", MILITIA, "3"),
        (MILITIA, "non_state", CIVILIANS, "civilians"),
    ),
    (("Strategic developments", "Agreement", ARMY, "1", REBELS, "2"), ("", "unknown", "", "")),
    # No inter codes at all: ACLED's names for state forces still say "state".
    (("Battles", "", ARMY, "", "", ""), (ARMY, "state", "", "")),
    (("Battles", "", "", "", "", ""), ("", "unknown", "", "")),
]


@pytest.mark.parametrize(("event", "expected"), CASES)
def test_perpetrator_and_target_of_each_kind_of_event(
    event: tuple[str, str, str, str, str, str], expected: tuple[str, str, str, str]
) -> None:
    assert _summary(_roles(*event)) == expected


def test_the_columns_the_perpetrator_came_from_are_named() -> None:
    roles = _roles("Protests", "Excessive force against protesters", PROTESTERS, "6", POLICE, "1")
    assert (roles.perpetrator_column, roles.perpetrator_kind_column) == ("actor2", "inter2")


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("1", 1),
        ("State forces", 1),
        ("Rebel group", 2),
        ("Political militia", 3),
        ("Identity militia", 4),
        ("Communal militia", 4),
        ("rioters", 5),
        ("Protestors", 6),
        ("Civilians", 7),
        ("External/Other forces", 8),
        ("8", 8),
        ("", 0),
        ("0", 0),
        ("9", 0),
        ("Spectators", 0),
    ],
)
def test_inter_codes_as_numbers_or_words(text: str, code: int) -> None:
    assert inter_code(text) == code
