"""Published-figures audit: re-check a document's own numbers from the figures it prints.

Inputs are two tidy tables transcribed from a document (see README, "Auditing a published document"):
figures (one row per printed number) and relations (what the document implies about them: a total, a
share, a change, the same figure printed twice, a worded claim). Every check here uses exact decimal
arithmetic (Python's `decimal` module), never binary floating point.

Rounding rules. A recomputed value "reproduces" a printed one when it rounds to the printed digits under
round-half-up (ties away from zero, as spreadsheet ROUND does) or round-half-even (banker's rounding, the
IEEE 754 default and the rule of Python's round()). Both are tried; a figure is flagged only when neither
reproduces it.

Rounded inputs (interval arithmetic). A printed figure in a rounded unit (percent, percentage points,
ratio, rates, £ thousands/millions) stands for any value within half a unit of its last printed digit:
13.6% means [13.55, 13.65]. The result of a sum, difference or quotient of such intervals is the interval
of all results (Moore, *Interval Analysis*, 1966; for quotients the extremes are at the corners because
the divisor interval excludes zero). When the printed result lies within half a unit of that interval,
some unrounded inputs consistent with the document give it: "consistent with rounding", not an error.

"x% (n)" feasibility. For a count n printed with a share x% (d decimals), the denominators N for which
n/N rounds to x% are the integers with 100n/(x + h) <= N <= 100n/(x - h), h = 0.5 x 10^-d; each candidate
in that range is then tested exactly under both rounding rules.

Severity of a flagged check (a stated rule, not a judgement of importance): "major" when the printed value
is at least 0.5 points (for percent, percentage-point, ratio and rate units) or at least 1% of its size (all
other units) away from the nearest value the inputs allow, and for every contradicted claim, infeasible
"x% (n)" figure and input sum that exceeds its total; otherwise "minor".
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, ROUND_HALF_EVEN, Decimal, InvalidOperation, localcontext

import pandas as pd

from scrutiny.analyses.summary import frame as summary_frame
from scrutiny.reference.published_figures import (  # noqa: F401  (audit.<name> is the auditor's vocabulary)
    BOUND_WORDS,
    CHANGE_WORDS,
    CLAIM_WORDS,
    COMPARE_WORDS,
    FIGURES_HEADER,
    FIGURES_OPTIONAL,
    POINT_UNITS,
    RELATION_TYPES,
    RELATIONS_HEADER,
    RELATIONS_OPTIONAL,
    ROUNDED_UNITS,
    RULES,
    SCALE,
    TOLERANT_WORDS,
    UNITS,
    AuditInputError,
    expand_ids,
)

STATUS_OK, STATUS_ROUNDING, STATUS_FLAG, STATUS_UNCHECKED = "ok", "consistent with rounding", "discrepancy", \
    "not checkable"
#: printings that disagree but carry different as-at dates or windows: maybe not the same quantity
STATUS_AMBIGUOUS = "ambiguous"

_PREC = 60


@dataclass(frozen=True)
class Tolerance:
    """How far apart two figures may be and still be 'in line', 'stable' or 'similar': `points` for units
    measured in points (percent, pp, ratio, rates), `relative` (a fraction of the reference figure) for the
    rest. Params audit.tolerance; defaults 5% and 1 point."""

    relative: Decimal = Decimal("0.05")
    points: Decimal = Decimal("1.0")


DEFAULT_TOLERANCE = Tolerance()


# --------------------------------------------------------------------------------------------- numbers

def D(x) -> Decimal:
    """A Decimal from a printed number ('1,526', '-0.45', 13.6); never via binary floating point."""
    if isinstance(x, Decimal):
        return x
    if isinstance(x, float):
        x = repr(x)
    return Decimal(str(x).replace(",", "").strip())


def plural(n: int, one: str, many: str | None = None) -> str:
    """'1 printed value', '2 printed values', '1 discrepancy', '3 discrepancies'."""
    if n == 1:
        return f"1 {one}"
    if many is None:
        many = one[:-1] + "ies" if one.endswith("y") and one[-2:-1] not in "aeiou" else one + "s"
    return f"{n:,} {many}"


def half_unit(decimals: int) -> Decimal:
    """Half a unit of the last printed digit: 0.05 for one decimal, 0.5 for whole numbers."""
    return Decimal(5).scaleb(-int(decimals) - 1)


def round_to(x: Decimal, decimals: int, rule: str) -> Decimal:
    """x rounded to `decimals` places under `rule` ('half-up' = ties away from zero, 'half-even')."""
    return D(x).quantize(Decimal(1).scaleb(-int(decimals)), rounding=RULES[rule])


def truncated(x: Decimal, decimals: int) -> Decimal:
    """x with the digits after `decimals` places cut off (toward zero): 805.99 -> 805."""
    return D(x).quantize(Decimal(1).scaleb(-int(decimals)), rounding=ROUND_DOWN)


def reproducing_rules(x: Decimal, printed: Decimal, decimals: int) -> list[str]:
    """The rounding rules under which the exact value x prints as `printed` at `decimals` places."""
    return [r for r in RULES if round_to(x, decimals, r) == D(printed).quantize(Decimal(1).scaleb(-decimals))]


@dataclass(frozen=True)
class Interval:
    lo: Decimal
    hi: Decimal

    @classmethod
    def point(cls, x: Decimal) -> Interval:
        return cls(x, x)

    @property
    def exact(self) -> bool:
        return self.lo == self.hi

    def __add__(self, o: Interval) -> Interval:
        return Interval(self.lo + o.lo, self.hi + o.hi)

    def __sub__(self, o: Interval) -> Interval:
        return Interval(self.lo - o.hi, self.hi - o.lo)

    def scale(self, k: Decimal) -> Interval:
        a, b = self.lo * k, self.hi * k
        return Interval(min(a, b), max(a, b))

    def __mul__(self, o: Interval) -> Interval:
        corners = [self.lo * o.lo, self.lo * o.hi, self.hi * o.lo, self.hi * o.hi]
        return Interval(min(corners), max(corners))

    def __truediv__(self, o: Interval) -> Interval:
        if o.lo <= 0 <= o.hi:
            raise ZeroDivisionError("divisor interval contains zero")
        with localcontext() as c:
            c.prec = _PREC
            corners = [self.lo / o.lo, self.lo / o.hi, self.hi / o.lo, self.hi / o.hi]
        return Interval(min(corners), max(corners))

    def distance(self, x: Decimal) -> Decimal:
        """0 when x is inside, else how far outside."""
        if x < self.lo:
            return self.lo - x
        if x > self.hi:
            return x - self.hi
        return Decimal(0)


def printed_interval(value: Decimal, decimals: int) -> Interval:
    """All values that print as `value` at `decimals` places (closed: both tie rules are allowed)."""
    h = half_unit(decimals)
    return Interval(value - h, value + h)


def reachable(result: Interval, printed: Decimal, decimals: int) -> bool:
    """Can some value in `result` print as `printed`? (interval overlap, ties included)"""
    p = printed_interval(printed, decimals)
    return result.lo <= p.hi and p.lo <= result.hi


def fmt(x: Decimal | None, decimals: int | None = None) -> str:
    """A Decimal for display: thousands separators, trailing zeros kept to `decimals` if given."""
    if x is None:
        return ""
    if decimals is None:
        x = x.normalize() if x == x.to_integral() else x
        s = f"{x:,f}"
    else:
        s = f"{D(x).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_EVEN):,f}"
    return s


def show(x: Decimal, decimals: int) -> str:
    """x at the printed precision when that is exact, else with two more decimals (e.g. 12.4509)."""
    x = D(x)
    if x == x.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_EVEN):
        return fmt(x, decimals)
    two = D(x).quantize(Decimal(1).scaleb(-decimals - 2), rounding=ROUND_HALF_EVEN)
    if two != x and two.as_tuple().digits[-1] == 0 and two.as_tuple().digits[-2] == 5:
        return fmt(x, decimals + 4)  # e.g. -0.44957, not -0.450, which would look like a tie
    return fmt(x, decimals + 2)


def fmt_interval(iv: Interval, decimals: int) -> str:
    if iv.exact:
        return show(iv.lo, decimals)
    return f"{fmt(iv.lo, decimals + 1)} to {fmt(iv.hi, decimals + 1)}"


# --------------------------------------------------------------------------------------------- figures

@dataclass(frozen=True)
class Figure:
    id: str
    doc_id: str
    location: str
    measure: str
    geography: str
    period: str
    value: Decimal | None
    unit: str
    value_text: str
    decimals: int
    note: str = ""
    order: int = 0
    as_at: str = ""
    window: str = ""

    @property
    def rounded(self) -> bool:
        return self.unit in ROUNDED_UNITS

    @property
    def interval(self) -> Interval:
        if self.value is None:
            raise ValueError(f"figure {self.id} has no value")
        return printed_interval(self.value, self.decimals) if self.rounded else Interval.point(self.value)

    @property
    def scaled(self) -> Interval:
        """The interval in base units (£ thousands and millions as £)."""
        return self.interval.scale(SCALE.get(self.unit, Decimal(1)))

    @property
    def shown(self) -> str:
        return self.value_text or fmt(self.value)

    @property
    def num(self) -> str:
        """The value alone, for formulas (e.g. '190', '13.6%')."""
        if self.value is None:
            return "(blank)"
        return fmt(self.value, self.decimals) + ("%" if self.unit in ("percent", "pp") else "")

    @property
    def where(self) -> str:
        return f"{self.doc_id} {self.location}".strip()


def _decimals_of(text: str) -> int:
    t = text.replace(",", "").strip()
    return len(t.split(".", 1)[1]) if "." in t else 0


def load_figures(df: pd.DataFrame) -> dict[str, Figure]:
    """Figures keyed by id, in file order; `value` blank means the document prints no number there."""
    out: dict[str, Figure] = {}
    problems = []
    for i, r in enumerate(df.fillna("").astype(str).to_dict(orient="records")):
        fid = r["figure_id"].strip()
        raw = r["value"].strip()
        try:
            value = D(raw) if raw else None
        except InvalidOperation:
            problems.append(f"figure {fid}: value {raw!r} is not a number")
            continue
        dec = r.get("decimals", "").strip()
        decimals = int(float(dec)) if dec else _decimals_of(raw)
        if fid in out:
            problems.append(f"figure id {fid} is used twice")
        out[fid] = Figure(fid, r["doc_id"].strip(), r["location"].strip(), r["measure"].strip(),
                          r["geography"].strip(), r["period"].strip(), value, r["unit"].strip(),
                          r["value_text"].strip(), decimals, r.get("note", "").strip(), i,
                          r.get("as_at", "").strip(), r.get("window", "").strip())
    if problems:
        raise AuditInputError("; ".join(problems))
    return out


@dataclass(frozen=True)
class Relation:
    id: str
    type: str
    target: str
    inputs: tuple[str, ...]
    claim: str = ""
    note: str = ""
    constant: Decimal | None = None


_ARITY = {"total": (1, None), "share": (1, None), "change": (2, 2), "same_figure": (1, None), "claim": (2, 2),
          "product": (1, None), "ratio": (2, 2), "share_of_n": (1, 1), "bound": (1, None)}


def load_relations(df: pd.DataFrame, figures: dict[str, Figure]) -> list[Relation]:
    """Relations with ids expanded; every problem (unknown id, wrong count of inputs) is reported at once."""
    out, problems = [], []
    for r in df.fillna("").astype(str).to_dict(orient="records"):
        rid, typ = r["relation_id"].strip(), r["type"].strip().lower()
        try:
            inputs = expand_ids(r["inputs"], figures)
        except AuditInputError as e:
            problems.append(f"relation {rid}: {e}")
            continue
        target = r["target"].strip()
        if typ not in _ARITY:
            problems.append(f"relation {rid}: type {typ!r} is not one of {RELATION_TYPES}")
            continue
        lo, hi = _ARITY[typ]
        if len(inputs) < lo or (hi is not None and len(inputs) > hi):
            want = f"exactly {lo}" if lo == hi else f"at least {lo}"
            problems.append(f"relation {rid} ({typ}): needs {want} input id(s), got {len(inputs)}")
        if typ in ("total", "share", "change", "product", "ratio", "share_of_n", "bound") and not target:
            problems.append(f"relation {rid} ({typ}): needs a target figure id")
        if typ == "same_figure" and len(inputs) + bool(target) < 2:
            problems.append(f"relation {rid} (same_figure): needs at least two figures")
        claim = r.get("claim", "").strip().lower().replace(" ", "_")
        words = sorted(set(CHANGE_WORDS) | set(COMPARE_WORDS))
        if typ == "claim" and claim not in words:
            problems.append(f"relation {rid} (claim): claim word {claim!r} is not one of {words}")
        if typ == "bound" and claim and claim not in BOUND_WORDS:
            problems.append(f"relation {rid} (bound): direction {claim!r} is not one of {sorted(BOUND_WORDS)}")
        const = r.get("constant", "").strip()
        try:
            const = D(const) if const else None
        except InvalidOperation:
            problems.append(f"relation {rid}: constant {const!r} is not a number")
            const = None
        for fid in inputs + ([target] if target else []):
            if fid not in figures:
                problems.append(f"relation {rid}: figure id {fid!r} is not in the figures table")
        out.append(Relation(rid, typ, target, tuple(inputs), claim, r.get("note", "").strip(), const))
    if problems:
        raise AuditInputError("cannot audit these relations:\n  " + "\n  ".join(problems))
    return out


# --------------------------------------------------------------------------------------------- checks

@dataclass
class Check:
    id: str
    check: str
    doc_id: str
    location: str
    printed: str
    recomputed: str
    status: str
    severity: str = ""
    explanation: str = ""
    rules: str = ""
    figures: list[str] = field(default_factory=list)
    where: str = ""        # for a Panel: page and table/row label when known, else the line
    relation: str = ""     # what was checked, in words


def _severity(unit: str, printed: Decimal, nearest: Decimal) -> str:
    gap = abs(printed - nearest)
    if unit in POINT_UNITS:
        return "major" if gap >= Decimal("0.5") else "minor"
    base = max(abs(printed), abs(nearest))
    return "major" if base and gap / base >= Decimal("0.01") else "minor"


def _nearest(iv: Interval, x: Decimal) -> Decimal:
    return min(max(x, iv.lo), iv.hi)


def _locs(figs: list[Figure]) -> str:
    docs = list(dict.fromkeys(f.doc_id for f in figs))
    locs = list(dict.fromkeys(f.location for f in figs if f.location))
    if len(docs) == 1:
        return ", ".join(locs)
    return "; ".join(f"{f.doc_id} {f.location}" for f in figs)


def _judge(rid: str, kind: str, target: Figure, result: Interval, inputs: list[Figure], what: str,
           point: Decimal | None = None) -> Check:
    """Compare a recomputed result (in the target's units) with the printed target."""
    figs = [target] + inputs
    p, d = target.value, target.decimals
    c = Check(rid, kind, target.doc_id, _locs(figs), target.shown, "", STATUS_OK, figures=[f.id for f in figs])
    if result.exact:
        x = result.lo
        c.recomputed = show(x, d)
        rules = reproducing_rules(x, p, d)
        c.rules = " and ".join(rules)
        if rules:
            c.explanation = f"{what} = {c.recomputed}, which prints as {fmt(p, d)} under round-half-" \
                            f"{'up and half-even' if len(rules) == 2 else rules[0].split('-')[1]}."
            return c
        if target.rounded:
            # exact inputs but the target itself is a rounded figure: its printed interval must hold x
            if printed_interval(p, d).distance(x) == 0:
                c.explanation = f"{what} = {c.recomputed}; {fmt(p, d)} is within half a unit of it."
                return c
        c.status = STATUS_FLAG
        c.severity = _severity(target.unit, p, x)
        if x == round_to(x, d, "half-even"):
            c.explanation = f"{what} = {c.recomputed}, not the printed {fmt(p, d)}."
        else:
            c.explanation = (f"{what} = {c.recomputed}, which rounds to {fmt(round_to(x, d, 'half-up'), d)}"
                             + (f" (half-even: {fmt(round_to(x, d, 'half-even'), d)})"
                                if round_to(x, d, 'half-even') != round_to(x, d, 'half-up') else "")
                             + f", not the printed {fmt(p, d)}.")
        twice = round_to(round_to(x, d + 1, "half-up"), d, "half-up")
        if twice == p:
            c.explanation += (f" The printed value is what rounding twice gives ({c.recomputed} → "
                              f"{fmt(round_to(x, d + 1, 'half-up'), d + 1)} → {fmt(p, d)}): a double-rounding slip.")
        elif truncated(x, d) == p:
            c.explanation += (f" The printed value is what cutting off the digits gives ({c.recomputed} → "
                              f"{fmt(p, d)}, truncated rather than rounded): a truncation slip.")
        elif (-p) in (round_to(x, d, "half-up"), round_to(x, d, "half-even")) and p != 0:
            c.explanation += " The size matches but the sign does not (enter falls as negative values)."
        return c
    c.recomputed = fmt_interval(result, d)
    if reachable(result, p, d):
        if point is not None and reproducing_rules(point, p, d):
            c.explanation = f"{what} from the printed values = {show(point, d)}, which prints as {fmt(p, d)}."
            return c
        c.status = STATUS_ROUNDING
        c.explanation = (f"{what} from the printed (rounded) values"
                         + (f" = {show(point, d)}, which does not print as {fmt(p, d)}; but" if point is not None
                            else ":")
                         + f" inputs consistent with their printed rounding give {c.recomputed}, which includes "
                         f"values that print as {fmt(p, d)}. Consistent with rounding; not an error.")
        return c
    c.status = STATUS_FLAG
    near = _nearest(result, p)
    c.severity = _severity(target.unit, p, near)
    c.explanation = (f"{what}: any inputs consistent with their printed rounding give {c.recomputed}; no value "
                     f"in that range prints as {fmt(p, d)}.")
    return c


def check_total(rel: Relation, figs: dict[str, Figure]) -> Check:
    target = figs[rel.target]
    parts = [figs[i] for i in rel.inputs]
    known = [f for f in parts if f.value is not None]
    blank = [f for f in parts if f.value is None]
    if target.value is None:
        return Check(rel.id, "total", target.doc_id, _locs([target] + parts), "(blank)", "", STATUS_UNCHECKED,
                     explanation="the total is not printed", figures=[target.id] + [f.id for f in parts])
    iv = Interval.point(Decimal(0))
    for f in known:
        iv = iv + f.interval
    what = f"the sum of the {len(parts)} parts"
    if blank:
        c = Check(rel.id, "total", target.doc_id, _locs([target] + parts), target.shown, fmt_interval(iv, 0),
                  STATUS_UNCHECKED, figures=[target.id] + [f.id for f in parts])
        short = target.interval - iv
        names = ", ".join(f.measure or f.id for f in blank)
        if short.hi < 0:
            c.status, c.severity = STATUS_FLAG, "major"
            c.explanation = (f"the {len(known)} printed parts already sum to {fmt_interval(iv, target.decimals)}, "
                             f"more than the total {target.shown}, and {plural(len(blank), 'part')} "
                             f"{'is' if len(blank) == 1 else 'are'} blank ({names}).")
        else:
            c.explanation = (f"{plural(len(blank), 'part')} print{'s' if len(blank) == 1 else ''} no value ({names}); "
                             f"the printed parts sum to {fmt_interval(iv, target.decimals)}, so the blank "
                             f"{'part' if len(blank) == 1 else 'parts'} would have to total "
                             f"{fmt_interval(short, target.decimals)} for the total {target.shown} to hold. "
                             f"Cannot be checked from the document.")
        return c
    return _judge(rel.id, "total", target, iv, parts, what, sum((f.value for f in parts), Decimal(0)))


def _share_multiplier(unit: str) -> Decimal:
    return {"percent": Decimal(100), "rate_per_1000": Decimal(1000), "rate_per_100000": Decimal(100000)}.get(
        unit, Decimal(1))


def feasible_denominators(n: Decimal, printed: Decimal, decimals: int, multiplier: Decimal = Decimal(100),
                          limit: int = 100000) -> tuple[int, int, list[int]] | None:
    """Integer denominators N for which n/N × multiplier prints as `printed` at `decimals` places.

    Returns (N_min, N_max, candidates that reproduce under half-up or half-even), or None when the printed
    share is zero or negative (no finite range). When the range holds more than `limit` integers, the list is
    empty and only the bounds are returned."""
    h = half_unit(decimals)
    if printed - h <= 0 or n <= 0:
        return None
    with localcontext() as c:
        c.prec = _PREC
        lo = n * multiplier / (printed + h)
        hi = n * multiplier / (printed - h)
    nmin, nmax = math.ceil(lo), math.floor(hi)
    if nmax < nmin:
        return (nmin, nmax, [])
    if nmax - nmin > limit:
        return (nmin, nmax, [])
    ok = []
    with localcontext() as c:
        c.prec = _PREC
        for N in range(nmin, nmax + 1):
            if reproducing_rules(n * multiplier / N, printed, decimals):
                ok.append(N)
    return (nmin, nmax, ok)


def _feasibility_text(n: Figure, target: Figure, mult: Decimal) -> tuple[str, list[int] | None]:
    res = feasible_denominators(abs(n.value), abs(target.value), target.decimals, mult)
    if res is None:
        return "", None
    nmin, nmax, ok = res
    if not ok and nmax - nmin <= 100000:
        return (f"No whole number N gives {fmt(abs(n.value))}/N = {fmt(abs(target.value), target.decimals)}"
                f"{'%' if target.unit == 'percent' else ''}.", [])
    if not ok:
        return f"Denominators between {nmin:,} and {nmax:,} would give it.", None
    span = f"{ok[0]:,}" if len(ok) == 1 else f"{ok[0]:,} to {ok[-1]:,}"
    return (f"{fmt(abs(n.value))}/N prints as {fmt(abs(target.value), target.decimals)}"
            f"{'%' if target.unit == 'percent' else ''} only for N = {span}.", ok)


def check_share(rel: Relation, figs: dict[str, Figure]) -> Check:
    """share: target = inputs[0] / inputs[k] (any listed denominator). With no denominator: feasibility only."""
    target, num = figs[rel.target], figs[rel.inputs[0]]
    dens = [figs[i] for i in rel.inputs[1:]]
    mult = _share_multiplier(target.unit)
    if target.value is None or num.value is None:
        return Check(rel.id, "share", target.doc_id, _locs([target, num] + dens), target.shown, "",
                     STATUS_UNCHECKED, explanation="a value is blank", figures=[target.id, num.id])
    if not dens:
        return check_feasibility(rel.id, num, target)
    tries = []
    for den in dens:
        iv = (num.interval / den.interval).scale(mult)
        tries.append(_judge(rel.id, "share", target, iv, [num, den],
                            f"{num.num} / {den.num}{' × ' + fmt(mult) if mult != 1 else ''}",
                            _div(num.value, den.value) * mult))
    best = next((t for t in tries if t.status == STATUS_OK), None) or \
        next((t for t in tries if t.status == STATUS_ROUNDING), None)
    if best:
        return best
    c = tries[0]
    if len(tries) > 1:
        c.recomputed = " or ".join(t.recomputed for t in tries)
        c.explanation = " ".join(t.explanation for t in tries)
        c.location = _locs([target, num] + dens)
        c.figures = [target.id, num.id] + [d.id for d in dens]
    if num.unit == "count" and num.value == num.value.to_integral():
        text, _ = _feasibility_text(num, target, mult)
        if text:
            c.explanation += " " + text
    return c


def check_feasibility(cid: str, num: Figure, target: Figure) -> Check:
    """Is there any whole-number denominator for which num/N prints as the target share?"""
    mult = _share_multiplier(target.unit)
    c = Check(cid, "feasibility", target.doc_id, _locs([target, num]), target.shown, "", STATUS_OK,
              figures=[target.id, num.id])
    if num.value != num.value.to_integral():
        c.status, c.explanation = STATUS_UNCHECKED, "the count is not a whole number"
        return c
    text, ok = _feasibility_text(num, target, mult)
    if ok is None:
        c.status = STATUS_UNCHECKED if not text else STATUS_OK
        c.explanation = text or "a share of zero or less has no finite denominator range"
        return c
    if not ok:
        c.status, c.severity = STATUS_FLAG, "major"
        c.recomputed = "no denominator"
        c.explanation = text + " The count and the share cannot both be right."
        return c
    c.recomputed = f"N = {ok[0]:,}" + (f" to {ok[-1]:,}" if len(ok) > 1 else "")
    c.explanation = text + " The document does not print N, so this is the range it implies."
    return c


def check_change(rel: Relation, figs: dict[str, Figure]) -> Check:
    """change: target = to − from (pp, count, £…) or (to − from)/from × 100 when the target is a percent."""
    a, b = figs[rel.inputs[0]], figs[rel.inputs[1]]
    target = figs[rel.target]
    if target.unit == "percent" and a.value is not None and a.interval.lo <= 0 <= a.interval.hi:
        return _zero_base(rel, target, a, b)
    if None in (a.value, b.value, target.value):
        return Check(rel.id, "change", target.doc_id, _locs([target, a, b]), target.shown, "", STATUS_UNCHECKED,
                     explanation="a value is blank", figures=[target.id, a.id, b.id])
    if target.unit == "percent":
        iv = ((b.interval - a.interval) / a.interval).scale(Decimal(100))
        return _judge(rel.id, "change", target, iv, [a, b], f"({b.num} − {a.num}) / {a.num} × 100",
                      _div(b.value - a.value, a.value) * 100)
    k = SCALE.get(target.unit, Decimal(1))
    iv = (b.scaled - a.scaled).scale(_div(Decimal(1), k))
    return _judge(rel.id, "change", target, iv, [a, b], f"{b.num} − {a.num}",
                  _div(b.scaled.lo - a.scaled.lo, k) if a.scaled.exact and b.scaled.exact else
                  _div(b.value * SCALE.get(b.unit, 1) - a.value * SCALE.get(a.unit, 1), k))


def _zero_base(rel: Relation, target: Figure, a: Figure, b: Figure) -> Check:
    """A % change whose base may be zero: (to − from)/from is undefined when from = 0. Flagged (major) when
    the document prints a finite percentage for it; when it prints none (blank value), that is right."""
    c = Check(rel.id, "change", target.doc_id, _locs([target, a, b]), target.shown or "(blank)", "undefined",
              STATUS_OK, figures=[target.id, a.id, b.id])
    base = (f"the base {a.num} is zero" if a.value == 0 and not a.rounded else
            f"the base {a.num} may be zero (it stands for {fmt_interval(a.interval, a.decimals)})")
    if target.value is None:
        c.explanation = (f"{base}, so a percentage change from it is undefined; the document prints no "
                         f"percentage, which is right.")
        return c
    c.status = STATUS_FLAG
    c.severity = "major" if a.value == 0 and not a.rounded else "minor"
    c.explanation = (f"{base}, so a percentage change from it ({a.num} → "
                     f"{b.num if b.value is not None else '(blank)'}) is undefined, but the document prints "
                     f"{target.shown}. A change from zero should be given as a number, not a percentage.")
    return c


def _div(a: Decimal, b: Decimal) -> Decimal:
    with localcontext() as c:
        c.prec = _PREC
        return a / b


def check_same(rel: Relation, figs: dict[str, Figure]) -> Check:
    ids = ([rel.target] if rel.target else []) + list(rel.inputs)
    fs = [figs[i] for i in ids if figs[i].value is not None]
    c = Check(rel.id, "same_figure", fs[0].doc_id if fs else "", _locs([figs[i] for i in ids]),
              "; ".join(f"{f.shown} ({f.location})" for f in fs), "", STATUS_OK, figures=ids)
    if len(fs) < 2:
        c.status, c.explanation = STATUS_UNCHECKED, "fewer than two printed values"
        return c
    lo = max(f.scaled.lo for f in fs)
    hi = min(f.scaled.hi for f in fs)
    vals = [f.scaled for f in fs]
    if lo <= hi:
        same = len({(v.lo, v.hi) for v in vals}) == 1
        if same or all(v.exact for v in vals):
            c.explanation = "all printed values agree."
        else:
            c.status = STATUS_ROUNDING
            c.explanation = ("the printed values differ only by rounding: "
                             + (f"{fmt(lo)}" if lo == hi else f"a value between {fmt(lo)} and {fmt(hi)}")
                             + " prints as each of them.")
        c.recomputed = "agree"
        return c
    dated = {k: sorted({getattr(f, k) for f in fs if getattr(f, k)}) for k in ("as_at", "window")}
    differ = {k: v for k, v in dated.items() if len(v) > 1}
    spread = max(v.lo for v in vals) - min(v.hi for v in vals)
    if differ:
        c.status = STATUS_AMBIGUOUS
        c.recomputed = f"differ by at least {fmt(spread)}"
        c.explanation = ("the printings differ (" + "; ".join(f"{f.shown} at {f.where}" for f in fs) + ") but carry "
                         + " and ".join(f"different {'as-at dates' if k == 'as_at' else 'windows'} ("
                                        + ", ".join(f"{f.shown}: {getattr(f, k)}" for f in fs if getattr(f, k))
                                        + ")" for k in differ)
                         + "; they may not be the same quantity. Check the definitions before calling this an "
                           "error.")
        return c
    c.status = STATUS_FLAG
    ref = max(abs(v.hi) for v in vals)
    unit = fs[0].unit
    c.severity = ("major" if spread >= Decimal("0.5") else "minor") if unit in POINT_UNITS else \
        ("major" if ref and spread / ref >= Decimal("0.01") else "minor")
    c.recomputed = f"differ by at least {fmt(spread)}"
    c.explanation = (f"{len(fs)} printings of the same quantity disagree beyond rounding: "
                     + "; ".join(f"{f.shown} at {f.where}" for f in fs) + ".")
    for f in fs:
        for g in fs:
            if f.value is not None and g.value is not None and f.decimals > g.decimals and \
                    truncated(f.value, g.decimals) == g.value and f.unit == g.unit:
                c.explanation += (f" {f.shown} cut off (not rounded) to {plural(g.decimals, 'decimal')} gives {g.shown}: "
                                  f"the shorter printing may be truncated, a truncation slip.")
                return c
    return c


def _tolerant_claim(c: Check, word: str, a: Figure, b: Figure, diff: Interval, ref: Figure, desc: str,
                   tol: Tolerance) -> Check:
    """'in line', 'stable', 'similar': the claim holds when the gap is within the tolerance. With rounded
    figures: ok when every consistent gap is within it, consistent with rounding when some are, else flagged."""
    words = word.replace("_", " ")
    if a.unit in POINT_UNITS:
        limit, rule = tol.points, f"{plural(int(tol.points), 'point') if tol.points == int(tol.points) else fmt(tol.points) + ' points'} (params audit.tolerance.points)"
    else:
        limit = D(tol.relative) * abs(ref.value * SCALE.get(ref.unit, Decimal(1)))
        rule = (f"{fmt(D(tol.relative) * 100)}% of {ref.num} = {fmt(limit)} (params audit.tolerance.relative)")
    gap_min = Decimal(0) if diff.lo <= 0 <= diff.hi else min(abs(diff.lo), abs(diff.hi))
    gap_max = max(abs(diff.lo), abs(diff.hi))
    c.recomputed = f"gap {fmt(gap_max)}" if diff.exact else f"gap {fmt(gap_min)} to {fmt(gap_max)}"
    if gap_max <= limit:
        c.explanation = f"the numbers ({desc}) are within the tolerance for '{words}': {rule}."
        return c
    if gap_min <= limit:
        c.status = STATUS_ROUNDING
        c.explanation = (f"the numbers ({desc}) are within the tolerance for '{words}' ({rule}) only for some "
                         f"values consistent with their printed rounding.")
        return c
    c.status, c.severity = STATUS_FLAG, "major"
    c.explanation = f"the claim says '{words}' but the numbers ({desc}) differ by more than {rule}."
    return c


def check_claim(rel: Relation, figs: dict[str, Figure], tol: Tolerance = DEFAULT_TOLERANCE) -> Check:
    """claim: a word about inputs A, B. Change words (increase, fall…) describe A → B; comparison words
    (above, below, in_line…) describe A relative to B. Contradicted when no values consistent with the
    printed rounding point the claimed way."""
    a, b = figs[rel.inputs[0]], figs[rel.inputs[1]]
    word = rel.claim
    c = Check(rel.id, "claim", a.doc_id, _locs([a, b]), f"'{word.replace('_', ' ')}': {a.num} → {b.num}"
              if word in CHANGE_WORDS else f"{a.num} '{word.replace('_', ' ')}' {b.num}", "", STATUS_OK,
              figures=[a.id, b.id])
    if rel.note:
        c.printed = rel.note
    if a.value is None or b.value is None:
        c.status, c.explanation = STATUS_UNCHECKED, "a value is blank"
        return c
    if word in CHANGE_WORDS:
        sign, diff = CHANGE_WORDS[word], b.scaled - a.scaled
        desc = f"from {a.num} to {b.num}"
    else:
        sign, diff = COMPARE_WORDS[word], a.scaled - b.scaled
        desc = f"{a.num} against {b.num}"
    if word in TOLERANT_WORDS:
        return _tolerant_claim(c, word, a, b, diff, a if word in CHANGE_WORDS else b, desc, tol)
    if diff.exact:
        actual = (diff.lo > 0) - (diff.lo < 0)
        words = {1: "rose by", -1: "fell by", 0: "no change"} if word in CHANGE_WORDS else \
            {1: "higher by", -1: "lower by", 0: "equal"}
        c.recomputed = words[actual] + (f" {fmt(abs(diff.lo))}" if actual else "")
        ok = actual == sign
    else:
        c.recomputed = f"difference {fmt(diff.lo)} to {fmt(diff.hi)}"
        ok = (sign > 0 and diff.hi > 0) or (sign < 0 and diff.lo < 0) or (sign == 0 and diff.lo <= 0 <= diff.hi)
        if ok and not ((sign > 0 and diff.lo > 0) or (sign < 0 and diff.hi < 0) or
                       (sign == 0 and diff.lo == diff.hi == 0)):
            c.status = STATUS_ROUNDING
    if ok:
        c.explanation = (f"the numbers ({desc}) are consistent with '{word.replace('_', ' ')}'"
                         + (" only within rounding." if c.status == STATUS_ROUNDING else "."))
        return c
    c.status, c.severity = STATUS_FLAG, "major"
    c.explanation = f"the claim says '{word.replace('_', ' ')}' but the numbers ({desc}) say {c.recomputed}."
    return c


def _blank(rel: Relation, kind: str, fs: list[Figure]) -> Check | None:
    if any(f.value is None for f in fs):
        return Check(rel.id, kind, fs[0].doc_id, _locs(fs), fs[0].shown or "(blank)", "", STATUS_UNCHECKED,
                     explanation="a value is blank", figures=[f.id for f in fs])
    return None


def _product(k: Decimal, parts: list[Figure]) -> tuple[Interval, Decimal]:
    """k × the inputs: the interval of values their printed rounding allows (Moore 1966, corners), and the point."""
    iv, point = Interval.point(k), k
    for f in parts:
        iv = iv * f.scaled
        point = point * f.value * SCALE.get(f.unit, Decimal(1))
    return iv, point


def check_product(rel: Relation, figs: dict[str, Figure]) -> Check:
    """product: target = inputs multiplied together (× the relation's constant, if given): e.g. a nine-month
    volume against 9 × the printed monthly average. Rounded inputs: interval product (Moore 1966, corners)."""
    target, parts = figs[rel.target], [figs[i] for i in rel.inputs]
    blank = _blank(rel, "product", [target] + parts)
    if blank:
        return blank
    k = rel.constant if rel.constant is not None else Decimal(1)
    iv, point = _product(k, parts)
    ts = SCALE.get(target.unit, Decimal(1))
    what = " × ".join(([fmt(k)] if rel.constant is not None else []) + [f.num for f in parts])
    return _judge(rel.id, "product", target, iv.scale(_div(Decimal(1), ts)), parts, what, _div(point, ts))


def check_ratio(rel: Relation, figs: dict[str, Figure]) -> Check:
    """ratio: target = a ÷ b × multiplier (the relation's constant; by default 100 for a percent, 1,000 or
    100,000 for a rate, else 1): rates per 1,000 households, averages per month."""
    target, a, b = figs[rel.target], figs[rel.inputs[0]], figs[rel.inputs[1]]
    blank = _blank(rel, "ratio", [target, a, b])
    if blank:
        return blank
    mult = rel.constant if rel.constant is not None else _share_multiplier(target.unit)
    what = f"{a.num} / {b.num}" + (f" × {fmt(mult)}" if mult != 1 else "")
    if b.scaled.lo <= 0 <= b.scaled.hi:
        return Check(rel.id, "ratio", target.doc_id, _locs([target, a, b]), target.shown, "undefined",
                     STATUS_UNCHECKED, explanation=f"{what}: the divisor {b.num} is (or may be) zero, so the ratio "
                                                   f"cannot be recomputed.", figures=[target.id, a.id, b.id])
    ts = SCALE.get(target.unit, Decimal(1))
    iv = (a.scaled / b.scaled).scale(_div(mult, ts))
    point = _div(a.value * SCALE.get(a.unit, Decimal(1)) * mult, b.value * SCALE.get(b.unit, Decimal(1)) * ts)
    return _judge(rel.id, "ratio", target, iv, [a, b], what, point)


def check_share_of_n(rel: Relation, figs: dict[str, Figure]) -> Check:
    """share_of_n: a printed percentage of a printed whole number N (e.g. '71% of 18 people') must be k/N for a
    whole k: the candidates are k = ceil((x − h)N/100) .. floor((x + h)N/100), h half a unit of the last
    printed digit, each tested exactly under both rounding rules."""
    target, n = figs[rel.target], figs[rel.inputs[0]]
    blank = _blank(rel, "share_of_n", [target, n])
    if blank:
        return blank
    c = Check(rel.id, "share_of_n", target.doc_id, _locs([target, n]), target.shown, "", STATUS_OK,
              figures=[target.id, n.id])
    N = n.value
    if N != N.to_integral() or N <= 0 or n.rounded:
        c.status, c.explanation = STATUS_UNCHECKED, f"N = {n.shown} is not a positive whole number"
        return c
    mult = rel.constant if rel.constant is not None else _share_multiplier(target.unit)
    p, d = target.value, target.decimals
    h = half_unit(d)
    with localcontext() as ctx:
        ctx.prec = _PREC
        lo, hi = max(0, math.ceil((p - h) * N / mult)), min(int(N), math.floor((p + h) * N / mult))
        ok = [k for k in range(lo, hi + 1) if reproducing_rules(Decimal(k) * mult / N, p, d)]
        unit = "%" if target.unit == "percent" else ""
        if ok:
            k = ok[0]
            c.recomputed = f"k = {k}" + (f" to {ok[-1]}" if len(ok) > 1 else "")
            c.explanation = (f"{k}/{fmt(N)} = {show(Decimal(k) * mult / N, d)}{unit}, which prints as "
                             f"{fmt(p, d)}{unit}.")
            return c
        below = max(0, min(int(N), math.floor(p * N / mult)))
        near = [k for k in (below, below + 1) if 0 <= k <= N]
        vals = {k: Decimal(k) * mult / N for k in near}
    c.status, c.severity = STATUS_FLAG, "major"
    c.recomputed = "no whole k"
    c.explanation = (f"no whole number k of {fmt(N)} gives {fmt(p, d)}{unit}: "
                     + ", ".join(f"{k}/{fmt(N)} = {show(v, d)}{unit}" for k, v in vals.items())
                     + ". The percentage and the number it is a share of cannot both be right.")
    return c


def check_bound(rel: Relation, figs: dict[str, Figure]) -> Check:
    """bound: target ≤ (at_most, the default) or ≥ (at_least) the product of the inputs × the constant: a part
    cannot exceed its whole; three people with at least 20 offences each need a band total of at least 60.
    Flagged (major) when no values consistent with the printed rounding satisfy it."""
    target, parts = figs[rel.target], [figs[i] for i in rel.inputs]
    blank = _blank(rel, "bound", [target] + parts)
    if blank:
        return blank
    k = rel.constant if rel.constant is not None else Decimal(1)
    iv, point = _product(k, parts)
    t = target.scaled
    sign = BOUND_WORDS.get(rel.claim or "at_most")
    word = "at most" if sign < 0 else "at least"
    what = " × ".join(([fmt(k)] if rel.constant is not None else []) + [f.num for f in parts])
    c = Check(rel.id, "bound", target.doc_id, _locs([target] + parts), target.shown,
              f"{word} {fmt_interval(iv, target.decimals) if not iv.exact else fmt(point)}", STATUS_OK,
              figures=[target.id] + [f.id for f in parts])
    sure = t.hi <= iv.lo if sign < 0 else t.lo >= iv.hi
    can = t.lo <= iv.hi if sign < 0 else t.hi >= iv.lo
    if sure:
        c.explanation = f"{target.num} is {word} {what}, as it must be."
    elif can:
        c.status = STATUS_ROUNDING
        c.explanation = (f"{target.num} is {word} {what} only for some values consistent with their printed "
                         f"rounding. Consistent with rounding; not an error.")
    else:
        c.status, c.severity = STATUS_FLAG, "major"
        c.explanation = (f"{target.num} should be {word} {what}"
                         + (f" = {fmt(point)}" if len(parts) > 1 or rel.constant is not None else "")
                         + ", but it is not, for any values consistent with the printed rounding.")
    return c


CHECKERS = {"total": check_total, "share": check_share, "change": check_change, "same_figure": check_same,
            "claim": check_claim, "product": check_product, "ratio": check_ratio, "share_of_n": check_share_of_n,
            "bound": check_bound}

_N_PCT = re.compile(r"^\s*£?(-?[\d,]+)\s*\(\s*(-?[\d.]+)\s*%\s*\)")


def auto_feasibility(figs: dict[str, Figure], relations: list[Relation]) -> list[Check]:
    """Every figure printed as 'n (x%)' gets a feasibility check, unless a share relation already covers it."""
    covered = {i for r in relations if r.type == "share" for i in (r.target, *r.inputs)}
    covered_text = {(figs[i].doc_id, figs[i].location, figs[i].value_text) for i in covered}
    out, seen = [], set()
    for f in figs.values():
        m = _N_PCT.match(f.value_text)
        key = (f.doc_id, f.location, f.value_text)
        if not m or f.id in covered or key in covered_text or key in seen:
            continue
        seen.add(key)
        n, x = D(m.group(1)), D(m.group(2))
        num = Figure(f.id + ":n", f.doc_id, f.location, f.measure, f.geography, f.period, n, "count", m.group(1), 0)
        pct = Figure(f.id, f.doc_id, f.location, f.measure, f.geography, f.period, x, "percent", f.value_text,
                     _decimals_of(m.group(2)))
        c = check_feasibility(f"auto:{f.id}", num, pct)
        c.figures = [f.id]
        out.append(c)
    return out


def run_checks(figures: pd.DataFrame, relations: pd.DataFrame, tolerance: Tolerance | None = None) -> pd.DataFrame:
    """Every relation checked, plus automatic 'n (x%)' feasibility; one row per check."""
    figs = load_figures(figures)
    rels = load_relations(relations, figs)
    tol = tolerance or DEFAULT_TOLERANCE
    checks = [evaluate(r, figs, tol) for r in rels] + auto_feasibility(figs, rels)
    by_id = {r.id: r for r in rels}
    for c in checks:
        fs = [figs[i] for i in c.figures if i in figs]
        c.where = plain_where(fs)
        rel = by_id.get(c.id)
        c.relation = describe(rel, figs) if rel else (
            f"'{fs[0].value_text}': a count printed with its percentage" if fs else "")
    return checks_frame(checks)


_PAGE = re.compile(r"\b(?:p\.?|page)\s*(\d+)\b", re.I)
_LINE = re.compile(r"\bL(\d+)\b")


def _short(text: str, n: int = 50) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= n else text[:n - 1].rstrip() + "…"


def figure_place(f: Figure) -> str:
    """Where a reader finds a figure: 'page 7, Table A, row Burglary, column Total' when the transcription
    says (a page in location; 'table:/row:/column:' or 'column X' in note), else 'line 202' from an L-number."""
    parts = []
    m = _PAGE.search(f.location)
    if m:
        parts.append(f"page {m.group(1)}")
    bits = dict(re.findall(r"(table|row|column):\s*([^;]+)", f.note))
    col = bits.get("column") or (re.match(r"^column\s+([^;(]+)", f.note).group(1).strip()
                                 if re.match(r"^column\s+", f.note) else "")
    if bits.get("table"):
        parts.append(_short(bits["table"], 40))
    if bits.get("row"):
        parts.append(f"row '{_short(bits['row'], 40)}'")
    elif col and f.measure:
        parts.append(f"row '{_short(f.measure, 40)}'")
    if col:
        parts.append(f"column {_short(col, 20)}")
    rest = _LINE.sub("", _PAGE.sub("", f.location)).strip(" ,;")
    if rest:
        parts.insert(1 if m else 0, rest)
    line = _LINE.search(f.location)
    if not m and line:
        parts.append(f"line {line.group(1)}")
    if not parts:
        parts.append(f.location)
    return ", ".join(parts)


def plain_where(figs: list[Figure]) -> str:
    """The first figure's place in full (the target, for totals, shares and changes), then where the others
    are, by page or line: 'page 4, Table A, row Total, column 2024; with figures on page 3'."""
    figs = [f for f in figs if f.location or f.note]
    if not figs:
        return ""
    first = figure_place(figs[0])
    rest = []
    for f in figs[1:]:
        m, line = _PAGE.search(f.location), _LINE.search(f.location)
        rest.append(("page", int(m.group(1))) if m else ("line", int(line.group(1))) if line else ("", f.location))
    rest = [r for r in dict.fromkeys(rest) if not (r[0] and f"{r[0]} {r[1]}" in first)]
    if not rest:
        return first
    out = []
    for kind in ("page", "line", ""):
        nums = sorted(v for k, v in rest if k == kind)
        if not nums:
            continue
        if kind:
            span = (f"{nums[0]}" if len(nums) == 1 else f"{nums[0]}–{nums[-1]}" if nums[-1] - nums[0] == len(nums) - 1
                    else ", ".join(str(n) for n in nums))
            out.append(f"{kind}{'s' if len(nums) > 1 else ''} {span}")
        else:
            out.extend(nums)
    return f"{first}; with figures on {' and '.join(out)}"


def describe(rel: Relation, figs: dict[str, Figure]) -> str:
    """The relation in words for a Panel: what should equal what."""
    ids = ([rel.target] if rel.target else []) + list(rel.inputs)
    repeated = len({figs[i].measure for i in ids}) < len(ids)

    def m(fid: str) -> str:
        f = figs[fid]
        if not f.measure:
            return f.id
        col = re.match(r"^column\s+([^;(]+)", f.note)
        extra = f.period or (col.group(1).strip() if col else "")
        return f"'{_short(f.measure, 60)}" + (f", {extra}'" if repeated and extra else "'")

    t = m(rel.target) if rel.target else ""
    ins = list(rel.inputs)
    k = fmt(rel.constant) if rel.constant is not None else ""
    text = {
        "total": lambda: f"{t} should be the sum of {plural(len(ins), 'figure')}"
                         + (f" ({m(ins[0])} to {m(ins[-1])})" if len(ins) > 1 else f" ({m(ins[0])})"),
        "share": lambda: f"{t} should be {m(ins[0])} as a share of "
                         + (" or ".join(m(i) for i in ins[1:]) if len(ins) > 1 else "some whole number"),
        "change": lambda: f"{t} should be the change from {m(ins[0])} to {m(ins[1])}",
        "same_figure": lambda: f"the same figure printed {len(ins) + bool(rel.target)} times: "
                               + m(rel.target or ins[0]),
        "claim": lambda: f"the words '{rel.claim.replace('_', ' ')}' about {m(ins[0])} and {m(ins[1])}",
        "product": lambda: f"{t} should be " + " × ".join(([k] if k else []) + [m(i) for i in ins]),
        "ratio": lambda: f"{t} should be {m(ins[0])} ÷ {m(ins[1])}" + (f" × {k}" if k else ""),
        "share_of_n": lambda: f"{t} should be a whole number out of {m(ins[0])}",
        "bound": lambda: f"{t} should be {'at least' if BOUND_WORDS.get(rel.claim or 'at_most') > 0 else 'at most'} "
                         + " × ".join(([k] if k else []) + [m(i) for i in ins]),
    }[rel.type]()
    return text + (f" — {rel.note}" if rel.note else "")


def evaluate(rel: Relation, figs: dict[str, Figure], tol: Tolerance = DEFAULT_TOLERANCE) -> Check:
    """One relation checked on its own: an error inside its check becomes a 'not checkable' row naming the
    relation and the reason, so one relation can never stop the audit of the others."""
    try:
        if rel.type == "claim":
            return check_claim(rel, figs, tol)
        return CHECKERS[rel.type](rel, figs)
    except Exception as e:  # noqa: BLE001 - any failure of one check is reported, never raised
        ids = [i for i in ([rel.target] if rel.target else []) + list(rel.inputs) if i in figs]
        fs = [figs[i] for i in ids]
        return Check(rel.id, rel.type, fs[0].doc_id if fs else "", _locs(fs) if fs else "",
                     fs[0].shown if fs else "", "", STATUS_UNCHECKED,
                     explanation=f"relation {rel.id} ({rel.type}) could not be evaluated: "
                                 f"{type(e).__name__}: {e}. The other relations were checked.",
                     figures=ids)


def checks_frame(checks: list[Check]) -> pd.DataFrame:
    cols = ["id", "doc_id", "location", "check", "printed", "recomputed", "status", "severity", "explanation",
            "rules", "figures", "where", "relation"]
    rows = [{**{k: getattr(c, k) for k in cols if k != "figures"}, "figures": " ".join(c.figures)} for c in checks]
    return pd.DataFrame(rows, columns=cols)


REGISTER_COLUMNS = ["id", "document", "where", "relation", "printed", "recomputed", "check", "severity",
                    "explanation", "doc_id", "location"]


def register(checks: pd.DataFrame, titles: dict[str, str] | None = None) -> pd.DataFrame:
    """The discrepancy register: flagged checks only, major first, in relation order within severity.

    For a Panel: `document` is the document's title (params audit.documents; the doc_id when none is given),
    `where` its page and table/row (line as a fallback), `relation` what was checked in words; `doc_id` and
    `location` (the transcription's own references) are kept last for the analyst."""
    reg = checks[checks["status"] == STATUS_FLAG].copy()
    reg["_o"] = reg["severity"].map({"major": 0, "minor": 1}).fillna(2)
    reg = reg.sort_values("_o", kind="stable").drop(columns="_o")
    titles = titles or {}
    reg["document"] = [titles.get(d, d) for d in reg["doc_id"]]
    for c in ("where", "relation"):
        if c not in reg:
            reg[c] = ""
    return reg[REGISTER_COLUMNS].reset_index(drop=True)


# --------------------------------------------------------------------------------------------- raw data

_PERIOD = re.compile(r"^(\d{4}-\d{2})(?:\.\.(\d{4}-\d{2}))?$")


def raw_compare(figures: pd.DataFrame, monthly: pd.DataFrame) -> pd.DataFrame:
    """Recompute published counts from raw monthly counts (tidy `measure, area, month, value`).

    A figure is compared when its unit is count, its measure is a measure id in `monthly`, its geography is
    an area there ("force" or a district name) and its period is a month 'YYYY-MM' or a span 'YYYY-MM..YYYY-MM'
    wholly inside the months available. Anything else is left out (no guessing at definitions)."""
    figs = load_figures(figures)
    have = set(zip(monthly["measure"], monthly["area"]))
    months_have = set(monthly["month"])
    rows = []
    for f in figs.values():
        m = _PERIOD.match(f.period)
        if f.unit != "count" or f.value is None or not m or (f.measure, f.geography) not in have:
            continue
        start, end = m.group(1), m.group(2) or m.group(1)
        sel = monthly[(monthly["measure"] == f.measure) & (monthly["area"] == f.geography)
                      & monthly["month"].between(start, end)]
        span = sorted(set(sel["month"]))
        if not span or span[0] != start or span[-1] != end or not set(span) <= months_have:
            continue
        raw = int(sel["value"].sum())
        diff = f.value - raw
        rows.append({"id": f.id, "doc_id": f.doc_id, "location": f.location, "measure": f.measure,
                     "geography": f.geography, "period": f.period, "printed": f.shown, "raw": raw,
                     "difference": int(diff), "difference_pct": float(diff / raw * 100) if raw else None})
    return pd.DataFrame(rows, columns=["id", "doc_id", "location", "measure", "geography", "period", "printed",
                                       "raw", "difference", "difference_pct"])


def raw_register_rows(raw: pd.DataFrame) -> pd.DataFrame:
    """Register rows for published counts that differ from the raw recount."""
    diff = raw[raw["difference"] != 0]
    out = []
    for r in diff.itertuples():
        rel = abs(r.difference) / max(r.raw, 1)
        out.append({"id": f"raw:{r.id}", "doc_id": r.doc_id, "location": r.location, "printed": r.printed,
                    "recomputed": f"{r.raw:,}", "check": "raw", "severity": "major" if rel >= 0.01 else "minor",
                    "explanation": f"the raw data for {r.measure}, {r.geography}, {r.period} count {r.raw:,}; "
                                   f"the document prints {r.printed} ({r.difference:+,}). Raw files can be "
                                   f"revised after publication, so check the extraction date before calling "
                                   f"this an error."})
    reg = pd.DataFrame(out, columns=["id", "doc_id", "location", "printed", "recomputed", "check", "severity",
                                     "explanation"])
    reg["document"] = reg["doc_id"]
    reg["where"] = [figure_place(Figure("", "", loc, "", "", "", None, "", "", 0)) for loc in reg["location"]]
    reg["relation"] = ["the printed count against the raw data" for _ in range(len(reg))]
    return reg[REGISTER_COLUMNS]


def summary_counts(checks: pd.DataFrame, reg: pd.DataFrame) -> dict:
    return {"checks": len(checks), "flagged": len(reg), "major": int((reg["severity"] == "major").sum()),
            "minor": int((reg["severity"] == "minor").sum()),
            "rounding": int((checks["status"] == STATUS_ROUNDING).sum()),
            "unchecked": int((checks["status"] == STATUS_UNCHECKED).sum()),
            "ambiguous": int((checks["status"] == STATUS_AMBIGUOUS).sum()),
            "ok": int((checks["status"] == STATUS_OK).sum())}


def findings(register: pd.DataFrame, link: str = "audit.html") -> pd.DataFrame:
    """Findings for questions to the force (questions.FINDING_COLUMNS): every major discrepancy in the register."""
    from scrutiny.analyses.questions import FINDING_COLUMNS

    rows = []
    for r in register[register["severity"] == "major"].itertuples():
        doc = getattr(r, "document", "") or getattr(r, "doc_id", "")
        where = getattr(r, "where", "") or getattr(r, "location", "")
        rows.append({"section": "audit", "kind": "audit", "priority": "Published figures",
                     "measure": r.check, "label": "Published figures", "area": "",
                     "finding": f"In {doc} ({where}) the document prints {r.printed}; {r.explanation}",
                     "evidence": f"{link}#register", "link": f"{link}#register", "csv": "tables/audit_register.csv",
                     "row_key": f"id={r.id}"})
    return pd.DataFrame(rows, columns=FINDING_COLUMNS)


def summary_rows(counts: dict, n_figures: int, doc_names: list[str]) -> pd.DataFrame:
    """The audit's front-page Summary row: discrepancies found, by severity, in how many checks and figures."""
    P = plural
    return summary_frame([{
        "topic": "Published figures audit", "measure": "audit", "inclusion": "Every edition", "shown": True,
        "data": f"{P(counts['flagged'], 'discrepancy')} ({counts['major']} major, {counts['minor']} minor) in "
                f"{P(counts['checks'], 'check')} of {P(n_figures, 'printed figure')} ({'; '.join(doc_names)})",
        "commentary": f"{P(counts['rounding'], 'value')} consistent with rounding only (not errors); "
                      f"{counts['ambiguous']} ambiguous; {counts['unchecked']} not checkable from the document.",
        "link": "audit.html#register"}])
