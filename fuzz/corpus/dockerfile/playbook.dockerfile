# syntax=docker/dockerfile:1
ARG GO=1.22
FROM golang:${GO:-1.22} AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN --mount=type=cache,target=/root/go/pkg go mod download
COPY . .
RUN CGO_ENABLED=0 go build -ldflags="-s -w" -o /out/app . && \
    echo done | tee /tmp/x
FROM gcr.io/distroless/static:nonroot
COPY --from=build --chmod=755 /out/app /app
RUN <<EOF bash
apt-get update && apt-get install -y curl
EOF
USER 65532
ENTRYPOINT ["/app"]
