"""Relationship care (domain.md §1): 三节两寿, long-absent customers, proactive
replenishment, stay-in-touch schedules and calendar export."""
from crm_core.care.absence import long_absent
from crm_core.care.contacts import DEFAULT_CONTACT_DAYS, overdue_contacts, set_contact_frequency
from crm_core.care.festivals import FESTIVALS, festival_dates
from crm_core.care.ics import key_date_events, to_ics
from crm_core.care.key_dates import upcoming_key_dates, upcoming_key_dates_sql
from crm_core.care.replenishment import (
    ForecastAccuracy,
    deliveries_due,
    forecast_accuracy,
    next_payday,
    replenishment_forecast,
    replenishment_forecast_sql,
)

__all__ = [
    "DEFAULT_CONTACT_DAYS", "FESTIVALS", "ForecastAccuracy", "deliveries_due", "festival_dates",
    "forecast_accuracy", "key_date_events", "long_absent", "next_payday", "overdue_contacts",
    "replenishment_forecast", "replenishment_forecast_sql", "set_contact_frequency", "to_ics",
    "upcoming_key_dates", "upcoming_key_dates_sql",
]
