"""How every page prints (Ctrl+P, "Save as PDF"): the content alone, at the paper's full width.

One ``@media print`` block, injected once per run by ui.app.run_app. It hides Streamlit's chrome
(sidebar, header toolbar, buttons, download buttons, inputs' widgets) by the ``data-testid``
selectors Streamlit puts on them, lets the main block use the whole page width, wraps tables
instead of cutting them at the right edge (a data grid, drawn on a canvas, is zoomed to the paper
instead), and keeps a chart or a metric on one page.

Plotly draws a chart at a fixed pixel width, the width its container had on screen; printed on a
narrower page (A4 is about 700 CSS px wide) it was cut at the right, losing its last months. CSS
cannot scale it (the SVG has no viewBox) and print layout fires no resize. So in print the page's
content gets a fixed width (180 mm, fits A4 and Letter), and ``FIT_CHARTS`` listens for the print
media query (Chromium and Safari switch it when printing, as Playwright's ``emulate_media`` does),
measures each chart's container under the print rules and scales the chart down to that width
(a viewBox on its SVG layers; synchronous, so done before the page is captured — Plotly.relayout
redraws asynchronously and missed it); back on screen, each chart gets its screen size again.
"""
from __future__ import annotations

import streamlit as st

PRINT_CSS = """
<style>
@media print {
  @page { size: A4 portrait; margin: 12mm; }
  [data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], [data-testid="stHeader"],
  [data-testid="stToolbar"], [data-testid="stDecoration"], [data-testid="stStatusWidget"],
  [data-testid="stBottom"], [data-testid="stChatInput"],
  [data-testid="stButton"], [data-testid="stDownloadButton"], [data-testid="stFormSubmitButton"],
  [data-testid="stLinkButton"], [data-testid="stPageLink"], [data-testid="stPagination"],
  [data-testid="stFileUploader"], [data-testid="stElementToolbar"], [data-testid="stExpanderToggleIcon"],
  [data-testid="stTooltipIcon"], [data-testid="stMainMenu"],
  button, [data-testid^="stBaseButton-"], .modebar-container, .modebar {
    display: none !important;
  }
  [data-testid="stAppViewContainer"], [data-testid="stMain"], [data-testid="stAppScrollToBottomContainer"] {
    width: auto !important; max-width: none !important; margin: 0 !important;
    padding: 0 !important; overflow: visible !important; position: static !important;
  }
  /* A fixed width that fits A4 and Letter with 12 mm margins: the same whatever the window was, so
     the charts can be fitted to it before the page is laid out for paper (FIT_CHARTS). */
  [data-testid="stMainBlockContainer"], .stMainBlockContainer {
    width: 180mm !important; max-width: 180mm !important; min-width: 0 !important;
    margin: 0 !important; padding: 0 !important;
  }
  [data-testid="stHorizontalBlock"] { flex-wrap: wrap !important; }
  [data-testid="stMetric"], [data-testid="stPlotlyChart"], [data-testid="stImage"],
  [data-testid="stTable"] tr { break-inside: avoid; }
  [data-testid="stMetricValue"] > div, [data-testid="stMetricLabel"] p {
    overflow: visible !important; text-overflow: clip !important; white-space: normal !important;
  }
  [data-testid="stPlotlyChart"], [data-testid="stPlotlyChart"] > div, .js-plotly-plot, .plot-container {
    width: 100% !important; max-width: 100% !important; overflow: visible !important;
  }
  [data-testid="stTable"] table, [data-testid="stMarkdownContainer"] table {
    width: 100% !important; table-layout: auto; word-break: break-word;
  }
  [data-testid="stDataFrame"], [data-testid="stDataFrameResizable"] {
    width: 100% !important; max-width: 100% !important; overflow: hidden !important;
  }
  a { color: inherit !important; text-decoration: none !important; }
}
</style>
"""


