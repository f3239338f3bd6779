# syntax=docker/dockerfile:1
# edge-sentinel container image: linux/amd64 and linux/arm64.
# Build (from the repository root; see docs/gateway.md):
#   docker buildx build --platform linux/amd64,linux/arm64 -t edge-sentinel:0.1.0 .
# Run:
#   docker run -d --name edge-sentinel --restart unless-stopped \
#     -e PLANT_BROKER_URL=mqtt://192.168.1.10:1883 -e EDGE_SENTINEL_HTTP_TOKEN=$(openssl rand -hex 16) \
#     -v edge-sentinel-state:/var/lib/edge-sentinel -p 127.0.0.1:9464:9464 edge-sentinel:0.1.0

# One pinned Node 20 release for every stage; bump deliberately (and pin the
# digest with node:<ver>-bookworm-slim@sha256:... in a release pipeline).
ARG NODE_VERSION=20.20.2

# --- 1. compile TypeScript once, on the build machine's own architecture ----
# The output is plain JavaScript, identical for every target platform.
FROM --platform=$BUILDPLATFORM node:${NODE_VERSION}-bookworm-slim AS build
WORKDIR /src
# .npmrc carries onnxruntime-node-install=skip: nothing is downloaded beyond the registry.
COPY package.json package-lock.json .npmrc tsconfig.json tsconfig.build.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY agent/ agent/
COPY nodes/ nodes/
RUN npm run build

# --- 2. production dependencies, on the target architecture ------------------
# better-sqlite3 is native: it is fetched prebuilt or compiled here for the
# target (under QEMU when cross-building). onnxruntime-node ships x64 and arm64
# CPU binaries in its npm package; its postinstall only fetches optional CUDA
# libraries, so all lifecycle scripts are skipped and better-sqlite3 is rebuilt alone.
FROM node:${NODE_VERSION}-bookworm-slim AS deps
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund \
 && npm rebuild better-sqlite3 \
 && npm cache clean --force

# --- 3. runtime --------------------------------------------------------------
FROM node:${NODE_VERSION}-bookworm-slim
ENV NODE_ENV=production
# ONNX Runtime >= 1.29 telemetry off (the agent also sets it before the runtime loads).
ENV ORT_DISABLE_TELEMETRY=1
# Own system user with a fixed numeric id, so runAsNonRoot / --user checks can verify it.
RUN groupadd --system --gid 10001 edge-sentinel \
 && useradd --system --uid 10001 --gid edge-sentinel --home-dir /var/lib/edge-sentinel --shell /usr/sbin/nologin edge-sentinel \
 && install -d -o edge-sentinel -g edge-sentinel -m 0750 /var/lib/edge-sentinel
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /src/dist ./dist
COPY package.json ./
# The detector model and cards (and the LM when present); .dockerignore keeps out training scripts and corpora.
COPY models/ ./models/
COPY hardware/container/config.yaml /etc/edge-sentinel/config.yaml
USER 10001:10001
# Baselines, alert state, outbox and egress audit: keep them across upgrades.
VOLUME ["/var/lib/edge-sentinel"]
# The status page, /metrics and /healthz (the image's config binds 0.0.0.0; publish it on the host's loopback only).
EXPOSE 9464
# Runs inside the container, so it reaches 127.0.0.1 whatever observe.http.host is.
# 503 (plant broker down, a service unhealthy) marks the container unhealthy.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:9464/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["node", "/app/dist/agent/cli/main.js"]
CMD ["run", "--config", "/etc/edge-sentinel/config.yaml"]
