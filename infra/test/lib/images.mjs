// Image reference rules shared by the manifest and Dockerfile checks.

/**
 * True when an image reference names a digest or an exact version tag (major.minor.patch, with an
 * optional v prefix and suffix): never latest, lts or a major-only tag such as 22-slim.
 */
export function isPinnedImage(image) {
  if (/@sha256:[a-f0-9]{64}$/.test(image)) return true;
  const tag = /:([^/:]+)$/.exec(image)?.[1];
  return tag !== undefined && /^v?\d+\.\d+\.\d+([-+][\w.-]+)?$/.test(tag);
}
