package dev.ferry.server.config;

import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * One user as written in the users file. Absent fields take their defaults: read-write, umask
 * {@code 022}, no links, no password, no keys.
 *
 * @param root               the user's root directory; relative to the users file's directory
 * @param password           an Argon2id (or bcrypt) hash, never the password itself
 * @param authorizedKeys     public keys in authorized_keys format
 * @param authorizedKeysFile an authorized_keys file read at each login; relative to the users file
 * @param readOnly           true to refuse every change
 * @param umask              octal, as a string ({@code "022"}) so YAML does not read it as decimal
 * @param allowLinks         true to let the user create symlinks and hard links inside the root
 * @param quota              bytes ({@code "10G"}) and files the root may hold; absent: unlimited
 * @param bandwidth          upload and download rates ({@code "10M"} bytes per second); absent: unlimited
 * @param maxSessions        connections logged in at once; absent: unlimited
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
@JsonIgnoreProperties(ignoreUnknown = false)
public record UserEntry(String root, String password, List<String> authorizedKeys, String authorizedKeysFile,
        Boolean readOnly, String umask, Boolean allowLinks, Quota quota, Bandwidth bandwidth, Integer maxSessions) {

    /** A user's quota as written: sizes as strings with a unit ({@code 500M}, {@code 10G}). */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonIgnoreProperties(ignoreUnknown = false)
    public record Quota(String bytes, Long files) {
    }

    /** A user's rates as written: bytes per second with a unit ({@code 10M}). */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonIgnoreProperties(ignoreUnknown = false)
    public record Bandwidth(String upload, String download) {
    }

    public UserEntry {
        authorizedKeys = authorizedKeys == null ? List.of() : List.copyOf(authorizedKeys);
    }

    public static UserEntry of(String root) {
        return new UserEntry(root, null, List.of(), null, null, null, null, null, null, null);
    }

    public UserEntry withPassword(String hash) {
        return new UserEntry(root, hash, authorizedKeys, authorizedKeysFile, readOnly, umask, allowLinks, quota, bandwidth, maxSessions);
    }

    public UserEntry withKey(String keyLine) {
        List<String> keys = new ArrayList<>(authorizedKeys);
        keys.add(keyLine);
        return new UserEntry(root, password, keys, authorizedKeysFile, readOnly, umask, allowLinks, quota, bandwidth, maxSessions);
    }

    public UserEntry withLimits(Quota quota, Bandwidth bandwidth, Integer maxSessions) {
        return new UserEntry(root, password, authorizedKeys, authorizedKeysFile, readOnly, umask, allowLinks, quota,
                bandwidth, maxSessions);
    }

    public UserEntry withPolicy(Boolean readOnly, String umask, Boolean allowLinks) {
        return new UserEntry(root, password, authorizedKeys, authorizedKeysFile, readOnly, umask, allowLinks, quota, bandwidth, maxSessions);
    }
}
