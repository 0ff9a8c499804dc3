# roleguard in a container: the GitHub App (`serve`, the default command) and the CLI.
#
#   docker build -t roleguard \
#     --build-arg VERSION="$(node -p 'require("./package.json").version')" \
#     --build-arg REVISION="$(git rev-parse HEAD)" --build-arg SOURCE=https://github.com/OWNER/roleguard .
#   docker run --rm -p 3000:3000 --stop-timeout 30 -e APP_ID -e WEBHOOK_SECRET -e PRIVATE_KEY roleguard
#   docker run --rm -v "$PWD:/repo" -w /repo roleguard check --base main
#
# No `# syntax=` line on purpose: it would fetch a frontend image at build time, unpinned. The builder's own
# frontend reads this file (BuildKit in Docker >= 23, buildah/podman); RUN --mount needs one of those.
# podman/buildah: build with --format docker, or the OCI format drops HEALTHCHECK.

# The base: Node 22 (LTS) on Debian bookworm, pinned by digest (a tag can be moved to other content, a digest
# cannot). Renovate's dockerfile manager reads this default where FROM uses it and proposes the next digest
# (README: The base image, pinned by digest). Another base for every stage, e.g. a registry mirror or
# `npm run test:image`'s locally built stand-in: --build-arg NODE_IMAGE=...
ARG NODE_IMAGE=docker.io/library/node:22-bookworm-slim@sha256:43ac6c60b8f89723f746e8a92ce91abd5017e627ce1ddfe4238355d3a30b772c

# ---- build: all dependencies, TypeScript -> dist/ ------------------------------------------
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
# A private registry's .npmrc comes in as a build secret (`--secret id=npmrc,src=$HOME/.npmrc`): mounted for this
# step only, never written to a layer. Without the secret the mount is skipped and the public registry is used.
# No install scripts here either: the build needs none (esbuild's postinstall only re-checks the binary its
# platform package already holds), and an install script run under a private registry's npmrc with a CA bundle
# in it fails to spawn (E2BIG: the bundle is passed in the environment).
RUN --mount=type=secret,id=npmrc,target=/root/.npmrc \
    --mount=type=cache,target=/root/.npm \
    npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY scripts/bundle-cli.mjs ./scripts/
COPY src ./src
RUN npm run build

# ---- production dependencies only ----------------------------------------------------------
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
# No production dependency has an install script (package-lock.json: no "hasInstallScript"); refuse to run any.
RUN --mount=type=secret,id=npmrc,target=/root/.npmrc \
    --mount=type=cache,target=/root/.npm \
    npm ci --omit=dev --ignore-scripts --no-audit --no-fund

# ---- runtime -------------------------------------------------------------------------------
FROM ${NODE_IMAGE} AS runtime
# `roleguard check` reads the mounted checkout with git. The checkout belongs to the host's user, not to uid 1000,
# and git refuses a repository another user owns (safe.directory): trust every directory, system-wide. The
# container holds no repository of its own, and roleguard only reads.
RUN apt-get update \
 && apt-get install -y --no-install-recommends git \
 && apt-get clean \
 && rm -rf /var/lib/apt/lists/* \
 && git config --system --add safe.directory '*'
# HOST=0.0.0.0: Probot and `roleguard serve` listen on localhost otherwise, unreachable from outside the container.
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000
WORKDIR /app
# Owned by root, read-only to the user the server runs as: the process cannot rewrite its own code.
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json app.yml ./
COPY roles ./roles
# Last, so a new commit rebuilds no layer above.
ARG VERSION=""
ARG REVISION=""
ARG SOURCE=""
LABEL org.opencontainers.image.title="roleguard" \
      org.opencontainers.image.description="Holds every pull request to the role of whoever wrote it (GitHub App and CLI)." \
      org.opencontainers.image.licenses="MIT" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.source="${SOURCE}"
# Numeric: Kubernetes' runAsNonRoot cannot tell whether a user name is root, and refuses it. 1000 is the base's `node`.
USER 1000:1000
EXPOSE 3000
# slim images have no curl: Node's fetch. /healthz answers 200 once the app is loaded, 503 while starting or draining.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# Exec form, no shell and no entry-point script: node is PID 1 and gets SIGTERM itself; `serve` then drains
# evaluations in flight (up to 25 s) before exiting, so give it more than Docker's default 10 s:
# `docker run --stop-timeout 30`, or terminationGracePeriodSeconds: 30 on Kubernetes.
# Arguments after the image name replace CMD: `docker run IMAGE check --base main`, `docker run IMAGE --version`.
ENTRYPOINT ["node", "/app/dist/bin.js"]
CMD ["serve"]
