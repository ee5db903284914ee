# kaudit as a container image: a static binary (CGO off: the SQLite of the
# run history is pure Go) on distroless/static, which holds CA
# certificates, time zones and a nonroot user, and no shell.
#
#   docker build -t kaudit .
#   docker build --build-arg VERSION=v1.2.0 -t kaudit:v1.2.0 .
#
# Without VERSION, kaudit reports the module version or git revision the
# build recorded (the .git directory is part of the build context).

FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=""
RUN CGO_ENABLED=0 go build -trimpath \
      -ldflags "-s -w -X github.com/kaudit/kaudit/internal/app.Version=${VERSION}" \
      -o /out/kaudit ./cmd/kaudit \
 && mkdir -p /out/data

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/kaudit /usr/local/bin/kaudit
# The run history goes to $XDG_DATA_HOME/kaudit/history.db: mount a
# volume there (or pass --store / --no-store) to keep it between runs.
# The directory belongs to distroless's nonroot user (65532), so that a
# named volume created from it is writable.
COPY --from=build --chown=65532:65532 /out/data /data
ENV XDG_DATA_HOME=/data
VOLUME /data
ENTRYPOINT ["/usr/local/bin/kaudit"]
