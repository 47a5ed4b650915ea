/**
 * The crew panel page: one self-contained HTML document (no build step, no network beyond the
 * agent itself). It polls /api/state every second and posts button presses to /api/crew.
 * Vietnamese by default; the EN/VI switch is remembered on the tablet (localStorage).
 */
export const PANEL_HTML = `<!doctype html>
<html lang="vi">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Lifeline — xe cứu thương</title>
<style>
  :root { font-family: system-ui, sans-serif; color-scheme: dark; }
  body { margin: 0; background: #111; color: #eee; }
  header { display: flex; justify-content: space-between; align-items: center; padding: 8px 16px; background: #222; }
  #unit { font-size: 1.4rem; font-weight: 700; }
  #link { padding: 4px 10px; border-radius: 12px; font-weight: 600; }
  #link.on { background: #1b5e20; } #link.off { background: #b71c1c; }
  main { padding: 12px 16px; display: grid; gap: 12px; }
  section { background: #1c1c1c; border-radius: 10px; padding: 12px 16px; }
  h2 { margin: 0 0 8px; font-size: 1.1rem; color: #aaa; }
  dl { display: grid; grid-template-columns: max-content 1fr; gap: 4px 12px; margin: 0; font-size: 1.15rem; }
  dt { color: #999; } dd { margin: 0; }
  .p1 { color: #ff5252; font-weight: 700; } .p2 { color: #ffab40; font-weight: 700; }
  #status { font-size: 1.6rem; font-weight: 700; }
  .buttons { display: grid; grid-template-columns: repeat(auto-fit, minmax(180px, 1fr)); gap: 10px; }
  button { font-size: 1.3rem; padding: 22px 10px; border: 0; border-radius: 10px; background: #1565c0; color: #fff; font-weight: 700; }
  button:disabled { background: #333; color: #777; }
  button.current { outline: 4px solid #ffeb3b; }
  #btn-ack { background: #2e7d32; } #btn-out_of_service { background: #6d4c41; }
  select { font-size: 1.2rem; padding: 10px; width: 100%; margin-bottom: 10px; }
  #messages li { font-size: 1rem; margin: 2px 0; }
  .pending { color: #ffab40; } .confirmed { color: #81c784; }
  #lang { font-size: 1rem; padding: 6px 12px; background: #444; }
  #error { color: #ff8a80; min-height: 1.2em; }
  a.nav { display: block; margin-top: 12px; padding: 16px; border-radius: 10px; background: #00695c; color: #fff; font-size: 1.25rem; font-weight: 700; text-align: center; text-decoration: none; }
</style>
</head>
<body>
<header><span id="unit">…</span><span id="link" class="off">…</span><button id="lang">EN</button></header>
<main>
  <section><h2 data-t="status"></h2><div id="status" data-testid="status">…</div></section>
  <section id="job"><h2 data-t="assignment"></h2><div id="assignment"></div></section>
  <section>
    <div class="buttons">
      <button id="btn-ack" data-cmd="acknowledge" data-t="acknowledge"></button>
      <button id="btn-en_route" data-cmd="en_route" data-t="en_route"></button>
      <button id="btn-on_scene" data-cmd="on_scene" data-t="on_scene"></button>
    </div>
    <h2 style="margin-top:14px" data-t="chooseHospital"></h2>
    <select id="hospital" aria-label="hospital"></select>
    <div class="buttons">
      <button id="btn-transporting" data-cmd="transporting" data-t="transporting"></button>
      <button id="btn-at_hospital" data-cmd="at_hospital" data-t="at_hospital"></button>
      <button id="btn-available" data-cmd="available" data-t="available"></button>
      <button id="btn-out_of_service" data-cmd="out_of_service" data-t="out_of_service"></button>
    </div>
    <div id="error"></div>
  </section>
  <section><h2 data-t="messages"></h2><ul id="messages"></ul><div id="spool"></div></section>
</main>
<script>
const T = {
  vi: { status: 'Trạng thái', assignment: 'Nhiệm vụ', acknowledge: 'Xác nhận nhiệm vụ', en_route: 'Đang đến hiện trường',
    on_scene: 'Đã đến hiện trường', transporting: 'Đang chuyển viện', at_hospital: 'Đã đến bệnh viện', available: 'Sẵn sàng',
    out_of_service: 'Ngừng hoạt động', dispatched: 'Được điều động', offline: 'Ngoại tuyến', chooseHospital: 'Bệnh viện đích',
    messages: 'Đã xác nhận / đang chờ', pending: 'đang chờ gửi', confirmed: 'tổng đài đã nhận', ack: 'xác nhận', online: 'Đã kết nối',
    offlineLink: 'Mất kết nối — đang lưu tạm', navScene: 'Dẫn đường đến hiện trường', navHospital: 'Dẫn đường đến bệnh viện', none: 'Chưa có nhiệm vụ', address: 'Địa chỉ', notes: 'Ghi chú', priority: 'Ưu tiên',
    category: 'Loại', hospital: 'Bệnh viện', eta: 'Dự kiến đến', etaEst: 'ước tính', acked: 'Đã xác nhận', notAcked: 'Chưa xác nhận',
    spool: 'Vị trí chờ gửi', err: 'Không thực hiện được', min: 'phút' },
  en: { status: 'Status', assignment: 'Assignment', acknowledge: 'Acknowledge', en_route: 'En route', on_scene: 'On scene',
    transporting: 'Transporting', at_hospital: 'At hospital', available: 'Available', out_of_service: 'Out of service',
    dispatched: 'Dispatched', offline: 'Offline', chooseHospital: 'Destination hospital', messages: 'Confirmed / pending',
    pending: 'pending', confirmed: 'received by dispatch', ack: 'acknowledge', online: 'Connected', offlineLink: 'No connection — queuing',
    navScene: 'Navigate to the scene', navHospital: 'Navigate to the hospital', none: 'No assignment', address: 'Address', notes: 'Notes', priority: 'Priority', category: 'Category', hospital: 'Hospital',
    eta: 'ETA', etaEst: 'estimate', acked: 'Acknowledged', notAcked: 'Not acknowledged', spool: 'Positions queued',
    err: 'Not possible', min: 'min' },
};
let lang = localStorage.getItem('lang') || 'vi';
let last = null;
const $ = (id) => document.getElementById(id);
const esc = (s) => String(s).replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]);
const t = (k) => T[lang][k] ?? k;
function render(s) {
  last = s;
  document.documentElement.lang = lang;
  $('lang').textContent = lang === 'vi' ? 'EN' : 'VI';
  document.querySelectorAll('[data-t]').forEach((el) => (el.textContent = t(el.dataset.t)));
  if (!s) return;
  const m = s.memo;
  $('unit').textContent = s.id;
  $('link').textContent = s.connected ? t('online') : t('offlineLink');
  $('link').className = s.connected ? 'on' : 'off';
  $('status').textContent = t(m.status);
  $('status').dataset.status = m.status;
  const a = m.assignment;
  if (!a) $('assignment').innerHTML = '<p>' + t('none') + '</p>';
  else {
    const i = a.incident;
    const rows = [
      [t('address'), esc(i.address || (i.location.lat.toFixed(5) + ', ' + i.location.lng.toFixed(5)))],
      [t('priority'), '<span class="p' + i.priority + '">P' + i.priority + '</span>'],
      [t('category'), esc(i.category)],
      ...(i.notes ? [[t('notes'), esc(i.notes)]] : []),
      ...(a.hospital ? [[t('hospital'), esc(a.hospital.name)]] : []),
      ...(s.etaMin !== null ? [[t('eta'), s.etaMin + ' ' + t('min') + ' (' + t('etaEst') + ')']] : []),
      ['', m.acked ? t('acked') : t('notAcked')],
    ];
    // Turn-by-turn is the tablet's job: a geo: link (RFC 5870) opens its navigation app (OsmAnd, Maps…)
    // at the scene, or at the chosen hospital once the patient is on board.
    const toHospital = (m.status === 'transporting' || m.status === 'at_hospital') &&
      (s.hospitals.find((h) => h.id === (m.hospitalId || (a.hospital && a.hospital.id))) || a.hospital);
    const dest = toHospital ? toHospital.location : i.location;
    const label = toHospital ? toHospital.name : (i.address || '');
    const ll = dest.lat.toFixed(6) + ',' + dest.lng.toFixed(6);
    const nav = '<a id="nav" class="nav" data-to="' + (toHospital ? 'hospital' : 'scene') + '" href="geo:' + ll + '?q=' + ll + encodeURIComponent(label ? '(' + label + ')' : '') + '">' +
      t(toHospital ? 'navHospital' : 'navScene') + '</a>';
    $('assignment').innerHTML = '<dl>' + rows.map(([k, v]) => '<dt>' + k + '</dt><dd>' + v + '</dd>').join('') + '</dl>' + nav;
  }
  const sel = $('hospital');
  const chosen = sel.value || m.hospitalId || '';
  sel.innerHTML = s.hospitals.map((h) => '<option value="' + esc(h.id) + '">' + esc(h.name) + '</option>').join('');
  if (chosen) sel.value = chosen;
  const job = !!a;
  $('btn-ack').disabled = !job || m.acked;
  for (const st of ['en_route', 'on_scene', 'transporting', 'at_hospital']) $('btn-' + st).disabled = !job;
  for (const st of ['en_route', 'on_scene', 'transporting', 'at_hospital', 'available', 'out_of_service']) $('btn-' + st).classList.toggle('current', m.status === st);
  $('messages').innerHTML = s.messages.map((x) =>
    '<li class="' + x.state + '" data-state="' + x.state + '" data-what="' + esc(x.what) + '">' + new Date(x.ts).toLocaleTimeString() + ' — ' +
    esc(x.what === 'ack' ? t('ack') : t(x.what)) + ': ' + t(x.state) + '</li>').join('');
  $('spool').textContent = t('spool') + ': ' + s.spool.positions;
}
async function refresh() {
  try { render(await (await fetch('api/state')).json()); } catch { /* the agent restarts: keep the last view */ }
}
document.querySelectorAll('button[data-cmd]').forEach((b) => b.addEventListener('click', async () => {
  const cmd = b.dataset.cmd;
  const body = cmd === 'acknowledge' ? { type: 'acknowledge' } : { type: 'status', status: cmd, ...(cmd === 'transporting' && $('hospital').value ? { hospitalId: $('hospital').value } : {}) };
  const r = await fetch('api/crew', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const j = await r.json();
  $('error').textContent = r.ok ? '' : t('err') + ' (' + (j.code || r.status) + ')';
  if (j.state) render(j.state);
}));
$('lang').addEventListener('click', () => { lang = lang === 'vi' ? 'en' : 'vi'; localStorage.setItem('lang', lang); render(last); });
render(null);
refresh();
setInterval(refresh, 1000);
</script>
</body>
</html>
`;
