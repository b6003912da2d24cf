# dockhand's own image: `docker build -t dockhand .` then see compose.yaml.
# Two stages: the first installs every dependency and compiles TypeScript to
# dist/, the second holds only the runtime dependencies, dist/ and the tools
# dockhand calls (git and ssh, and redis-server for the private Redis when no
# REDIS_URL is set). test/e2e/dockhand-image.test.ts builds this file and runs
# the image against real engines.

# Both stages start from BASE: a maintained Node line. The test builds from a
# base made offline (the machine's own node, npm and tools on busybox).
ARG BASE=node:22-slim

FROM ${BASE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
# No dependency needs its install script (npm 11 skips them all by default).
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build \
 && npm prune --omit=dev --ignore-scripts --no-audit --no-fund

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
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
COPY bin ./bin
COPY schema ./schema
# Not root: the user `node` of the Node images (uid 1000). It reaches the
# Docker socket through the socket's group, added at run time (compose.yaml,
# group_add), and owns the state volume.
RUN mkdir -p /var/lib/dockhand && chown node:node /var/lib/dockhand
USER node
VOLUME /var/lib/dockhand
# 3000: webhooks, dashboard, /metrics. 80 and 443: the built-in proxy, when
# dockhand.yaml says proxy.listen: 0.0.0.0:80 (and TLS on 443); Docker 20.10
# and later let a non-root process bind them inside a container's network.
EXPOSE 3000 80 443
# The image has no curl: node asks /healthz itself.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "require('node:http').get('http://127.0.0.1:' + (process.env.DOCKHAND_HTTP_PORT || 3000) + '/healthz', (r) => process.exit(r.statusCode === 200 ? 0 : 1)).on('error', () => process.exit(1))"]
# tini forwards SIGTERM to node, which stops taking work, finishes the running step and exits.
ENTRYPOINT ["tini", "--", "node", "bin/dockhand.js"]
CMD ["serve"]
