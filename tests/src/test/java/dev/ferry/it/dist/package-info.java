/**
 * The distribution archive (issue 19), as a person installs it: {@code scp-client/target/ferry-VERSION.tar.gz}
 * unpacked into a directory, its {@code bin/ferryd} serving, its {@code bin/ferry} copying, its manual
 * pages rendered by {@code man}, its completion scripts completing in bash and its systemd unit checked
 * by {@code systemd-analyze}. The reactor builds the archive before these tests run.
 */
package dev.ferry.it.dist;
