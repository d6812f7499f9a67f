/** Log paths whose values are replaced by `[Redacted]` (credentials, cookies, secrets). */
export const REDACT_PATHS: readonly string[] = [
  'authorization',
  'cookie',
  'password',
  'secret',
  'token',
  'mongodbUri',
  'MONGODB_URI',
  'headers.authorization',
  'headers.cookie',
  'headers["set-cookie"]',
  'req.headers.authorization',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  '*.authorization',
  '*.cookie',
  '*.password',
  '*.secret',
  '*.token',
  '*.mongodbUri',
  '*.MONGODB_URI',
  'body',
  '*.body',
];

/** Replaces the user-info part of a connection URI (`mongodb://user:pass@host`) by `***`. */
export function redactUri(uri: string): string {
  return uri.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^@/?#]*@/i, '$1***@');
}
