"""Transcribe the seed documents' tables into data/published/seed_*/ (figures.csv, relations.csv).

Every figure is read from the cited line of the seed text (a table cell is checked against its tab-separated
column), so the CSVs can be regenerated and diffed: `python data/published/transcribe_seeds.py ../shared/seeds`.
New documents are transcribed by hand (README: Auditing a published document); this script only records how
the first fixtures were taken from their source texts and which relations were declared.
"""
import sys
from pathlib import Path

SEED_FILES = {"seed_000": "000_0a42c4e7dfe53d47.txt", "seed_001": "001_4c84c7b52ec6327e.txt",
              "seed_003": "003_e8f2dbe11ec7086c.txt"}
import csv
import re

FH = ["figure_id","doc_id","location","measure","geography","period","value","unit","value_text","decimals","note"]
RH = ["relation_id","type","target","inputs","claim","note"]

def num_of(text):
    t = text.replace("£","").replace(",","").replace("%","").strip()
    neg = t.startswith("(") and t.endswith(")")
    t = t.strip("()")
    m = re.search(r"-?\d+(\.\d+)?", t)
    v = m.group(0)
    if neg: v = "-" + v
    return v

class Doc:
    def __init__(self, seed, doc_id):
        self.lines = Path(seed).read_text(encoding="utf-8").splitlines()
        self.doc_id = doc_id
        self.figs, self.rels = [], []
        self.ids = set()
    def line(self, n):
        return self.lines[n-1]
    def fig(self, fid, line, measure, text, unit, geography="", period="", value=None, col=None, note="", decimals=None):
        src = self.line(line)
        assert text in src, (fid, line, text, src[:200])
        if col is not None:
            cells = src.split("\t")
            assert cells[col].strip() == text, (fid, line, col, cells)
        v = num_of(text) if value is None else value
        d = decimals if decimals is not None else (len(v.split(".")[1]) if "." in v else 0)
        assert fid not in self.ids, fid
        self.ids.add(fid)
        loc = f"L{line}" + (f" {note}" if False else "")
        self.figs.append(dict(figure_id=fid, doc_id=self.doc_id, location=f"L{line}", measure=measure,
                              geography=geography, period=period, value=v, unit=unit, value_text=text,
                              decimals=str(d), note=note))
        return fid
    def blank(self, fid, line, measure, unit, note=""):
        self.ids.add(fid)
        self.figs.append(dict(figure_id=fid, doc_id=self.doc_id, location=f"L{line}", measure=measure,
                              geography="", period="", value="", unit=unit, value_text="", decimals="", note=note))
    def rel(self, rid, typ, target, inputs, claim="", note=""):
        if isinstance(inputs, (list, tuple)): inputs = " ".join(inputs)
        self.rels.append(dict(relation_id=rid, type=typ, target=target, inputs=inputs, claim=claim, note=note))
    def write(self, folder):
        folder = Path(folder); folder.mkdir(parents=True, exist_ok=True)
        for name, hdr, rows in (("figures.csv", FH, self.figs), ("relations.csv", RH, self.rels)):
            with open(folder/name, "w", encoding="utf-8", newline="") as f:
                w = csv.DictWriter(f, hdr, lineterminator="\n"); w.writeheader(); w.writerows(rows)


# ---- Operation Devonport report (seed 000 line numbers; seed 001 maps them to its own)

AREAS = [("PPAs", "ppa"), ("Rest of HDAs", "rhda"), ("Force Excl HDAs", "fxh"), ("Force Excl PPAs", "fxp")]
TABLES = [("all_crime", "All crime", 253), ("burglary_dwelling", "Burglary dwelling", 265),
          ("robbery", "Robbery", 277), ("vwi", "Violence with injury", 289), ("vehicle", "Vehicle crime", 301)]


