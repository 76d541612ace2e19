// Which names a worker's code reads from its `env`, found in the source text (not from the types,
// which `wrangler types` derives from wrangler.toml: a name read through a cast, or declared
// somewhere else, would slip past them). Used by configuration-docs.test.ts for the direction
// code → docs/configuration.md.
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import ts from "typescript";

/** One source file: a path to name in messages, and its text. */
export interface SourceFile {
  fileName: string;
  text: string;
}

/** Where a name is read: `file:line`. */
export type EnvReads = Map<string, string[]>;

/** Type wrappers that keep the names of the type they wrap (`Pick<Env, "A">` is a slice of Env). */
const SLICING_TYPES = new Set(["Pick", "Omit", "Partial", "Readonly", "Required"]);

function parse(file: SourceFile): ts.SourceFile {
  return ts.createSourceFile(
    file.fileName,
    file.text,
    ts.ScriptTarget.Latest,
    true,
    file.fileName.endsWith("x") ? ts.ScriptKind.TSX : ts.ScriptKind.TS,
  );
}

function forEachNode(node: ts.Node, visit: (node: ts.Node) => void): void {
  visit(node);
  node.forEachChild((child) => forEachNode(child, visit));
}

/** The expression inside parentheses, `as`, `satisfies`, `!` and `<T>` assertions. */
function unwrap(expression: ts.Expression): ts.Expression {
  let current = expression;
  while (
    ts.isParenthesizedExpression(current) ||
    ts.isAsExpression(current) ||
    ts.isSatisfiesExpression(current) ||
    ts.isNonNullExpression(current) ||
    ts.isTypeAssertionExpression(current)
  )
    current = current.expression;
  return current;
}

/** The text of a string literal (or a template without substitutions), else undefined. */
function literalText(node: ts.Node | undefined): string | undefined {
  if (node === undefined) return undefined;
  if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) return node.text;
  if (ts.isLiteralTypeNode(node)) return literalText(node.literal);
  return undefined;
}

/**
 * The names of the types that stand for a worker's env across its files: `Env`, and every alias
 * or interface that is a slice of one (`type ConfigEnv = Pick<Env, "A" | "B">`); and of the types
 * that stand for its names (`keyof Env`, and aliases built on one).
 */
function findEnvTypes(sources: ts.SourceFile[]) {
  const objects = new Set(["Env"]);
  const keys = new Set<string>();
  const isObjectType = (type: ts.TypeNode): boolean => {
    if (ts.isParenthesizedTypeNode(type)) return isObjectType(type.type);
    if (ts.isIntersectionTypeNode(type)) return type.types.some(isObjectType);
    if (!ts.isTypeReferenceNode(type) || !ts.isIdentifier(type.typeName)) return false;
    const name = type.typeName.text;
    if (objects.has(name)) return true;
    const first = type.typeArguments?.[0];
    return SLICING_TYPES.has(name) && first !== undefined && isObjectType(first);
  };
  const mentionsKeys = (type: ts.Node): boolean => {
    let found = false;
    forEachNode(type, (node) => {
      if (
        ts.isTypeOperatorNode(node) &&
        node.operator === ts.SyntaxKind.KeyOfKeyword &&
        isObjectType(node.type)
      )
        found = true;
      if (
        ts.isTypeReferenceNode(node) &&
        ts.isIdentifier(node.typeName) &&
        keys.has(node.typeName.text)
      )
        found = true;
    });
    return found;
  };
  // Until nothing more is found: an alias may be declared before the one it is built on.
  for (let grown = true; grown; ) {
    grown = false;
    for (const source of sources)
      forEachNode(source, (node) => {
        let name: string | undefined;
        let isObject = false;
        let isKey = false;
        if (ts.isTypeAliasDeclaration(node)) {
          name = node.name.text;
          isObject = isObjectType(node.type);
          isKey = !isObject && mentionsKeys(node.type);
        } else if (ts.isInterfaceDeclaration(node)) {
          name = node.name.text;
          isObject = (node.heritageClauses ?? []).some((clause) =>
            clause.types.some(
              (base) => ts.isIdentifier(base.expression) && objects.has(base.expression.text),
            ),
          );
        }
        if (name === undefined) return;
        if (isObject && !objects.has(name)) {
          objects.add(name);
          grown = true;
        }
        if (isKey && !keys.has(name)) {
          keys.add(name);
          grown = true;
        }
      });
  }
  return { objects, keys, isObjectType, mentionsKeys };
}

