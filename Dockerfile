# Herald container. scripts/container-smoke.mjs replays this file's COPY/RUN/ENV/CMD steps in a scratch
# directory (there is no Docker engine on the development machines): steps marked "# system" are
# the only ones it skips, so keep everything about the app itself in unmarked steps.

FROM node:22-bookworm-slim AS build
WORKDIR /app
# system
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json tsconfig.json tsconfig.build.json ./
COPY patches ./patches
COPY src ./src
COPY bin ./bin
RUN npm ci
RUN npm prune --omit=dev

FROM node:22-bookworm-slim AS runtime
# system
RUN apt-get update && apt-get install -y --no-install-recommends tini && rm -rf /var/lib/apt/lists/* && mkdir -p /data && chown node:node /data
WORKDIR /app
ENV NODE_ENV=production
ENV DATABASE_URL=sqlite:/data/herald.db
ENV HERALD_CONFIG=/app/config/herald.yaml
# The health/metrics server listens on every interface inside the container (127.0.0.1 outside it).
ENV HTTP_HOST=0.0.0.0
ENV HTTP_PORT=8080
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
COPY bin ./bin
COPY config ./config
COPY demo ./demo
USER node
VOLUME ["/data"]
EXPOSE 8080
# /readyz: unhealthy while Herald cannot post (Discord refuses the token or is unreachable, the database does not answer); see README, Docker.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.HTTP_PORT||8080)+'/readyz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# tini is PID 1: it forwards SIGTERM to Node and reaps children; Node itself handles the graceful stop.
ENTRYPOINT ["/usr/bin/tini", "--", "node", "dist/cli.js"]
CMD ["run"]
