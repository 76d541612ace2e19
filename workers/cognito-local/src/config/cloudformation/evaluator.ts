import { type ParameterValue, readParameters } from "./parameters";
import {
  buildPseudoParameters,
  type LocalStack,
  type Resource,
  readResources,
  readSection,
} from "./sections";
import {
  fail,
  Intrinsic,
  isTreeRecord,
  type Json,
  joinPath,
  type Tree,
  type TreeRecord,
} from "./tree";

/** What `!Ref` and `!GetAtt` give for the resources of one type (others: `!Ref` is the logical id). */
export interface LocalResourceType {
  /** `!Ref`: a fixed value, or the value of one of the resource's properties. */
  ref?: { value: string } | { property: string };
  /** `!GetAtt`: the attributes that have a local value. */
  attributes?: Readonly<Record<string, string>>;
}

/** The local stack and what its template's references resolve to. */
export interface EvaluatorOptions extends LocalStack {
  /** Values of template Parameters, overriding their `Default`. */
  parameters: Readonly<Record<string, string>>;
  /** By resource type, e.g. `AWS::Cognito::UserPool`. */
  resourceTypes: Readonly<Record<string, LocalResourceType>>;
}

/** Pseudo parameters CloudFormation has that have no local value. */
const UNSUPPORTED_PSEUDO_PARAMETERS: ReadonlySet<string> = new Set([
  "AWS::NoValue",
  "AWS::NotificationARNs",
]);

/**
 * Evaluates one template's Parameters, Conditions and the intrinsics of its resources' properties
 * against local values; a property is resolved only when asked for, so that those nobody reads
 * need no local value. Failures throw a `TemplateFault` naming the place.
 * @see https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/intrinsic-function-reference.html
 */
export class TemplateEvaluator {
  /** The resources whose `Condition` holds (or that have none), in template order. */
  readonly resources: readonly Resource[];
  private readonly parameters: Map<string, ParameterValue>;
  private readonly pseudo: Map<string, string>;
  private readonly conditions: TreeRecord;
  private readonly conditionValues = new Map<string, boolean>();
  private readonly declared = new Map<string, Resource>();
  /** Resources whose `Condition` is false, with that condition. */
  private readonly skipped = new Map<string, string>();
  /** Properties being resolved, to catch a reference back to one of them. */
  private readonly inProgress = new Set<string>();

  constructor(
    root: TreeRecord,
    private readonly options: EvaluatorOptions,
  ) {
    if (root.Transform !== undefined) fail("Transform", "transforms are not supported locally");
    this.pseudo = buildPseudoParameters(options);
    this.parameters = readParameters(readSection(root, "Parameters"), options.parameters);
    this.conditions = readSection(root, "Conditions");
    const all = readResources(root);
    for (const resource of all) this.declared.set(resource.logicalId, resource);
    for (const { logicalId, condition, path } of all) {
      if (condition === undefined) continue;
      const holds = this.condition(condition, joinPath(path, "Condition"), "Condition");
      if (!holds) this.skipped.set(logicalId, condition);
    }
    this.resources = all.filter(({ logicalId }) => !this.skipped.has(logicalId));
  }

  /** One property with every intrinsic resolved; `undefined` when the resource has none. */
  resolveProperty(resource: Resource, key: string): Json | undefined {
    const tree = resource.properties[key];
    if (tree === undefined) return undefined;
    const path = `${resource.path}.Properties.${key}`;
    if (this.inProgress.has(path)) return fail(path, "depends on itself");
    this.inProgress.add(path);
    try {
      return this.resolve(tree, path);
    } finally {
      this.inProgress.delete(path);
    }
  }

  /** The named properties that the resource has, resolved. */
  resolveProperties(resource: Resource, keys: readonly string[]): { [key: string]: Json } {
    const resolved: { [key: string]: Json } = {};
    for (const key of keys) {
      const value = this.resolveProperty(resource, key);
      if (value !== undefined) resolved[key] = value;
    }
    return resolved;
  }

