# The worker, CLI and simulator image. A current Node LTS (the code also runs on Node 20).

# Build: TypeScript compiled to dist/ and the workflows bundled once (both need dev tools).
FROM node:22-bookworm-slim AS build
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
FROM node:22-bookworm-slim
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
CMD ["node", "dist/src/worker.js"]
