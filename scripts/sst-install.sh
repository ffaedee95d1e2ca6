#!/usr/bin/env bash
# Installs SST's platform into .sst/platform (SST components, Pulumi, the AWS provider package), which
# the offline checks typecheck and run against, only when it is missing or stale. Needs the npm
# registry, no AWS account. `.sst/` is gitignored, so a clean clone always runs the install once.
set -euo pipefail

case "${1:-}" in
  -h|--help)
    cat <<'USAGE'
npm run sst:install: installs SST's platform (.sst/platform: SST's components, Pulumi, the pinned AWS
provider) when it is missing or stale, for the offline infrastructure checks. Needs the npm registry,
no AWS account.

  npm run sst:install

Options:
  -h, --help   this text
USAGE
    exit 0 ;;
  '') ;;
  *) echo "error: unknown option $1 (npm run sst:install -- --help lists the options)" >&2; exit 1 ;;
esac

cd "$(dirname "$0")/.."

platform=.sst/platform
version_of () { node -p "try { require('./$1/package.json').version } catch { '' }"; }

wanted_sst=$(version_of node_modules/sst)
wanted_aws=$(node --import tsx --input-type=module -e "console.log((await import('./infra/settings.ts')).AWS_PROVIDER_VERSION)")

stale_because () {
  if [ ! -f "$platform/version" ]; then echo "$platform is missing"; return; fi
  local have_sst; have_sst=$(cat "$platform/version")
  if [ "$have_sst" != "$wanted_sst" ]; then echo "$platform is SST $have_sst, the project uses $wanted_sst"; return; fi
  if [ -z "$(version_of "$platform/node_modules/@pulumi/pulumi")" ]; then echo "$platform has no @pulumi/pulumi (an interrupted install?)"; return; fi
  local have_aws; have_aws=$(version_of "$platform/node_modules/@pulumi/aws")
  if [ "$have_aws" != "$wanted_aws" ]; then echo "@pulumi/aws is ${have_aws:-missing}, sst.config.ts pins $wanted_aws"; return; fi
}

reason=$(stale_because)
if [ -z "$reason" ]; then
  echo "sst platform up to date (SST $wanted_sst, @pulumi/aws $wanted_aws)"
  exit 0
fi
echo "installing the sst platform: $reason"
# Offline flags: no dependency check against the registry, npm instead of bun, no telemetry.
SST_SKIP_DEPENDENCY_CHECK=1 SST_NO_BUN=1 SST_TELEMETRY_DISABLED=1 npx sst install --stage dev
reason=$(stale_because)
if [ -n "$reason" ]; then
  echo "sst install finished but the platform is still stale: $reason" >&2
  exit 1
fi
