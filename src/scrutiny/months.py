"""Calendar months as 'YYYY-MM' strings: ranges and offsets."""

from __future__ import annotations


def to_index(month: str) -> int:
    """Months since year 0: '2024-01' -> 2024*12 + 0."""
    y, m = month.split("-")
    return int(y) * 12 + int(m) - 1


def from_index(i: int) -> str:
    return f"{i // 12:04d}-{i % 12 + 1:02d}"


def shift(month: str, n: int) -> str:
    """The month n months after (n<0: before) `month`."""
    return from_index(to_index(month) + n)


def span(start: str, end: str) -> list[str]:
    """Every month from start to end inclusive."""
    return [from_index(i) for i in range(to_index(start), to_index(end) + 1)]


def label(month: str) -> str:
    """'2025-06' -> 'June 2025', the way force papers write it."""
    names = ["January", "February", "March", "April", "May", "June", "July", "August",
             "September", "October", "November", "December"]
    y, m = month.split("-")
    return f"{names[int(m) - 1]} {y}"
