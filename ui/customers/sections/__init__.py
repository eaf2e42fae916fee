"""Sections other capabilities contribute to the Customer 360 view; each has render(db, user, customer_id, record)."""
from ui.customers.sections import care, churn, promises, satisfaction, segmentation

__all__ = ["care", "churn", "promises", "satisfaction", "segmentation"]