def build_devonport(doc: Doc, L, expenditure=True, prefix=""):
    f, r = doc.fig, doc.rel
    P = prefix
    # 5.1 contracted staff
    st = []
    for i, (lab, val) in enumerate([("Police Staff Investigators", "51.6"), ("5 Field Intelligence staff", "3.59"),
                                    ("Victim Support", "2"), ("Corporate Communication - Agency", "1"),
                                    ("Performance Analyst", "1")]):
        st.append(f(f"{P}S{i+1}", L(96 + i, val, lab.split(" -")[0]), f"contracted staff: {lab}", val, "fte",
                    "Operation Devonport", "at report"))
    f(f"{P}S_total", L(101, "60.19"), "contracted staff: total agency staff", "60.19", "fte", "Operation Devonport",
      "at report")
    f(f"{P}S_employed", L(104, "58.19"), "contracted staff: employed (excluding the two vacant posts)", "58.19", "fte",
      "Operation Devonport", "at report", note="text: the corporate communication and performance analyst posts are vacant")
    r(f"{P}R_staff_total", "total", f"{P}S_total", st, note="Total Agency Staff = the five rows")
    r(f"{P}R_staff_employed", "total", f"{P}S_employed", st[:3], note="employed = total less the two vacant 1 FTE posts")
    # 3.1 / 7.0 finance
    f(f"{P}F_62m", L(67, "£6.2 million"), "Devonport investment", "£6.2 million", "currency_millions",
      "Operation Devonport", "", value="6.2")
    f(f"{P}F_budget", L(179, "6,165,116"), "approved budget 2012-13", "6,165,116", "currency", "Operation Devonport", "2012-13")
    f(f"{P}F_spend", L(180, "1,512,415"), "spend 2012-13", "1,512,415", "currency", "Operation Devonport", "2012-13")
    f(f"{P}F_bal13", L(181, "4,652,701"), "balance at 1.4.2013", "4,652,701", "currency", "Operation Devonport", "2013-04-01")
    f(f"{P}F_proj", L(182, "2,838,000"), "projected spend 2013-14", "2,838,000", "currency", "Operation Devonport", "2013-14")
    f(f"{P}F_bal14", L(183, "1,814,701"), "estimated balance for 2014-15", "1,814,701", "currency",
      "Operation Devonport", "2014-15")
    f(f"{P}F_bal_text", L(70, "£1,814,701"), "balance (summary text)", "£1,814,701", "currency", "Operation Devonport", "2014-15")
    r(f"{P}R_fin_bal13", "total", f"{P}F_budget", [f"{P}F_spend", f"{P}F_bal13"], note="budget = spend + balance")
    r(f"{P}R_fin_bal14", "total", f"{P}F_bal13", [f"{P}F_proj", f"{P}F_bal14"], note="balance = projected spend + balance")
    r(f"{P}R_fin_same_bal", "same_figure", "", [f"{P}F_bal14", f"{P}F_bal_text"])
    r(f"{P}R_fin_62m", "same_figure", "", [f"{P}F_62m", f"{P}F_budget"], note="£6.2 million investment vs approved budget")
    # 6.3 ANPR
    f(f"{P}N_mobile", L(155, "£83,609.00"), "mobile ANPR cost", "£83,609.00", "currency", "Operation Devonport", "")
    f(f"{P}N_fixed", L(163, "£139,560.24"), "fixed ANPR cost", "£139,560.24", "currency", "Operation Devonport", "")
    f(f"{P}N_total", L(169, "£223,169.24"), "total capital investment in ANPR", "£223,169.24", "currency",
      "Operation Devonport", "")
    r(f"{P}R_anpr", "total", f"{P}N_total", [f"{P}N_mobile", f"{P}N_fixed"])
    # 8.1 arrests
    per = "2012-10-01 to 2014-01-31"
    f(f"{P}A_text", L(73, "1526"), "arrests", "1526", "count", "Operation Devonport", per)
    f(f"{P}A_all", L(196, "1526"), "arrests", "1526", "count", "Operation Devonport", per)
    f(f"{P}A_off", L(196, "1224"), "separate offenders arrested", "1224", "count", "Operation Devonport", per)
    bullets = [("theft", 198, "346", "22.7"), ("burglary", 199, "226", "14.8"), ("drugs", 200, "208", "13.6"),
               ("warrant", 201, "227", "14.9"), ("priority", 202, "190", "13.6")]
    for key, ln, n, pct in bullets:
        t = f"{n} ({pct}%)"
        line = L(ln, t)
        f(f"{P}A_{key}_n", line, f"arrests: {key}", n, "count", "Operation Devonport", per, value=n)
        doc.figs[-1]["value_text"] = t
        f(f"{P}A_{key}_pct", line, f"arrests: {key}, % of arrests", t, "percent", "Operation Devonport", per, value=pct)
        dens = [f"{P}A_all"] + ([f"{P}A_off"] if key == "priority" else [])
        r(f"{P}R_share_{key}", "share", f"{P}A_{key}_pct", [f"{P}A_{key}_n"] + dens,
          note="% of all arrests" + (" (or of the 1224 offenders)" if key == "priority" else ""))
    ta = [("nr", "Not Recordable", "395"), ("burglary", "Burglary", "226"), ("damage", "Criminal Damage", "22"),
          ("drugs", "Drug Offences", "208"), ("fraud", "Fraud and Forgery", "28"), ("other", "Other Notifiable", "120"),
          ("robbery", "Robbery", "48"), ("sexual", "Sexual Offences", "19"), ("theft", "Theft and Handling", "346"),
          ("vap", "Violence Against The", "114")]
    ids = []
    for i, (key, lab, val) in enumerate(ta):
        ids.append(f(f"{P}TA_{key}", L(207 + i, val, lab), f"arrests by offence type (Table A): {lab}", val,
                     "count", "Operation Devonport", per))
    f(f"{P}TA_total", L(217, "1526"), "arrests by offence type (Table A): Grand Total", "1526", "count",
      "Operation Devonport", per)
    r(f"{P}R_tableA", "total", f"{P}TA_total", ids, note="Table A rows = Grand Total")
    r(f"{P}R_arrests_same", "same_figure", "", [f"{P}A_text", f"{P}A_all", f"{P}TA_total"])
    for key in ("burglary", "drugs", "theft"):
        r(f"{P}R_same_{key}", "same_figure", "", [f"{P}A_{key}_n", f"{P}TA_{key}"])
    tb = [("bail", "Breach of Bail", "17", 220), ("peace", "Breach of the Peace", "7", 221),
          ("disq", "Disqualified Driving", "8", 222), ("dd", "Drunk & Disorderly", "14", 223),
          ("di", "Drunk & Incapable", "1", 224), ("other", "Other", "85", 225),
          ("breath", "Positive Breath Test", "32", 226), ("s136", "S. 136 Mental Health Act", "3", 227),
          ("vd", "Violent Disorder", "1", 231), ("w_comm", "Warrant - Committal", "2", 232),
          ("w_fta", "Warrant - Failed to", "89", 233), ("w_np", "Warrant - Non-Payment", "70", 234),
          ("w_oth", "Warrant - Other", "66", 235)]
    ids = []
    for key, lab, val, ln in tb:
        ids.append(f(f"{P}TB_{key}", L(ln, val, lab), f"non-recordable arrests by first offence (Table B): {lab}",
                     val, "count", "Operation Devonport", per))
    r(f"{P}R_tableB", "total", f"{P}TA_nr", ids, note="Table B (no total printed) = Table A 'Not Recordable'")
    r(f"{P}R_warrants", "total", f"{P}A_warrant_n", [i for i in ids if "_w_" in i], note="warrant rows = '227 on a Warrant'")
    # 8.2 detection rates
    for meas, label, first in TABLES:
        for j, (area, ak) in enumerate(AREAS):
            ln = first + j
            line = L(ln, None, area, table=meas)
            cells = doc.line(line).split("\t")
            pre, post, diff = cells[1].strip(), cells[2].strip(), cells[3].strip()
            f(f"{P}D_{meas}_{ak}_pre", line, f"detection rate: {label}", pre, "percent", area, "Oct 11 - Sep 12", col=1)
            f(f"{P}D_{meas}_{ak}_post", line, f"detection rate: {label}", post, "percent", area, "Oct 12 - Sep 13", col=2)
            f(f"{P}D_{meas}_{ak}_pp", line, f"detection rate: {label}, difference (percentage points)", diff, "pp",
              area, "Oct 12 - Sep 13 vs Oct 11 - Sep 12", col=3)
            r(f"{P}R_det_{meas}_{ak}", "change", f"{P}D_{meas}_{ak}_pp",
              [f"{P}D_{meas}_{ak}_pre", f"{P}D_{meas}_{ak}_post"], note="Difference column = Devonport − Pre")
    # narrative
    ln = L(258, "4.5 percentage points")
    f(f"{P}X258_pp", ln, "all crime detection rate PPAs, pp change", "4.5 percentage points", "pp", "PPAs", "", value="4.5")
    r(f"{P}R_x258", "same_figure", "", [f"{P}X258_pp", f"{P}D_all_crime_ppa_pp"])
    ln = L(259, "14.9%")
    f(f"{P}X259_rel", ln, "all crime detection rate PPAs, % change", "14.9%", "percent", "PPAs", "")
    r(f"{P}R_x259", "change", f"{P}X259_rel", [f"{P}D_all_crime_ppa_pre", f"{P}D_all_crime_ppa_post"],
      note="'increased by 14.9% (4.5 percentage points)'")
    ln = L(270, "45.3%")
    f(f"{P}X270_rel", ln, "burglary dwelling detection rate PPAs, % change", "45.3%", "percent", "PPAs", "")
    f(f"{P}X270_pre", ln, "burglary dwelling detection rate PPAs", "15.3%", "percent", "PPAs", "Oct 11 - Sep 12")
    f(f"{P}X270_post", ln, "burglary dwelling detection rate PPAs", "22.2%", "percent", "PPAs", "Oct 12 - Sep 13")
    f(f"{P}X270_pp", ln, "burglary dwelling detection rate PPAs, pp change", "6.9 percentage points", "pp", "PPAs", "", value="6.9")
    r(f"{P}R_x270_rel", "change", f"{P}X270_rel", [f"{P}X270_pre", f"{P}X270_post"], note="'increased by 45.3% (6.9 percentage points) from 15.3% to 22.2%'")
    r(f"{P}R_x270_pre", "same_figure", "", [f"{P}X270_pre", f"{P}D_burglary_dwelling_ppa_pre"])
    r(f"{P}R_x270_post", "same_figure", "", [f"{P}X270_post", f"{P}D_burglary_dwelling_ppa_post"])
    r(f"{P}R_x270_pp", "same_figure", "", [f"{P}X270_pp", f"{P}D_burglary_dwelling_ppa_pp"])
    ln = L(271, "26.3%")
    f(f"{P}X271_rel", ln, "burglary dwelling detection rate Rest of HDAs, % change", "26.3%", "percent", "Rest of HDAs", "")
    f(f"{P}X271_pp", ln, "burglary dwelling detection rate Rest of HDAs, pp change", "3.7 percentage points", "pp",
      "Rest of HDAs", "", value="3.7")
    r(f"{P}R_x271_rel", "change", f"{P}X271_rel", [f"{P}D_burglary_dwelling_rhda_pre", f"{P}D_burglary_dwelling_rhda_post"],
      note="'(26.3%; 3.7 percentage points)'")
    r(f"{P}R_x271_pp", "same_figure", "", [f"{P}X271_pp", f"{P}D_burglary_dwelling_rhda_pp"])
    r(f"{P}R_x271_claim", "claim", "", [f"{P}X270_pp", f"{P}X271_pp"], claim="larger",
      note="'This is a larger increase than in the rest of the High Demand Areas'")
    ln = L(282, "24.7%")
    f(f"{P}X282_rel", ln, "robbery detection rate PPAs, % change", "24.7%", "percent", "PPAs", "")
    f(f"{P}X282_pp", ln, "robbery detection rate PPAs, pp change", "7 percentage points", "pp", "PPAs", "", value="7")
    r(f"{P}R_x282_rel", "change", f"{P}X282_rel", [f"{P}D_robbery_ppa_pre", f"{P}D_robbery_ppa_post"],
      note="'increased by 24.7% (7 percentage points), from 28.3% to 35.3%'")
    r(f"{P}R_x282_pp", "same_figure", "", [f"{P}X282_pp", f"{P}D_robbery_ppa_pp"])
    r(f"{P}R_x283_claim", "claim", "", [f"{P}D_robbery_ppa_pp", f"{P}D_robbery_fxh_pp"], claim="above",
      note="'improved compared against the rest of the Force outside of the HDA's and PPA's'")
    ln = L(294, "9.6%")
    f(f"{P}X294_rel", ln, "violence with injury detection rate PPAs, % change", "9.6%", "percent", "PPAs", "")
    r(f"{P}R_x294_rel", "change", f"{P}X294_rel", [f"{P}D_vwi_ppa_pre", f"{P}D_vwi_ppa_post"],
      note="'increased by 9.6% (4.2 percentage points) from 43.3% to 47.5%'")
    ln = L(295, "4.4%")
    f(f"{P}X295_rel", ln, "violence with injury detection rate Force Excl PPAs, % change", "4.4%", "percent",
      "Force Excl PPAs", "")
    r(f"{P}R_x295_rel", "change", f"{P}X295_rel", [f"{P}D_vwi_fxp_pre", f"{P}D_vwi_fxp_post"], note="'which saw a 4.4% increase'")
    r(f"{P}R_x295_claim", "claim", "", [f"{P}X294_rel", f"{P}X295_rel"], claim="larger",
      note="'a larger percentage change than the rest of the Force (excluding PPA's)'")
    ln = L(307, "216.5%")
    f(f"{P}X307_rel", ln, "vehicle crime detection rate PPAs, % change", "216.5%", "percent", "PPAs", "")
    f(f"{P}X307_pp", ln, "vehicle crime detection rate PPAs, pp change", "7.5 percentage points", "pp", "PPAs", "", value="7.5")
    r(f"{P}R_x307_rel", "change", f"{P}X307_rel", [f"{P}D_vehicle_ppa_pre", f"{P}D_vehicle_ppa_post"],
      note="'a 216.5% increase (7.5 percentage points)'")
    r(f"{P}R_x307_pp", "same_figure", "", [f"{P}X307_pp", f"{P}D_vehicle_ppa_pp"])
    for ak in ("rhda", "fxh", "fxp"):
        r(f"{P}R_x307_lower_{ak}", "claim", "", [f"{P}D_vehicle_ppa_pre", f"{P}D_vehicle_{ak}_pre"], claim="lower",
          note="'the detection rate for Vehicle Crime was lower in the PPA's than in other areas of the force'")
    for meas in ("burglary_dwelling", "robbery", "vwi"):
        r(f"{P}R_x311_{meas}", "claim", "", [f"{P}D_{meas}_ppa_pre", f"{P}D_{meas}_ppa_post"], claim="increase",
          note="'There has been an improvement in detection rates for burglary, robbery and violence with Injury' (PPAs)")
    r(f"{P}R_x311_vehicle", "claim", "", [f"{P}D_vehicle_ppa_pp", f"{P}D_vehicle_fxp_pp"], claim="more",
      note="'Detected vehicle crime offences have increased more significantly in the PPA's ... than in the rest of the Force'")
    # 10.0 CSE
    f(f"{P}C_99", L(445, "99"), "children classified as exposed to CSE", "99", "count", "Warwickshire", "Jan/Feb 2014")
    f(f"{P}C_74", L(445, "74"), "children identified but not submitted", "74", "count", "Warwickshire", "Jan/Feb 2014")
    f(f"{P}C_173", L(447, "173"), "children identified", "173", "count", "Warwickshire", "Jan/Feb 2014")
    r(f"{P}R_cse", "total", f"{P}C_173", [f"{P}C_99", f"{P}C_74"])
    # 10.5 recommendation 3: vehicles recovered
    ln = L(523, "166 fewer")
    f(f"{P}V_fewer", ln, "vehicles recovered, change on previous year", "166 fewer", "count", "Force", "since 30/9/2013", value="-166")
    f(f"{P}V_pct", ln, "vehicles recovered, % change on previous year", "49% reduction", "percent", "Force",
      "since 30/9/2013", value="-49")
    r(f"{P}R_vehicles", "share", f"{P}V_pct", [f"{P}V_fewer"], note="'166 fewer ... a 49% reduction': base not printed")
    return doc


