import { describe, expect, it } from "vitest";
import { sourceKey } from "../storage/keys";
import { parseIpv6 } from "./source";

describe("the source of a request: an IPv4 address, or an IPv6 /64", () => {
  it("keys an IPv4 address by itself", () => {
    expect(sourceKey("198.51.100.9")).toBe("198.51.100.9");
    expect(sourceKey(" 203.0.113.255 ")).toBe("203.0.113.255");
  });

  it.each([
    ["2001:db8:1:2:3:4:5:6", "2001:db8:1:2::/64"],
    ["2001:0DB8:0001:0002:ffff:ffff:ffff:ffff", "2001:db8:1:2::/64"],
    ["2001:db8:1:2::", "2001:db8:1:2::/64"],
    ["2001:db8:1:2::99", "2001:db8:1:2::/64"],
    ["2001:db8::1", "2001:db8:0:0::/64"],
    ["2001:db8::1:0:0:1", "2001:db8:0:0::/64"],
    ["2001:db8:0:0:1::1", "2001:db8:0:0::/64"],
    ["::1", "0:0:0:0::/64"],
    ["::", "0:0:0:0::/64"],
    ["fe80::1%eth0", "fe80:0:0:0::/64"],
    ["[2001:db8:a:b::c]", "2001:db8:a:b::/64"],
    ["64:ff9b::192.0.2.33", "64:ff9b:0:0::/64"],
  ])("keys IPv6 %s by its /64: %s", (ip, key) => {
    expect(sourceKey(ip)).toBe(key);
  });

  it("gives every address of one /64 the same key, and the next /64 another", () => {
    const keys = new Set(
      ["2001:db8:7:8::1", "2001:db8:7:8:ffff::", "2001:db8:7:8:1:2:3:4", "2001:db8:7:8::"].map(
        sourceKey,
      ),
    );
    expect([...keys]).toEqual(["2001:db8:7:8::/64"]);
    expect(sourceKey("2001:db8:7:9::1")).toBe("2001:db8:7:9::/64");
  });

  it("keys an IPv4-mapped IPv6 address as its IPv4 address, whichever way it is written", () => {
    for (const ip of [
      "::ffff:198.51.100.9",
      "::FFFF:c633:6409",
      "0:0:0:0:0:ffff:198.51.100.9",
      "0000:0000:0000:0000:0000:ffff:c633:6409",
    ])
      expect(sourceKey(ip)).toBe("198.51.100.9");
  });

  it("keeps anything that is not an address as it is (local development sends none)", () => {
    expect(sourceKey("unknown")).toBe("unknown");
    for (const bad of [
      "1:2:3:4:5:6:7:8:9",
      "1::2::3",
      "12345::1",
      "1:2:3:4:5:6:7:8::",
      "::1.2.3",
      "1.2.3.4::",
      "g::1",
      ":1::",
    ]) {
      expect(parseIpv6(bad)).toBeUndefined();
      expect(sourceKey(bad)).toBe(bad);
    }
    expect(sourceKey("256.1.1.1")).toBe("256.1.1.1");
  });

  it("expands :: to the missing zero groups", () => {
    expect(parseIpv6("1::8")).toEqual([1, 0, 0, 0, 0, 0, 0, 8]);
    expect(parseIpv6("1:2:3:4:5:6:7::")).toEqual([1, 2, 3, 4, 5, 6, 7, 0]);
    expect(parseIpv6("::2:3:4:5:6:7:8")).toEqual([0, 2, 3, 4, 5, 6, 7, 8]);
    expect(parseIpv6("::ffff:1.2.3.4")).toEqual([0, 0, 0, 0, 0, 0xffff, 0x0102, 0x0304]);
  });
});
