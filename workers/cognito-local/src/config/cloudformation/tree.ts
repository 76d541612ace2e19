import { isAlias, isMap, isScalar, isSeq, LineCounter, type Node, parseDocument } from "yaml";

/** A resolved template value: plain JSON. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** A parsed template value: plain YAML/JSON data with intrinsic function calls marked. */
export type Tree = null | boolean | number | string | Tree[] | TreeRecord | Intrinsic;

/** A mapping of a parsed template. */
export type TreeRecord = { [key: string]: Tree };

/**
 * The intrinsic functions infra/cognito.yaml uses, the only ones evaluated here; their short
 * forms are `!` and the part after `Fn::`.
 */
export const SUPPORTED_INTRINSICS: ReadonlySet<string> = new Set([
  "Ref",
  "Fn::GetAtt",
  "Fn::Sub",
  "Fn::If",
  "Fn::Join",
  "Fn::Select",
  "Fn::Split",
  "Fn::Equals",
  "Fn::Not",
]);

/** CloudFormation's other intrinsic functions: named in the refusal, not evaluated. */
const OTHER_INTRINSICS: ReadonlySet<string> = new Set([
  "Condition",
  "Fn::And",
  "Fn::Or",
  "Fn::FindInMap",
  "Fn::Base64",
  "Fn::GetAZs",
  "Fn::ImportValue",
  "Fn::Cidr",
  "Fn::Transform",
  "Fn::Length",
  "Fn::ToJsonString",
  "Fn::ForEach",
]);

/** A call of a supported intrinsic function. */
export class Intrinsic {
  constructor(
    /** Long name: `Ref` or `Fn::X`. */
    readonly fn: string,
    readonly arg: Tree,
    /** How the template wrote it (`!Sub` or `Fn::Sub`), for messages. */
    readonly label: string,
  ) {}
}

/** What is wrong with a template, and where: a dotted path (`""`: the root), or a line and column. */
export class TemplateFault extends Error {
  constructor(
    readonly path: string,
    message: string,
    readonly position?: { line: number; col: number },
  ) {
    super(message);
  }
}

/** Throws a {@link TemplateFault} at `path`. */
export function fail(path: string, message: string): never {
  throw new TemplateFault(path, message);
}

/** `a.b` for a key, `a[0]` for an index. */
export function joinPath(path: string, key: string | number): string {
  if (typeof key === "number") return `${path}[${key}]`;
  return path ? `${path}.${key}` : key;
}

/** Whether a parsed value is a mapping (not a list or an intrinsic). */
export function isTreeRecord(value: unknown): value is TreeRecord {
  return (
    typeof value === "object" &&
    value !== null &&
    !Array.isArray(value) &&
    !(value instanceof Intrinsic)
  );
}

/** Whether a resolved value is a mapping. */
export function isJsonRecord(value: unknown): value is { [key: string]: Json } {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Parses a template (YAML or JSON) into a tree whose intrinsic calls, short (`!Sub`) or long
 * (`{"Fn::Sub": ...}`), are {@link Intrinsic}s. An intrinsic other than the supported ones is
 * refused here, wherever in the template it stands, naming it and its place.
 */
export function parseTemplate(text: string): TreeRecord {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const [error] = doc.errors;
  if (error) {
    const position = lineCounter.linePos(error.pos[0]);
    throw new TemplateFault("", error.message.split("\n")[0] ?? "", position);
  }
  const toTree = (node: unknown, path: string): Tree => {
    if (node == null) return null;
    if (isAlias(node)) return toTree(node.resolve(doc), path);
    if (isScalar(node)) return tagged(scalarValue(node.value, node.source, path), node, path);
    if (isSeq(node)) {
      const items = node.items.map((item, i) => toTree(item, joinPath(path, i)));
      return tagged(items, node, path);
    }
    if (!isMap(node)) return fail(path, "unsupported YAML node");
    const map: TreeRecord = {};
    for (const pair of node.items) {
      const key = isScalar(pair.key) ? pair.key.value : undefined;
      if (typeof key !== "string" && typeof key !== "number") {
        return fail(path, "mapping keys must be plain strings");
      }
      map[String(key)] = toTree(pair.value, joinPath(path, String(key)));
    }
    const [only, ...rest] = Object.keys(map);
    if (node.tag === undefined && only !== undefined && rest.length === 0 && isLongForm(only)) {
      return intrinsic(only, map[only] ?? null, only, path);
    }
    return tagged(map, node, path);
  };
  const root = toTree(doc.contents, "");
  if (!isTreeRecord(root)) return fail("", "a template must be a mapping");
  return root;
}

function scalarValue(value: unknown, source: unknown, path: string): Tree {
  if (value === null || ["string", "number", "boolean"].includes(typeof value)) {
    return value as Tree;
  }
  return fail(path, `unsupported YAML value ${String(source)}`);
}

/** The value itself, or the intrinsic its short-form tag (`!Sub`) makes of it. */
function tagged(value: Tree, node: Node, path: string): Tree {
  const tag = node.tag;
  if (tag === undefined || tag.startsWith("tag:yaml.org,2002:")) return value;
  const fn = tag === "!Ref" || tag === "!Condition" ? tag.slice(1) : `Fn::${tag.slice(1)}`;
  if (!tag.startsWith("!") || !(SUPPORTED_INTRINSICS.has(fn) || OTHER_INTRINSICS.has(fn))) {
    return fail(path, `unknown tag "${tag}"`);
  }
  return intrinsic(fn, value, tag, path);
}

function intrinsic(fn: string, arg: Tree, label: string, path: string): Intrinsic {
  if (SUPPORTED_INTRINSICS.has(fn)) return new Intrinsic(fn, arg, label);
  if (OTHER_INTRINSICS.has(fn)) return fail(path, `${label} is not supported locally`);
  return fail(path, `unknown intrinsic function "${fn}"`);
}

function isLongForm(key: string): boolean {
  return key === "Ref" || key === "Condition" || key.startsWith("Fn::");
}
