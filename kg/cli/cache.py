"""`kg cache`: where the query cache is, what it holds, and emptying it."""
from __future__ import annotations

import click

from kg.cli.common import Settings, library_errors, project_from


def _entries(n: int) -> str:
    return f"{n} entr{'y' if n == 1 else 'ies'}"


def _size(n: int) -> str:
    for unit in ("B", "KiB", "MiB", "GiB"):
        if n < 1024 or unit == "GiB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n} B"  # pragma: no cover - unreachable


@click.group("cache")
def cache_group() -> None:
    """Show (info), prune or clear the query cache (the built graphs 'kg query' reuses)."""


def _check_place() -> None:
    """The cache's folder, or where it would be made, must not be (inside) a file (a build or a
    query goes on without the cache then, and says so)."""
    from kg.pipeline.cache import cache_root

    root = cache_root()
    nearest = next((p for p in (root, *root.parents) if p.exists()), None)
    if nearest is not None and not nearest.is_dir():
        where = "is a file" if nearest == root else f"is inside a file ({nearest})"
        raise click.ClickException(f"the cache's place {root} {where}, not a folder: point KG_CACHE_DIR at a folder")


@cache_group.command("info")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@library_errors
def info(fmt: str) -> None:
    """Where the cache is, each entry with its size and last use, and the total against the cap."""
    _check_place()
    import json
    import time

    from kg.pipeline.cache import cache_entries, cache_root, max_bytes

    entries = cache_entries()
    total, cap = sum(e.size for e in entries), max_bytes()
    if fmt == "json":
        click.echo(json.dumps({"folder": str(cache_root()), "max_bytes": cap, "total_bytes": total,
                               "entries": [e.as_dict() for e in reversed(entries)]}, indent=2))
        return
    click.echo(f"cache: {cache_root()}")
    click.echo(f"{_entries(len(entries))}, {_size(total)} of {_size(cap)} (KG_CACHE_MAX_BYTES; "
               "least recently used evicted first)")
    if not entries:
        return
    rows = [("last used", "size", "triples", "store", "project")]
    for e in reversed(entries):  # most recent first
        rows.append((time.strftime("%Y-%m-%d %H:%M", time.localtime(e.last_used)), _size(e.size),
                     "" if e.triples is None else str(e.triples), "oxigraph" if e.store else "",
                     e.project or "(unknown: an older kg's entry)"))
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    for r in rows:
        click.echo("  ".join([r[0].ljust(widths[0]), r[1].rjust(widths[1]), r[2].rjust(widths[2]),
                              r[3].ljust(widths[3]), r[4]]).rstrip())


def _report(settings: Settings, done, verb: str) -> None:
    freed = sum(e.size for e in done.removed)
    settings.info(f"{verb} {_entries(len(done.removed))} ({_size(freed)}); {_size(done.remaining_bytes)} left "
                  "in the cache")
    if done.in_use:
        settings.info(f"kept {_entries(len(done.in_use))} that another kg process is using")


@cache_group.command("clear")
@click.option("--project", "only_project", is_flag=True,
              help="Only the entries of this project (its data folder: --data, or data/ of the project root).")
@click.option("--data", type=click.Path(file_okay=False), help="The project's data folder (with --project).")
@click.pass_obj
@library_errors
def clear(settings: Settings, only_project: bool, data) -> None:
    """Remove the cached builds (all, or this project's with --project); entries in use stay."""
    _check_place()
    from kg.pipeline.cache import clear as clear_cache

    if data and not only_project:
        raise click.UsageError("--data only goes with --project (it names the project to clear)")
    project = project_from(data, None, None, None, None).data if only_project else None
    _report(settings, clear_cache(project), "removed")


@cache_group.command("prune")
@click.option("--max-bytes", "limit", metavar="SIZE",
              help="Prune to this size (bytes, or e.g. 500M, 2G; default: KG_CACHE_MAX_BYTES or 1G).")
@click.pass_obj
@library_errors
def prune(settings: Settings, limit: str | None) -> None:
    """Evict the least recently used entries until the cache fits its cap."""
    _check_place()
    from kg.pipeline.cache import parse_size, prune as prune_cache

    _report(settings, prune_cache(parse_size(limit) if limit else None), "evicted")
