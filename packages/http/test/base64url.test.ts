import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { base64urlDecode, base64urlEncode, randomToken, sha256Base64url } from "../src";

describe("RFC 4648 §5 base64url", () => {
  it("encodes without padding, with - and _", () => {
    expect(base64urlEncode(new Uint8Array([]))).toBe("");
    expect(base64urlEncode(new Uint8Array([0xfb, 0xff]))).toBe("-_8");
    expect(base64urlEncode(new Uint8Array([0x66, 0x6f, 0x6f, 0x62]))).toBe("Zm9vYg");
    expect(base64urlEncode(new Uint8Array([0x66, 0x6f]).buffer)).toBe("Zm8");
  });

  it("decodes what it encodes", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 100 }), (bytes) => {
        expect(base64urlDecode(base64urlEncode(bytes))).toEqual(bytes);
      }),
    );
  });

  it("refuses padding, whitespace, plain base64 and impossible lengths", () => {
    for (const text of ["Zm8=", "Zm 8", "Zm8\n", "+/8", "a", "abcde", "Zm9v!"])
      expect(base64urlDecode(text), text).toBeUndefined();
    expect(base64urlDecode("")).toEqual(new Uint8Array([]));
  });

  it("makes random tokens of the asked entropy", () => {
    expect(randomToken()).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(randomToken(12)).toMatch(/^[A-Za-z0-9_-]{16}$/);
    expect(randomToken()).not.toBe(randomToken());
  });

  it("hashes UTF-8 text with SHA-256", async () => {
    // RFC 7636 Appendix B: the S256 challenge of its verifier.
    expect(await sha256Base64url("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk")).toBe(
      "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
    );
  });
});
