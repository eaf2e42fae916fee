"""Customer 360 section: this customer's key dates for the coming year and when each product runs out."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from crm_core.care import board
from crm_core.care.fits import stored_choice
from crm_core.care.replenishment import MethodChoice
from crm_core.tables import Column
from ui.cache import cached_read
from ui.care import common as care_common
from ui.common import analysis_date, choice_label, tr
from ui.tables import frame_grid


@cached_read(ttl=600, max_entries=64)
def _dates(db, user, customer_id: int, as_of):
    return board.customer_key_dates(db, user, customer_id, as_of)


@cached_read(ttl=600, max_entries=64)
def _forecast(db, user, customer_id: int, as_of, overall: str, by_group: tuple):
    choice = MethodChoice(overall=overall, by_group=dict(by_group))
    return board.customer_forecast(db, user, customer_id, as_of, choice=choice)


def render(db, user, customer_id: int, record: dict) -> None:
    """Upcoming key dates (12 months, festivals included) and the replenishment forecast."""
    as_of = analysis_date()
    dates = _dates(db, user, int(customer_id), as_of)
    st.subheader(tr("care.c360.title"))
    left, right = st.columns(2)
    with left:
        st.markdown(f"**{tr('care.c360.key_dates')}**")
        if dates.empty:
            st.info(tr("care.ui.none"))
        else:
            shown = pd.DataFrame({"date": dates["date"].dt.date,
                                  "occasion": dates["occasion"].map(choice_label("care.occasion")),
                                  "years": dates["years"], "label": dates["label"]})
            frame_grid(shown, title="care.c360.key_dates", key="c360_care_dates", header_prefix="care.col",
                       kinds={"years": "count"})
    with right:
        st.markdown(f"**{tr('care.c360.forecast')}**")
        fit = care_common.forecast_fit(db, as_of)  # the Care page's method, chosen by the background fit
        if fit is None:
            return
        chosen = stored_choice(fit)
        forecast = _forecast(db, user, int(customer_id), as_of, chosen.overall, tuple(sorted(chosen.by_group.items())))
        if forecast.empty:
            st.info(tr("care.c360.no_forecast"))
        else:
            shown = pd.DataFrame({"product": forecast["product"], "last_purchase": forecast["last_purchase"].dt.date,
                                  "rate_per_day": forecast["rate_per_day"].round(3),
                                  "run_out": forecast["run_out"].dt.date,
                                  "method": forecast["method"].map(choice_label("care.method"))})
            frame_grid(shown, title="care.c360.forecast", key="c360_care_forecast", header_prefix="care.col",
                       kinds={"rate_per_day": Column("rate_per_day", "care.col.rate_per_day", "number", decimals=3)})
