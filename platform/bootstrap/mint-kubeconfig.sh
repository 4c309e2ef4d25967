#!/usr/bin/env bash
# Mint the kubeconfig of one CI identity (preview or apply) for one cluster, from your own admin kubeconfig.
#
#   platform/bootstrap/mint-kubeconfig.sh <preview|apply> <context-name> [duration] > kubeconfig-<role>
#
# <context-name> must be the cluster's `context:` in platform/settings.yaml (the program selects it).
# The token is a bound ServiceAccount token from `kubectl create token` (TokenRequest API); the API server may
# cap the duration (--service-account-max-token-expiration): mint again before it expires.
# Store the output as the GitHub environment secret the workflows read (see docs/ci.md), never in git and never
# as a stack secret: the program reads the kubeconfig from $KUBECONFIG only.
set -euo pipefail

role="${1:?usage: mint-kubeconfig.sh <preview|apply> <context-name> [duration]}"
context="${2:?usage: mint-kubeconfig.sh <preview|apply> <context-name> [duration]}"
duration="${3:-720h}"
case "$role" in preview|apply) ;; *) echo "role must be preview or apply" >&2; exit 2 ;; esac

namespace=tenant-platform-system
account="tenant-platform-$role"
server="$(kubectl config view --minify --raw -o jsonpath='{.clusters[0].cluster.server}')"
ca="$(kubectl config view --minify --raw -o jsonpath='{.clusters[0].cluster.certificate-authority-data}')"
if [ -z "$ca" ]; then
  ca_file="$(kubectl config view --minify --raw -o jsonpath='{.clusters[0].cluster.certificate-authority}')"
  ca="$(base64 -w0 < "$ca_file")"
fi
token="$(kubectl -n "$namespace" create token "$account" --duration "$duration")"

cat <<KUBECONFIG
apiVersion: v1
kind: Config
clusters:
  - name: $context
    cluster:
      server: $server
      certificate-authority-data: $ca
users:
  - name: $account
    user:
      token: $token
contexts:
  - name: $context
    context:
      cluster: $context
      user: $account
current-context: $context
KUBECONFIG
