"""The leadership ``report.html`` and the ``reports/index.html`` listing.

The report is an executed notebook converted by nbconvert without any input cell or prompt,
wrapped in a small self-contained page: the organisation's name and brand colours from
``org.yaml``, inline CSS, images inlined as base64, no external scripts, readable on a phone.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import nbformat
from nbconvert import HTMLExporter

from workbench.report.display import esc, fmt_change, fmt_number, money_unit
from workbench.report.figures import brand_palette

PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>
:root {{ --brand: {primary}; --accent: {accent}; }}
body {{ font-family: -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif;
  margin: 0; color: #1d2230; background: #fff; line-height: 1.45; }}
header {{ background: var(--brand); color: #fff; padding: 1rem 1.25rem;
  border-bottom: 6px solid var(--accent); }}
header h1 {{ margin: 0; font-size: 1.35rem; color: #fff; }}
header p {{ margin: .2rem 0 0; opacity: .9; font-size: .9rem; }}
main {{ max-width: 60rem; margin: 0 auto; padding: 1rem 1.25rem 3rem; }}
h1, h2, h3 {{ color: var(--brand); }}
img {{ max-width: 100%; height: auto; }}
table {{ border-collapse: collapse; width: 100%; font-size: .9rem; margin: .5rem 0 1rem; }}
th, td {{ border-bottom: 1px solid #e1e4ea; padding: .35rem .5rem; text-align: left;
  vertical-align: top; }}
th {{ background: #f3f5f9; }}
td.num {{ text-align: right; white-space: nowrap; }}
tr.group th {{ background: #fff; color: var(--brand); border-bottom: 2px solid var(--accent);
  padding-top: .8rem; }}
.kind, .ci, .footnote {{ color: #5a6170; font-size: .8rem; }}
.badge {{ display: inline-block; border-radius: .8rem; padding: 0 .55rem; font-size: .78rem;
  font-weight: 600; color: #fff; background: #8a8f98; }}
.badge.strong {{ background: #1b7f3b; }}
.badge.suggestive {{ background: #c98a00; }}
.banner {{ border-left: 5px solid var(--accent); background: #fff8e1; padding: .6rem .8rem;
  margin: .6rem 0; }}
.posts {{ display: grid; grid-template-columns: repeat(auto-fit, minmax(15rem, 1fr));
  gap: .75rem; }}
.post {{ border: 1px solid #e1e4ea; border-top: 4px solid var(--brand); border-radius: .4rem;
  padding: .6rem .75rem; }}
.post .meta, .post .numbers {{ color: #5a6170; font-size: .8rem; }}
.post .caption {{ margin: .35rem 0; }}
.findings li {{ margin-bottom: .45rem; }}
.jp-OutputPrompt, .jp-InputPrompt, .prompt {{ display: none; }}
pre {{ white-space: pre-wrap; }}
footer {{ color: #5a6170; font-size: .8rem; border-top: 1px solid #e1e4ea; margin-top: 2rem;
  padding-top: .75rem; }}
@media (max-width: 40rem) {{ main {{ padding: .75rem; }} table {{ font-size: .8rem; }} }}
</style>
</head>
<body>
<header><h1>{org}</h1><p>{subtitle}</p></header>
<main>
{body}
<footer>{footer}</footer>
</main>
</body>
</html>
"""


def page_html(params: dict[str, Any], title: str, subtitle: str, body_html: str,
              footer_html: str = "") -> str:
    """A complete self-contained page in the organisation's colours.

    Args:
        params: Parameters (organisation name, brand colours).
        title: Browser title, plain text (escaped here).
        subtitle: Line under the organisation's name, plain text (escaped here).
        body_html: Already-safe HTML for the main part.
        footer_html: Already-safe HTML for the footer.
    """
    primary, accent = brand_palette(params)
    org = str(params.get("name", "Organisation"))
    return PAGE.format(title=esc(f"{org} — {title}"), primary=esc(primary), accent=esc(accent),
                       org=esc(org), subtitle=esc(subtitle), body=body_html, footer=footer_html)


def notebook_body_html(notebook_path: str | Path) -> str:
    """The outputs (and markdown) of an executed notebook as HTML, without any code."""
    notebook = nbformat.read(str(notebook_path), as_version=4)
    # Cells tagged "remove-output" hold setup noise (progress lines) leadership doesn't need.
    notebook.cells = [c for c in notebook.cells if "remove-cell" not in c.metadata.get("tags", [])]
    for cell in notebook.cells:
        if "remove-output" in cell.metadata.get("tags", []):
            cell.outputs = []
        if cell.cell_type == "code":
            # stderr (warnings, progress) is for the analyst's notebook, not leadership's page
            cell.outputs = [
                o
                for o in cell.get("outputs", [])
                if not (o.get("output_type") == "stream" and o.get("name") == "stderr")
            ]
    exporter = HTMLExporter(template_name="basic")
    exporter.exclude_input = True
    exporter.exclude_input_prompt = True
    exporter.exclude_output_prompt = True
    body, _ = exporter.from_notebook_node(notebook)
    return body


def render_report_html(
    notebook_path: str | Path, params: dict[str, Any], month: str, footer_html: str = ""
) -> str:
    """The self-contained leadership page for ``month`` built from the executed notebook."""
    return page_html(params, f"monthly report {month}",
                     f"Monthly social media and website report · {month}",
                     notebook_body_html(notebook_path), footer_html)


HEADLINE_KPIS = (
    ("facebook", "post_engagement"),
    ("instagram", "post_engagement"),
    ("website", "visits"),
    ("ads", "clicks"),
)


def render_index_html(reports_dir: str | Path, params: dict[str, Any]) -> str:
    """``reports/index.html``: every month with a report, its headline KPIs and links."""
    reports_dir = Path(reports_dir)
    rows = []
    for results_path in sorted(reports_dir.glob("*/results.json"), reverse=True):
        month_dir = results_path.parent
        try:
            results = json.loads(results_path.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError):
            continue
        kpis = {(k.get("platform"), k.get("kpi")): k for k in results.get("kpis", [])}
        cells = []
        for key in HEADLINE_KPIS:
            kpi = kpis.get(key)
            if kpi is None:
                cells.append("<td class='num'>–</td>")
            else:
                value = fmt_number(kpi.get("value"), key[1], money_unit(key[1], params))
                cells.append(
                    f"<td class='num'>{value}"
                    f" <span class='ci'>{fmt_change(kpi.get('change_pct'))}</span></td>"
                )
        rows.append(
            f"<tr><td><a href='{esc(month_dir.name)}/report.html'>{esc(month_dir.name)}</a></td>"
            + "".join(cells)
            + f"<td><a href='{esc(month_dir.name)}/results.json'>results.json</a></td></tr>"
        )
    header = (
        "<tr><th>Month</th><th>Facebook engagement</th><th>Instagram engagement</th>"
        "<th>Website visits</th><th>Ad clicks</th><th>Data</th></tr>"
    )
    body = (
        "<h2>Monthly reports</h2><table><thead>"
        + header
        + "</thead><tbody>"
        + ("".join(rows) or "<tr><td colspan='6'>No reports yet.</td></tr>")
        + "</tbody></table>"
    )
    return page_html(params, "reports", "All monthly reports", body)
