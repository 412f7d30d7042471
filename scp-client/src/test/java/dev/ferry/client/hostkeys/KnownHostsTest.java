package dev.ferry.client.hostkeys;

import static dev.ferry.client.hostkeys.TestKeys.hashed;
import static dev.ferry.client.hostkeys.TestKeys.line;
import static dev.ferry.client.hostkeys.TestKeys.write;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.PublicKey;
import java.util.List;

import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.ferry.client.hostkeys.Lookup.Status;

class KnownHostsTest {

    private static final PublicKey KEY = TestKeys.ed25519();
    private static final PublicKey OTHER = TestKeys.ed25519();
    private static final PublicKey ECDSA = TestKeys.ecdsa();

    @TempDir
    Path dir;

    private KnownHosts read(String... lines) throws IOException {
        return KnownHosts.read(List.of(write(dir.resolve("known_hosts"), lines)));
    }

    private Status status(KnownHosts known, String name, PublicKey key) {
        return known.lookup(name, key).status();
    }

    @Test
    void hostNamesAreBareOnPort22AndBracketedWithTheirPortOtherwise() {
        assertEquals("host.example", KnownHosts.hostName("host.example", 22));
        assertEquals("[host.example]:2222", KnownHosts.hostName("host.example", 2222));
        assertEquals("host.example", KnownHosts.hostName("host.example", 0));
        assertEquals("[::1]:2222", KnownHosts.hostName("::1", 2222));
        assertEquals("[::1]:2222", KnownHosts.hostName("[::1]", 2222));
        assertEquals("[host.example]:2222", KnownHosts.hostName("Host.EXAMPLE", 2222));
    }

    @Test
    void aPlainNameMatchesItsKeyOnly() throws IOException {
        KnownHosts known = read(line("host.example", KEY));
        Lookup found = known.lookup("host.example", KEY);
        assertEquals(new Lookup(Status.MATCH, dir.resolve("known_hosts"), 1), found);
        assertEquals(Status.UNKNOWN, status(known, "other.example", KEY));
        assertEquals(Status.UNKNOWN, status(known, "host.example.evil", KEY));
    }

    @Test
    void everyNameOfACommaSeparatedListMatches() throws IOException {
        KnownHosts known = read(line("host.example,192.0.2.7,[host.example]:2222", KEY));
        assertEquals(Status.MATCH, status(known, "host.example", KEY));
        assertEquals(Status.MATCH, status(known, "192.0.2.7", KEY));
        assertEquals(Status.MATCH, status(known, "[host.example]:2222", KEY));
        assertEquals(Status.UNKNOWN, status(known, "192.0.2.8", KEY));
    }

    @Test
    void aBracketedEntryMatchesOnlyItsOwnPort() throws IOException {
        KnownHosts known = read(line("[host.example]:2222", KEY));
        assertEquals(Status.MATCH, status(known, "[host.example]:2222", KEY));
        assertEquals(Status.UNKNOWN, status(known, "host.example", KEY));
        assertEquals(Status.UNKNOWN, status(known, "[host.example]:2223", KEY));
    }

    @Test
    void namesMatchWhateverTheirCase() throws IOException {
        KnownHosts known = read(line("Host.Example.COM", KEY));
        assertEquals(Status.MATCH, status(known, "host.example.com", KEY));
        assertEquals(Status.MATCH, status(known, "HOST.example.com", KEY));
    }

    @Test
    void aHashedEntryMadeAsOpenSshMakesItMatchesItsNameOnly() throws IOException {
        KnownHosts known = read(line(hashed("host.example"), KEY), line(hashed("[relay.example]:2201"), OTHER));
        assertEquals(Status.MATCH, status(known, "host.example", KEY));
        assertEquals(Status.MATCH, status(known, "[relay.example]:2201", OTHER));
        assertEquals(Status.UNKNOWN, status(known, "relay.example", OTHER));
        assertEquals(Status.UNKNOWN, status(known, "other.example", KEY));
        assertEquals(Status.MISMATCH, status(known, "host.example", OTHER));
    }

