# The worker, CLI and simulator image, on Node 24 LTS: the exact release CI tests on
# (.ci/node24/package.json); move both together. The code supports Node 22 and 24.
# To pin a digest too: --build-arg NODE_IMAGE=node:24.22.3-bookworm-slim@sha256:<digest> (from
# `docker image inspect --format '{{index .RepoDigests 0}}' node:24.22.3-bookworm-slim`).
ARG NODE_IMAGE=node:24.22.3-bookworm-slim

# Build: TypeScript compiled to dist/ and the workflows bundled once (both need dev tools).
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY simulator ./simulator
COPY dev ./dev
RUN npm run build && npm run build:workflows -- dist/workflow-bundle.js

# Run: production dependencies, the compiled worker and the bundle. The worker runs compiled
# JavaScript (about 70 MB less memory and a faster render than through tsx); the CLI and the
# simulator run their TypeScript through tsx.
FROM ${NODE_IMAGE}
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund
COPY tsconfig.json ./
COPY bin ./bin
COPY src ./src
COPY simulator ./simulator
COPY config ./config
COPY --from=build /app/dist ./dist
ENV ML_CONNECTOR_WORKFLOW_BUNDLE=/app/dist/workflow-bundle.js
USER node
ENV NODE_ENV=production
# bin/ml-connector-worker starts node dist/src/worker.js with the configuration's heap settings
# (worker.heapLimitMB, --max-old-space-size; semiSpaceMB; heapGrowingPercent), MALLOC_ARENA_MAX=2 and
# MALLOC_MMAP_THRESHOLD_=131072, and execs it (PID 1 stays the worker, so docker stop's SIGTERM
# reaches it). NODE_OPTIONS=--max-old-space-size=<MB> wins.
CMD ["bin/ml-connector-worker"]
