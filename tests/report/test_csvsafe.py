"""Formula-safe CSV (OWASP CSV injection guidance): text cells only, numbers untouched."""

import io

import pandas as pd

from scrutiny.report import csvsafe, page


def test_text_cells_starting_with_a_trigger_get_a_quote():
    df = pd.DataFrame({"lsoa": ['=HYPERLINK("http://x","y")', "+44 1633", "-3 (text)", "@SUM(A1)", "\tx", "\rx",
                                "Newport 012A", "", None, "'=already"],
                       "n": [-3, 1, 2, 3, 4, 5, 6, 7, 8, 9],
                       "rate": [-0.5, 1.5, 0, 0, 0, 0, 0, 0, 0, 0]})
    out = csvsafe.neutralise(df)
    assert out["lsoa"].tolist()[:7] == ['\'=HYPERLINK("http://x","y")', "'+44 1633", "'-3 (text)", "'@SUM(A1)",
                                        "'\tx", "'\rx", "Newport 012A"]
    assert out["lsoa"].tolist()[7] == "" and out["lsoa"].isna().tolist()[8] and out["lsoa"][9] == "'=already"
    assert out["n"].tolist() == df["n"].tolist() and out["rate"].tolist() == df["rate"].tolist()
    assert df["lsoa"][0].startswith("=")  # the input frame is not changed
    back = csvsafe.restore(out)
    assert back["lsoa"].tolist()[:8] == df["lsoa"].tolist()[:8]


def test_mixed_object_column_keeps_numbers_as_numbers():
    df = pd.DataFrame({"v": [-5, "[c]", "-x", 2.5]}, dtype=object)
    out = csvsafe.neutralise(df)
    assert out["v"].tolist() == [-5, "[c]", "'-x", 2.5]


def test_write_table_neutralises(tmp_path):
    df = pd.DataFrame({"district": ['=HYPERLINK("http://evil/","Newport")', "Newport"], "change": [-12, 4]})
    page.setup(min_count=None)
    page.write_table(df, "t", tmp_path)
    text = (tmp_path / "tables" / "t.csv").read_text()
    assert text == 'district,change\n"\'=HYPERLINK(""http://evil/"",""Newport"")",-12\nNewport,4\n'
    back = pd.read_csv(io.StringIO(text))
    assert back["change"].tolist() == [-12, 4]
