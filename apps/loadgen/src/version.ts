/** Name and version written into reports. */
export const TOOL = { name: '@globeco/loadgen', version: '0.1.0' } as const;
