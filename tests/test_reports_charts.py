"""Charts: inline SVG from matplotlib's Figure, accessible, readable without colour."""

import re
from pathlib import Path

from reports import charts


def funnel():
    return charts.funnel_chart(
        [charts.FunnelStep("Entrée", 300, 100.0), charts.FunnelStep("Entrée + Sortie", 36, 12.0)],
        chart_id="chart-funnel", title="Entonnoir des réponses",
        description="Entrée : 300 ; Entrée + Sortie : 36", count_label="Personnes")


def test_a_chart_is_an_inline_svg_with_an_accessible_title_and_description():
    svg = funnel()
    assert svg.startswith('<svg class="vises-chart" role="img" id="chart-funnel" '
                          'aria-labelledby="chart-funnel-title chart-funnel-desc"')
    assert '<title id="chart-funnel-title">Entonnoir des réponses</title>' in svg
    assert '<desc id="chart-funnel-desc">Entrée : 300 ; Entrée + Sortie : 36</desc>' in svg
    assert "<?xml" not in svg
    assert "<!DOCTYPE" not in svg


def test_the_labels_stay_text_in_french():
    svg = funnel()
    assert ">Personnes<" in svg
    assert "300 (100" in svg


def test_the_funnel_steps_differ_by_hatch_as_well_as_colour():
    svg = funnel()
    assert svg.count("<pattern") >= 1
    assert "#e69f00" in svg.lower()
    assert "#56b4e9" in svg.lower()


def test_every_id_is_prefixed_so_that_charts_can_share_a_page():
    svg = funnel()
    ids = re.findall(r'\bid="([^"]+)"', svg)
    assert ids
    assert all(i.startswith("chart-funnel") for i in ids)
    references = re.findall(r"url\(#([^)]+)\)", svg)
    assert all(r.startswith("chart-funnel-") for r in references)
    assert set(references) <= set(ids)


def dimensions(last_mean):
    points = [charts.DimensionPoint("Entrée", 2.2, 2.1, 2.3, 300),
              charts.DimensionPoint("Mi-parcours", 2.7, 2.5, 2.8, 139),
              charts.DimensionPoint("Sortie", last_mean, None, None, 36)]
    return charts.dimensions_chart(
        [charts.DimensionSeries("Estime de soi", points, 1.0, 4.0)], chart_id="chart-d",
        title="Score moyen", description="…", y_label="Score moyen")


def markers(svg):
    """The marker shapes drawn (matplotlib defines one <path> per shape and size)."""
    return set(re.findall(r'<path id="(chart-d-m[0-9a-f]+)"', svg))


def test_each_wave_has_its_own_marker_and_a_withheld_mean_is_not_drawn():
    shown, withheld = dimensions(3.0), dimensions(None)
    assert "Estime de soi" in shown
    assert len(markers(shown)) == len(markers(withheld)) + 1


def test_no_chart_uses_pyplot():
    source = Path(charts.__file__).read_text(encoding="utf-8")
    assert not re.search(r"^\s*(import matplotlib\.pyplot|from matplotlib import pyplot)",
                         source, flags=re.MULTILINE)
    assert "from matplotlib.figure import Figure" in source
