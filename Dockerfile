# syntax=docker/dockerfile:1
# The tierflow worker image (also the CLI), for amd64 and arm64 from one file:
#   docker buildx build --platform linux/amd64,linux/arm64 -t REGISTRY/tierflow:0.1.0 --push .
# Nothing below downloads an architecture-specific file by URL: Debian and npm serve each platform its own
# packages; node-rdkafka is compiled here, sharp and onnxruntime-node ship per-arch binaries inside their npm
# packages, and the face models are converted from weights that @vladmandic/face-api ships.
# Without a registry (CI here): infra/containers/build.sh makes a Debian base with Node 20 laid out as this image
# has it and passes it as --build-arg NODE_IMAGE=localhost/tierflow-base:bookworm-node20.
ARG NODE_IMAGE=node:20-bookworm-slim

FROM ${NODE_IMAGE} AS build
# Toolchain and headers node-rdkafka builds librdkafka with (SSL, SASL SCRAM, lz4, zstd).
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ libssl-dev libsasl2-dev zlib1g-dev liblz4-dev libzstd-dev ca-certificates \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
# node-gyp compiles against the image's own Node headers rather than fetching them.
ENV npm_config_nodedir=/usr/local
COPY package.json package-lock.json .npmrc ./
# Where TLS to the registry is intercepted by a proxy with its own CA, build.sh mounts the host's CA bundle for
# the build and names it here; unset otherwise, and the bundle never becomes part of a layer.
ARG npm_config_cafile
# Scripts are run by `npm rebuild` once the dependencies are in: `npm ci` would also run the package's own
# `prepare` (tsc, models) before its sources are copied.
RUN npm ci --no-audit --no-fund --ignore-scripts \
 && npm rebuild --no-audit --no-fund
COPY . .
# prune with --ignore-scripts: npm 10 otherwise runs node-rdkafka's install again (a second librdkafka compile).
# npm 11.19 (package.json's allowScripts) neither compiles node-rdkafka in the plain rebuild above nor keeps it
# through the prune ("changed 1 package": build/ gone), checked here; so it is compiled last, by name, where it is
# missing, and the build fails rather than ship an image without its Kafka client.
ARG RDKAFKA_ADDON=node_modules/node-rdkafka/build/Release/node-librdkafka.node
RUN npm run build \
 && npm run models \
 && npm prune --omit=dev --no-audit --no-fund --ignore-scripts \
 && { test -f "$RDKAFKA_ADDON" || npm rebuild --no-audit --no-fund node-rdkafka; } \
 && test -f "$RDKAFKA_ADDON"

FROM ${NODE_IMAGE} AS runtime
# ffmpeg decodes cameras; the rest are librdkafka's runtime libraries.
RUN apt-get update \
 && apt-get install -y --no-install-recommends ffmpeg libssl3 libsasl2-2 liblz4-1 libzstd1 ca-certificates \
 && rm -rf /var/lib/apt/lists/*
ENV NODE_ENV=production
# A worker's process settings (pipelines/runtime/process-tuning.ts): two malloc arenas, 16 libuv threads, a 1 MB V8 nursery.
ENV MALLOC_ARENA_MAX=2 UV_THREADPOOL_SIZE=16 NODE_OPTIONS=--max-semi-space-size=1
WORKDIR /app
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist/pipelines ./dist/pipelines
# The public API (`import … from 'tierflow'`): a topology's own operators, mounted into a worker, import it.
COPY --from=build /app/dist/api ./dist/api
COPY --from=build /app/dist/operators ./dist/operators
COPY --from=build /app/dist/models ./dist/models
COPY --from=build /app/models/onnx ./models/onnx
# The `node` user (uid 1000) of the base image; manifests run as that uid too. Workers keep state under .tierflow/.
RUN mkdir -p /app/.tierflow && chown node:node /app/.tierflow
USER node
EXPOSE 9464
ENTRYPOINT ["node", "dist/pipelines/cli/main.js"]
CMD ["--help"]
