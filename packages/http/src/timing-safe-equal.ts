/** `crypto.subtle.timingSafeEqual`, which workerd has and other runtimes (Node) do not. */
type NativeTimingSafeEqual = (a: ArrayBufferView, b: ArrayBufferView) => boolean;

/** What {@link timingSafeEqual} compares: text (as UTF-8) or bytes. */
export type ComparableSecret = string | Uint8Array | ArrayBuffer;

function toBytes(value: ComparableSecret): Uint8Array {
  if (typeof value === "string") return new TextEncoder().encode(value);
  return value instanceof Uint8Array ? value : new Uint8Array(value);
}

/**
 * Whether `a` and `b` (strings as UTF-8) are equal, in time that does not depend on where they
 * differ. Only their lengths may show: secrets compared here have a fixed length (hashes, tokens).
 * Uses the runtime's `crypto.subtle.timingSafeEqual` where there is one.
 */
export function timingSafeEqual(a: ComparableSecret, b: ComparableSecret): boolean {
  const left = toBytes(a);
  const right = toBytes(b);
  const native = (crypto.subtle as { timingSafeEqual?: NativeTimingSafeEqual }).timingSafeEqual;
  if (native !== undefined)
    return left.byteLength === right.byteLength && native.call(crypto.subtle, left, right);
  // Every byte of the longer input is visited, and a length difference folds into the result.
  let difference = left.byteLength ^ right.byteLength;
  const length = Math.max(left.byteLength, right.byteLength);
  for (let i = 0; i < length; i++) difference |= (left[i] ?? 0) ^ (right[i] ?? 0);
  return difference === 0;
}
