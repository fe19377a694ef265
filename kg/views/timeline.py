"""Model releases over time by organization: a Markdown table, or a chart through matplotlib."""
from __future__ import annotations

import io
from collections import Counter

from kg.errors import KgError
from kg.catalog.loader import Catalog
from kg.catalog.schema import MODEL, ORGANIZATION

OTHER = "other"
UNKNOWN = "unknown"


class TimelineError(KgError):
    """The chart cannot be drawn (matplotlib is missing)."""


def release_counts(catalog: Catalog, top: int = 8) -> tuple[list[str], list[str], dict[tuple[str, str], int]]:
    """Years, organization columns (the ``top`` most prolific, then 'other') and counts per cell.

    A model counts once, for its first developer; family entries and undated models are left out.
    """
    names = {e.id: e.name for e in catalog.by_kind(ORGANIZATION).values()}
    rows = []
    for entry in catalog.by_kind(MODEL).values():
        released = entry.values.get("released")
        if not released or entry.first("kind") == "family":
            continue
        developers = entry.values.get("developer")
        org = developers[0].value if developers else UNKNOWN
        rows.append((released[0].value.text[:4], names.get(org, org)))
    totals = Counter(org for _, org in rows)
    leaders = [org for org, _ in sorted(totals.items(), key=lambda kv: (-kv[1], kv[0])) if org != UNKNOWN][:top]
    columns = leaders + [OTHER]
    cells: Counter = Counter()
    for year, org in rows:
        cells[(year, org if org in leaders else OTHER)] += 1
    years = sorted({year for year, _ in rows})
    return years, columns, dict(cells)


def to_markdown(catalog: Catalog, top: int = 8) -> str:
    years, columns, cells = release_counts(catalog, top)
    header = "| year | " + " | ".join(columns) + " | total |"
    lines = [header, "|---|" + "---:|" * (len(columns) + 1)]
    for year in years:
        counts = [cells.get((year, org), 0) for org in columns]
        lines.append(f"| {year} | " + " | ".join(str(c) if c else "" for c in counts) + f" | {sum(counts)} |")
    totals = [sum(cells.get((y, org), 0) for y in years) for org in columns]
    lines.append("| **all** | " + " | ".join(str(t) for t in totals) + f" | {sum(totals)} |")
    return "\n".join(lines) + "\n"


def to_chart(catalog: Catalog, fmt: str, top: int = 8) -> bytes:
    """Stacked bars of releases per year by organization, as SVG or PNG (deterministic)."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        raise TimelineError("charts need matplotlib: pip install 'kg-llm[plot]'") from None
    years, columns, cells = release_counts(catalog, top)
    plt.rcParams["svg.hashsalt"] = "kg"
    figure, axes = plt.subplots(figsize=(9, 4.5), dpi=100)
    bottom = [0] * len(years)
    colours = plt.get_cmap("tab20").colors
    for index, org in enumerate(columns):
        heights = [cells.get((y, org), 0) for y in years]
        axes.bar(years, heights, bottom=bottom, label=org, color=colours[index % len(colours)])
        bottom = [b + h for b, h in zip(bottom, heights)]
    axes.set_title("Model releases per year by organization")
    axes.set_ylabel("models released")
    axes.legend(fontsize=8, ncols=2, frameon=False)
    axes.spines[["top", "right"]].set_visible(False)
    figure.tight_layout()
    buffer = io.BytesIO()
    metadata = {"Date": None} if fmt == "svg" else {"Software": None}
    figure.savefig(buffer, format=fmt, metadata=metadata)
    plt.close(figure)
    return buffer.getvalue()
