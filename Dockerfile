# The worker, CLI and simulator image. A current Node LTS (the code also runs on Node 20).
FROM node:22-bookworm-slim
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund
COPY tsconfig.json ./
COPY bin ./bin
COPY src ./src
COPY simulator ./simulator
COPY config ./config
# Workflows bundled at build time: the worker starts without webpack and without its memory.
RUN npx tsx src/scripts/build-workflow-bundle.ts dist/workflow-bundle.js
ENV ML_CONNECTOR_WORKFLOW_BUNDLE=/app/dist/workflow-bundle.js
USER node
ENV NODE_ENV=production
CMD ["npm", "run", "worker"]
