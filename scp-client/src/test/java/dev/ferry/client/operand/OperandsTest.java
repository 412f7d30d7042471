package dev.ferry.client.operand;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.OptionalInt;

import org.junit.jupiter.api.Test;

class OperandsTest {

    private static Operand.Remote remote(String user, String host, String path) {
        return new Operand.Remote(user, host, OptionalInt.empty(), path);
    }

    @Test
    void plainPathsAreLocal() {
        assertEquals(new Operand.Local("file.txt"), Operands.parse("file.txt"));
        assertEquals(new Operand.Local("/abs/file"), Operands.parse("/abs/file"));
        assertEquals(new Operand.Local("./a:b"), Operands.parse("./a:b"), "a colon after a slash is local");
        assertEquals(new Operand.Local("dir/a:b"), Operands.parse("dir/a:b"));
        assertEquals(new Operand.Local(":leading"), Operands.parse(":leading"));
    }

    @Test
    void hostColonPathIsRemote() {
        assertEquals(remote("", "host", "file"), Operands.parse("host:file"));
        assertEquals(remote("alice", "host", "/abs/f"), Operands.parse("alice@host:/abs/f"));
        assertEquals(remote("alice", "host", ""), Operands.parse("alice@host:"));
        assertEquals(remote("", "host", "a:b"), Operands.parse("host:a:b"), "only the first colon splits");
        assertEquals(remote("me@corp", "host", "x"), Operands.parse("me@corp@host:x"), "the last @ splits");
        assertEquals(remote("", "host", "with space.txt"), Operands.parse("host:with space.txt"));
    }

    @Test
    void bracketedIpv6AddressesAreRemote() {
        assertEquals(remote("", "::1", "f"), Operands.parse("[::1]:f"));
        assertEquals(remote("bob", "fe80::1%eth0", "/d/"), Operands.parse("bob@[fe80::1%eth0]:/d/"));
    }

    @Test
    void scpUrisCarryAPort() {
        assertEquals(new Operand.Remote("alice", "host", OptionalInt.of(2222), "file name"),
                Operands.parse("scp://alice@host:2222/file%20name"));
        assertEquals(new Operand.Remote("", "host", OptionalInt.empty(), "/abs"), Operands.parse("scp://host//abs"));
        assertEquals(new Operand.Remote("", "::1", OptionalInt.of(22), ""), Operands.parse("scp://[::1]:22"));
        assertEquals(new Operand.Remote("u", "h", OptionalInt.empty(), "p"), Operands.parse("scp://u;fingerprint=x@h/p"));
    }

    @Test
    void malformedOperandsAreRefusedWithASentence() {
        assertThrows(IllegalArgumentException.class, () -> Operands.parse(""));
        assertThrows(IllegalArgumentException.class, () -> Operands.parse("@host:x"));
        assertThrows(IllegalArgumentException.class, () -> Operands.parse("[]:x"));
        assertThrows(IllegalArgumentException.class, () -> Operands.parse("scp:///nohost"));
    }
}