  private resolve(tree: Tree, path: string): Json {
    if (tree instanceof Intrinsic) return this.call(tree, path);
    if (Array.isArray(tree)) return tree.map((item, i) => this.resolve(item, joinPath(path, i)));
    if (isTreeRecord(tree)) {
      const entries = Object.entries(tree);
      return Object.fromEntries(entries.map(([k, v]) => [k, this.resolve(v, joinPath(path, k))]));
    }
    return tree;
  }

  private call({ fn, arg, label }: Intrinsic, path: string): Json {
    switch (fn) {
      case "Ref":
        if (typeof arg !== "string") return fail(path, `${label} needs a name`);
        return this.ref(arg, path, label);
      case "Fn::GetAtt": {
        const parts = typeof arg === "string" ? splitAttribute(arg) : arg;
        const [logicalId, attribute] = args(parts, 2, path, label).map((part) =>
          this.resolve(part, path),
        );
        if (typeof logicalId !== "string" || typeof attribute !== "string" || attribute === "") {
          return fail(path, `${label} needs a resource and an attribute name`);
        }
        return this.getAtt(logicalId, attribute, path, label);
      }
      case "Fn::Sub":
        return this.sub(arg, path, label);
      case "Fn::If": {
        const [name, ifTrue, ifFalse] = args(arg, 3, path, label);
        if (typeof name !== "string") return fail(path, `${label} needs a condition name`);
        return this.resolve(this.condition(name, path, label) ? ifTrue : ifFalse, path);
      }
      case "Fn::Join": {
        const [delimiter, list] = args(arg, 2, path, label);
        if (typeof delimiter !== "string") return fail(path, `${label} needs a delimiter`);
        return this.list(list, path, label)
          .map((item) => scalarString(item, path, label))
          .join(delimiter);
      }
      case "Fn::Split": {
        const [delimiter, text] = args(arg, 2, path, label);
        if (typeof delimiter !== "string" || delimiter === "") {
          return fail(path, `${label} needs a delimiter`);
        }
        return scalarString(this.resolve(text, path), path, label).split(delimiter);
      }
      case "Fn::Select": {
        const [indexTree, listTree] = args(arg, 2, path, label);
        const rawIndex = this.resolve(indexTree, path);
        const index =
          typeof rawIndex === "number" || (typeof rawIndex === "string" && rawIndex.trim() !== "")
            ? Number(rawIndex)
            : Number.NaN;
        const list = this.list(listTree, path, label);
        if (!Number.isInteger(index) || index < 0 || index >= list.length) {
          return fail(path, `index ${String(index)} is out of range in ${label}`);
        }
        return list[index] ?? null;
      }
      default:
        // Fn::Equals and Fn::Not: the parser lets through no other function.
        return fail(path, `${label} may be used only in Conditions`);
    }
  }

  private list(tree: Tree, path: string, label: string): Json[] {
    const value = this.resolve(tree, path);
    if (!Array.isArray(value)) return fail(path, `${label} needs a list`);
    return value;
  }

  private ref(name: string, path: string, label: string): Json {
    if (UNSUPPORTED_PSEUDO_PARAMETERS.has(name)) {
      return fail(path, `${name} is not supported locally`);
    }
    const known = this.pseudo.get(name) ?? this.parameters.get(name);
    if (known !== undefined) return known;
    const resource = this.target(name, path, label, "parameter");
    const local = this.options.resourceTypes[resource.type]?.ref;
    if (local === undefined) return resource.logicalId;
    if ("value" in local) return local.value;
    const value = this.resolveProperty(resource, local.property);
    if (value === undefined)
      return fail(path, `${label} of ${name}, which has no ${local.property}`);
    return value;
  }

