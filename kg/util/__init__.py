"""Machinery with no knowledge of the catalog: atomic files, child processes, GC pauses, freed memory, progress."""
