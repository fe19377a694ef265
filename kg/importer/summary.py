"""The import report in short: how many items are new, known, unsure or skipped, and why."""
from __future__ import annotations

import re

from kg.importer.drafts import ImportResult

#: Quoted words in a reason ("a leaderboard ('arena')"): the group keeps them as examples.
_QUOTED = re.compile(r"'([^']*)'")
EXAMPLES = 4


def reason_groups(reasons: list[str], merge: bool = False) -> list[tuple[int, str]]:
    """(count, reason) of each kind of reason, most frequent first. The words a reason quotes are
    gathered as examples ("a leaderboard ('arena', 'leaderboard')"); with ``merge``, reasons that
    say the same thing from the name, the link or the description are one group."""
    groups: dict[str, list] = {}
    for reason in reasons:
        reason = reason.split("; ")[0]
        key = re.split(r" \(|, (?:not|by) ", reason)[0] if merge else _QUOTED.sub("'…'", reason)
        group = groups.setdefault(key, [0, [], set()])
        group[0] += 1
        group[1] += [w for w in _QUOTED.findall(reason) if w not in group[1]]
        group[2].update(w for w in ("description", "link", "words before") if f"by its {w}" in reason
                        or f"by the {w}" in reason or f"in the {w}" in reason)
    out = []
    for key, (count, words, others) in groups.items():
        shown = ", ".join(f"'{w}'" for w in words[:EXAMPLES]) + (", …" if len(words) > EXAMPLES else "")
        if not merge:
            out.append((count, key.replace("'…'", shown, 1).replace("'…'", "") if words else key))
            continue
        said = [f"words {shown}"] if words and not all(f"'{w}'" in key for w in words) else []
        said += [f"its {w}" for w in sorted(others)]
        out.append((count, key + (f" (by {'; '.join(said)})" if said else "")))
    return sorted(out, key=lambda pair: (-pair[0], pair[1]))


def render_summary(result: ImportResult) -> str:
    """Counts by status, new and known entries by kind, and the reasons of unsure and skipped items."""
    totals = result.totals()
    lines = [", ".join(f"{n} {status}" for status, n in totals.items()) + f" ({len(result.rows)} items)", ""]
    kinds = sorted({r.kind for r in result.rows if r.status in ("new", "known", "conflicting")})
    lines.append("new, known and conflicting, by kind:")
    for kind in kinds:
        counts = {s: sum(1 for r in result.rows if r.kind == kind and r.status == s)
                  for s in ("new", "known", "conflicting")}
        lines.append(f"  {kind:<13}" + "".join(f"{n:>5} {s}" for s, n in counts.items()))
    for status, title in (("unsure", "unsure (never drafted), by reason:"), ("skipped", "skipped, by reason:")):
        groups = reason_groups([r.detail for r in result.rows if r.status == status], merge=status == "skipped")
        if groups:
            lines += ["", title] + [f"  {count:>4}  {reason}" for count, reason in groups]
    return "\n".join(lines) + "\n"
