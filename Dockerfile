# syntax=docker/dockerfile:1
# roleguard as a GitHub App server (`roleguard serve`): webhooks on PORT, GET /healthz, GET /metrics.
#
#   docker build -t roleguard .
#   docker run --rm -p 3000:3000 --stop-timeout 30 -e APP_ID -e WEBHOOK_SECRET -e PRIVATE_KEY roleguard
#
# Node 22 (LTS) by default; the code supports Node >= 20.18 (package.json engines).
# For reproducible builds pin the base image by digest: --build-arg NODE_IMAGE=node:22-slim@sha256:...
ARG NODE_IMAGE=node:22-slim

# ---- build: all dependencies, TypeScript -> dist/ ------------------------------------------
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

# ---- production dependencies only ----------------------------------------------------------
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
# No production dependency has an install script (package-lock.json: no "hasInstallScript"); refuse to run any.
RUN --mount=type=cache,target=/root/.npm npm ci --omit=dev --ignore-scripts --no-audit --no-fund

# ---- runtime -------------------------------------------------------------------------------
FROM ${NODE_IMAGE} AS runtime
LABEL org.opencontainers.image.title="roleguard" \
      org.opencontainers.image.description="Holds every pull request to the role of whoever wrote it (GitHub App)." \
      org.opencontainers.image.licenses="MIT"
# HOST=0.0.0.0: Probot and `roleguard serve` listen on localhost otherwise, unreachable from outside the container.
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000
WORKDIR /app
# Owned by root, read-only to the `node` user the server runs as: the process cannot rewrite its own code.
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json app.yml ./
COPY roles ./roles
USER node
EXPOSE 3000
# slim images have no curl: Node's fetch. /healthz answers 200 once the app is loaded, 503 while starting or draining.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# Exec form: node is PID 1 and gets SIGTERM itself; `serve` then drains evaluations in flight (up to 25 s) before
# exiting, so give it more than Docker's default 10 s: `docker run --stop-timeout 30`, or
# terminationGracePeriodSeconds: 30 on Kubernetes.
CMD ["node", "dist/bin.js", "serve"]
