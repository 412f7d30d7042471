package dev.ferry.client.hostkeys;

import static dev.ferry.client.hostkeys.TestKeys.hashed;
import static dev.ferry.client.hostkeys.TestKeys.line;
import static dev.ferry.client.hostkeys.TestKeys.write;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.reflect.Proxy;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;

import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.client.session.ClientSessionCreator;
import org.apache.sshd.common.util.net.SshdSocketAddress;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FerryHostKeyVerifierTest {

    private static final PublicKey KEY = TestKeys.ed25519();
    private static final PublicKey OLD_KEY = TestKeys.ed25519();

    @TempDir
    Path dir;

    private Path userFile;
    private Path systemFile;
    private final List<String> warnings = new ArrayList<>();
    private final List<String> questions = new ArrayList<>();

    @BeforeEach
    void files() {
        userFile = dir.resolve("home/.ssh/known_hosts");
        systemFile = dir.resolve("etc/ssh_known_hosts");
    }

    private FerryHostKeyVerifier verifier(StrictHostKeyChecking mode) {
        return verifier(mode, b -> b);
    }

    private FerryHostKeyVerifier verifier(StrictHostKeyChecking mode, UnaryOperator<HostKeyPolicy.Builder> more) {
        return new FerryHostKeyVerifier(more.apply(HostKeyPolicy.builder()
                .strictHostKeyChecking(mode)
                .knownHostsFiles(List.of(userFile, systemFile))
                .warnings(warnings::add)).build());
    }

    /** What MINA would ask, without a session: the address is unresolved, so no DNS is used. */
    private static boolean check(FerryHostKeyVerifier verifier, String host, int port, PublicKey key) {
        return verifier.verifyServerKey(null, InetSocketAddress.createUnresolved(host, port), key);
    }

    private static String refusal(FerryHostKeyVerifier verifier) {
        return verifier.lastRefusal().orElseThrow();
    }

    /** A session that answers only what the verifier asks a session. */
    private static ClientSession session(SocketAddress connectAddress, SshdSocketAddress jumpTarget) {
        return (ClientSession) Proxy.newProxyInstance(ClientSession.class.getClassLoader(),
                new Class<?>[] {ClientSession.class}, (proxy, method, args) -> switch (method.getName()) {
                    case "getConnectAddress" -> connectAddress;
                    case "getAttribute" -> args[0] == ClientSessionCreator.TARGET_SERVER ? jumpTarget : null;
                    case "toString" -> "test session";
                    case "hashCode" -> 1;
                    case "equals" -> proxy == args[0];
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }

    @Test
    void aListedKeyIsAcceptedUnderEveryMode() throws IOException {
        write(userFile, line("[host.example]:2222", KEY));
        for (StrictHostKeyChecking mode : StrictHostKeyChecking.values()) {
            FerryHostKeyVerifier v = verifier(mode);
            assertTrue(check(v, "host.example", 2222, KEY), mode.toString());
            assertEquals(Optional.empty(), v.lastRefusal());
        }
        assertEquals(1, TestKeys.entries(userFile).size());
    }

    @Test
    void aKeyListedInTheSystemFileIsAccepted() throws IOException {
        write(systemFile, line("host.example", KEY));
        assertTrue(check(verifier(StrictHostKeyChecking.YES), "host.example", 22, KEY));
    }

    @Test
    void aRevokedKeyIsRefusedUnderEveryModeEvenWithCheckingOff() throws IOException {
        write(userFile, line("host.example", KEY));
        write(systemFile, "@revoked " + line("*", KEY));
        for (StrictHostKeyChecking mode : StrictHostKeyChecking.values()) {
            FerryHostKeyVerifier v = verifier(mode, b -> b.prompter(q -> true));
            assertFalse(check(v, "host.example", 22, KEY), mode.toString());
            assertTrue(refusal(v).contains("@revoked in " + systemFile + ":1"), refusal(v));
        }
        assertEquals(1, TestKeys.entries(userFile).size());
    }

    @Test
    void aChangedKeyIsRefusedUnderEveryModeButNoAndTheRefusalSaysHowToRemoveTheOldOne() throws IOException {
        write(userFile, "# mine", line("[host.example]:2222", OLD_KEY));
        for (StrictHostKeyChecking mode : StrictHostKeyChecking.values()) {
            if (mode == StrictHostKeyChecking.NO) {
                continue;
            }
            FerryHostKeyVerifier v = verifier(mode, b -> b.prompter(q -> true));
            assertFalse(check(v, "host.example", 2222, KEY), mode.toString());
            String why = refusal(v);
            assertTrue(why.contains("CHANGED"), why);
            assertTrue(why.contains("ED25519 key " + Messages.fingerprint(KEY)), why);
            assertTrue(why.contains(userFile + ":2"), why);
            assertTrue(why.contains("`ssh-keygen -R '[host.example]:2222' -f " + userFile + "`"), why);
        }
        assertTrue(questions.isEmpty());
        assertEquals(List.of(line("[host.example]:2222", OLD_KEY)), TestKeys.entries(userFile));
    }

    @Test
    void aChangedKeyIsAcceptedWithAWarningWhenCheckingIsOff() throws IOException {
        write(userFile, line("host.example", OLD_KEY));
        assertTrue(check(verifier(StrictHostKeyChecking.NO), "host.example", 22, KEY));
        assertEquals(1, warnings.size());
        assertTrue(warnings.get(0).contains("differs from the key recorded in " + userFile + ":1"), warnings.get(0));
    }

    @Test
    void yesRefusesAnUnknownHostAndSaysExactlyHowToTrustIt() {
        FerryHostKeyVerifier v = verifier(StrictHostKeyChecking.YES);
        assertFalse(check(v, "host.example", 2222, KEY));
        String fingerprint = Messages.fingerprint(KEY);
        assertEquals("The host key for [host.example]:2222 is not known (ED25519 key " + fingerprint + ") and "
                + "StrictHostKeyChecking is yes; if that fingerprint is right, trust it once with "
                + "`ferry cp -o StrictHostKeyChecking=accept-new ...` or pin it with `--host-key " + fingerprint + "`.",
                refusal(v));
        assertFalse(Files.exists(userFile));
        assertTrue(warnings.isEmpty());
    }

    @Test
    void acceptNewRecordsExactlyOneLineOnceAndAcceptsFromThenOn() throws IOException {
        FerryHostKeyVerifier v = verifier(StrictHostKeyChecking.ACCEPT_NEW);
        assertTrue(check(v, "host.example", 2222, KEY));
        assertEquals(List.of(line("[host.example]:2222", KEY)), Files.readAllLines(userFile));
        assertEquals(List.of("Permanently added '[host.example]:2222' (ED25519) to the list of known hosts."), warnings);

        assertTrue(check(v, "host.example", 2222, KEY));
        assertTrue(check(verifier(StrictHostKeyChecking.YES), "host.example", 2222, KEY));
        assertEquals(1, Files.readAllLines(userFile).size());
        assertEquals(1, warnings.size());
        assertFalse(Files.exists(systemFile));
    }

    @Test
    void acceptNewRecordsPort22WithoutBrackets() throws IOException {
        assertTrue(check(verifier(StrictHostKeyChecking.ACCEPT_NEW), "Host.Example", 22, KEY));
        assertEquals(List.of(line("host.example", KEY)), Files.readAllLines(userFile));
    }

    @Test
    void askRecordsTheKeyWhenTheUserSaysYes() throws IOException {
        FerryHostKeyVerifier v = verifier(StrictHostKeyChecking.ASK, b -> b.prompter(q -> questions.add(q)));
        assertTrue(check(v, "host.example", 2222, KEY));
        assertEquals(1, questions.size());
        assertTrue(questions.get(0).startsWith("The authenticity of host '[host.example]:2222' can't be established.\n"
                + "ED25519 key fingerprint is " + Messages.fingerprint(KEY) + ".\n"), questions.get(0));
        assertTrue(questions.get(0).endsWith("(yes/no)? "), questions.get(0));
        assertEquals(List.of(line("[host.example]:2222", KEY)), Files.readAllLines(userFile));
        assertTrue(check(v, "host.example", 2222, KEY));
        assertEquals(1, questions.size());
    }

    @Test
    void askTellsTheOtherNamesTheKeyIsKnownBy() throws IOException {
        write(userFile, line("box.example", KEY));
        FerryHostKeyVerifier v = verifier(StrictHostKeyChecking.ASK, b -> b.prompter(q -> questions.add(q)));
        assertTrue(check(v, "relay.example", 2201, KEY));
        assertTrue(questions.get(0).contains("known by the following other names: box.example."), questions.get(0));
    }

    @Test
    void askRefusesAndRecordsNothingWhenTheUserSaysNo() {
        FerryHostKeyVerifier v = verifier(StrictHostKeyChecking.ASK, b -> b.prompter(q -> !questions.add(q)));
        assertFalse(check(v, "host.example", 22, KEY));
        assertEquals(1, questions.size());
        assertTrue(refusal(v).contains("was not accepted"), refusal(v));
        assertFalse(Files.exists(userFile));
    }

    @Test
    void askWithoutAPrompterRefusesAsYesDoes() {
        FerryHostKeyVerifier v = verifier(StrictHostKeyChecking.ASK);
        assertFalse(check(v, "host.example", 22, KEY));
        assertTrue(refusal(v).contains("no terminal to ask on"), refusal(v));
        assertTrue(refusal(v).contains("`--host-key " + Messages.fingerprint(KEY) + "`"), refusal(v));
        assertFalse(Files.exists(userFile));
    }

    @Test
    void aPrompterThatFailsRefuses() {
        FerryHostKeyVerifier v = verifier(StrictHostKeyChecking.ASK, b -> b.prompter(q -> {
            throw new IllegalStateException("terminal closed");
        }));
        assertFalse(check(v, "host.example", 22, KEY));
        assertTrue(refusal(v).contains("terminal closed"), refusal(v));
    }

    @Test
    void knownKeyAcceptsAKeyTrustedUnderAnotherNameAndRecordsTheNewNameOnce() throws IOException {
        write(userFile, line("box.example", KEY));
        FerryHostKeyVerifier v = verifier(StrictHostKeyChecking.KNOWN_KEY);
        assertTrue(check(v, "relay.example", 2201, KEY));
        assertEquals(List.of(line("box.example", KEY), line("[relay.example]:2201", KEY)), Files.readAllLines(userFile));
        assertEquals(1, warnings.size());
        assertTrue(warnings.get(0).startsWith("[relay.example]:2201 has the key already trusted for box.example"),
                warnings.get(0));
        assertTrue(warnings.get(0).endsWith("; recorded [relay.example]:2201 too."), warnings.get(0));

        assertTrue(check(v, "relay.example", 2201, KEY));
        assertEquals(1, warnings.size());
        assertEquals(2, Files.readAllLines(userFile).size());
    }

    @Test
    void knownKeyAcceptsAKeyTrustedOnlyUnderAHashedNameInTheSystemFile() throws IOException {
        write(systemFile, line(hashed("box.example"), KEY));
        FerryHostKeyVerifier v = verifier(StrictHostKeyChecking.KNOWN_KEY);
        assertTrue(check(v, "relay.example", 2201, KEY));
        assertEquals(List.of(line("[relay.example]:2201", KEY)), Files.readAllLines(userFile));
        assertEquals(1, TestKeys.entries(systemFile).size());
        assertTrue(warnings.get(0).contains("already trusted for a hashed or wildcard entry"), warnings.get(0));
    }

    @Test
    void knownKeyRefusesAKeyTrustedNowhereAsYesDoes() throws IOException {
        write(userFile, line("box.example", OLD_KEY));
        FerryHostKeyVerifier v = verifier(StrictHostKeyChecking.KNOWN_KEY);
        assertFalse(check(v, "relay.example", 2201, KEY));
        assertTrue(refusal(v).contains("not trusted under any other name"), refusal(v));
        assertTrue(refusal(v).contains("`ferry cp -o StrictHostKeyChecking=accept-new ...`"), refusal(v));
        assertEquals(1, Files.readAllLines(userFile).size());
    }

    @Test
    void knownKeyRefusesANameTheTrustingLineExcludes() throws IOException {
        write(userFile, line("*.example,!relay.example", KEY));
        FerryHostKeyVerifier v = verifier(StrictHostKeyChecking.KNOWN_KEY);
        assertFalse(check(v, "relay.example", 22, KEY));
        assertTrue(check(v, "box.example", 22, KEY));
        assertEquals(1, Files.readAllLines(userFile).size());
    }

    @Test
    void checkingOffAcceptsAnyKeyAndWarnsOnEveryConnection() {
        FerryHostKeyVerifier v = verifier(StrictHostKeyChecking.NO);
        for (int i = 0; i < 3; i++) {
            assertTrue(check(v, "host.example", 2222, KEY));
        }
        assertEquals(3, warnings.size());
        for (String w : warnings) {
            assertEquals("Warning: host key checking is off (StrictHostKeyChecking=no): accepting ED25519 key "
                    + Messages.fingerprint(KEY) + " for [host.example]:2222 without verifying it.", w);
        }
        assertFalse(Files.exists(userFile));
    }

    @Test
    void anAliasIsLookedUpAndRecordedExactlyWithoutAPort() throws IOException {
        FerryHostKeyVerifier v = verifier(StrictHostKeyChecking.ACCEPT_NEW, b -> b.hostKeyAlias("MyRelay"));
        assertTrue(check(v, "10.0.0.5", 2201, KEY));
        assertEquals(List.of(line("myrelay", KEY)), Files.readAllLines(userFile));

        FerryHostKeyVerifier strict = verifier(StrictHostKeyChecking.YES, b -> b.hostKeyAlias("myrelay"));
        assertTrue(check(strict, "anything.example", 2999, KEY));
        assertFalse(check(strict, "anything.example", 2999, OLD_KEY));
        assertTrue(refusal(strict).contains("ssh-keygen -R myrelay -f"), refusal(strict));
        assertFalse(check(verifier(StrictHostKeyChecking.YES), "10.0.0.5", 2201, KEY));
    }

    @Test
    void aPinnedFingerprintAcceptsItsKeyWithoutConsultingOrWritingKnownHosts() throws IOException {
        write(userFile, line("host.example", OLD_KEY));
        FerryHostKeyVerifier v = verifier(StrictHostKeyChecking.ACCEPT_NEW,
                b -> b.pinnedFingerprint(Messages.fingerprint(KEY)));
        assertTrue(check(v, "host.example", 22, KEY));
        assertTrue(check(v, "new.example", 22, KEY));
        assertEquals(List.of(line("host.example", OLD_KEY)), Files.readAllLines(userFile));
        assertTrue(warnings.isEmpty());
    }

    @Test
    void aPinnedFingerprintRefusesEveryOtherKeyEvenOneListedInKnownHosts() throws IOException {
        write(userFile, line("host.example", OLD_KEY));
        String pin = Messages.fingerprint(KEY);
        FerryHostKeyVerifier v = verifier(StrictHostKeyChecking.NO, b -> b.pinnedFingerprint(pin));
        assertFalse(check(v, "host.example", 22, OLD_KEY));
        assertEquals("The host key for host.example is ED25519 key " + Messages.fingerprint(OLD_KEY)
                + ", which is not the pinned fingerprint " + pin + " (--host-key).", refusal(v));
        assertTrue(warnings.isEmpty());
    }

    @Test
    void aPinnedFingerprintWorksWithoutItsPrefix() {
        String bare = Messages.fingerprint(KEY).substring("SHA256:".length());
        FerryHostKeyVerifier v = verifier(StrictHostKeyChecking.YES,
                b -> b.pinnedFingerprint(Messages.fingerprint(OLD_KEY)).pinnedFingerprint(bare));
        assertTrue(check(v, "host.example", 22, KEY));
        assertTrue(check(v, "host.example", 22, OLD_KEY));
        assertFalse(check(v, "host.example", 22, TestKeys.ed25519()));
        assertFalse(Files.exists(userFile));
    }

    @Test
    void theSessionsConnectAddressNamesTheHostRatherThanThePeersAddress() throws IOException {
        write(userFile, line("[box.example]:2222", KEY));
        FerryHostKeyVerifier v = verifier(StrictHostKeyChecking.YES);
        ClientSession session = session(new SshdSocketAddress("Box.Example", 2222), null);
        assertTrue(v.verifyServerKey(session, new InetSocketAddress("127.0.0.1", 2222), KEY));
        ClientSession byInet = session(InetSocketAddress.createUnresolved("box.example", 2222), null);
        assertTrue(v.verifyServerKey(byInet, new InetSocketAddress("127.0.0.1", 2222), KEY));
    }

    @Test
    void aSessionThroughAJumpHostIsCheckedUnderItsTargetNotItsLocalTunnel() throws IOException {
        write(userFile, line("target.example", KEY));
        FerryHostKeyVerifier v = verifier(StrictHostKeyChecking.ACCEPT_NEW);
        ClientSession session = session(new InetSocketAddress("127.0.0.1", 40001),
                new SshdSocketAddress("target.example", 22));
        assertTrue(v.verifyServerKey(session, new InetSocketAddress("127.0.0.1", 40001), KEY));
        assertEquals(List.of(line("target.example", KEY)), Files.readAllLines(userFile));
        assertTrue(warnings.isEmpty());
    }

    @Test
    void anAddressThatNamesNoHostIsRefused() {
        FerryHostKeyVerifier v = verifier(StrictHostKeyChecking.NO);
        assertFalse(v.verifyServerKey(null, new SocketAddress() { }, KEY));
        assertTrue(refusal(v).startsWith("Cannot tell which host"), refusal(v));
    }

    @Test
    void anUnreadableKnownHostsFileRefusesRatherThanTrustingBlindly() throws IOException {
        Files.createDirectories(userFile); // a directory where the file should be
        FerryHostKeyVerifier v = verifier(StrictHostKeyChecking.ACCEPT_NEW);
        assertFalse(check(v, "host.example", 22, KEY));
        assertTrue(refusal(v).startsWith("Cannot read the known hosts files"), refusal(v));
    }

    @Test
    void aHostThatCannotBeRecordedIsStillAcceptedWithAWarning() throws IOException {
        // A link into a directory that does not exist: reads as a missing file, cannot be written.
        Files.createDirectories(userFile.getParent());
        Files.createSymbolicLink(userFile, dir.resolve("gone/known_hosts"));
        FerryHostKeyVerifier v = verifier(StrictHostKeyChecking.ACCEPT_NEW);
        assertTrue(check(v, "host.example", 22, KEY));
        assertEquals(1, warnings.size());
        assertTrue(warnings.get(0).startsWith("Failed to add 'host.example' to the list of known hosts (" + userFile),
                warnings.get(0));
    }

    @Test
    void theLastRefusalStaysAfterLaterAcceptances() throws IOException {
        write(userFile, line("good.example", KEY));
        FerryHostKeyVerifier v = verifier(StrictHostKeyChecking.YES);
        assertFalse(check(v, "bad.example", 22, KEY));
        assertTrue(check(v, "good.example", 22, KEY));
        assertTrue(refusal(v).contains("bad.example"), refusal(v));
    }
}
