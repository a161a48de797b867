/**
 * An integer double written out in full, as DynamoDB returns a stored
 * number: `1e+21` is `1000000000000000000000`. Below 1e21 it is JavaScript's
 * own text; above, the same shortest digits followed by zeros. Two doubles
 * never share a text, so the text gives the double back exactly.
 */
export function integerText(value: number): string {
  const text = String(value);
  const at = text.indexOf('e+');
  if (at < 0) return text;
  const negative = text.startsWith('-');
  const mantissa = text.slice(negative ? 1 : 0, at);
  const exponent = Number(text.slice(at + 2));
  const point = mantissa.indexOf('.');
  const digits = point < 0 ? mantissa : mantissa.slice(0, point) + mantissa.slice(point + 1);
  const whole = point < 0 ? mantissa.length : point;
  return `${negative ? '-' : ''}${digits}${'0'.repeat(exponent + whole - digits.length)}`;
}
