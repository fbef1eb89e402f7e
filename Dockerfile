# syntax=docker/dockerfile:1
# One image for the API (default command), the workers (`node dist/src/worker.js`) and the
# migration step (`node dist/src/cli.js migrate`). Multi-stage: build with dev dependencies, run
# with production ones only, on the current Node LTS.

FROM node:24-bookworm-slim AS build
WORKDIR /app
# onnxruntime-node ships its CPU binary in the package; its install script would only fetch extras.
ENV ONNXRUNTIME_NODE_INSTALL=skip
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json nest-cli.json ./
COPY src ./src
COPY migrations ./migrations
RUN npm run build

FROM node:24-bookworm-slim AS deps
WORKDIR /app
ENV ONNXRUNTIME_NODE_INSTALL=skip
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

FROM node:24-bookworm-slim AS runtime
# tini: PID 1 that forwards SIGTERM to Node (which drains its in-flight messages) and reaps the
# ffmpeg / pocketsphinx children. pocketsphinx + its English model: the transcriptions' engine.
RUN apt-get update \
 && apt-get install -y --no-install-recommends tini ca-certificates pocketsphinx pocketsphinx-en-us \
 && rm -rf /var/lib/apt/lists/*
# MALLOC_ARENA_MAX=2: glibc gives each thread (engine threads, libvips, onnxruntime) malloc arenas
# of its own that keep freed memory; two arenas took ~45 MB off the tasks worker's peak on a
# 12 MP photo (docs/performance.md, Tasks worker).
ENV NODE_ENV=production \
    MALLOC_ARENA_MAX=2 \
    DATA_DIR=/tmp/horizon \
    PORT=3000 \
    WORKER_HEALTH_PORT=3001
WORKDIR /app
COPY --from=deps --chown=root:root /app/node_modules ./node_modules
COPY --from=build --chown=root:root /app/dist ./dist
COPY package.json ./
# The image's "node" user, uid/gid 1000: the code is root-owned and read-only to it; only /tmp
# (DATA_DIR's scratch files) is written, so the root filesystem can be mounted read-only.
USER 1000:1000
EXPOSE 3000 3001
# Whichever process runs: the API answers on PORT, a worker on WORKER_HEALTH_PORT.
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "const get=(p)=>fetch(`http://127.0.0.1:${p}/health/ready`).then(r=>r.ok);get(process.env.PORT).catch(()=>get(process.env.WORKER_HEALTH_PORT)).then(ok=>process.exit(ok?0:1),()=>process.exit(1))"]
ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["node", "dist/src/main.js"]