def seed_000(seeds):

    doc = Doc(seeds / SEED_FILES["seed_000"], "seed_000")

    def L(n, text=None, label=None, table=None):
        return n

    build_devonport(doc, L)
    f, r = doc.fig, doc.rel
    # 10.5 proposed expenditure (L500-507)
    rows = [("psi", 501), ("sgt", 502), ("hire", 503), ("fuel", 504), ("maint", 505), ("ot", 506)]
    tot = []
    for key, ln in rows:
        cells = doc.line(ln).split("\t")
        lab = cells[0]
        y1 = f(f"E_{key}_1516", ln, f"proposed expenditure: {lab}, 2015/16", cells[4], "currency", "Operation Devonport", "2015/16", col=4)
        y2 = f(f"E_{key}_1617", ln, f"proposed expenditure: {lab}, 2016/17", cells[5], "currency", "Operation Devonport", "2016/17", col=5)
        t = f(f"E_{key}_total", ln, f"proposed expenditure: {lab}, total for two years", cells[6], "currency",
              "Operation Devonport", "2015/16 to 2016/17", col=6)
        r(f"R_exp_{key}", "total", t, [y1, y2], note="two-year total = 2015/16 + 2016/17")
        tot.append(t)
    f("E_total", 507, "proposed expenditure: total", "4,950,656", "currency", "Operation Devonport", "2015/16 to 2016/17")
    r("R_exp_total", "total", "E_total", tot)
    return doc


