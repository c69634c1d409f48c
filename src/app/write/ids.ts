import { monotonicFactory } from 'ulidx';

const ulid = monotonicFactory();

/** newId returns an opaque, time-ordered id with a readable prefix, e.g. pty_01JD3…. */
export function newId(
  prefix:
    | 'pty'
    | 'tok'
    | 'loc'
    | 'veh'
    | 'wkr'
    | 'wt'
    | 'pro'
    | 'pd'
    | 'lot'
    | 'doc'
    | 'sus'
    | 'bkg'
    | 'cjb'
    | 'dis'
    | 'smp'
    | 'exc'
    | 'ctn'
    | 'shp'
    | 'trf'
    | 'dsp'
    | 'rs'
    | 'inc'
    | 'ina'
    | 'tpu'
    | 'tbr'
    | 'cap'
    | 'alr'
    | 'ntc'
    | 'whk'
    | 'dlv'
    | 'per'
    | 'fev'
    | 'sub'
    | 'sdl'
    | 'plt'
    | 'pdl',
): string {
  return `${prefix}_${ulid()}`;
}
