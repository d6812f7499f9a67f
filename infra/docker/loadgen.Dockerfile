# syntax=docker/dockerfile:1.7
# GlobeCo load generator image. Build from the repository root:
#   docker build -f infra/docker/loadgen.Dockerfile -t <registry>/globeco/loadgen:<version> .
# BuildKit reads infra/docker/loadgen.Dockerfile.dockerignore for this Dockerfile.

ARG NODE_IMAGE=node:26.12.1-bookworm-slim

# ---- build: install the workspace, build the load generator, then prune to /out ----
FROM ${NODE_IMAGE} AS build
ENV PNPM_HOME=/pnpm \
    PATH=/pnpm:$PATH \
    CI=true \
    TURBO_TELEMETRY_DISABLED=1
RUN npm install --global --no-fund --no-audit pnpm@12.23.0
WORKDIR /repo
COPY pnpm-lock.yaml pnpm-workspace.yaml package.json ./
RUN --mount=type=cache,id=pnpm-store,target=/pnpm/store \
    pnpm config set store-dir /pnpm/store && pnpm fetch --frozen-lockfile
COPY . .
# The deployed install loses only what never runs: type declarations, and the source maps of
# third-party packages (their stack frames stay as compiled). The maps of the workspace's own
# code stay, for the CMD's --enable-source-maps.
RUN --mount=type=cache,id=pnpm-store,target=/pnpm/store \
    pnpm config set store-dir /pnpm/store \
    && pnpm install --frozen-lockfile --offline \
    && pnpm exec turbo run build --filter=@globeco/loadgen... \
    && pnpm --filter @globeco/loadgen deploy --prod --offline /out \
    && find /out -type f \( -name '*.d.ts' -o -name '*.d.[cm]ts' -o -name '*.d.ts.map' -o -name '*.d.[cm]ts.map' \
      -o \( -name '*.map' -path '*/node_modules/*' -not -path '*/.pnpm/@globeco+*' \) \) -delete

# ---- runtime ----
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build --chown=1000:1000 /out/package.json ./package.json
COPY --from=build --chown=1000:1000 /out/dist ./dist
COPY --from=build --chown=1000:1000 /out/node_modules ./node_modules
USER 1000:1000
# A run-to-completion CLI with no port: nothing to probe, so health checking is declared off.
HEALTHCHECK NONE
ENTRYPOINT ["node", "--enable-source-maps", "dist/bin.js"]
CMD ["--help"]