    @Test
    void entriesHashedBySshKeygenMatchTheirNames() throws Exception {
        String sshKeygen = TestKeys.sshKeygen();
        Path file = write(dir.resolve("known_hosts"),
                line("host.example", KEY), line("[relay.example]:2201", OTHER));
        TestKeys.run(sshKeygen, "-H", "-f", file.toString()).ok();
        List<String> hashedLines = TestKeys.entries(file);
        assertEquals(2, hashedLines.size());
        assertTrue(hashedLines.stream().allMatch(l -> l.startsWith("|1|")), hashedLines.toString());

        KnownHosts known = KnownHosts.read(List.of(file));
        assertEquals(List.of(), known.skipped());
        assertEquals(Status.MATCH, status(known, "host.example", KEY));
        assertEquals(Status.MATCH, status(known, "[relay.example]:2201", OTHER));
        assertEquals(Status.UNKNOWN, status(known, "relay.example", OTHER));
        assertEquals(List.of(), known.namesOf(KEY));
        assertTrue(known.knows(KEY));
    }

    @Test
    void anEntryWeAppendIsFoundBySshKeygen() throws Exception {
        String sshKeygen = TestKeys.sshKeygen();
        Path file = dir.resolve("known_hosts");
        KnownHosts.append(file, "[host.example]:2222", KEY);
        TestKeys.Result r = TestKeys.run(sshKeygen, "-F", "[host.example]:2222", "-f", file.toString()).ok();
        assertTrue(r.output().contains(PublicKeyEntry.toString(KEY)), r.output());
        assertEquals(1, TestKeys.run(sshKeygen, "-F", "host.example", "-f", file.toString()).exit());
    }

    @Test
    void wildcardsMatchAsInOpenSsh() throws IOException {
        KnownHosts known = read(line("*.example.com", KEY), line("node?", OTHER), line("[relay.example]:*", ECDSA));
        assertEquals(Status.MATCH, status(known, "a.example.com", KEY));
        assertEquals(Status.MATCH, status(known, "a.b.example.com", KEY));
        assertEquals(Status.UNKNOWN, status(known, "example.com", KEY));
        assertEquals(Status.MATCH, status(known, "node1", OTHER));
        assertEquals(Status.UNKNOWN, status(known, "node12", OTHER));
        assertEquals(Status.UNKNOWN, status(known, "node", OTHER));
        assertEquals(Status.MATCH, status(known, "[relay.example]:2201", ECDSA));
        assertEquals(Status.UNKNOWN, status(known, "relay.example", ECDSA));
    }

    @Test
    void aLoneStarMatchesNamesWithAPortToo() throws IOException {
        // As ssh-keygen -F '[h]:2222' finds a "*" line: the pattern sees the whole name.
        KnownHosts known = read(line("*", KEY));
        assertEquals(Status.MATCH, status(known, "anything", KEY));
        assertEquals(Status.MATCH, status(known, "[h]:2222", KEY));
    }

    @Test
    void aNegatedPatternExcludesANameTheOthersWouldMatch() throws IOException {
        KnownHosts known = read(line("*.example.com,!evil.example.com", KEY), line("!bad.example.org,*.example.org", OTHER));
        assertEquals(Status.MATCH, status(known, "good.example.com", KEY));
        assertEquals(Status.UNKNOWN, status(known, "evil.example.com", KEY));
        assertEquals(Status.MATCH, status(known, "good.example.org", OTHER));
        assertEquals(Status.UNKNOWN, status(known, "bad.example.org", OTHER));
    }

    @Test
    void aNegationAloneMatchesNothing() throws IOException {
        KnownHosts known = read(line("!evil.example.com", KEY));
        assertEquals(Status.UNKNOWN, status(known, "good.example.com", KEY));
        assertEquals(Status.UNKNOWN, status(known, "evil.example.com", KEY));
    }

    @Test
    void anotherKeyOfTheSameTypeIsAChangedKeyAndSaysWhere() throws IOException {
        KnownHosts known = read("# comment", line("host.example", OTHER));
        assertEquals(new Lookup(Status.MISMATCH, dir.resolve("known_hosts"), 2), known.lookup("host.example", KEY));
    }

