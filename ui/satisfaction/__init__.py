"""Satisfaction page parts."""
