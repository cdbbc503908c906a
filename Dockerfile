# syntax=docker/dockerfile:1
# Build: compile TypeScript with the full toolchain.
FROM node:24-bookworm-slim AS build
WORKDIR /app
ENV ONNXRUNTIME_NODE_INSTALL=skip
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY migrations ./migrations
COPY scripts ./scripts
# tsc, then the hosted flow's client bundle (public/hosted/, not in git).
RUN npm run build

# Production dependencies only (argon2 builds from source here, so the toolchain stays in this stage).
FROM node:24-bookworm-slim AS deps
WORKDIR /app
ENV ONNXRUNTIME_NODE_INSTALL=skip
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund

# Runtime: no compilers, non-root user, data and keys on volumes.
FROM node:24-bookworm-slim
ENV NODE_ENV=production KEYS_DIR=/var/lib/kycport/keys DATA_DIR=/var/lib/kycport/data PORT=3000
WORKDIR /app
RUN apt-get update && apt-get install -y --no-install-recommends tini && rm -rf /var/lib/apt/lists/* \
  && useradd --system --uid 10001 --home /var/lib/kycport kycport && mkdir -p /var/lib/kycport/keys /var/lib/kycport/data \
  && chown -R kycport /var/lib/kycport
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json llms.txt README.md ./
COPY docs ./docs
COPY public ./public
COPY --from=build /app/public/hosted ./public/hosted
COPY assets ./assets
COPY bin ./bin
USER kycport
VOLUME ["/var/lib/kycport"]
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=3s CMD node -e "fetch('http://127.0.0.1:'+process.env.PORT+'/health/ready').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["node", "dist/src/main.js"]
