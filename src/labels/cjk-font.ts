import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Font } from 'fontkit';
import { create } from 'fontkit';

// The labels' typeface is Noto Sans CJK SC (SIL Open Font License 1.1), shipped as OpenType/CFF by the npm package
// @embedpdf/fonts-sc, so `npm ci` installs it and nothing is fetched at run time. It has 20,945 Han characters (all of
// GB 2312 and far beyond) as well as Latin letters and digits, so one face sets a whole label. PDFKit embeds only the
// glyphs a document uses, so a sheet carries tens of kilobytes of font, not the 8 MB file.

/** CjkWeight is a weight of the label typeface that cjkFont can load. */
export type CjkWeight = 'regular' | 'bold';

const FILES: Readonly<Record<CjkWeight, string>> = {
  regular: 'NotoSansHans-Regular.otf',
  bold: 'NotoSansHans-Bold.otf',
};

const PACKAGE = '@embedpdf/fonts-sc';
const loaded = new Map<CjkWeight, Font>();

/**
 * cjkFontPath returns the absolute path of the label typeface's file for `weight`. The package exports no file paths,
 * so the path is found from its entry point, which sits in dist/ beside fonts/. It throws when the package is not
 * installed.
 */
export function cjkFontPath(weight: CjkWeight): string {
  const entry = createRequire(import.meta.url).resolve(PACKAGE);
  return join(dirname(entry), '..', 'fonts', FILES[weight]);
}

/**
 * cjkFont returns the label typeface for `weight`, parsed by fontkit once per process and then shared by every sheet:
 * PDFKit accepts a parsed font, and keeping one means each glyph is decoded once rather than once per document, which
 * makes a warm sheet several times faster. Sharing is safe because PDFKit keeps each document's subset and layout
 * cache in its own wrapper and only reads the font. It throws an Error naming the package when the file cannot be
 * read or is not a single font.
 */
export function cjkFont(weight: CjkWeight): Font {
  let font = loaded.get(weight);
  if (!font) {
    let parsed;
    try {
      parsed = create(readFileSync(cjkFontPath(weight)));
    } catch (cause) {
      throw new Error(`cjkFont: cannot read the ${weight} label font from ${PACKAGE}; run npm ci`, { cause });
    }
    if (!('layout' in parsed)) throw new Error(`cjkFont: the ${weight} label font from ${PACKAGE} is a collection`);
    font = parsed;
    loaded.set(weight, font);
  }
  return font;
}
