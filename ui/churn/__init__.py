"""Churn page parts."""
