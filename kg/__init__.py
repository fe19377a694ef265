"""kg: the large-language-model landscape as a curated, validated, queryable knowledge graph."""
from __future__ import annotations

__version__ = "0.1.0"
