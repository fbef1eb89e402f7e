import { parseAllDocuments } from 'yaml';

/** A rendered Kubernetes object, as far as the checks need to know it. */
export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  spec?: Record<string, unknown>;
  [field: string]: unknown;
}

/** Parses `helm template` output; every document must be a mapping with apiVersion, kind and a name. */
export function parseManifests(text: string, source: string): K8sObject[] {
  const objects: K8sObject[] = [];
  for (const doc of parseAllDocuments(text, { uniqueKeys: true })) {
    if (doc.errors.length > 0) throw new Error(`${source}: ${doc.errors.map((e) => e.message).join('; ')}`);
    const value = doc.toJS({ maxAliasCount: 0 }) as unknown;
    if (value === null || value === undefined) continue; // an empty document (a disabled template)
    const object = value as Partial<K8sObject>;
    if (typeof value !== 'object' || Array.isArray(value) || !object.apiVersion || !object.kind || !object.metadata?.name) {
      throw new Error(`${source}: a document is not a Kubernetes object: ${JSON.stringify(value).slice(0, 200)}`);
    }
    objects.push(object as K8sObject);
  }
  return objects;
}

export const describe = (o: K8sObject): string => `${o.kind}/${o.metadata.name}`;
