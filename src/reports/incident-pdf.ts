import PDFDocument from 'pdfkit';
import { cjkFont } from '../labels/cjk-font.ts';
import type { IncidentReport, Quantity, Tally } from './incident-report.ts';
import { borderText, counterpartyText, nameOf, placeText, productText, regionText, word } from './incident-report.ts';

// A4 in points, with margins wide enough for a hole punch on the left and the page number at the foot.
const PAGE = { width: 595.28, height: 841.89 } as const;
const MARGIN = { top: 48, bottom: 56, left: 48, right: 40 } as const;
const WIDTH = PAGE.width - MARGIN.left - MARGIN.right;
const REGULAR = 'cjk';
const BOLD = 'cjk-bold';
const BODY = 7.5;
const PAD = 2.5;
const RULE = '#b0b0b0';
const SHADE = '#ececec';

type Doc = PDFKit.PDFDocument;
/** Column is one table column: its bilingual header, its share of the page width, and how its text aligns. */
type Column = { readonly header: string; readonly share: number; readonly align?: 'left' | 'right' };

/** kgText writes kilograms with thousands separators and at most three decimals: "1,590", "12.5". */
export const kgText = (kg: number) => kg.toLocaleString('en-US', { maximumFractionDigits: 3 });
const qty = (q: Quantity) => `${kgText(q.kg)} kg / ${q.cartons} 箱`;

function heading(doc: Doc, text: string) {
  if (doc.y > PAGE.height - MARGIN.bottom - 60) doc.addPage();
  doc.moveDown(0.6).font(BOLD).fontSize(11).fillColor('#000000').text(text, MARGIN.left, doc.y, { width: WIDTH });
  doc.moveDown(0.25);
}

function subheading(doc: Doc, text: string) {
  if (doc.y > PAGE.height - MARGIN.bottom - 40) doc.addPage();
  doc.moveDown(0.3).font(BOLD).fontSize(9).text(text, MARGIN.left, doc.y, { width: WIDTH });
  doc.moveDown(0.15);
}

/**
 * table draws rows under a shaded header row, wrapping each cell's text within its column; a row that would cross the
 * foot of the page starts a new page, where the header row is drawn again. `bold` rows (totals) are set in bold.
 */
function table(
  doc: Doc,
  columns: readonly Column[],
  rows: readonly (readonly string[])[],
  bold: ReadonlySet<number> = new Set(),
) {
  const total = columns.reduce((n, c) => n + c.share, 0);
  const widths = columns.map((c) => (c.share / total) * WIDTH);
  const heightOf = (cells: readonly string[], font: string) => {
    doc.font(font).fontSize(BODY);
    return Math.max(...cells.map((t, i) => doc.heightOfString(t || ' ', { width: widths[i]! - 2 * PAD }))) + 2 * PAD;
  };
  const draw = (cells: readonly string[], font: string, shade: boolean) => {
    const h = heightOf(cells, font);
    let x = MARGIN.left;
    const y = doc.y;
    if (shade) doc.rect(x, y, WIDTH, h).fill(SHADE);
    doc.fillColor('#000000').font(font).fontSize(BODY);
    cells.forEach((t, i) => {
      doc.text(t, x + PAD, y + PAD, { width: widths[i]! - 2 * PAD, align: columns[i]!.align ?? 'left' });
      x += widths[i]!;
    });
    doc
      .moveTo(MARGIN.left, y + h)
      .lineTo(MARGIN.left + WIDTH, y + h)
      .lineWidth(0.4)
      .stroke(RULE);
    doc.x = MARGIN.left;
    doc.y = y + h;
  };
  const header = columns.map((c) => c.header);
  const bottom = PAGE.height - MARGIN.bottom;
  if (doc.y + heightOf(header, BOLD) + heightOf(rows[0] ?? header, REGULAR) > bottom) doc.addPage();
  draw(header, BOLD, true);
  rows.forEach((r, i) => {
    const font = bold.has(i) ? BOLD : REGULAR;
    if (doc.y + heightOf(r, font) > bottom) {
      doc.addPage();
      draw(header, BOLD, true);
    }
    draw(r, font, false);
  });
  if (rows.length === 0)
    draw(
      columns.map((_, i) => (i === 0 ? '无 / none' : '')),
      REGULAR,
      false,
    );
  doc.moveDown(0.4);
}

function facts(doc: Doc, pairs: readonly (readonly [string, string])[]) {
  table(
    doc,
    [
      { header: '项目 / Item', share: 1.1 },
      { header: '内容 / Details', share: 4 },
    ],
    pairs,
  );
}

