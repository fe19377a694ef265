"""Drafting catalog entries from markdown pages."""
