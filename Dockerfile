# salesflow on Debian 12: build stage with the -dev packages, slim runtime stage.
FROM debian:12 AS build
RUN apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      g++ cmake make pkg-config libcpp-httplib-dev libmariadb-dev libssl-dev zlib1g-dev \
      libpugixml-dev nlohmann-json3-dev libcli11-dev libspdlog-dev libfmt-dev libroaring-dev \
      libjs-chart.js libgtest-dev libgmock-dev libbenchmark-dev \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN cmake --preset release -DSALESFLOW_BUILD_TESTS=OFF -DSALESFLOW_BUILD_BENCH=OFF \
    && cmake --build --preset release --target salesflow

FROM debian:12-slim
RUN apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      libcpp-httplib0.11 libmariadb3 libssl3 zlib1g libpugixml1v5 libspdlog1.10 libfmt9 \
      libroaring0 ca-certificates curl \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --home /var/lib/salesflow salesflow
COPY --from=build /src/build/release/salesflow /usr/local/bin/salesflow
USER salesflow
EXPOSE 8080
ENV SALESFLOW_LISTEN=0.0.0.0:8080
HEALTHCHECK CMD curl -fsS http://127.0.0.1:8080/healthz || exit 1
ENTRYPOINT ["salesflow"]
CMD ["serve"]
