import { describe, expect, it } from 'vitest';
import { jsonDepth } from './json-body.ts';

describe('jsonDepth', () => {
  it('counts nesting of arrays and objects, not brackets in strings', () => {
    expect(jsonDepth('1', 32)).toBe(0);
    expect(jsonDepth('{}', 32)).toBe(1);
    expect(jsonDepth('{"a":[1,{"b":[]}]}', 32)).toBe(4);
    expect(jsonDepth('{"a":"[[[{{{"}', 32)).toBe(1);
    expect(jsonDepth('{"a":"\\"[[["}', 32)).toBe(1);
    expect(jsonDepth('[[],[],[[]]]', 32)).toBe(3);
  });

  it('stops just past the limit, without recursion, however deep the text', () => {
    expect(jsonDepth('['.repeat(1_000_000), 32)).toBe(33);
  });
});
