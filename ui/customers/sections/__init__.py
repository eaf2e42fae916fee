"""Sections other capabilities contribute to the Customer 360 view; each has render(db, user, customer_id, record)."""
