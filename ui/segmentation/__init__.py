"""Segmentation page parts."""
