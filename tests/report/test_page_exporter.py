"""Section pages are converted without nbconvert's last BeautifulSoup pass, and are still the same document.

HTMLExporter ends by parsing its output with BeautifulSoup and writing it out again (placeholder alt text for images
without one, tabindex on `.jp-Notebook` cells). views.notebook_body's exporter skips that pass; parsing its output
the same way must give exactly HTMLExporter's page.
"""

from __future__ import annotations

import base64

import nbformat
import pytest
from bs4 import BeautifulSoup
from nbconvert import HTMLExporter

from scrutiny.report import views

# a 1×1 PNG
PNG = base64.b64encode(bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d49444154789c6360000002000154a24f5d"
    "0000000049454e44ae426082")).decode()


def _exporters():
    kw = dict(template_name="basic", exclude_input=True, exclude_input_prompt=True, exclude_output_prompt=True,
              embed_images=True)
    return HTMLExporter(**kw), views._page_exporter()(**kw)


def _same_document(nb) -> str:
    reference, ours = _exporters()
    want, _ = reference.from_notebook_node(nb)
    got, _ = ours.from_notebook_node(nb)
    assert str(BeautifulSoup(got, features="html.parser")) == want
    return got


def _notebook() -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    svg = ('<figure class="chart" role="img" aria-label="a &amp; b"><svg viewBox="0 0 10 10" '
           'xmlns="http://www.w3.org/2000/svg"><clipPath id="c"><rect width="1" height="1"/></clipPath>'
           '<text textLength="5">Jan &lt; Feb</text></svg></figure>')
    nb.cells = [
        nbformat.v4.new_markdown_cell("# Title\n\nText with &nbsp; an entity, **bold** and a [link](#x)."),
        nbformat.v4.new_code_cell("x", outputs=[nbformat.v4.new_output(
            "display_data", data={"text/html": svg + '<table class="t"><tr><td>1,234</td><td>−5.0%</td></tr>'
                                                     '</table><img src="a.png"><img alt="kept" src="b.png"/>'})]),
        nbformat.v4.new_code_cell("y", outputs=[nbformat.v4.new_output("display_data", data={"image/png": PNG})]),
        nbformat.v4.new_code_cell("z", outputs=[nbformat.v4.new_output("stream", name="stdout", text="a < b\n")]),
    ]
    return nb


def test_a_page_parses_to_the_document_html_exporter_writes():
    got = _same_document(_notebook())
    # the placeholder went on the two images without alt text (the PNG output and the bare <img>), not the third
    assert got.count(f'alt="{views._NO_ALT}"') == 2
    assert got.count('alt="kept"') == 1
    # SVG attribute names keep their case (BeautifulSoup's parser lowercases them)
    assert 'viewBox="0 0 10 10"' in got


def test_an_img_tag_without_alt_is_given_one_whatever_its_attributes():
    def fill(html):
        return views._IMG_WITHOUT_ALT.sub('<img alt="-"', html)

    assert fill("<img>") == '<img alt="-">'
    assert fill('<img src="a"/>') == '<img alt="-" src="a"/>'
    assert fill('<IMG\nsrc="a">') == '<img alt="-"\nsrc="a">'
    assert fill('<img src="a" alt="b">') == '<img src="a" alt="b">'
    assert fill('<IMG SRC="a" ALT="b">') == '<IMG SRC="a" ALT="b">'
    assert fill('<img data-alt="x" src="a">') == '<img alt="-" data-alt="x" src="a">'  # data-alt is not alt
    assert fill("<imgs>") == "<imgs>"


@pytest.mark.e2e
@pytest.mark.xdist_group("pack")
def test_every_section_of_a_real_pack_converts_to_the_same_document(gwent13):
    notebooks = sorted((gwent13 / "notebooks").glob("*.ipynb"))
    assert [p.stem for p in notebooks] == ["performance"]  # the 13-month pack has one section: 16 charts, tables
    for path in notebooks:
        _same_document(nbformat.read(path, as_version=4))
