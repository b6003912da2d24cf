# dockhand's own image: `docker build -t dockhand .` then see compose.yaml.
# Three stages: `deps` installs the runtime dependencies, `build` installs
# every dependency and compiles TypeScript to dist/, and the image holds the
# runtime dependencies, dist/ and the tools dockhand calls (git and ssh, and
# redis-server for the private Redis when no REDIS_URL is set).
# test/e2e/dockhand-image.test.ts builds this file and runs the image against
# real engines.

# Every stage starts from BASE: a maintained Node line. The test builds from
# a base made offline (this machine's node, npm and tools on busybox, and the
# npm cache of package-lock.json's packages).
ARG BASE=node:22-bookworm-slim

FROM ${BASE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
# No dependency needs its install script (npm 11 skips them all by default).
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund

FROM ${BASE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
# Emit only: the type check is CI's (npm run typecheck) and would double the
# time of every rebuild after a change to src.
RUN npx tsc -p tsconfig.build.json --noCheck

FROM ${BASE}
# apt-get only for what BASE lacks: the test's offline base carries these tools
# already, and apt has nothing to fetch from there.
RUN missing=""; \
    for tool in git ssh redis-server tini; do command -v "$tool" >/dev/null || missing="$missing $tool"; done; \
    if [ -n "$missing" ]; then \
      apt-get update \
      && apt-get install -y --no-install-recommends ca-certificates git openssh-client redis-server tini \
      && rm -rf /var/lib/apt/lists/*; \
    fi
WORKDIR /app
ENV NODE_ENV=production \
    DOCKHAND_STATE_DIR=/var/lib/dockhand \
    DOCKHAND_HTTP_PORT=3000
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
COPY bin ./bin
COPY schema ./schema
# Not root: the user `node` of the Node images (uid 1000). It reaches the
# Docker socket through the socket's group, added at run time (compose.yaml:
# group_add with DOCKER_GID), and owns the state volume.
RUN mkdir -p /var/lib/dockhand && chown node:node /var/lib/dockhand
USER node
VOLUME /var/lib/dockhand
# 3000: webhooks, dashboard, /metrics. 80 and 443: the built-in proxy, when
# dockhand.yaml says proxy.listen: 0.0.0.0:80 (and TLS on 443); Docker 20.10
# and later let a non-root process bind them inside a container's network.
EXPOSE 3000 80 443
# The image has no curl: node asks /healthz itself (fetch is built in).
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch(`http://127.0.0.1:${process.env.DOCKHAND_HTTP_PORT || 3000}/healthz`).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# tini forwards SIGTERM to node, which stops taking work, finishes the running step and exits.
ENTRYPOINT ["tini", "--", "node", "bin/dockhand.js"]
CMD ["serve"]
