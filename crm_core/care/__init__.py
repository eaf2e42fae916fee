"""Relationship care (docs/domain.md §1): 三节两寿, long-absent customers, proactive
replenishment, stay-in-touch schedules and calendar export."""
from crm_core.care.absence import long_absent_list, usual_products
from crm_core.care.contacts import (
    DEFAULT_CONTACT_DAYS,
    overdue_contacts,
    set_contact_every,
    set_contact_frequency,
)
from crm_core.care.ics import delivery_events, key_date_events, to_ics
from crm_core.care.key_dates import upcoming_key_dates_sql
from crm_core.care.replenishment import (
    ForecastAccuracy,
    deliveries_due,
    deliveries_due_sql,
    forecast_accuracy_sql,
    next_payday,
    replenishment_forecast_sql,
)
from crm_core.china_calendar import FESTIVALS, festival_dates

__all__ = [
    "DEFAULT_CONTACT_DAYS", "FESTIVALS", "ForecastAccuracy", "deliveries_due", "deliveries_due_sql",
    "delivery_events", "festival_dates", "forecast_accuracy_sql", "key_date_events",
    "long_absent_list", "next_payday", "overdue_contacts",
    "replenishment_forecast_sql", "set_contact_every", "set_contact_frequency", "to_ics",
    "upcoming_key_dates_sql", "usual_products",
]
