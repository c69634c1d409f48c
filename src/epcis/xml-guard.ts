/**
 * Checks made on an XML text before any parser sees it: no document type declaration or entity declaration (so
 * no entity is ever expanded and nothing a document names is ever fetched or read), and no nesting deeper than an
 * EPCIS document needs (so no parser or converter walks a hostile depth). One pass, no recursion, flat memory.
 */

/** MAX_XML_DEPTH is how deeply elements may nest: an EPCIS document with user extensions needs far fewer. */
export const MAX_XML_DEPTH = 40;

/** XmlRefusal is why an XML text was refused before parsing: the kind of hostile construct and a reason. */
export class XmlRefusal extends Error {
  constructor(
    readonly kind: 'doctype' | 'entity' | 'depth' | 'size' | 'malformed',
    readonly reason: string,
  ) {
    super(reason);
  }
}

const LT = 0x3c;
const GT = 0x3e;
const SLASH = 0x2f;
const QUOTE = 0x22;
const APOSTROPHE = 0x27;

/**
 * checkXml throws an XmlRefusal when text is larger than maxBytes (UTF-16 code units, a lower bound of its bytes),
 * declares a document type or an entity, or nests elements more than maxDepth deep. It does not judge whether the
 * text is well-formed beyond that: the parser does.
 */
export function checkXml(text: string, maxBytes: number, maxDepth = MAX_XML_DEPTH): void {
  if (text.length > maxBytes) throw new XmlRefusal('size', `the document is over the limit of ${maxBytes} bytes`);
  // A bare `<!DOCTYPE name>` (as in some of GS1's own examples) declares nothing and names nothing; any other
  // document type declaration (an external identifier, an internal subset) is refused.
  if (/<!DOCTYPE(?!\s+[\w:.-]+\s*>)/i.test(text) || (text.match(/<!DOCTYPE/gi)?.length ?? 0) > 1)
    throw new XmlRefusal('doctype', 'a document type declaration (<!DOCTYPE) is not accepted');
  if (/<!ENTITY/i.test(text)) throw new XmlRefusal('entity', 'an entity declaration (<!ENTITY) is not accepted');
  let depth = 0;
  let i = 0;
  while (i < text.length) {
    const lt = text.indexOf('<', i);
    if (lt < 0) break;
    if (text.startsWith('<!--', lt)) {
      const end = text.indexOf('-->', lt + 4);
      i = end < 0 ? text.length : end + 3;
      continue;
    }
    if (text.startsWith('<![CDATA[', lt)) {
      const end = text.indexOf(']]>', lt + 9);
      i = end < 0 ? text.length : end + 3;
      continue;
    }
    if (text.startsWith('<?', lt) || text.startsWith('<!DOCTYPE', lt)) {
      const end = text.indexOf('>', lt + 2);
      i = end < 0 ? text.length : end + 1;
      continue;
    }
    const closing = text.charCodeAt(lt + 1) === SLASH;
    // The tag's end: the first '>' outside a quoted attribute value.
    let j = lt + 1;
    let quote = 0;
    for (; j < text.length; j++) {
      const c = text.charCodeAt(j);
      if (quote) {
        if (c === quote) quote = 0;
      } else if (c === QUOTE || c === APOSTROPHE) quote = c;
      else if (c === GT || c === LT) break;
    }
    if (j >= text.length || text.charCodeAt(j) !== GT)
      throw new XmlRefusal('malformed', `an unterminated tag at ${lt}`);
    if (closing) depth--;
    else if (text.charCodeAt(j - 1) !== SLASH && ++depth > maxDepth)
      throw new XmlRefusal('depth', `elements nest more than ${maxDepth} levels deep`);
    i = j + 1;
  }
}
