/**
 * The legacy SCP protocol ({@code scp -O}) without a shell: Ferry splits the {@code scp -t} /
 * {@code scp -f} command line itself, runs MINA's SCP engine on the user's confined file system,
 * lands uploads atomically, and refuses every other exec request.
 */
package dev.ferry.server.scp;