    @Test
    void aHostKnownOnlyWithKeysOfOtherTypesIsUnknown() throws IOException {
        KnownHosts known = read(line("host.example", ECDSA));
        assertEquals(Status.UNKNOWN, status(known, "host.example", KEY));
    }

    @Test
    void theListedKeyMatchesEvenAfterAnOlderKeyOfTheSameType() throws IOException {
        KnownHosts known = read(line("host.example", OTHER), line("host.example", KEY));
        assertEquals(new Lookup(Status.MATCH, dir.resolve("known_hosts"), 2), known.lookup("host.example", KEY));
    }

    @Test
    void aRevokedKeyIsRevokedEvenWhenAlsoListedAsTrusted() throws IOException {
        KnownHosts known = read(line("host.example", KEY), "@revoked " + line("host.example", KEY));
        assertEquals(new Lookup(Status.REVOKED, dir.resolve("known_hosts"), 2), known.lookup("host.example", KEY));
        assertFalse(known.knows(KEY));
        assertEquals(List.of(), known.namesOf(KEY));
    }

    @Test
    void aRevokedKeyIsRevokedUnderEveryName() throws IOException {
        KnownHosts known = read("@revoked " + line(hashed("old.example"), KEY), line("host.example", KEY));
        assertEquals(Status.REVOKED, status(known, "host.example", KEY));
        assertEquals(Status.REVOKED, status(known, "[relay.example]:2201", KEY));
        assertEquals(Status.UNKNOWN, status(known, "old.example", OTHER));
    }

    @Test
    void aRevocationWhosePatternMinaCouldNotCompileStillRevokes() throws IOException {
        KnownHosts known = read("@revoked " + line("[relay.example]:*", KEY), line("host.example", KEY));
        assertEquals(Status.REVOKED, status(known, "host.example", KEY));
    }

    @Test
    void certAuthorityLinesAreIgnored() throws IOException {
        KnownHosts known = read("@cert-authority " + line("*.example.com", KEY));
        assertEquals(Status.UNKNOWN, status(known, "host.example.com", KEY));
        assertFalse(known.knows(KEY));
        assertEquals(List.of(), known.skipped());
    }

    @Test
    void malformedLinesAreSkippedAndTheRestIsRead() throws IOException {
        KnownHosts known = read(
                "garbage",
                "host.example ssh-ed25519",
                "host.example ssh-ed25519 not-base64!!",
                "host.example ssh-unknown-type AAAAB3NzaC1yc2E=",
                "@bogus " + line("host.example", OTHER),
                "@revoked",
                line("|1|not*base64|x", OTHER),
                line("|1|AAAAAAAAAAAAAA==|AAAAAAAAAAAAAAAAAAAAAAAAAAA=", OTHER),
                line("a,,b", OTHER),
                line("host.example", KEY));
        assertEquals(Status.MATCH, status(known, "host.example", KEY));
        assertEquals(9, known.skipped().size(), known.skipped().toString());
        assertTrue(known.skipped().get(0).startsWith(dir.resolve("known_hosts") + ":1: "), known.skipped().get(0));
        assertTrue(known.skipped().get(4).startsWith(dir.resolve("known_hosts") + ":5: "), known.skipped().get(4));
    }

    @Test
    void commentsBlankLinesTrailingCommentsAndCrlfAreFine() throws IOException {
        Path file = dir.resolve("known_hosts");
        Files.writeString(file, "# a comment\r\n\r\n   \r\n\t" + line("host.example", KEY) + " root@host\r\n"
                + line("other.example", OTHER) + "  # note");
        KnownHosts known = KnownHosts.read(List.of(file));
        assertEquals(List.of(), known.skipped());
        assertEquals(new Lookup(Status.MATCH, file, 4), known.lookup("host.example", KEY));
        assertEquals(Status.MATCH, status(known, "other.example", OTHER));
    }

