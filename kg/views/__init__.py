"""Seeing the landscape: statistics, lineage trees, timelines and the static site."""
