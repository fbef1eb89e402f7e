import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { describe, type K8sObject } from './manifests';

// Kinds from the KEDA and Prometheus Operator CRDs come from their own kubernetes-models packages;
// an apiVersion/kind none of them knows is an error, like kubeconform without -ignore-missing-schemas.
const CRD_PACKAGES: Record<string, string> = {
  'keda.sh': '@kubernetes-models/keda',
  'monitoring.coreos.com': '@kubernetes-models/prometheus-operator',
};

interface Model {
  module: string;
  kind: string;
}

function modelOf(o: K8sObject): Model {
  const [group, version] = o.apiVersion.includes('/') ? o.apiVersion.split('/') : ['', o.apiVersion];
  const pkg = CRD_PACKAGES[group] ?? 'kubernetes-models';
  return { module: `${pkg}/${group ? `${group}/` : ''}${version}/${o.kind}`, kind: o.kind };
}

// Inside node_modules so the generated file resolves the model packages and no linter sees it.
const CHECK_DIR = join(__dirname, '..', '..', 'node_modules', '.cache', 'horizon-deploy-check');

type Validatable = new (data: unknown) => { validate(): void };

/** Validates each object against its OpenAPI / CRD schema (types, enums, required fields). */
export function validateSchemas(objects: K8sObject[]): string[] {
  const problems: string[] = [];
  for (const o of objects) {
    const { module, kind } = modelOf(o);
    let Model: Validatable | undefined;
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- the module is chosen per object at run time
      Model = (require(module) as Record<string, Validatable>)[kind];
    } catch {
      Model = undefined;
    }
    if (!Model) {
      problems.push(`${describe(o)}: no schema for ${o.apiVersion} ${o.kind}`);
      continue;
    }
    try {
      new Model(structuredClone(o)).validate();
    } catch (error) {
      problems.push(`${describe(o)}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  return problems;
}

/**
 * The schemas above allow unknown fields; the TypeScript types of the same packages do not. Each
 * object becomes an object literal typed with its interface, so the compiler's excess-property
 * check names every misspelt or misplaced field (what `kubeconform -strict` does).
 */
export function checkUnknownFields(objects: K8sObject[], workDir = CHECK_DIR): string[] {
  mkdirSync(workDir, { recursive: true });
  const file = join(workDir, 'manifests.check.ts');
  const lines: string[] = [];
  const owners: { from: number; object: K8sObject }[] = [];
  let lineCount = 0;
  const problems: string[] = [];
  objects.forEach((o, i) => {
    const { module, kind } = modelOf(o);
    owners.push({ from: lineCount, object: o });
    const text = `import type { I${kind} as T${i} } from ${JSON.stringify(module)};\nexport const o${i}: T${i} = ${JSON.stringify(o, null, 1)};`;
    lines.push(text);
    lineCount += text.split('\n').length;
  });
  writeFileSync(file, lines.join('\n'));
  const program = ts.createProgram([file], {
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    types: [],
    module: ts.ModuleKind.CommonJS,
    moduleResolution: ts.ModuleResolutionKind.Node10,
    target: ts.ScriptTarget.ES2022,
  });
  for (const d of ts.getPreEmitDiagnostics(program)) {
    const message = ts.flattenDiagnosticMessageText(d.messageText, '\n').split('\n').slice(-1)[0];
    if (!d.file || d.start === undefined || d.file.fileName !== program.getSourceFile(file)?.fileName) {
      problems.push(message);
      continue;
    }
    const { line } = d.file.getLineAndCharacterOfPosition(d.start);
    const owner = [...owners].reverse().find((x) => x.from <= line);
    const path = pathAt(d.file, d.start);
    problems.push(`${owner ? describe(owner.object) : file}: ${path ? `${path}: ` : ''}${message}`);
  }
  return problems;
}

/** The JSON path of the property at `position` (e.g. spec.template.spec.containers[0].resourcs). */
function pathAt(file: ts.SourceFile, position: number): string {
  let node: ts.Node | undefined = findNode(file, position);
  const parts: string[] = [];
  while (node && !ts.isVariableDeclaration(node)) {
    if (ts.isPropertyAssignment(node)) parts.unshift(node.name.getText(file).replace(/^"|"$/g, ''));
    else if (ts.isArrayLiteralExpression(node.parent) && node.parent.elements.includes(node as ts.Expression)) {
      parts.unshift(`[${node.parent.elements.indexOf(node as ts.Expression)}]`);
    }
    node = node.parent;
  }
  return parts.join('.').replace(/\.\[/g, '[');
}

function findNode(node: ts.Node, position: number): ts.Node | undefined {
  for (const child of node.getChildren()) {
    if (child.getStart() <= position && position < child.getEnd()) return findNode(child, position) ?? child;
  }
  return undefined;
}
