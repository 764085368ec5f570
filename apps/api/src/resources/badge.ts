/** A flat status badge (shields.io style) as SVG: `<label> | <status>`, coloured by status. */
const COLOURS: Readonly<Record<string, string>> = {
  SUCCESS: '#4c1',
  FAILED: '#e05d44',
  RETRY: '#dfb317',
  NO_BUILD: '#9f9f9f',
};

/** Width of a text in Verdana 11px, close enough for a badge (about 6.5 px per character). */
const textWidth = (text: string): number => Math.round(text.length * 6.5) + 10;

const escapeXml = (text: string): string =>
  text.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!);

export function statusBadgeSvg(label: string, status: string): string {
  const left = textWidth(label);
  const right = textWidth(status);
  const colour = COLOURS[status] ?? COLOURS.NO_BUILD!;
  const [l, s] = [escapeXml(label), escapeXml(status)];
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${left + right}" height="20" role="img" aria-label="${l}: ${s}"><title>${l}: ${s}</title><linearGradient id="s" x2="0" y2="100%"><stop offset="0" stop-color="#bbb" stop-opacity=".1"/><stop offset="1" stop-opacity=".1"/></linearGradient><clipPath id="r"><rect width="${left + right}" height="20" rx="3" fill="#fff"/></clipPath><g clip-path="url(#r)"><rect width="${left}" height="20" fill="#555"/><rect x="${left}" width="${right}" height="20" fill="${colour}"/><rect width="${left + right}" height="20" fill="url(#s)"/></g><g fill="#fff" text-anchor="middle" font-family="Verdana,Geneva,DejaVu Sans,sans-serif" font-size="11"><text x="${left / 2}" y="14">${l}</text><text x="${left + right / 2}" y="14">${s}</text></g></svg>\n`;
}
