# dockhand's own image: `docker build -t dockhand .` then see compose.yaml.
# Two stages: the first installs every dependency and compiles TypeScript to
# dist/, the second holds only the runtime dependencies, dist/ and the tools
# dockhand calls (git, and redis-server for the private Redis when no
# REDIS_URL is set).

FROM node:20-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npx tsc -p tsconfig.build.json \
 && npm prune --omit=dev --no-audit --no-fund

FROM node:20-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates git openssh-client redis-server tini \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
ENV NODE_ENV=production \
    DOCKHAND_STATE_DIR=/var/lib/dockhand \
    DOCKHAND_HTTP_PORT=3000
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
COPY bin ./bin
COPY schema ./schema
VOLUME /var/lib/dockhand
# 3000: webhooks, dashboard, /metrics. 80 and 443: the built-in proxy, when
# dockhand.yaml says proxy.listen: 0.0.0.0:80 (and TLS on 443).
EXPOSE 3000 80 443
# tini forwards SIGTERM to node, which stops taking work, finishes the running step and exits.
ENTRYPOINT ["tini", "--", "node", "bin/dockhand.js"]
CMD ["serve"]
