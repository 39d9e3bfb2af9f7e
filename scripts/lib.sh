# Shared by ./levee, ./test and .ci/run: find a JDK >= 25 and run Maven with it.
# Sourced, not executed.

LEVEE_ROOT=${LEVEE_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}

# Prints the major version of the java binary given, or nothing.
java_major() {
  "$1" -XshowSettings:properties -version 2>&1 |
    sed -n 's/^ *java\.specification\.version = \([0-9]*\).*/\1/p' | head -n 1
}

# Sets JAVA_HOME to a JDK >= 25: $JAVA_HOME if it qualifies, else Temurin 25, else any
# /usr/lib/jvm entry that qualifies. Exits with a message naming what to install otherwise.
levee_find_jdk() {
  local candidate major
  for candidate in "${JAVA_HOME:-}" /usr/lib/jvm/temurin-25-jdk-amd64 /usr/lib/jvm/*; do
    [ -n "$candidate" ] && [ -x "$candidate/bin/javac" ] || continue
    major=$(java_major "$candidate/bin/java")
    if [ -n "$major" ] && [ "$major" -ge 25 ]; then
      export JAVA_HOME=$candidate
      export PATH="$JAVA_HOME/bin:$PATH"
      return 0
    fi
  done
  echo "levee: no JDK 25 or newer found (looked at \$JAVA_HOME and /usr/lib/jvm)." >&2
  echo "levee: install one (for example Temurin 25 at /usr/lib/jvm/temurin-25-jdk-amd64) or set JAVA_HOME." >&2
  exit 1
}

levee_require_maven() {
  if ! command -v mvn >/dev/null 2>&1; then
    echo "levee: Maven (mvn) is not installed: apt-get install maven" >&2
    exit 1
  fi
}

# Installs the Debian packages Levee needs at run or test time, when any is missing.
# apt-get update runs only when something has to be installed.
levee_install_packages() {
  local missing=() pkg
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" -ne 0 ]; then
    echo "levee: missing Debian packages: ${missing[*]} (run as root, or apt-get install them)" >&2
    return 1
  fi
  echo "levee: installing ${missing[*]}" >&2
  DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 update -qq >&2 &&
    DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends "${missing[@]}" >&2
}
