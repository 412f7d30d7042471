/**
 * Reusable connections, as OpenSSH's {@code ControlMaster}: a background master holds one
 * authenticated session (and a warm JIT) and runs the copies of later {@code ferry} invocations that
 * attach to it through a Unix socket only their user can reach.
 */
package dev.ferry.client.control;
