"""Printed width of text. On a receipt printer a character that takes one byte in the printer's
encoding prints half width (one column); one that takes more (Chinese in GB18030) prints full width
(two columns). Padding, centring and wrapping count columns, not characters."""

from __future__ import annotations

from functools import lru_cache


class TextMetrics:
    def __init__(self, encoding: str) -> None:
        self.encoding = encoding

        @lru_cache(maxsize=4096)
        def char_width(ch: str) -> int:
            return 1 if len(ch.encode(encoding, errors="replace")) == 1 else 2

        self.char_width = char_width

    def width(self, text: str) -> int:
        return sum(self.char_width(ch) for ch in text)

    def ljust(self, text: str, columns: int) -> str:
        return text + " " * max(0, columns - self.width(text))

    def rjust(self, text: str, columns: int) -> str:
        return " " * max(0, columns - self.width(text)) + text

    def center(self, text: str, columns: int) -> str:
        return " " * max(0, (columns - self.width(text)) // 2) + text

    def wrap(self, text: str, columns: int) -> list[str]:
        """Break text into lines of at most `columns` columns (a character wider than that gets a line)."""
        lines, line, used = [], [], 0
        for ch in text:
            w = self.char_width(ch)
            if line and used + w > columns:
                lines.append("".join(line))
                line, used = [], 0
            line.append(ch)
            used += w
        if line or not lines:
            lines.append("".join(line))
        return lines

    def spread(self, left: str, right: str, columns: int) -> list[str]:
        """`left` at the left, `right` at the right of one line; two lines when they do not fit."""
        gap = columns - self.width(left) - self.width(right)
        if gap >= 1:
            return [left + " " * gap + right]
        return [*self.wrap(left, columns), self.rjust(right, columns)]
