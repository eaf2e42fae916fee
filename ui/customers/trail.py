"""The grids of one customer's key dates and change history (Customer 360, the customer form)."""
from crm_core import audit, tables

KEY_DATES = tables.Table("tab.key_dates", (
    tables.label("kind", "col.kind", "keydate"), tables.text("label", "col.label"), tables.day("day", "col.day")))

# A change: who changed which field from what to what (the values as stored text: they are any field's).
_CHANGE = (tables.label("field", "col.field", "field"), tables.text("old_value", "col.old_value"),
           tables.text("new_value", "col.new_value"))
TRAIL = tables.Table("tab.audit", (
    tables.moment("logged_at", "col.logged_at"), tables.text("actor", "col.actor"),
    tables.label("action", "col.action", audit.ACTION_LABELS), *_CHANGE))
