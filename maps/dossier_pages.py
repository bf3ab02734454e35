"""Pages of the one-stop shop: the results dashboard (Chart.js, served locally), the public lookup by
receipt code, and the printable receipt. The dashboard and the lookup read the public API from the
browser, so they show exactly what the API answers (the lookup is rate-limited there)."""

from __future__ import annotations

import html
import json
from datetime import date, datetime
from typing import Any

from maps.assets import CHART_JS
from maps.document import details, page

TEXT = {
    "vi": {
        "dashboard": "Kết quả giải quyết thủ tục hành chính",
        "period": "Kỳ báo cáo",
        "from": "Từ ngày",
        "to": "Đến ngày",
        "show": "Xem",
        "figures": "Số liệu của kỳ",
        "trend": "Xu hướng theo tháng",
        "by_field": "Theo lĩnh vực",
        "by_channel": "Theo hình thức nộp",
        "catalogue": "Danh mục thủ tục theo mức độ dịch vụ công trực tuyến",
        "xlsx": "Tải Excel",
        "loading": "Đang tải…",
        "error": "Không tải được số liệu",
        "note": "Số liệu tính trực tiếp từ hồ sơ mỗi lần xem. «Trả lại hồ sơ» là hồ sơ chưa đầy đủ, hợp lệ "
        "trả lại người nộp; hồ sơ đã xin lỗi hẹn lại được tính quá hạn.",
        "lookup": "Tra cứu hồ sơ thủ tục hành chính",
        "code": "Mã hồ sơ (trên giấy biên nhận)",
        "search": "Tra cứu",
        "not_found": "Không tìm thấy hồ sơ",
        "too_many": "Tra cứu quá nhiều lần; vui lòng thử lại sau",
        "procedure": "Thủ tục",
        "status": "Trạng thái",
        "step": "Bước đang xử lý",
        "received": "Ngày tiếp nhận",
        "due": "Ngày hẹn trả kết quả",
        "standing": "Tình trạng",
        "level": "Mức độ",
        "count": "Số thủ tục",
        "share": "Tỷ lệ",
    },
    "en": {
        "dashboard": "Administrative procedure results",
        "period": "Period",
        "from": "From",
        "to": "To",
        "show": "Show",
        "figures": "Figures of the period",
        "trend": "Trend by month",
        "by_field": "By field",
        "by_channel": "By channel",
        "catalogue": "Procedures by online service level",
        "xlsx": "Download Excel",
        "loading": "Loading…",
        "error": "Could not load the figures",
        "note": "Counted from the dossiers on every view. 'Returned' are incomplete dossiers handed back to the "
        "applicant; a dossier with an apology counts as late.",
        "lookup": "Look up a dossier",
        "code": "Receipt code",
        "search": "Look up",
        "not_found": "No such dossier",
        "too_many": "Too many look-ups; try again later",
        "procedure": "Procedure",
        "status": "Status",
        "step": "Current step",
        "received": "Received on",
        "due": "Appointment date",
        "standing": "Standing",
        "level": "Level",
        "count": "Procedures",
        "share": "Share",
    },
}