/** Every name `files` read from their worker's env, with where. */
export function findEnvReads(files: SourceFile[]): EnvReads {
  const sources = files.map(parse);
  const types = findEnvTypes(sources);
  const reads: EnvReads = new Map();

  for (const source of sources) {
    const add = (name: string, node: ts.Node) => {
      const line = source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1;
      const where = `${source.fileName}:${line}`;
      const known = reads.get(name);
      if (known) known.push(where);
      else reads.set(name, [where]);
    };

    // Identifiers that hold an env: typed as one, or given one (`const bindings = c.env`).
    const envIdentifiers = new Set(["env"]);
    // String arrays of the file, for `(typeof NAMES)[number]`.
    const stringArrays = new Map<string, ts.ArrayLiteralExpression>();
    // Functions of the file with a parameter typed as an env name (`name: keyof ConfigEnv`).
    const keyParameters = new Map<string, number[]>();

    const isEnvExpression = (expression: ts.Expression): boolean => {
      const inner = unwrap(expression);
      if (ts.isIdentifier(inner)) return envIdentifiers.has(inner.text);
      return ts.isPropertyAccessExpression(inner) && inner.name.text === "env";
    };

    const addLiteralsOfType = (type: ts.TypeNode) =>
      forEachNode(type, (node) => {
        const text = literalText(node);
        if (text !== undefined && ts.isLiteralTypeNode(node)) add(text, node);
        // (typeof NAMES)[number]: the names in that array.
        if (
          ts.isTypeQueryNode(node) &&
          ts.isIdentifier(node.exprName) &&
          stringArrays.has(node.exprName.text)
        )
          for (const element of stringArrays.get(node.exprName.text)?.elements ?? []) {
            const name = literalText(element);
            if (name !== undefined) add(name, element);
          }
      });

    const addBindingNames = (pattern: ts.ObjectBindingPattern) => {
      for (const element of pattern.elements) {
        const key = element.propertyName ?? element.name;
        if (ts.isIdentifier(key) || ts.isStringLiteral(key)) add(key.text, key);
        else if (ts.isComputedPropertyName(key)) {
          const name = literalText(key.expression);
          if (name !== undefined) add(name, key);
        }
      }
    };

    // First the file's declarations, so that a use may come before them in the text.
    forEachNode(source, (node) => {
      if (ts.isVariableDeclaration(node) && ts.isIdentifier(node.name) && node.initializer) {
        const initializer = unwrap(node.initializer);
        if (ts.isArrayLiteralExpression(initializer)) stringArrays.set(node.name.text, initializer);
      }
      if (
        (ts.isParameter(node) ||
          ts.isVariableDeclaration(node) ||
          ts.isPropertyDeclaration(node)) &&
        ts.isIdentifier(node.name) &&
        node.type &&
        types.isObjectType(node.type)
      )
        envIdentifiers.add(node.name.text);
      if (
        ts.isVariableDeclaration(node) &&
        ts.isIdentifier(node.name) &&
        node.initializer &&
        isEnvExpression(node.initializer)
      )
        envIdentifiers.add(node.name.text);
      if (
        (ts.isFunctionDeclaration(node) || ts.isArrowFunction(node)) &&
        node.parameters.some((p) => p.type && types.mentionsKeys(p.type))
      ) {
        const name = ts.isFunctionDeclaration(node)
          ? node.name?.text
          : ts.isVariableDeclaration(node.parent) && ts.isIdentifier(node.parent.name)
            ? node.parent.name.text
            : undefined;
        if (name !== undefined)
          keyParameters.set(
            name,
            node.parameters.flatMap((p, index) =>
              p.type && types.mentionsKeys(p.type) ? [index] : [],
            ),
          );
      }
    });

    forEachNode(source, (node) => {
      // env.NAME, c.env.NAME, env?.NAME
      if (ts.isPropertyAccessExpression(node) && isEnvExpression(node.expression))
        add(node.name.text, node.name);
      // env["NAME"]
      if (ts.isElementAccessExpression(node) && isEnvExpression(node.expression)) {
        const name = literalText(node.argumentExpression);
        if (name !== undefined) add(name, node.argumentExpression);
      }
      // const { NAME } = env; ({ NAME }: Env) => ...
      if (ts.isVariableDeclaration(node) && ts.isObjectBindingPattern(node.name)) {
        if (node.initializer && isEnvExpression(node.initializer)) addBindingNames(node.name);
      }
      if (
        ts.isParameter(node) &&
        ts.isObjectBindingPattern(node.name) &&
        node.type &&
        types.isObjectType(node.type)
      )
        addBindingNames(node.name);
      // Pick<Env, "A" | "B">, Omit<ConfigEnv, "C">: the names it lists.
      if (
        ts.isTypeReferenceNode(node) &&
        ts.isIdentifier(node.typeName) &&
        SLICING_TYPES.has(node.typeName.text)
      ) {
        const [object, names] = node.typeArguments ?? [];
        if (object && names && types.isObjectType(object)) addLiteralsOfType(names);
      }
      // Env["NAME"]
      if (ts.isIndexedAccessTypeNode(node) && types.isObjectType(node.objectType))
        addLiteralsOfType(node.indexType);
      // ["A", "B"] satisfies readonly (keyof Env)[]; const NAMES: SecretName[] = [...]
      if (
        (ts.isSatisfiesExpression(node) || ts.isAsExpression(node)) &&
        types.mentionsKeys(node.type)
      ) {
        const inner = unwrap(node.expression);
        if (ts.isArrayLiteralExpression(inner))
          for (const element of inner.elements) {
            const name = literalText(element);
            if (name !== undefined) add(name, element);
          }
        else {
          const name = literalText(inner);
          if (name !== undefined) add(name, inner);
        }
      }
      if (ts.isVariableDeclaration(node) && node.type && types.mentionsKeys(node.type)) {
        const initializer = node.initializer && unwrap(node.initializer);
        const elements =
          initializer && ts.isArrayLiteralExpression(initializer)
            ? initializer.elements
            : initializer
              ? [initializer]
              : [];
        for (const element of elements) {
          const name = literalText(element);
          if (name !== undefined) add(name, element);
        }
      }
      // required(env, "NAME") where required's parameter is `keyof ConfigEnv`
      if (ts.isCallExpression(node) && ts.isIdentifier(node.expression)) {
        for (const index of keyParameters.get(node.expression.text) ?? []) {
          const name = literalText(node.arguments[index]);
          if (name !== undefined) add(name, node.arguments[index] as ts.Node);
        }
      }
    });
  }
  return reads;
}

/** The deployed code of a worker: `src/**\/*.ts(x)` without its tests. */
export function readWorkerSources(workerDir: string, root: string): SourceFile[] {
  const files: SourceFile[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (/\.tsx?$/.test(entry.name) && !/\.test\.tsx?$/.test(entry.name))
        files.push({ fileName: relative(root, path), text: readFileSync(path, "utf8") });
    }
  };
  walk(join(workerDir, "src"));
  return files.sort((a, b) => a.fileName.localeCompare(b.fileName));
}

/** The part of a markdown page under `heading` (a `## ` line), up to the next `## ` heading. */
export function sectionOf(markdown: string, heading: string): string | undefined {
  const start = markdown.indexOf(`\n${heading}\n`);
  if (start === -1) return undefined;
  const end = markdown.indexOf("\n## ", start + heading.length + 2);
  return markdown.slice(start, end === -1 ? undefined : end);
}

/** The names read that `section` does not name as `` `NAME` ``, each with where it is read. */
export function findUndocumented(reads: EnvReads, section: string): string[] {
  return [...reads]
    .filter(([name]) => !section.includes(`\`${name}\``))
    .map(([name, where]) => `${name} (${where.join(", ")})`)
    .sort();
}
