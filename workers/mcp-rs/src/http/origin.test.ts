import { describe, expect, it } from "vitest";
import { isOriginAllowed } from "./origin";

describe("Origin allow-list", () => {
  const allowed = ["http://localhost:*", "https://app.example.com"];
  it.each([
    ["https://rs.example.com", true],
    ["http://localhost:6274", true],
    ["http://localhost", true],
    ["https://app.example.com", true],
    ["https://app.example.com:444", false],
    ["http://localhost.evil.com", false],
    ["http://localhost:99999999", false],
    ["null", false],
  ])("%s → %s", (origin, expected) => {
    expect(isOriginAllowed(origin, "https://rs.example.com", allowed)).toBe(expected);
  });
});