    @Test
    void aMissingFileIsEmpty() throws IOException {
        KnownHosts known = KnownHosts.read(List.of(dir.resolve("absent"), dir.resolve("no/such/dir/known_hosts")));
        assertEquals(Status.UNKNOWN, status(known, "host.example", KEY));
        assertFalse(known.knows(KEY));
    }

    @Test
    void everyFileIsReadAndTheDecidingOneIsNamed() throws IOException {
        Path user = write(dir.resolve("user"), line("user.example", OTHER));
        Path system = write(dir.resolve("system"), line("host.example", KEY));
        KnownHosts known = KnownHosts.read(List.of(user, system));
        assertEquals(new Lookup(Status.MATCH, system, 1), known.lookup("host.example", KEY));
        assertEquals(new Lookup(Status.MATCH, user, 1), known.lookup("user.example", OTHER));
    }

    @Test
    void namesOfListsOnlyThePlainNamesOfTheKey() throws IOException {
        KnownHosts known = read(
                line("a.example,[b.example]:2200,*.wild.example,!neg.example,c?.example", KEY),
                line(hashed("hidden.example"), KEY),
                line("a.example,d.example", KEY),
                line("other.example", OTHER));
        assertEquals(List.of("a.example", "[b.example]:2200", "d.example"), known.namesOf(KEY));
        assertEquals(List.of("other.example"), known.namesOf(OTHER));
        assertEquals(List.of(), known.namesOf(ECDSA));
    }

    /** Found while writing KnownHostsFuzzTest's invariant (a listed name must match the key). */
    @Test
    void namesOfLeavesOutANameItsOwnLineNegates() throws IOException {
        KnownHosts known = read(line("a.example,!a.example,b.example,!*.b.example", KEY));
        assertEquals(List.of("b.example"), known.namesOf(KEY));
        assertEquals(Status.UNKNOWN, status(known, "a.example", KEY));
    }

    @Test
    void aKeyListedOnlyUnderAHashedNameIsKnownWithoutANameToShow() throws IOException {
        KnownHosts known = read(line(hashed("hidden.example"), KEY));
        assertTrue(known.knows(KEY));
        assertEquals(List.of(), known.namesOf(KEY));
        assertFalse(known.knows(OTHER));
    }

    @Test
    void appendCreatesAPrivateFileInAPrivateDirectoryWithExactlyOneLine() throws IOException {
        Path file = dir.resolve("home/.ssh/known_hosts");
        KnownHosts.append(file, "[host.example]:2222", KEY);
        assertEquals("[host.example]:2222 " + PublicKeyEntry.toString(KEY) + "\n", Files.readString(file));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file.getParent())));
        assertEquals(Status.MATCH, status(KnownHosts.read(List.of(file)), "[host.example]:2222", KEY));
    }

    @Test
    void appendAddsToTheEndAndLeavesAnExistingFilesModeAlone() throws IOException {
        Path file = write(dir.resolve("known_hosts"), line("first.example", OTHER));
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        KnownHosts.append(file, "second.example", KEY);
        assertEquals(List.of(line("first.example", OTHER), line("second.example", KEY)), Files.readAllLines(file));
        assertEquals("rw-r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
    }

    @Test
    void appendStartsANewLineWhenTheFileDoesNotEndWithOne() throws IOException {
        Path file = dir.resolve("known_hosts");
        Files.writeString(file, line("first.example", OTHER));
        KnownHosts.append(file, "second.example", KEY);
        KnownHosts known = KnownHosts.read(List.of(file));
        assertEquals(Status.MATCH, status(known, "first.example", OTHER));
        assertEquals(Status.MATCH, status(known, "second.example", KEY));
    }

    @Test
    void appendRefusesNamesThatWouldNotReadBackAsThatName() {
        for (String bad : new String[] {"", "a b", "a,b", "*.example", "node?", "!x", "|1|x|y", "@revoked", "#x", "a\tb"}) {
            assertThrows(IllegalArgumentException.class, () -> KnownHosts.append(dir.resolve("kh"), bad, KEY), bad);
        }
        assertFalse(Files.exists(dir.resolve("kh")));
    }
}
