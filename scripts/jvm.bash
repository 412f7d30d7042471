# Which JVM runs Ferry, and with which options; sourced (no process started) by scripts/launch and by
# the distribution's bin/ferry and bin/ferryd, which run the same programs from an unpacked archive.
# Reads $name (ferry or ferryd) and $directives (the compiler directives file of a run of ferry);
# sets java_bin, java_version (the JDK's feature version, 0 when unknown), vm and quiet_vm.
# The JVM: FERRY_JAVA when set (a java executable or a JDK's home), otherwise the newest JDK of
# version 17 or later among JAVA_HOME and the JDKs under FERRY_JVM_DIR (default /usr/lib/jvm),
# otherwise java on PATH. Newer JDKs start faster (JDK 25's ahead-of-time cache keeps linked classes
# and method profiles, below) and run the same Java 17 bytecode.
jvm_dir="${FERRY_JVM_DIR:-/usr/lib/jvm}"
# Sets $feature to the feature version of the JDK at $1 from its release file (no JVM started), or 0.
feature_of() {
  local line v=""
  if [ -r "$1/release" ]; then
    while IFS= read -r line || [ -n "$line" ]; do
      case "$line" in
        JAVA_VERSION=\"*) v="${line#JAVA_VERSION=\"}"; v="${v%%[!0-9.]*}"; break ;; # "27-ea" is 27
      esac
    done < "$1/release"
  fi
  v="${v#1.}" # 1.8.0 is 8
  v="${v%%.*}"
  case "$v" in ''|*[!0-9]*) v=0 ;; esac
  feature="$v"
}
java_bin=""
java_version=0
if [ -n "${FERRY_JAVA:-}" ]; then
  java_bin="$FERRY_JAVA"
  [ -d "$java_bin" ] && java_bin="$java_bin/bin/java"
  feature_of "${java_bin%/bin/*}"
  java_version="$feature"
else
  for jdk in ${JAVA_HOME:+"$JAVA_HOME"} "$jvm_dir"/*; do
    [ -x "$jdk/bin/java" ] || continue
    feature_of "$jdk"
    if [ "$feature" -ge 17 ] && [ "$feature" -gt "$java_version" ]; then
      java_bin="$jdk/bin/java"
      java_version="$feature"
    fi
  done
  if [ -z "$java_bin" ]; then
    java_bin=java
    path_java=$(command -v java || true)
    if [ -n "$path_java" ]; then
      path_java=$(readlink -f "$path_java")
      feature_of "${path_java%/bin/*}"
      java_version="$feature"
    fi
  fi
fi

# ferryd's heap bounds what its clients may have in flight (its receive budget is a quarter of the
# heap: 512 MiB, eight full 64 MiB windows); a client copies one thing and needs less.
heap=512m
young=64m
# ferryd serves many transfers at once: a 64 MiB young generation filled every ~50 MB of 40 concurrent
# uploads, each collection copying and promoting the bytes in flight; a quarter of the heap took its
# collector from 4.5 to 0.8 CPU-s and its peak RSS from 1.4 to 0.7 GiB (docs/benchmarks-scale.md).
[ "$name" = ferryd ] && heap=2g && young=512m

# AES-GCM's GHASH and AES-CTR run as fast intrinsics only once C2 has compiled their callers, which
# a fresh JVM reaches after about a GiB of packets (a 1 GiB upload spent half the client's time in
# GHASH's Java code); compiling the JDK's cipher classes twenty times sooner made a 1 GiB
# ferry cp 4.6 -> 3.4 s (docs/benchmark-findings.md).
jit=(-XX:CompileCommand=quiet "-XX:CompileCommand=CompileThresholdScaling,com.sun.crypto.provider.*::*,0.05")

# IP_TOS (-o IPQoS) is set through the JDK's own socket code on MINA's asynchronous sockets, and so is
# a copying thread's claim to complete its own writes (common/.../transport/InlineCompletions.java).
# The serial collector with a small young generation for a copy: it makes short-lived buffers only,
# and on two cores this measured the least CPU and memory per GiB (see docs/benchmarks.md).
vm=("${jit[@]}" --add-opens java.base/sun.nio.ch=ALL-UNNAMED -XX:+UseSerialGC -Xmn"$young" -Xmx"$heap")
# zstd (aircompressor) reads its buffers through sun.misc.Unsafe, about which JDK 24 and later print
# four lines of warning on standard error at the first use, even with -q; JDK 23 and later take this
# option, which keeps that access as it was (JEP 471).
[ "$java_version" -ge 23 ] && vm+=(--sun-misc-unsafe-memory-access=allow)
# The JVM prints its cache messages and its compiler directives' count on standard output; they would
# mix with Ferry's (--json).
quiet_vm=(-XX:+UnlockDiagnosticVMOptions -XX:-DisplayVMOutput)
# A run of ferry is short: C2 compiles only the code a copy's speed depends on, the rest stays at C1
# (scripts/jit-directives.json says why and what it measured). ferryd and ferry's control master
# (which drops the option) live long and compile everything hot with C2.
if [ "$name" = ferry ] && [ -f "$directives" ]; then # an if: a false test as the last line would fail `source`
  vm+=("${quiet_vm[@]}" -XX:CompilerDirectivesFile="$directives")
fi
