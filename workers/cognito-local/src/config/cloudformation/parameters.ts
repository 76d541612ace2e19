import { fail, isTreeRecord, joinPath, type TreeRecord } from "./tree";

/** A parameter's value: its text, or a list for a `CommaDelimitedList`. */
export type ParameterValue = string | string[];

/** The parameter types infra/cognito.yaml uses, the only ones read here. */
const PARAMETER_TYPES: ReadonlySet<string> = new Set(["String", "Number", "CommaDelimitedList"]);

/** The properties of a parameter read here: those checked and those that only describe it. */
const PARAMETER_KEYS: ReadonlySet<string> = new Set([
  "Type",
  "Default",
  "Description",
  "ConstraintDescription",
  "NoEcho",
  "AllowedValues",
  "AllowedPattern",
  "MinLength",
  "MaxLength",
]);

/**
 * The value of each declared parameter: the one given, else its `Default`, checked against its
 * constraints as CloudFormation checks them.
 * @see https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/parameters-section-structure.html
 */
export function readParameters(
  declared: TreeRecord,
  given: Readonly<Record<string, string>>,
): Map<string, ParameterValue> {
  for (const name of Object.keys(given)) {
    if (!Object.hasOwn(declared, name)) {
      fail("Parameters", `unknown parameter "${name}" in context.parameters`);
    }
  }
  const values = new Map<string, ParameterValue>();
  for (const [name, declaration] of Object.entries(declared)) {
    const path = joinPath("Parameters", name);
    if (!isTreeRecord(declaration)) return fail(path, "must be a mapping");
    for (const key of Object.keys(declaration)) {
      if (!PARAMETER_KEYS.has(key)) fail(joinPath(path, key), "is not supported locally");
    }
    const type = declaration.Type;
    if (typeof type !== "string") return fail(joinPath(path, "Type"), "must be a string");
    if (!PARAMETER_TYPES.has(type)) {
      fail(joinPath(path, "Type"), `${type} is not supported locally`);
    }
    const raw = given[name] ?? declaration.Default;
    if (raw === undefined || raw === null) {
      return fail(path, "has no Default and no value in context.parameters");
    }
    if (typeof raw !== "string" && typeof raw !== "number" && typeof raw !== "boolean") {
      return fail(joinPath(path, "Default"), "must be a string");
    }
    const value = String(raw);
    checkParameter(path, declaration, value);
    values.set(
      name,
      type === "CommaDelimitedList" ? value.split(",").map((item) => item.trim()) : value,
    );
  }
  return values;
}

/** The checks CloudFormation makes of a parameter value. */
function checkParameter(path: string, declaration: TreeRecord, value: string): void {
  const { Type, AllowedValues, AllowedPattern, MinLength, MaxLength } = declaration;
  if (Array.isArray(AllowedValues) && !AllowedValues.some((allowed) => String(allowed) === value)) {
    fail(path, `"${value}" is not one of ${AllowedValues.map(String).join(", ")}`);
  }
  if (typeof AllowedPattern === "string" && !new RegExp(`^(?:${AllowedPattern})$`).test(value)) {
    fail(path, `"${value}" does not match AllowedPattern ${AllowedPattern}`);
  }
  if (typeof MinLength === "number" && value.length < MinLength) {
    fail(path, `"${value}" is shorter than MinLength ${MinLength}`);
  }
  if (typeof MaxLength === "number" && value.length > MaxLength) {
    fail(path, `"${value}" is longer than MaxLength ${MaxLength}`);
  }
  if (Type === "Number" && (value.trim() === "" || !Number.isFinite(Number(value)))) {
    fail(path, `"${value}" is not a number`);
  }
}