def seed_001(seeds):

    doc = Doc(seeds / SEED_FILES["seed_001"], "seed_001")
    src0 = (seeds / SEED_FILES["seed_000"]).read_text(encoding="utf-8").splitlines()
    lines = doc.lines
    LO, HI = 1457, 2014
    TABLE_START = {"all_crime": "All Crime\tOct 11", "burglary_dwelling": "Burglary Dwelling\tOct 11", "robbery": "Robbery\tOct 11",
                   "vwi": "Violence with Injury\tOct 11", "vehicle": "Vehicle Crime\tOct 11"}

    def L(n, text=None, label=None, table=None):
        """The seed-001 line holding what seed-000 line n holds (same Devonport report, different layout)."""
        want = src0[n - 1].strip()
        cands = [i for i in range(LO, HI + 1) if lines[i - 1].strip() == want and want]
        if table:
            start = next(i for i in range(LO, HI + 1) if lines[i - 1].startswith(TABLE_START[table]))
            cands = [i for i in range(start, start + 8) if lines[i - 1].startswith(label + "\t")]
            assert len(cands) == 1, (n, table, label, cands)
            return cands[0]
        if len(cands) == 1:
            return cands[0]
        key = [t for t in (text, label) if t]
        cands = [i for i in range(LO, HI + 1) if all(k in lines[i - 1] for k in key)]
        if len(cands) > 1 and label:
            cands = [i for i in cands if lines[i - 1].lstrip("-• ").startswith(label.split()[0])] or cands
        if not cands and label and text:  # label wrapped onto two lines: the value sits on the next line
            cands = [i + 1 for i in range(LO, HI) if lines[i - 1].startswith(label) and text in lines[i]]
        cands.sort(key=lambda i: abs(i - (n + 1430)))
        assert cands, (n, text, label)
        return cands[0]

    build_devonport(doc, L)
    f, r = doc.fig, doc.rel
    # 10.5 proposed expenditure: the extraction merges rows (L1929-1933); values assigned in printed order
    f("E_psi_1516", 1930, "proposed expenditure: Police Staff Investigators, 2015/16", "2,365,000", "currency", "Operation Devonport", "2015/16",
      note="row labels merged in extraction; first of the pair")
    f("E_sgt_1516", 1930, "proposed expenditure: 2 Sergeants (acting element), 2015/16", "5,376", "currency", "Operation Devonport", "2015/16")
    f("E_psi_1617", 1930, "proposed expenditure: Police Staff Investigators, 2016/17", "2,388,650", "currency", "Operation Devonport", "2016/17")
    f("E_sgt_1617", 1930, "proposed expenditure: 2 Sergeants (acting element), 2016/17", "5,430", "currency", "Operation Devonport", "2016/17")
    ids = ["E_psi_1516", "E_psi_1617", "E_sgt_1516", "E_sgt_1617"]
    for key, lab, val in (("hire", "Additional Vehicle Hire", "10,500"), ("fuel", "Vehicle Fuel", "15,200"),
                          ("maint", "Vehicle Maintenance etc", "12,400")):
        a = f(f"E_{key}_1516", 1931, f"proposed expenditure: {lab}, 2015/16", val, "currency", "Operation Devonport", "2015/16",
              note="three rows merged in extraction; values in printed order")
        b = f(f"E_{key}_1617", 1931, f"proposed expenditure: {lab}, 2016/17", val, "currency", "Operation Devonport", "2016/17")
        ids += [a, b]
    f("E_fuel_total", 1931, "proposed expenditure: Vehicle Fuel, total for two years", "30,400", "currency", "Operation Devonport", "2015/16 to 2016/17")
    r("R_exp_fuel", "total", "E_fuel_total", ["E_fuel_1516", "E_fuel_1617"])
    cells = lines[1931].split("\t")
    f("E_ot_1516", 1932, "proposed expenditure: Police Overtime, 2015/16", "55,000", "currency", "Operation Devonport", "2015/16", col=4)
    f("E_ot_1617", 1932, "proposed expenditure: Police Overtime, 2016/17", "55,000", "currency", "Operation Devonport", "2016/17", col=5)
    f("E_ot_total", 1932, "proposed expenditure: Police Overtime, total for two years", "110,000", "currency", "Operation Devonport", "2015/16 to 2016/17", col=6)
    r("R_exp_ot", "total", "E_ot_total", ["E_ot_1516", "E_ot_1617"])
    ids += ["E_ot_1516", "E_ot_1617"]
    f("E_total", 1933, "proposed expenditure: total for two years", "4,950,656", "currency", "Operation Devonport", "2015/16 to 2016/17")
    r("R_exp_total", "total", "E_total", ids, note="grand total = both years of every row (row totals mostly not printed)")
    # Community Safety Ambassadors headcount (L1337-1349)
    return doc