  private getAtt(logicalId: string, attribute: string, path: string, label: string): Json {
    const resource = this.target(logicalId, path, label, "resource");
    const value = this.options.resourceTypes[resource.type]?.attributes?.[attribute];
    if (value === undefined) {
      return fail(path, `${logicalId}.${attribute} has no local value in ${label}`);
    }
    return value;
  }

  private target(name: string, path: string, label: string, kind: string): Resource {
    const resource = this.declared.get(name);
    if (resource === undefined) return fail(path, `unknown ${kind} "${name}" in ${label}`);
    const condition = this.skipped.get(name);
    if (condition !== undefined) {
      return fail(path, `${label} of ${name}, which condition ${condition} leaves out`);
    }
    return resource;
  }

  /** `Fn::Sub`: `${Name}`, `${Resource.Attribute}`, `${!Literal}`, with optional variables. */
  private sub(arg: Tree, path: string, label: string): string {
    let template: Tree = arg;
    let variables: TreeRecord = {};
    if (Array.isArray(arg)) {
      const [text, vars] = args(arg, 2, path, label);
      if (!isTreeRecord(vars)) return fail(path, `${label} variables must be a mapping`);
      template = text;
      variables = vars;
    }
    if (typeof template !== "string") return fail(path, `${label} needs a string`);
    return template.replace(/\$\{([^}]*)\}/g, (_match, inner: string) => {
      if (inner.startsWith("!")) return `\${${inner.slice(1)}}`;
      const name = inner.trim();
      let value: Json;
      if (Object.hasOwn(variables, name)) {
        value = this.resolve(variables[name] ?? null, path);
      } else if (name.includes(".") && !this.parameters.has(name) && !this.pseudo.has(name)) {
        const [logicalId, attribute] = splitAttribute(name);
        value = this.getAtt(logicalId, attribute, path, label);
      } else {
        value = this.ref(name, path, label);
      }
      return scalarString(value, path, label);
    });
  }

  private condition(name: string, path: string, label: string): boolean {
    const known = this.conditionValues.get(name);
    if (known !== undefined) return known;
    if (!Object.hasOwn(this.conditions, name)) {
      return fail(path, `unknown condition "${name}" in ${label}`);
    }
    const value = this.holds(this.conditions[name] ?? null, joinPath("Conditions", name));
    this.conditionValues.set(name, value);
    return value;
  }

  /** A condition: `!Equals` (of scalars, compared as text, so `1` equals `"1"`) or `!Not`. */
  private holds(tree: Tree, path: string): boolean {
    if (!(tree instanceof Intrinsic) || (tree.fn !== "Fn::Equals" && tree.fn !== "Fn::Not")) {
      return fail(path, "a condition must be !Equals or !Not");
    }
    const { fn, arg, label } = tree;
    if (fn === "Fn::Not") return !this.holds(args(arg, 1, path, label)[0], path);
    const [a, b] = args(arg, 2, path, label).map((operand) =>
      scalarString(this.resolve(operand, path), path, label),
    );
    return a === b;
  }
}

function args(arg: Tree, count: 1, path: string, label: string): [Tree];
function args(arg: Tree, count: 2, path: string, label: string): [Tree, Tree];
function args(arg: Tree, count: 3, path: string, label: string): [Tree, Tree, Tree];
function args(arg: Tree, count: number, path: string, label: string): Tree[] {
  if (!Array.isArray(arg) || arg.length !== count) {
    return fail(path, `${label} needs a list of ${count}`);
  }
  return arg;
}

function scalarString(value: Json, path: string, label: string): string {
  if (typeof value === "string" || typeof value === "number" || typeof value === "boolean") {
    return String(value);
  }
  return fail(
    path,
    `${label} needs a string, not ${Array.isArray(value) ? "a list" : "a mapping"}`,
  );
}

/** `Resource.Attribute`; attribute names may themselves hold dots (`Endpoint.Address`). */
function splitAttribute(text: string): [string, string] {
  const dot = text.indexOf(".");
  return dot <= 0 ? [text, ""] : [text.slice(0, dot), text.slice(dot + 1)];
}