_DASHBOARD_JS = """
const T = %(text)s, F = %(from)s, U = %(to)s, LANG = %(lang)s;
const fmt = n => Number(n).toLocaleString(LANG === 'vi' ? 'vi-VN' : 'en-GB');
const esc = s => String(s).replace(/[&<>"']/g, c => ({'&':'&amp;','<':'&lt;','>':'&gt;','"':'&quot;',"'":'&#39;'}[c]));
const q = new URLSearchParams({from: F, to: U});
function table(rows, key, label, names, order) {
  let h = '<table><thead><tr><th>' + esc(label) + '</th>' + order.map(k => '<th>' + esc(names[k]) + '</th>').join('')
    + '</tr></thead><tbody>';
  for (const r of rows) h += '<tr><td>' + esc(r[key]) + '</td>' + order.map(k => '<td>' + fmt(r[k]) + '</td>').join('') + '</tr>';
  return h + '</tbody></table>';
}
Promise.all([
  fetch('/api/reports/dossiers?' + q).then(r => { if (!r.ok) throw r; return r.json(); }),
  fetch('/api/reports/dossiers/monthly?' + q).then(r => { if (!r.ok) throw r; return r.json(); }),
]).then(([rep, mon]) => {
  const names = rep.figure_names, f = rep.figures;
  const order = ['received', 'carried_over', 'new', 'resolved_early', 'resolved_on_time', 'resolved_late',
    'resolved_on_time_or_early', 'refused', 'returned', 'withdrawn', 'pending_within_deadline', 'pending_overdue'];
  document.getElementById('figures').innerHTML = '<table class="details">' +
    order.map(k => '<tr><th>' + esc(names[k]) + '</th><td data-figure="' + k + '">' + fmt(f[k]) + '</td></tr>').join('') +
    '</table>';
  const short = ['received', 'resolved_on_time_or_early', 'resolved_late', 'returned', 'withdrawn',
    'pending_within_deadline', 'pending_overdue'];
  document.getElementById('by-field').innerHTML = table(rep.by_field, 'field_name', T.by_field, names, short);
  document.getElementById('by-channel').innerHTML = table(rep.by_channel, 'channel_name', T.by_channel, names, short);
  const cat = rep.catalogue;
  document.getElementById('catalogue').innerHTML = '<table><thead><tr><th>' + esc(T.level) + '</th><th>' + esc(T.count)
    + '</th><th>' + esc(T.share) + '</th></tr></thead><tbody>' + cat.by_online_level.map(r => '<tr><td>' + r.online_level
    + '</td><td>' + fmt(r.count) + '</td><td>' + fmt(r.share_percent) + ' %%</td></tr>').join('') + '</tbody></table>';
  const labels = mon.months.map(m => m.month);
  const series = (k, color) => ({label: names[k], data: mon.months.map(m => m[k]), backgroundColor: color, stack: 's'});
  new Chart(document.getElementById('trend-chart'), {type: 'bar', data: {labels, datasets: [
      series('resolved_early', '#2da44e'), series('resolved_on_time', '#1a7f37'), series('resolved_late', '#cf222e'),
      series('returned', '#9a6700'), series('withdrawn', '#8c959f'),
      {label: names['new'], data: mon.months.map(m => m['new']), type: 'line', borderColor: '#0969da',
       backgroundColor: '#0969da'},
      {label: names['pending_within_deadline'], data: mon.months.map(m => m['pending_within_deadline']), type: 'line',
       borderColor: '#bf8700', backgroundColor: '#bf8700', borderDash: [4, 3]}]},
    options: {animation: false, responsive: true, scales: {x: {stacked: true}, y: {stacked: true, beginAtZero: true}}}});
  new Chart(document.getElementById('catalogue-chart'), {type: 'doughnut', data: {
      labels: cat.by_online_level.map(r => T.level + ' ' + r.online_level),
      datasets: [{data: cat.by_online_level.map(r => r.count), backgroundColor: ['#8c959f', '#0969da', '#1a7f37', '#8250df']}]},
    options: {animation: false, responsive: true}});
  document.body.dataset.ready = '1';
}).catch(() => {
  document.getElementById('figures').textContent = T.error;
  document.body.dataset.ready = 'error';
});
"""  # noqa: E501

_LOOKUP_JS = """
const T = %(text)s;
const esc = s => String(s == null ? '—' : s).replace(/[&<>"']/g,
  c => ({'&':'&amp;','<':'&lt;','>':'&gt;','"':'&quot;',"'":'&#39;'}[c]));
const dmy = s => s ? s.split('-').reverse().join('/') : '—';
async function lookUp(code) {
  const out = document.getElementById('result');
  const r = await fetch('/public/dossiers/' + encodeURIComponent(code.trim()));
  if (!r.ok) {
    const body = await r.json().catch(() => ({}));
    out.innerHTML = '<p class="state-overdue">' + esc(r.status === 429 ? T.too_many : r.status === 404 ? T.not_found
      : (body.detail || T.not_found)) + '</p>';
    document.body.dataset.ready = String(r.status);
    return;
  }
  const d = await r.json();
  const step = d.step ? d.step.step_no + '/' + d.step.of + ': ' + d.step.name + ' (' + d.step.unit + ')' : null;
  const rows = [[T.code, d.receipt_code], [T.procedure, d.procedure_name], [T.status, d.status_name], [T.step, step],
    [T.received, dmy(d.received_on)], [T.due, dmy(d.due_date)], [T.standing, d.outcome_name]];
  out.innerHTML = '<table class="details">' + rows.map(([k, v]) => '<tr><th>' + esc(k) + '</th><td>' + esc(v)
    + '</td></tr>').join('') + '</table>';
  document.body.dataset.ready = '200';
}
document.getElementById('lookup-form').addEventListener('submit', e => {
  e.preventDefault();
  const code = document.getElementById('code').value;
  history.replaceState(null, '', '?code=' + encodeURIComponent(code) + '&lang=' + %(lang)s);
  lookUp(code);
});
const initial = document.getElementById('code').value;
if (initial) lookUp(initial); else document.body.dataset.ready = 'empty';
"""


