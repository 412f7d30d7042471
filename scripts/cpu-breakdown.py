#!/usr/bin/env python3
# Percent of a process's CPU samples by component, from async-profiler's collapsed stacks with
# threads (scripts/profile-cpu). A sample goes to the first component found walking from the leaf
# towards the root; native and kernel frames go with the Java frame above them; the compiler and
# collector threads are their own components.
import collections, sys
RULES = [  # first match walking from the leaf towards the root (Java frames; native frames inherit)
    ("cipher (AES-GCM)", ("com/sun/crypto/provider/", "galoisCounterMode", "ghash_", "aescrypt", "org/apache/sshd/common/cipher/")),
    ("MAC", ("org/apache/sshd/common/mac/", "javax/crypto/Mac", "com/sun/crypto/provider/HmacCore")),
    ("BouncyCastle (key exchange, random)", ("org/bouncycastle/",)),
    ("file I/O", ("sun/nio/ch/FileChannelImpl", "UnixFileDispatcherImpl", "sun/nio/ch/FileDispatcher", "java/io/FileInputStream", "java/io/FileOutputStream", "sun/nio/ch/ChannelInputStream", "java/nio/file/")),
    ("socket I/O (syscalls)", ("sun/nio/ch/SocketDispatcher", "sun/nio/ch/EPoll", "sun/nio/ch/IOUtil", "UnixAsynchronousSocketChannelImpl.implRead", "UnixAsynchronousSocketChannelImpl.implWrite")),
    ("thread hand-offs (park/unpark/wait/notify)", ("jdk/internal/misc/Unsafe.park", "jdk/internal/misc/Unsafe.unpark", "java/lang/Object.wait", "java/lang/Object.notify", "java/util/concurrent/locks/", "java/util/concurrent/LinkedBlockingQueue", "java/util/concurrent/ThreadPoolExecutor")),
    ("MINA buffers (copies)", ("org/apache/sshd/common/util/buffer/", "java/nio/HeapByteBuffer", "java/nio/ByteBuffer", "jdk/internal/misc/Unsafe.copyMemory", "java/lang/System.arraycopy", "java/util/Arrays.copyOf", "java/io/ByteArrayInputStream")),
    ("SFTP client (MINA)", ("org/apache/sshd/sftp/",)),
    ("MINA session, channel, futures", ("org/apache/sshd/",)),
    ("Ferry", ("dev/ferry/",)),
]
def component(thread, frames):
    if "C2 Compiler" in thread or "C1 Compiler" in thread: return "JIT compilers"
    if thread.startswith("[GC") or "VM Thread" in thread: return "GC and VM thread"
    for f in reversed(frames):
        for name, pats in RULES:
            if any(p in f for p in pats): return name
    if any("Interpreter" in f for f in frames): return "other JDK (interpreted)"
    return "other (JDK, JVM)"
tot = collections.Counter(); n = 0
for line in open(sys.argv[1]):
    st, c = line.rstrip().rsplit(" ", 1); c = int(c); n += c
    fr = st.split(";")
    thread = fr[0] if fr[0].startswith("[") else ""
    tot[component(thread, fr[1:] if thread else fr)] += c
for k, v in tot.most_common(): print("  %-44s %5.1f%%" % (k, 100.0 * v / n))
print("  samples", n)
