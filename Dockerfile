# syntax=docker/dockerfile:1
# The gateway as a production image: compiled JavaScript on the current Node LTS, production
# dependencies only, a non-root user, migrations beside dist/ (src/store/db.ts applies them
# at start from ../../migrations relative to dist/store/db.js, i.e. /app/migrations).
#   docker build -t byok-gateway .
#   docker compose up        (compose.yaml: the gateway with PostgreSQL and Redis)
# ---- build: every dependency, compile src/ to dist/
FROM node:24-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npx tsc -p tsconfig.build.json

# ---- production dependencies only
FROM node:24-slim AS deps
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

# ---- runtime
FROM node:24-slim AS runtime
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=8080 \
    DATA_DIR=/data
WORKDIR /app
COPY --from=deps --chown=root:root /app/node_modules ./node_modules
COPY --from=build --chown=root:root /app/dist ./dist
COPY --chown=root:root package.json ./
COPY --chown=root:root migrations ./migrations
# The code stays root-owned and read-only to the process; only DATA_DIR is writable
# (the embedded default keeps its PGlite database, tokens and master key there).
RUN mkdir -p /data && chown node:node /data && chmod 0700 /data
VOLUME ["/data"]
USER node
EXPOSE 8080
# No curl in the slim image: Node's own fetch. /healthz needs no token.
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||8080)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# SIGTERM: stop accepting, let calls and streams finish (SHUTDOWN_GRACE_MS), flush the usage log.
STOPSIGNAL SIGTERM
# V8 sizes the heap for speed, not for a small service: new space grows to 2 x 16 MB
# semi-spaces under load, and the old generation may reach 4x its live size before a full
# collection, all of it resident. 8 MB semi-spaces and a growth factor of 1.5 keep the RSS
# with 1,000 open streams at ~126 MB instead of 165-190 MB, for 2-5 % more CPU per call
# (bench/optimisations.md). `npm run bench` runs the gateway with these flags.
CMD ["node", "--max-semi-space-size=8", "--heap-growing-percent=50", "dist/server.js"]
