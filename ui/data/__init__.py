"""Data page parts: import, history, export."""
