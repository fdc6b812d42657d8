"""The published-figures format: the columns of the figures and relations tables a user transcribes from a
document, and the vocabulary of their cells (units, relation types, claim words). Shared by the input that
reads those tables (inputs/published_figures.py) and the auditor that checks them (analyses/audit.py)."""

from __future__ import annotations

import re
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal

FIGURES_HEADER = ["figure_id", "doc_id", "location", "measure", "geography", "period", "value", "unit",
                  "value_text", "decimals", "note", "as_at", "window"]
#: columns a figures file may leave out (the header is the others, in order)
FIGURES_OPTIONAL = ("note", "as_at", "window")
RELATIONS_HEADER = ["relation_id", "type", "target", "inputs", "claim", "note", "constant"]
RELATIONS_OPTIONAL = ("note", "constant")

UNITS = ["count", "percent", "pp", "ratio", "rate_per_1000", "rate_per_100000", "currency", "currency_thousands",
         "currency_millions", "fte", "days", "hours", "rank"]
#: units printed after rounding: a value stands for an interval of half a unit of its last digit
ROUNDED_UNITS = {"percent", "pp", "ratio", "rate_per_1000", "rate_per_100000", "currency_thousands",
                 "currency_millions"}
#: units measured in points, whose severity threshold is absolute (0.5 points)
POINT_UNITS = {"percent", "pp", "ratio", "rate_per_1000", "rate_per_100000"}
SCALE = {"currency_thousands": Decimal(1000), "currency_millions": Decimal(1000000)}
RELATION_TYPES = ["total", "share", "change", "same_figure", "claim", "product", "ratio", "share_of_n", "bound"]
RULES = {"half-up": ROUND_HALF_UP, "half-even": ROUND_HALF_EVEN}

CHANGE_WORDS = {"increase": 1, "increased": 1, "rise": 1, "rose": 1, "up": 1, "grew": 1, "growth": 1,
                "decrease": -1, "decreased": -1, "fall": -1, "fell": -1, "reduction": -1, "reduced": -1,
                "down": -1, "drop": -1, "dropped": -1,
                "no_change": 0, "unchanged": 0, "stable": 0, "same": 0, "broadly_stable": 0,
                "no_significant_change": 0}
COMPARE_WORDS = {"above": 1, "higher": 1, "more": 1, "larger": 1, "greater": 1, "exceeds": 1, "exceeded": 1,
                 "better": 1, "below": -1, "lower": -1, "less": -1, "smaller": -1, "misses": -1, "missed": -1,
                 "in_line": 0, "equal": 0, "level": 0, "similar": 0, "broadly_similar": 0, "comparable": 0}
#: words of ordinary language that allow a tolerance (params audit.tolerance); the other no-difference words
#: (no_change, unchanged, same, equal, level) mean exactly equal
TOLERANT_WORDS = {"in_line", "stable", "broadly_stable", "similar", "broadly_similar", "comparable",
                  "no_significant_change"}
#: the direction of a `bound` relation: target at most / at least the bound (default at_most)
BOUND_WORDS = {"at_most": -1, "not_more_than": -1, "at_least": 1, "not_less_than": 1}
CLAIM_WORDS = sorted(set(CHANGE_WORDS) | set(COMPARE_WORDS) | set(BOUND_WORDS))


class AuditInputError(ValueError):
    """Figures or relations that cannot be audited as written (unknown id, wrong number of inputs)."""


def expand_ids(text: str, figures: dict) -> list[str]:
    """'F1 F2, F3; F10..F21' -> ids; 'A..B' is every figure from A to B in the figures file's order."""
    ids: list[str] = []
    order = list(figures)
    for tok in re.split(r"[\s,;]+", text.strip()):
        if not tok:
            continue
        if ".." in tok:
            a, b = tok.split("..", 1)
            if a not in figures or b not in figures:
                raise AuditInputError(f"range {tok!r}: {a if a not in figures else b!r} is not a figure id")
            i, j = order.index(a), order.index(b)
            if j < i:
                raise AuditInputError(f"range {tok!r} runs backwards in the figures file")
            ids.extend(order[i:j + 1])
        else:
            ids.append(tok)
    return ids