FIT_CHARTS = """
<script>
(() => {
  if (window.kehuPrintFit) return;  // once per page load; every run draws this element again
  window.kehuPrintFit = true;
  const PAPER_WIDTH = 180 * 96 / 25.4;  // the main block's print width (PRINT_CSS), in CSS px
  const charts = () => document.querySelectorAll('[data-testid="stPlotlyChart"] .js-plotly-plot');
  // The width a chart's container has on paper: measured when the print rules apply already (print
  // media query, or emulated), else its screen width scaled as the main block shrinks to paper.
  const paperWidth = chart => {
    const width = chart.parentElement.getBoundingClientRect().width;
    if (window.matchMedia('print').matches) return width;
    const main = document.querySelector('[data-testid="stMainBlockContainer"]');
    return main ? width * Math.min(1, PAPER_WIDTH / main.getBoundingClientRect().width) : width;
  };
  // Synchronous, so it is done before the page is captured: each SVG layer of the chart (plotly
  // stacks several, class main-svg) is scaled with a viewBox to the chart's paper width.
  const toPaper = () => charts().forEach(chart => {
    const box = chart.querySelector('.svg-container');
    const layers = chart.querySelectorAll('svg.main-svg');
    if (!box || !layers.length) return;
    if (!chart.dataset.screenSize) {
      chart.dataset.screenSize = [layers[0].getAttribute('width'), layers[0].getAttribute('height'),
                                  box.style.width, box.style.height].join(' ');
    }
    const [w, h] = chart.dataset.screenSize.split(' ').map(Number);
    const width = Math.floor(paperWidth(chart));
    if (!(w > 0 && h > 0 && width > 0)) return;
    const height = Math.round(h * Math.min(1, width / w));
    layers.forEach(svg => {
      svg.setAttribute('viewBox', `0 0 ${w} ${h}`);
      svg.setAttribute('width', Math.min(w, width));
      svg.setAttribute('height', height);
    });
    box.style.width = `${Math.min(w, width)}px`;
    box.style.height = `${height}px`;
  });
  // A data grid is drawn on a canvas, so it cannot wrap: one wider than the paper is laid out at
  // the width of all its columns and zoomed to fit, instead of losing its right-hand columns.
  const grids = () => document.querySelectorAll('[data-testid="stDataFrame"]');
  const gridsToPaper = () => grids().forEach(grid => {
    const scroller = grid.querySelector('.dvn-scroller');
    if (!scroller) return;
    const natural = scroller.scrollWidth + 2;  // every column, and the border
    const width = paperWidth(grid);
    if (!(natural > width && width > 0)) return;
    grid.dataset.screenStyle = grid.getAttribute('style') || '';
    grid.style.width = `${natural}px`;
    grid.style.maxWidth = 'none';
    grid.style.zoom = String(width / natural);
  });
  const gridsToScreen = () => grids().forEach(grid => {
    if (grid.dataset.screenStyle === undefined) return;
    grid.setAttribute('style', grid.dataset.screenStyle);
    delete grid.dataset.screenStyle;
  });
  const toScreen = () => charts().forEach(chart => {
    if (!chart.dataset.screenSize) return;
    const [w, h, boxWidth, boxHeight] = chart.dataset.screenSize.split(' ');
    chart.querySelectorAll('svg.main-svg').forEach(svg => {
      svg.removeAttribute('viewBox');
      svg.setAttribute('width', w);
      svg.setAttribute('height', h);
    });
    const box = chart.querySelector('.svg-container');
    box.style.width = boxWidth;
    box.style.height = boxHeight;
    delete chart.dataset.screenSize;
  });
  const paper = () => { toPaper(); gridsToPaper(); };
  const screen = () => { toScreen(); gridsToScreen(); };
  window.addEventListener('beforeprint', paper);
  window.addEventListener('afterprint', screen);
  window.matchMedia('print').addEventListener('change', event => event.matches ? paper() : screen());
})();
</script>
"""


def print_styles() -> None:
    """Inject the print rules and the chart fitting (invisible; drawn on every run, as Streamlit needs)."""
    st.html(PRINT_CSS)
    st.sidebar.html(FIT_CHARTS, unsafe_allow_javascript=True)  # the sidebar: no gap atop the page
