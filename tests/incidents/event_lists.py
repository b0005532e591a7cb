"""Small event lists for the signal and episode tests, written month by month."""

from __future__ import annotations

import pandas as pd

from prevention_lens.incidents.signals import SignalSettings

ONE_SIDED = "one_sided_violence"
FIGHTING = "state_based_conflict"
ONLY_CIVILIAN_EVENTS = SignalSettings(series=("one_sided_events",))


def month_range(first: str, last: str) -> list[str]:
    return [str(p) for p in pd.period_range(first, last, freq="M")]


class Events:
    """A small event list written month by month."""

    def __init__(self) -> None:
        self.rows: list[dict[str, object]] = []

    def add(
        self,
        month: str,
        count: int = 1,
        *,
        country: str = "AAA",
        admin1: str | None = "North",
        category: str = ONE_SIDED,
        identity: bool = False,
        deaths: float = 0.0,
        day: int = 10,
        **optional: object,
    ) -> list[str]:
        ids = []
        for _ in range(count):
            event_id = f"e{len(self.rows) + 1}"
            ids.append(event_id)
            self.rows.append(
                {
                    "event_id": event_id,
                    "date": f"{month}-{day:02d}",
                    "country_key": country,
                    "admin1": admin1,
                    "category": category,
                    "identity_targeted": identity,
                    "fatalities": deaths,
                    **optional,  # date_end, date_precision, perpetrator_kind
                }
            )
        return ids

    def flat(self, first: str, last: str, per_month: int = 1, **kwargs: object) -> None:
        for month in month_range(first, last):
            self.add(month, per_month, **kwargs)  # type: ignore[arg-type]

    def frame(self) -> pd.DataFrame:
        return pd.DataFrame(self.rows)