const tallyCells = (t: Tally) => [
  qty(t.affected),
  qty(t.accounted),
  `${kgText(t.pendingApproval.kg)} kg`,
  qty(t.outstanding),
];
const TALLY_COLUMNS: Column[] = [
  { header: '涉及 / Affected', share: 1.3, align: 'right' },
  { header: '已处置 / Accounted', share: 1.3, align: 'right' },
  { header: '待审核 / Pending', share: 0.9, align: 'right' },
  { header: '未处置 / Outstanding', share: 1.3, align: 'right' },
];

/**
 * incidentReportPdf renders the incident report as a readable A4 PDF: bilingual (Chinese / English) headings, the
 * incident's facts, its root lots with their border records, the affected lots, the quantities per holder, holding and
 * region with the total, the timeline in China time, and the contacts, each as a table; every page is numbered
 * "第 i 页 / 共 n 页 · Page i of n". Text is set in the embedded Noto Sans CJK face the label sheets use (see cjk-font).
 */
export async function incidentReportPdf(r: IncidentReport): Promise<Buffer> {
  const i = r.incident;
  const doc = new PDFDocument({
    size: 'A4',
    margins: MARGIN,
    bufferPages: true,
    info: {
      Title: `Incident ${i.number} report / 事件 ${i.number} 报告`,
      Creator: 'coldtrace',
      CreationDate: new Date(r.generated.at),
    },
  });
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  // PDFKit takes a parsed fontkit font as well as bytes; its type declarations lag behind (as in label-sheet).
  doc.registerFont(REGULAR, cjkFont('regular') as unknown as Buffer);
  doc.registerFont(BOLD, cjkFont('bold') as unknown as Buffer);

  doc.font(BOLD).fontSize(16).text('进口冷链食品事件报告 / Incident report', { width: WIDTH });
  doc.font(BOLD).fontSize(12).text(`第 ${i.number} 号事件 · Incident No. ${i.number}`, { width: WIDTH });
  doc.font(REGULAR).fontSize(10).text(i.title, { width: WIDTH });
  doc
    .font(REGULAR)
    .fontSize(8)
    .fillColor('#444444')
    .text(
      `生成时间 Generated ${r.generated.chinaTime} (UTC+8) · ${r.audience === 'all' ? '完整报告 / full report' : '本单位部分 / your own part only'}`,
      { width: WIDTH },
    );
  doc.fillColor('#000000');

  heading(doc, '一、事件概况 / What');
  facts(doc, [
    ['事件编号 / Number', `${i.number} (${i.id})`],
    ['状态 / Status', word(i.status)],
    ['触发 / Trigger', i.triggerText],
    [
      '范围 / Scope',
      Object.entries(i.scope)
        .filter(([, v]) => v)
        .map(([k]) => word(k))
        .join('; ') || '—',
    ],
    ['时间窗口 / Window (UTC+8)', `${i.window.from.chinaTime} — ${i.window.to.chinaTime}`],
    ['涉及地区 / Regions', i.regions.map(regionText).join('; ')],
    ['启动 / Opened', `${i.opened.chinaTime} ${nameOf(i.opened.by)}`],
    [
      '关闭 / Closed',
      i.closed ? `${i.closed.chinaTime} ${nameOf(i.closed.by)}${i.closed.reason ? `: ${i.closed.reason}` : ''}` : '—',
    ],
  ]);

  subheading(doc, '源头批次 / Root lots');
  table(
    doc,
    [
      { header: '批次码 / Lot code', share: 1.2 },
      { header: '产品 / Product', share: 1.5 },
      { header: '数量 / Quantity', share: 1, align: 'right' },
      { header: '入境记录 / Border record', share: 4 },
    ],
    r.rootLots.flatMap((l) => [
      [
        l.code,
        productText(l.productZh, l.productEn),
        qty(l.quantity),
        l.gtin ? `GTIN ${l.gtin} · batch ${l.batchNo}` : `batch ${l.batchNo}`,
      ],
      ...l.border.map((b) => [
        b.lotId === l.lotId ? '' : `← ${b.code}`,
        '',
        '',
        `${nameOf(b.importer)}; ${borderText(b)}`,
      ]),
    ]),
  );

  heading(doc, '二、受影响批次 / Affected lots');
  table(
    doc,
    [
      { header: '批次码 / Lot code', share: 1.3 },
      { header: '产品 / Product', share: 2 },
      { header: '关联 / Reason', share: 1.6 },
      { header: '层级 / Depth', share: 0.6, align: 'right' },
      { header: '状态 / Status', share: 0.9 },
      { header: '地区 / Region', share: 0.8 },
    ],
    r.lots.map((l) => [
      l.code,
      productText(l.productZh, l.productEn),
      word(l.reason) + (l.cleared ? ' · 已解除 cleared' : ''),
      String(l.depth),
      word(l.status),
      l.region,
    ]),
  );

  heading(doc, '三、持有方与数量 / Holders and quantities');
  subheading(doc, '按持有方 / Per holder');
  table(
    doc,
    [{ header: '持有方 / Holder', share: 2.2 }, { header: '地区 / Region', share: 1.1 }, ...TALLY_COLUMNS],
    [
      ...r.byHolder.map((h) => [nameOf(h.holder), regionText(h.region), ...tallyCells(h)]),
      ['合计 / Total', '', ...tallyCells(r.total)],
    ],
    new Set([r.byHolder.length]),
  );
  subheading(doc, '按地区 / Per region');
  table(
    doc,
    [{ header: '地区 / Region', share: 3.3 }, ...TALLY_COLUMNS],
    [...r.byRegion.map((g) => [regionText(g.region), ...tallyCells(g)]), ['合计 / Total', ...tallyCells(r.total)]],
    new Set([r.byRegion.length]),
  );
  subheading(doc, '按库存 / Per holding');
  table(
    doc,
    [
      { header: '持有方 / Holder', share: 1.6 },
      { header: '批次 / Lot', share: 1.1 },
      { header: '场所 / Location', share: 1.6 },
      ...TALLY_COLUMNS,
    ],
    r.holdings.map((h) => [
      nameOf(h.holder),
      h.lotCode,
      (placeText(h.location) || '—') + (h.inTransit ? ' · 在途 in transit' : ''),
      ...tallyCells(h),
    ]),
  );

  heading(doc, '四、时间线 / Timeline (北京时间 China time, UTC+8)');
  table(
    doc,
    [
      { header: '时间 / Time', share: 1.15 },
      { header: '事项 / Event', share: 1.1 },
      { header: '批次 / Lot', share: 1.25 },
      { header: '单位 / Party', share: 1.5 },
      { header: '地点或对方 / Place or counterparty', share: 1.55 },
      { header: '数量 / Quantity', share: 1.15, align: 'right' },
      { header: '单据与说明 / Reference, details', share: 1.7 },
    ],
    r.timeline.map((t) => [
      // A fact typed in later than it happened shows both times.
      t.recorded.at === t.at ? t.chinaTime : `${t.chinaTime}\n录入 recorded ${t.recorded.chinaTime}`,
      word(t.kind),
      t.lotCode ?? '',
      nameOf(t.party),
      [t.location, counterpartyText(t)].filter(Boolean).join('\n'),
      t.quantity ? qty(t.quantity) : '',
      [t.reference, t.detail].filter(Boolean).join('\n'),
    ]),
  );

  heading(doc, '五、接触对象 / Contacts');
  table(
    doc,
    [
      { header: '类别 / Kind', share: 0.9 },
      { header: '名称 / Name', share: 1.8 },
      { header: '所属单位 / Party', share: 1.7 },
      { header: '首次 / First (UTC+8)', share: 1.2 },
      { header: '末次 / Last (UTC+8)', share: 1.2 },
      { header: '批次 / Lots', share: 1.5 },
    ],
    r.contacts.map((c) => [
      word(c.kind),
      c.label,
      nameOf(c.party),
      c.first.chinaTime,
      c.last.chinaTime,
      c.lotCodes.join('\n'),
    ]),
  );

  const pages = doc.bufferedPageRange();
  for (let p = 0; p < pages.count; p++) {
    doc.switchToPage(pages.start + p);
    // Writing below the bottom margin would make PDFKit start a new page; the footer sits in the margin on purpose.
    doc.page.margins.bottom = 0;
    doc
      .font(REGULAR)
      .fontSize(7)
      .fillColor('#555555')
      .text(
        `事件 ${i.number} 报告 · Incident ${i.number} report      第 ${p + 1} 页 / 共 ${pages.count} 页 · Page ${p + 1} of ${pages.count}`,
        MARGIN.left,
        PAGE.height - MARGIN.bottom + 22,
        { width: WIDTH, align: 'center', lineBreak: false },
      );
  }
  doc.end();
  return done;
}
