const BIG = '\u0000bigint:';
const BIG_STRING = /"\\u0000bigint:(-?\d+)"/g;

/**
 * JSON text of a response, with BigInt values written as plain integers: GHL's JSON carries numbers
 * beyond what a JavaScript number holds exactly (a long account number in a custom field).
 */
export function jsonText(value: unknown): string {
  let big = false;
  const text = JSON.stringify(value, (_key, v: unknown) => {
    if (typeof v !== 'bigint') return v;
    big = true;
    return `${BIG}${v}`;
  });
  return big ? text.replace(BIG_STRING, '$1') : text;
}
