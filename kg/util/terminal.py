"""Text as a terminal may print it: what would act on the terminal made visible."""
from __future__ import annotations

#: Control characters as text shown on a terminal writes them: a line break or a tab as a space
#: (a row or a message stays one line), any other C0 or C1 control as an escape (an ESC sequence
#: would recolour or move the reader's terminal, an OSC one retitle it); bidirectional overrides
#: and isolates and zero-width characters as escapes too (they reorder or hide what is read).
_VISIBLE = {**{i: f"\\x{i:02x}" for i in (*range(0x20), *range(0x7F, 0xA0))},
            **{i: f"\\u{i:04x}" for i in (0x061C, 0x200B, 0x200C, 0x200D, 0x200E, 0x200F, *range(0x202A, 0x202F),
                                          *range(0x2066, 0x206A), 0xFEFF)},
            **dict.fromkeys(map(ord, "\n\r\t\u2028\u2029"), " ")}


def shown_safely(text: str) -> str:
    """``text`` with every character that a terminal would act on, or that hides or reorders
    text, made visible (see ``_VISIBLE``); most text is returned as it is, at the cost of a
    C-level check."""
    return text if text.isprintable() else text.translate(_VISIBLE)
