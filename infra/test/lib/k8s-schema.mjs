// Validates Kubernetes objects against the API's OpenAPI schemas (kubernetes-models, Kubernetes
// 1.27) and, unlike those schemas, rejects fields the API does not define (a typo such as
// `periodSecondz` would otherwise be dropped silently by the API server).
//
// The unknown-field check watches the schema validator itself: the object is wrapped in proxies
// that record which properties the validator reads. A property the schema declares is read; a
// map (labels, data, resources.limits) is enumerated. Any property left untouched is unknown.

/** kubernetes-models subpath per apiVersion, for the groups this project uses. */
const modulePath = (apiVersion) => `kubernetes-models/${apiVersion}`;

/**
 * Wraps a value so that reads of its own properties (recursively) are recorded in `seen`.
 * @param {unknown} value
 * @param {string} path JSON pointer of value
 * @param {Map<string, { value: object, read: Set<string>, enumerated: boolean }>} seen
 */
function watch(value, path, seen) {
  if (value === null || typeof value !== 'object') return value;
  const entry = { value, read: new Set(), enumerated: false };
  seen.set(path, entry);
  const children = new Map();
  return new Proxy(value, {
    get(target, key, receiver) {
      if (typeof key === 'string' && Object.hasOwn(target, key)) {
        entry.read.add(key);
        if (!children.has(key)) children.set(key, watch(target[key], `${path}/${key}`, seen));
        return children.get(key);
      }
      return Reflect.get(target, key, receiver);
    },
    ownKeys(target) {
      entry.enumerated = true;
      return Reflect.ownKeys(target);
    },
  });
}

/**
 * kustomize folds long base64 Secret values over several lines; the API server's decoder skips
 * line breaks, the schema's "byte" format does not, so they are removed before validation.
 */
function withUnwrappedBase64(object) {
  if (object.kind !== 'Secret' || object.data === null || typeof object.data !== 'object') return object;
  const data = Object.fromEntries(Object.entries(object.data).map(([k, v]) => [k, typeof v === 'string' ? v.replace(/[\r\n]/g, '') : v]));
  return { ...object, data };
}

/**
 * Validates one object; returns the problems found (empty when valid).
 * @param {{ apiVersion?: string, kind?: string, metadata?: { name?: string } }} object
 * @returns {Promise<string[]>}
 */
export async function validateObject(object) {
  const { apiVersion, kind } = object ?? {};
  if (typeof apiVersion !== 'string' || typeof kind !== 'string') return ['object has no apiVersion/kind'];
  let models;
  try {
    models = await import(modulePath(apiVersion));
  } catch {
    return [`unknown apiVersion ${apiVersion}`];
  }
  const Model = models[kind];
  if (typeof Model !== 'function' || typeof Model.prototype.validate !== 'function') return [`unknown kind ${kind} in ${apiVersion}`];

  const problems = [];
  const seen = new Map();
  try {
    Model.prototype.validate.call(watch(withUnwrappedBase64(object), '', seen));
  } catch (error) {
    problems.push(...String(error.message).split('\n').map((line) => line.trim()).filter(Boolean));
  }
  for (const [path, entry] of seen) {
    if (Array.isArray(entry.value) || entry.enumerated) continue;
    for (const key of Object.keys(entry.value)) {
      if (!entry.read.has(key)) problems.push(`${path}/${key}: unknown field "${key}"`);
    }
  }
  return problems;
}

/**
 * Validates every object and returns `kind/name: problem` lines.
 * @param {object[]} objects
 */
export async function validateAll(objects) {
  const lines = [];
  for (const object of objects) {
    for (const problem of await validateObject(object)) lines.push(`${object.kind}/${object.metadata?.name}: ${problem}`);
  }
  return lines;
}
