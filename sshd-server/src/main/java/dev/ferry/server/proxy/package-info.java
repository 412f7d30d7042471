/**
 * The PROXY protocol (HAProxy's {@code send-proxy} and {@code send-proxy-v2}) on ferryd's listener:
 * a load balancer in front of ferryd names the real client's address in a header before the SSH
 * identification line, so that logs, per-address limits and bans see the client and not the balancer.
 * Only configured source addresses may send one, and on such a listener every connection must.
 */
package dev.ferry.server.proxy;
