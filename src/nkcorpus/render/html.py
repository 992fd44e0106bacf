"""The report page (``--report FILE.html``): one self-contained HTML file
with the query, its timeline as an inline SVG bar chart, its key terms and
its best passages, highlighted, with file, line, title and date.

Self-contained: no script, no external style sheet, font or image; a
Content-Security-Policy forbids the page any network request, so it opens
the same offline, attached to an email."""

from __future__ import annotations

from datetime import datetime, timezone
from html import escape

from nkcorpus.model import Hit, KeyTerms, Report, Timeline

COLORS = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf")
CHART_W, CHART_H, PAD_L, PAD_B, PAD_T = 760, 240, 48, 56, 12

STYLE = """
body{font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;max-width:60rem;margin:2rem auto;
padding:0 1rem;color:#222}
h1{font-size:1.5rem;margin:0 0 .2rem}h2{font-size:1.15rem;margin:2rem 0 .5rem;border-bottom:1px solid #ddd}
.meta,.note{color:#666;font-size:.9rem}table{border-collapse:collapse}td,th{padding:.15rem .6rem;text-align:left}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}tr:nth-child(even){background:#f6f6f6}
.hit{margin:.8rem 0}.loc{font-family:ui-monospace,Menlo,Consolas,monospace;color:#7a2a7a}
.about{color:#2a5a7a}mark{background:#ffe58a;padding:0 .1rem}.legend span{margin-right:1rem}
svg text{font:11px system-ui,sans-serif;fill:#444}
"""


def render_report(report: Report, now: datetime | None = None) -> str:
    now = now or datetime.now(timezone.utc)
    parts = [
        "<!DOCTYPE html>",
        '<html lang="id"><head><meta charset="utf-8">',
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">",
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>nkcorpus: {escape(report.query)}</title>",
        f"<style>{STYLE}</style></head><body>",
        f"<h1>{escape(report.query)}</h1>",
        f'<p class="meta">corpus {escape(report.corpus)} · nkcorpus report, '
        f"{now.strftime('%Y-%m-%d %H:%M UTC')}</p>",
    ]
    if report.timeline is not None:
        parts += _timeline(report.timeline)
    if report.terms is not None:
        parts += _terms(report.terms)
    if report.search is not None:
        parts += _passages(report.search)
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


def _timeline(t: Timeline) -> list[str]:
    out = [f"<h2>When: documents per {escape(t.by)}</h2>"]
    if t.axis:
        out.append(chart_svg(t))
        if len(t.series) > 1:
            out.append('<p class="legend">' + "".join(
                f'<span style="color:{COLORS[i % len(COLORS)]}">■ {escape(s.query)}</span>'
                for i, s in enumerate(t.series)) + "</p>")
    for s in t.series:
        text = f"{escape(s.query)}: {s.documents:,} dated documents ({s.passages:,} passages)"
        if s.peak:
            peak = next(c for c in s.counts if c.period == s.peak)
            text += f"; peak {escape(s.peak)} ({_n(peak.documents, 'document')})"
        if s.undated_documents:
            text += f"; {_n(s.undated_documents, 'document')} without a date"
        out.append(f'<p class="meta">{text}</p>')
    out += [f'<p class="note">{escape(n)}</p>' for n in t.notes]
    return out


def chart_svg(t: Timeline) -> str:
    """One bar per period (and per query: side by side), documents counted."""
    n = len(t.axis)
    k = max(len(t.series), 1)
    top = max((c.documents for s in t.series for c in s.counts), default=0) or 1
    inner_w, inner_h = CHART_W - PAD_L - 8, CHART_H - PAD_B - PAD_T
    slot = inner_w / max(n, 1)
    bar_w = max(slot * 0.8 / k, 1)
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{CHART_W}" height="{CHART_H}" '
           f'viewBox="0 0 {CHART_W} {CHART_H}" aria-label="documents per {escape(t.by)}">']
    base = PAD_T + inner_h
    for frac in (0, 0.5, 1):
        y = base - frac * inner_h
        out.append(f'<line x1="{PAD_L}" x2="{CHART_W - 8}" y1="{y:.1f}" y2="{y:.1f}" stroke="#ddd"/>')
        out.append(f'<text x="{PAD_L - 6}" y="{y + 4:.1f}" text-anchor="end">{round(top * frac):,}</text>')
    every = max(1, -(-n // 24))  # at most about 24 period labels
    for i, period in enumerate(t.axis):
        x0 = PAD_L + i * slot + slot * 0.1
        for j, s in enumerate(t.series):
            c = s.counts[i]
            h = c.documents / top * inner_h
            out.append(f'<rect class="bar" data-period="{escape(period)}" data-query="{escape(s.query)}" '
                       f'x="{x0 + j * bar_w:.1f}" y="{base - h:.1f}" width="{bar_w:.1f}" height="{h:.1f}" '
                       f'fill="{COLORS[j % len(COLORS)]}"><title>{escape(s.query)} {escape(period)}: '
                       f'{c.documents:,} documents, {c.passages:,} passages</title></rect>')
        if i % every == 0:
            x = PAD_L + (i + 0.5) * slot
            out.append(f'<text x="{x:.1f}" y="{base + 14}" text-anchor="end" '
                       f'transform="rotate(-45 {x:.1f} {base + 14})">{escape(period)}</text>')
    out.append("</svg>")
    return "".join(out)


def _terms(k: KeyTerms) -> list[str]:
    out = ["<h2>With what: key terms</h2>"]
    if not k.terms:
        return out + ['<p class="note">no term stands out (too few matching passages)</p>']
    out.append('<table><tr><th class="n">#</th><th>term</th><th>root</th><th class="n">in matches</th>'
               '<th class="n">in corpus</th><th class="n">G2</th></tr>')
    for i, t in enumerate(k.terms, 1):
        form = f"<b>{escape(t.form)}</b>" if t.kind == "name" else escape(t.form)
        out.append(f'<tr><td class="n">{i}</td><td>{form}</td><td>{escape(t.term)}</td>'
                   f'<td class="n">{t.matches:,}</td><td class="n">{t.corpus:,}</td>'
                   f'<td class="n">{t.score:,.1f}</td></tr>')
    out.append("</table>")
    sample = (f"the {k.sample:,} best of {k.matched:,} matching passages" if k.sample < k.matched
              else f"{k.matched:,} matching passages")
    out.append(f'<p class="note">{sample} against {k.corpus:,} passages of the corpus; counts are passages '
               "holding the term; log-likelihood G2; names in bold</p>")
    return out


def _passages(result) -> list[str]:
    out = [f"<h2>Best passages ({len(result.hits)} of {result.total:,})</h2>"]
    for hit in result.hits:
        about = " · ".join(escape(x) for x in (hit.date, hit.source, hit.title) if x)
        out.append(f'<div class="hit"><div><span class="loc">{hit.rank}. {escape(hit.rel or hit.path)}:{hit.line_start}'
                   f'</span> <span class="about">{about}</span></div><div>{highlighted(hit)}</div></div>')
    return out


def highlighted(hit: Hit) -> str:
    """The passage, escaped, its matches in ``<mark>``."""
    out, pos = [], 0
    for m in hit.matches:
        if m.start < pos:
            continue
        out.append(escape(hit.text[pos:m.start]))
        out.append(f"<mark>{escape(hit.text[m.start:m.end])}</mark>")
        pos = m.end
    out.append(escape(hit.text[pos:]))
    return "".join(out)


def _n(count: int, noun: str) -> str:
    return f"{count:,} {noun}{'' if count == 1 else 's'}"
