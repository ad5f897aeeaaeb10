# syntax=docker/dockerfile:1
# portone-bff: one container next to the shop backend. Build: docker build -t portone-bff .

# Compile TypeScript and bundle the demo shop (`npm run build`) with the full toolchain. No
# install scripts: nothing here runs the native SQLite driver, which the deps stage builds.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts
COPY tsconfig.json tsconfig.build.json ./
COPY scripts ./scripts
COPY src ./src
RUN npm run build

# Production dependencies only. better-sqlite3 downloads a prebuilt binary; the compilers are
# here only for platforms without one, and stay out of the final image.
FROM node:20-bookworm-slim AS deps
WORKDIR /app
RUN apt-get update \
  && apt-get install -y --no-install-recommends python3 make g++ \
  && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci --omit=dev && npm cache clean --force

FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000 \
    DATA_DIR=/data
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
# The image's built-in unprivileged user owns only the data directory.
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
# NODE_ENV=production: start-up refuses without PORTONE_MODE=live (or =sandbox, on purpose).
# 3000: the public listener (tRPC, /webhooks/portone, /healthz, /readyz): publish this one.
# 3002: the internal listener (/metrics, webhook admin routes). It binds 127.0.0.1 unless
#       INTERNAL_HOST says otherwise: set INTERNAL_HOST=0.0.0.0 for Prometheus in another
#       container, and reach it only over a private network, never a published port.
# 3001: the embedded sandbox (PORTONE_MODE=sandbox only); loopback unless SANDBOX_HOST is set.
EXPOSE 3000 3002
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# SIGTERM from `docker stop` reaches node directly (exec form), which shuts down gracefully.
CMD ["node", "dist/main.js"]