def seed_003(seeds):

    doc = Doc(seeds / SEED_FILES["seed_003"], "seed_003")
    f, r = doc.fig, doc.rel
    MONTHS = ["Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec", "Jan", "Feb", "Mar"]
    YM = ["2014-04", "2014-05", "2014-06", "2014-07", "2014-08", "2014-09", "2014-10", "2014-11", "2014-12", "2015-01",
          "2015-02", "2015-03"]
    YM13 = [m.replace("2014-", "2013-").replace("2015-", "2014-") for m in YM]
    GEO = "Plymouth"


    def row(prefix, line, measure, unit, year, months=True, annual=(), first_col=4, n=12):
        """Figures for one printed table row: annual columns (11/12, 12/13, 13/14 at cells 1-3) and months."""
        cells = doc.line(line).split("\t")
        ids = {}
        for col in annual:
            lab = {1: "11/12", 2: "12/13", 3: "13/14"}[col]
            ids[lab] = f(f"{prefix}_{lab.replace('/', '')}", line, f"{measure} (annual column {lab})", cells[col].strip(),
                         unit, GEO, "20" + lab.replace("/", "/20"), col=col, note=f"column {lab}")
        if months:
            per = YM if year == "1415" else YM13
            for k in range(n):
                col = first_col + k
                txt = cells[col].strip()
                if not txt:
                    continue
                ids[MONTHS[k]] = f(f"{prefix}_{MONTHS[k]}", line, measure, txt, unit, GEO, per[k], col=col,
                                   note=f"column {MONTHS[k]}")
        return ids


    def running(prefix, monthly, cum, note):
        """Cumulative row = running sum of the monthly row (range syntax A..B)."""
        first = monthly["Apr"]
        for k, m in enumerate(MONTHS):
            if m in cum and m in monthly:
                r(f"{prefix}_{m}", "total", cum[m], f"{first}..{monthly[m]}" if k else first, note=note)


    def pct_rows(prefix, c13, c14, pct, note="% difference = (cum 14/15 − cum 13/14) / cum 13/14"):
        for m in MONTHS:
            if m in pct:
                r(f"{prefix}_{m}", "change", pct[m], [c13[m], c14[m]], note=note)

    def target_table(pid, first_line, what, a13_annual=(3,), c13_annual=(),
                     notes=("Cum Actuals 13/14 = running sum", "Cum Actuals 14/15 = running sum")):
        """The seven printed rows of a target table (lines first_line..first_line+6) and the running-sum and
        % difference relations every such table implies. Returns the rows a13, a14, t14, mm13, cc13, cc14."""
        L = first_line
        a13 = row(f"{pid}_a13", L, f"{what}, monthly ('Actual 2013 - 2014' row)", "count", "1314", annual=a13_annual)
        a14 = row(f"{pid}_a14", L + 1, f"{what}, monthly", "count", "1415")
        t14 = row(f"{pid}_t14", L + 2, f"{what}, target 14/15 (cumulative)", "count", "1415")
        mm13 = row(f"{pid}_mm13", L + 3, f"{what}, monthly ('Monthly Actual 13/14' row)", "count", "1314")
        cc13 = row(f"{pid}_c13", L + 4, f"{what}, cumulative", "count", "1314", annual=c13_annual)
        cc14 = row(f"{pid}_c14", L + 5, f"{what}, cumulative", "count", "1415")
        pct = row(f"{pid}_pct", L + 6, f"{what}, % difference (cumulative)", "percent", "1415")
        running(f"R_{pid}_c13", mm13, cc13, notes[0])
        running(f"R_{pid}_c14", a14, cc14, notes[1])
        pct_rows(f"R_{pid}_pct", cc13, cc14, pct)
        return a13, a14, t14, mm13, cc13, cc14


    def stated_target(pid, e_line, e_text, s_line, s_text, t14):
        """The 2014/15 target as printed in the exception item, the status line and the table's March cell."""
        f(f"{pid}_e_target", e_line, "target 14/15 (exception item)", e_text, "count", GEO, "2014/15")
        f(f"{pid}_s_target", s_line, "target 14/15 (status line)", s_text, "count", GEO, "2014/15")
        r(f"R_{pid}_target", "same_figure", "", [f"{pid}_e_target", f"{pid}_s_target", t14["Mar"]],
          note="the 2014/15 target, printed three times")


    def stated_change(pid, line, what, pct_text, pct_value, n_text, n_value, cc13, cc14, note):
        """'an overall reduction of x% (-n)': the year-end change in the text against the cumulative rows."""
        f(f"{pid}_x_pct", line, f"{what}, % change 14/15 on 13/14", pct_text, "percent", GEO, "2014/15", value=pct_value)
        f(f"{pid}_x_n", line, f"{what}, change 14/15 on 13/14", n_text, "count", GEO, "2014/15", value=n_value)
        r(f"R_{pid}_x_pct", "change", f"{pid}_x_pct", [cc13["Mar"], cc14["Mar"]], note=note)
        r(f"R_{pid}_x_n", "change", f"{pid}_x_n", [cc13["Mar"], cc14["Mar"]])

    # ---- P1 closing the gap / all crime (L1309-1321)
    gap = row("P1_gap", 1315, "gap in crime rate per 1,000: 10 priority neighbourhoods vs city (cumulative)", "rate_per_1000",
              "1415", annual=(3,))
    tgap = row("P1_tgap", 1316, "target gap 14/15 (cumulative)", "rate_per_1000", "1415")
    m13 = row("P1_m13", 1317, "all crime, monthly", "count", "1314")
    c13 = row("P1_c13", 1318, "all crime, cumulative", "count", "1314")
    m14 = row("P1_m14", 1319, "all crime, monthly", "count", "1415", annual=(1, 2, 3))
    c14 = row("P1_c14", 1320, "all crime, cumulative", "count", "1415", annual=(1, 2, 3))
    pct = row("P1_pct", 1321, "all crime, % difference 13/14 to 14/15 (cumulative)", "percent", "1415")
    running("R_P1_c13", m13, c13, "All Crime Culmative 2013 - 2014 = running sum of the monthly row")
    running("R_P1_c14", m14, c14, "All Crime Culmative 2014 - 2015 = running sum of the monthly row")
    pct_rows("R_P1_pct", c13, c14, pct)
    r("R_P1_annual1314", "total", m14["13/14"], f"{m13['Apr']}..{m13['Mar']}",
      note="annual 13/14 (printed in the 2014-2015 rows) = the twelve 2013-2014 months")
    r("R_P1_annual_same", "same_figure", "", [m14["13/14"], c14["13/14"]])
    f("P1_x_pct", 1244, "all crime, % change 14/15 on 13/14", "reduction of 0.5%", "percent", GEO, "2014/15", value="-0.5")
    f("P1_x_n", 1244, "all crime, change 14/15 on 13/14", "-85 crimes", "count", GEO, "2014/15", value="-85")
    r("R_P1_x_pct", "change", "P1_x_pct", [c13["Mar"], c14["Mar"]], note="'an overall reduction of 0.5% (-85 crimes)'")
    r("R_P1_x_n", "change", "P1_x_n", [c13["Mar"], c14["Mar"]], note="'(-85 crimes)'")
    f("P1_x_gap", 1245, "gap at the end of March", "77.40", "rate_per_1000", GEO, "2015-03")
    f("P1_x_tgap", 1245, "target gap", "76.2", "rate_per_1000", GEO, "2015-03")
    f("P1_s_tgap", 1311, "target gap (status line)", "76.2", "rate_per_1000", GEO, "2014/15")
    f("P1_e_tgap", 1242, "target gap (exception item)", "76.2", "rate_per_1000", GEO, "2014/15")
    r("R_P1_x_gap", "same_figure", "", ["P1_x_gap", gap["Mar"]])
    r("R_P1_x_tgap", "same_figure", "", ["P1_x_tgap", "P1_s_tgap", "P1_e_tgap", tgap["Mar"]])
    r("R_P1_x_amber", "claim", "", ["P1_x_gap", "P1_x_tgap"], claim="above",
      note="'the gap was 77.40 against a target gap of 76.2' (amber: above the target)")

    # ---- P2 violence with injury excl DA (L1323-1335)
    a13, a14, t14, mm13, cc13, cc14 = target_table(
        "P2", 1329, "violence with injury excl DA", c13_annual=(3,),
        notes=("Cum Actuals 13/14 = running sum of 'Monthly Actual 13/14'",
               "Cum Actuals 14/15 = running sum of 'Actual 2014 - 2015'"))
    for m in MONTHS:
        r(f"R_P2_same13_{m}", "same_figure", "", [a13[m], mm13[m]], note="the two printed 2013/14 monthly rows")
    r("R_P2_annual1314", "total", a13["13/14"], f"{mm13['Apr']}..{mm13['Mar']}", note="annual 13/14 = the twelve 13/14 months")
    r("R_P2_actual_row_sum", "total", cc13["Mar"], f"{a13['Apr']}..{a13['Mar']}",
      note="the 'Actual 2013 - 2014' months sum to the March cumulative 13/14")
    r("R_P2_annual_same", "same_figure", "", [a13["13/14"], cc13["13/14"]])
    stated_target("P2", 1249, "1705", 1325, "1719", t14)
    f("P2_x_pct", 1251, "violence with injury excl DA, % change 14/15 on 13/14", "increase of 9%", "percent", GEO, "2014/15", value="9")
    f("P2_x_n", 1251, "violence with injury excl DA, change 14/15 on 13/14", "+160 crimes", "count", GEO, "2014/15", value="160")
    f("P2_x_q3", 1251, "violence with injury excl DA, % change at end of quarter 3", "9% increase", "percent", GEO, "2014-12", value="9")
    r("R_P2_x_pct", "change", "P2_x_pct", [cc13["Mar"], cc14["Mar"]], note="'an overall increase of 9% (+160 crimes)'")
    r("R_P2_x_n", "change", "P2_x_n", [cc13["Mar"], cc14["Mar"]])
    r("R_P2_x_q3", "change", "P2_x_q3", [cc13["Dec"], cc14["Dec"]], note="'at the end of quarter 3, when we were also recording a 9% increase'")

    # ---- P3 domestic abuse crimes and incidents (L1337-1349)
    a13, a14, t14, mm13, cc13, cc14 = target_table("P3", 1343, "DA crimes and incidents")
    r("R_P3_same13", "same_figure", "", [a13["Apr"], mm13["Apr"]], note="the two printed 2013/14 monthly rows (April)")
    r("R_P3_annual1314", "total", a13["13/14"], f"{mm13['Apr']}..{mm13['Mar']}", note="annual 13/14 = the twelve 13/14 months")
    stated_target("P3", 1255, "7102", 1339, "7103", t14)
    stated_change("P3", 1257, "DA crimes and incidents", "reduction of 7%", "-7", "(-515)", "-515", cc13, cc14,
                  note="'an overall reduction of 7% (-515)'")

    # ---- P4 anti-social behaviour (L1351-1363)
    a13, a14, t14, mm13, cc13, cc14 = target_table("P4", 1357, "ASB incidents", a13_annual=(1, 2, 3))
    r("R_P4_same13", "same_figure", "", [a13["Apr"], mm13["Apr"]], note="the two printed 2013/14 monthly rows (April)")
    r("R_P4_annual1314", "total", a13["13/14"], f"{mm13['Apr']}..{mm13['Mar']}", note="annual 13/14 = the twelve 13/14 months")
    stated_target("P4", 1261, "10,298", 1353, "10,298", t14)
    stated_change("P4", 1263, "ASB incidents", "reduction of 2%", "-2", "(-235)", "-235", cc13, cc14,
                  note="'a reduction of 2% (-235)'")
    r("R_P4_x_jan", "claim", "", [a14["Dec"], a14["Jan"]], claim="fell", note="'Levels of ASB continued to fall in January and February' (December to January)")
    r("R_P4_x_feb", "claim", "", [a14["Jan"], a14["Feb"]], claim="fell", note="'Levels of ASB continued to fall in January and February' (January to February)")
    r("R_P4_x_mar", "claim", "", [a14["Feb"], a14["Mar"]], claim="increase", note="'but increased in March' (February to March)")

    # ---- P5 ASB Victim Champion Service (L1365-1380)
    v14 = row("P5_v14", 1374, "vulnerable ASB victims seen, monthly", "count", "1415")
    vt = row("P5_vt", 1375, "vulnerable ASB victims seen, target (cumulative)", "count", "1415")
    vc = row("P5_vc", 1376, "vulnerable ASB victims seen, cumulative", "count", "1415")
    running("R_P5_vc", v14, vc, "Cum Actuals 14/15 = running sum")
    cells = doc.line(1379).split("\t")
    sat = {m: f(f"P5_sat_{m}", 1379, "ASB victim service satisfaction", cells[c].strip(), "percent", GEO, YM[k], col=c,
                note=f"column {m} (by tab position)") for k, m, c in ((2, "Jun", 6), (3, "Jul", 7), (4, "Aug", 8), (5, "Sep", 9))}
    f("P5_x_n", 1275, "vulnerable ASB victims seen in 2014/15", "314", "count", GEO, "2014/15")
    f("P5_x_target", 1275, "annual figure (target)", "300", "count", GEO, "2014/15")
    f("P5_x_sat", 1275, "ASB victim service satisfaction", "96%", "percent", GEO, "2014/15")
    f("P5_x_sat_sep", 1282, "ASB victim service satisfaction at end of September", "96%", "percent", GEO, "2014-09")
    f("P5_x_sat_target", 1282, "satisfaction target", "90%", "percent", GEO, "2014/15")
    r("R_P5_x_n", "same_figure", "", ["P5_x_n", vc["Mar"]])
    r("R_P5_x_target", "same_figure", "", ["P5_x_target", vt["Mar"]])
    r("R_P5_x_met", "claim", "", ["P5_x_n", "P5_x_target"], claim="exceeded", note="'we achieved the annual figure of 300'")
    r("R_P5_x_sat", "same_figure", "", ["P5_x_sat", "P5_x_sat_sep", sat["Sep"]])
    r("R_P5_x_sat_above", "claim", "", ["P5_x_sat_sep", "P5_x_sat_target"], claim="above", note="'96% against a target of 90%'")

    # ---- P6 serious acquisitive crime (L1382-1392)
    a13 = row("P6_a13", 1388, "serious acquisitive crime, monthly", "count", "1314", annual=(1, 2, 3))
    a14 = row("P6_a14", 1389, "serious acquisitive crime, monthly", "count", "1415")
    cc13 = row("P6_c13", 1390, "serious acquisitive crime, cumulative", "count", "1314")
    cc14 = row("P6_c14", 1391, "serious acquisitive crime, cumulative", "count", "1415")
    p6 = row("P6_pct", 1392, "serious acquisitive crime, % difference (cumulative)", "percent", "1415")
    running("R_P6_c13", a13, cc13, "Cum Actuals 13/14 = running sum")
    running("R_P6_c14", a14, cc14, "Cum Actuals 14/15 = running sum")
    pct_rows("R_P6_pct", cc13, cc14, p6)
    r("R_P6_annual1314", "total", a13["13/14"], f"{a13['Apr']}..{a13['Mar']}", note="annual 13/14 = the twelve 13/14 months")
    f("P6_x_pct", 1270, "serious acquisitive crime, % change 14/15 on 13/14", "increase of 2.9%", "percent", GEO, "2014/15", value="2.9")
    f("P6_x_n", 1270, "serious acquisitive crime, change 14/15 on 13/14", "(+56)", "count", GEO, "2014/15", value="56")
    r("R_P6_x_pct", "change", "P6_x_pct", [cc13["Mar"], cc14["Mar"]], note="'an increase of 2.9% (+56)'")
    r("R_P6_x_n", "change", "P6_x_n", [cc13["Mar"], cc14["Mar"]])

    # ---- P7 hate incidents and satisfaction (L1394-1408)
    h13 = row("P7_h13", 1402, "racist, disablist, homophobic and faith incidents, cumulative", "count", "1314")
    h14 = row("P7_h14", 1403, "racist, disablist, homophobic and faith incidents, cumulative", "count", "1415", annual=(2, 3))
    ht = row("P7_ht", 1404, "hate incidents, target (cumulative)", "count", "1415")
    s13 = row("P7_s13", 1406, "% satisfied with outcome (cumulative average)", "percent", "1314")
    s14 = row("P7_s14", 1407, "% satisfied with outcome (cumulative average)", "percent", "1415", annual=(2, 3))
    r("R_P7_h1314", "same_figure", "", [h13["Mar"], h14["13/14"]], note="13/14 total: March cumulative vs annual column")
    f("P7_x_n", 1286, "hate incidents recorded in 2014/15", "617", "count", GEO, "2014/15")
    f("P7_x_target", 1286, "hate incidents target", "610", "count", GEO, "2014/15")
    f("P7_s_target", 1396, "hate incidents target (status line)", "610", "count", GEO, "2014/15")
    r("R_P7_target", "same_figure", "", ["P7_x_target", "P7_s_target", ht["Mar"]])
    r("R_P7_x_exceeded", "claim", "", ["P7_x_n", "P7_x_target"], claim="exceeded", note="'we have exceeded the target this year of 610'")
    f("P7_x_sat", 1290, "% satisfied with outcome, end of year", "89%", "percent", GEO, "2014/15")
    f("P7_x_sat13", 1290, "% satisfied with outcome, same period 2013/14", "90%", "percent", GEO, "2013/14")
    f("P7_x_sat_target", 1290, "satisfaction target", "90%", "percent", GEO, "2014/15")
    r("R_P7_x_sat13", "same_figure", "", ["P7_x_sat13", s13["Mar"], s14["13/14"]],
      note="'this compares to a figure of 90% for the same period in 2013/14'")
    r("R_P7_x_miss", "claim", "", ["P7_x_sat", "P7_x_sat_target"], claim="misses", note="'slightly misses the target of 90%'")

    # ---- Annex 2 financial resources (L1082-1100), £m
    YRS = ["2015-16", "2016-17", "2017-18", "2018-19"]
    def frow(prefix, line, label):
        cells = doc.line(line).split("\t")
        return [f(f"{prefix}_{YRS[k].replace('-', '')}", line, label, cells[k + 1].strip(), "currency_millions",
                  "Devon and Cornwall", YRS[k], col=k + 1, note=f"column {YRS[k]}") for k in range(4)]
    base = frow("A2_base", 1083, "base budget requirement")
    infl = frow("A2_infl", 1084, "inflation and other unavoidable commitments")
    grow = frow("A2_grow", 1085, "new growth items")
    net = frow("A2_net", 1086, "net budget before contributions to/from Revenue Support Fund")
    net2 = frow("A2_net2", 1093, "total net budget requirement before savings")
    fund = frow("A2_fund", 1094, "funding available")
    gapr = frow("A2_gap", 1096, "gap to be achieved by identified savings and use of Revenue Support Fund")
    for k in range(4):
        y = YRS[k].replace("-", "")
        r(f"R_A2_net_{y}", "total", net[k], [base[k], infl[k], grow[k]], note="base + inflation + growth = net budget")
        r(f"R_A2_gap_{y}", "total", net2[k], [fund[k], gapr[k]], note="funding available + gap = net budget requirement")
        r(f"R_A2_same_{y}", "same_figure", "", [net[k], net2[k]])

    # ---- commissioning allocation (minutes, L167-185); two rows print no value
    f("C_total", 167, "PCC funding allocated to Safer Plymouth 2015/16", "£417,258", "currency", GEO, "2015/16")
    parts = []
    for ln in range(172, 186):
        cells = doc.line(ln).split("\t")
        if len(cells) < 2 and ln in (183,):
            continue
        lab = cells[0].strip()
        val = cells[1].strip() if len(cells) > 1 else ""
        if ln == 183:
            continue
        if val:
            parts.append(f(f"C_{ln}", ln, f"allocation: {lab}", val, "currency", GEO, "2015/16"))
        else:
            doc.blank(f"C_{ln}", ln, f"allocation: {lab}", "currency", note="no value printed")
            parts.append(f"C_{ln}")
    r("R_C_total", "total", "C_total", parts, note="allocations = £417,258")

    # ---- substance misuse (Item 13)
    f("S_nps_n", 1754, "people in treatment citing NPS (national)", "144", "count", "England", "")
    f("S_nps_den", 1754, "people in treatment (national)", "193,198", "count", "England", "")
    f("S_nps_pct", 1754, "% citing NPS", "(0.07%)", "percent", "England", "", value="0.07")
    r("R_S_nps", "share", "S_nps_pct", ["S_nps_n", "S_nps_den"], note="'144 of 193,198 (0.07%)'")
    f("S_alc_n", 1775, "dependent drinkers treated 2013/14", "607", "count", GEO, "2013/14")
    f("S_alc_den", 1775, "dependent drinkers (need)", "5000", "count", GEO, "2013/14")
    f("S_alc_pct", 1775, "% of estimated need treated", "12.14%", "percent", GEO, "2013/14")
    r("R_S_alc", "share", "S_alc_pct", ["S_alc_n", "S_alc_den"])
    f("S_need_drug", 1793, "in need: drug", "2285", "count", GEO, "")
    f("S_need_alc", 1793, "in need: alcohol", "5000", "count", GEO, "")
    f("S_need_tot", 1793, "in need: total", "7285", "count", GEO, "")
    f("S_tr_drug", 1793, "in treatment 2013/14: drug", "1436", "count", GEO, "2013/14")
    f("S_tr_alc", 1793, "in treatment 2013/14: alcohol", "607", "count", GEO, "2013/14")
    f("S_tr_tot", 1793, "in treatment 2013/14: total", "2043", "count", GEO, "2013/14")
    r("R_S_need", "total", "S_need_tot", ["S_need_drug", "S_need_alc"])
    r("R_S_tr", "total", "S_tr_tot", ["S_tr_drug", "S_tr_alc"])
    f("S_presc_n", 1769, "treatment population citing prescribed drugs", "552 people", "count", GEO, "", value="552")
    f("S_presc_pct", 1769, "% of treatment population citing prescribed drugs", "36%", "percent", GEO, "")
    r("R_S_presc", "share", "S_presc_pct", ["S_presc_n", "S_tr_drug", "S_tr_tot"],
      note="'36% of the treatment population ... (552 people)'; the document's treatment counts are 1436 (drug) and 2043 (all)")

    # ---- S136 (Items 14)
    f("M_749_cc", 1865, "S136 arrivals at custody, last 12 months", "749", "count", "Devon and Cornwall", "12 months to Jan 2015")
    f("M_749", 1877, "S136 arrivals at custody, last 12 months", "749", "count", "Devon and Cornwall", "12 months to Jan 2015")
    f("M_805", 1877, "S136 arrivals at custody, same period 2013", "805", "count", "Devon and Cornwall", "same period 2013")
    f("M_pct", 1935, "S136 detentions, % change", "5.8% reduction", "percent", "Devon and Cornwall", "", value="-5.8")
    f("M_749_pcc", 1935, "people detained under S136", "749", "count", "Devon and Cornwall", "")
    r("R_M_same", "same_figure", "", ["M_749_cc", "M_749", "M_749_pcc"])
    r("R_M_change", "change", "M_pct", ["M_805", "M_749"], note="PCC: 'a 5.8% reduction in overall numbers' vs the Chief Constable's 749 and 805")
    f("M_arr_pct", 1939, "arrested and self-identifying mental illness, % increase", "15%", "percent", "Devon and Cornwall", "rolling year to Nov 2014")
    f("M_arr_n", 1939, "arrested and self-identifying mental illness, increase", "1,064 cases", "count", "Devon and Cornwall", "rolling year to Nov 2014", value="1064")
    r("R_M_arr", "share", "M_arr_pct", ["M_arr_n"], note="'an increase of 15% (1,064 cases)': previous year not printed")
    return doc


if __name__ == "__main__":
    seeds = Path(sys.argv[1] if len(sys.argv) > 1 else Path(__file__).resolve().parents[3] / "shared" / "seeds")
    here = Path(__file__).resolve().parent
    for name, fn in (("seed_000", seed_000), ("seed_001", seed_001), ("seed_003", seed_003)):
        d = fn(seeds)
        d.write(here / name)
        print(f"{name}: {len(d.figs)} figures, {len(d.rels)} relations")