def _js(template: str, **values: Any) -> str:
    # json.dumps escapes quotes; "</" is broken up so no value can close the script element.
    return template % {k: json.dumps(v, ensure_ascii=False).replace("</", "<\\/") for k, v in values.items()}


def dashboard_page(lang: str, since: date, until: date, *, username: str | None = None) -> str:
    t = TEXT[lang]
    query = f"from={since.isoformat()}&amp;to={until.isoformat()}"
    body = (
        f'<form class="no-print" method="get">{html.escape(t["period"])}: '
        f'<label>{html.escape(t["from"])} <input type="date" name="from" value="{since.isoformat()}"></label> '
        f'<label>{html.escape(t["to"])} <input type="date" name="to" value="{until.isoformat()}"></label> '
        f'<input type="hidden" name="lang" value="{lang}"><button type="submit">{html.escape(t["show"])}</button> '
        f'<a href="/api/reports/dossiers?{query}&amp;format=xlsx">{html.escape(t["xlsx"])}</a></form>'
        f'<p class="muted">{html.escape(t["note"])}</p>'
        f"<h2>{html.escape(t['figures'])} ({since:%d/%m/%Y} – {until:%d/%m/%Y})</h2>"
        f'<div id="figures">{html.escape(t["loading"])}</div>'
        f'<h2>{html.escape(t["trend"])}</h2><canvas id="trend-chart" height="110"></canvas>'
        f'<h2>{html.escape(t["by_field"])}</h2><div id="by-field"></div>'
        f'<h2>{html.escape(t["by_channel"])}</h2><div id="by-channel"></div>'
        f'<h2>{html.escape(t["catalogue"])}</h2><div style="display:flex;gap:2em;align-items:flex-start">'
        f'<div id="catalogue" style="flex:1"></div>'
        f'<div style="width:280px"><canvas id="catalogue-chart"></canvas></div></div>'
        f'<script src="{CHART_JS}"></script>'
        f"<script>{_js(_DASHBOARD_JS, text=t, **{'from': since.isoformat(), 'to': until.isoformat()}, lang=lang)}"
        f"</script>"
    )
    here = f"/pages/dossiers/dashboard?from={since.isoformat()}&to={until.isoformat()}&lang={lang}"
    return page(t["dashboard"], body, lang=lang, username=username, here=here)


def lookup_page(lang: str, code: str | None, *, username: str | None = None) -> str:
    t = TEXT[lang]
    value = html.escape(code or "", quote=True)
    body = (
        f'<form id="lookup-form"><label>{html.escape(t["code"])} '
        f'<input id="code" name="code" value="{value}" maxlength="40" autocomplete="off" required></label> '
        f'<button type="submit">{html.escape(t["search"])}</button></form><div id="result"></div>'
        f"<script>{_js(_LOOKUP_JS, text=t, lang=lang)}</script>"
    )
    return page(t["lookup"], body, lang=lang, username=username, here=f"/pages/dossiers/lookup?lang={lang}")


def receipt_page(fields: dict[str, Any], *, received_at: datetime, due: date) -> str:
    """Giấy tiếp nhận hồ sơ và hẹn trả kết quả, to print and hand to the applicant."""
    rows = [
        ("Mã hồ sơ", fields["receipt_code"]),
        ("Thủ tục", f"{fields['procedure_name']} ({fields['procedure_code']})"),
        ("Người nộp", fields["applicant"]),
        ("Hình thức nộp", fields["channel"]),
        ("Thời điểm tiếp nhận", f"{received_at:%H:%M} ngày {received_at:%d/%m/%Y}"),
        ("Ngày hẹn trả kết quả", f"{due:%d/%m/%Y}"),
        ("Tra cứu tình trạng hồ sơ", fields["lookup"]),
    ]
    body = (
        f"<p><b>{html.escape(fields['department'])}</b><br>Bộ phận Tiếp nhận và Trả kết quả</p>"
        + details(rows, element_id="receipt")
        + '<p class="muted">Người nộp giữ giấy này để nhận kết quả và tra cứu hồ sơ bằng mã hồ sơ.</p>'
    )
    return page("Giấy tiếp nhận hồ sơ và hẹn trả kết quả", body, lang="vi")
