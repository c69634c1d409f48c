import type { RowWrite } from '../../store/rows.ts';

type Rec = Readonly<Record<string, unknown>>;

/**
 * temperatureRows is the projection of the temperature entries: an upload record (`upload`), a breach (`breach`, its
 * whole new state, the rule as JSON), the lots it affects (`breachLots`) and the status patch of each of them
 * (`lotStatuses`), written in that order so that every row comes after the rows it refers to. The raw points are not
 * here: they are not a projection, and the upload's `pointsSha256` commits to them (see verify).
 */
export function temperatureRows(r: Rec, index: number): RowWrite[] {
  const out: RowWrite[] = [];
  const upload = r.upload as Rec | undefined;
  if (upload)
    out.push({
      table: 'temperatureUploads',
      row: { ...upload, suspectGaps: JSON.stringify(upload.suspectGaps), logIndex: index },
    });
  const breach = r.breach as Rec | undefined;
  if (breach)
    out.push({ table: 'temperatureBreaches', row: { ...breach, rule: JSON.stringify(breach.rule), logIndex: index } });
  for (const l of (r.breachLots as Rec[] | undefined) ?? [])
    out.push({ table: 'temperatureBreachLots', row: { ...l, logIndex: index } });
  for (const s of (r.lotStatuses as Rec[] | undefined) ?? []) {
    out.push({
      table: 'lots',
      row: { ...s, statusReasons: JSON.stringify(s.statusReasons), logIndex: index },
      patch: true,
    });
  }
  return out;
}
