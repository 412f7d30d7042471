/**
 * A buffered TCP relay: bytes only, with big socket and user-space buffers, so that stock clients
 * behind a slow application-level window gain what a tuned relay gives (the origin story). With a
 * delay and a rate it is also the link emulator the benchmarks use (netem is not available here).
 */
package dev.ferry.relay;
