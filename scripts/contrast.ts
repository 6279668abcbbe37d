// WCAG 2 contrast of a text colour on a background, for the card gallery and the browser test.

/** `#rrggbb`, `#aarrggbb` (Adaptive Card host configs) or `rgb(...)` / `rgba(...)` (computed styles). */
function channels(color: string): [number, number, number] {
  const hex = /^#(?:[0-9a-f]{2})?([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(color.trim());
  if (hex) return [parseInt(hex[1]!, 16), parseInt(hex[2]!, 16), parseInt(hex[3]!, 16)];
  const [r = 0, g = 0, b = 0] = (color.match(/[\d.]+/g) ?? []).slice(0, 3).map(Number);
  return [r, g, b];
}

/** WCAG relative luminance. */
export function luminance(color: string): number {
  const [r, g, b] = channels(color).map((v) => {
    const c = v / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  }) as [number, number, number];
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

/** The contrast ratio (1 to 21), to two decimals. */
export function contrastRatio(text: string, background: string): number {
  const [hi, lo] = [luminance(text), luminance(background)].sort((x, y) => y - x) as [number, number];
  return Math.round(((hi + 0.05) / (lo + 0.05)) * 100) / 100;
}

/** WCAG AA for normal-size text. */
export const AA_NORMAL_TEXT = 4.5;
