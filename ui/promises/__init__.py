"""Promises page parts."""
