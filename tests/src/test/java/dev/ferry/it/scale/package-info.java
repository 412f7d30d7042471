/**
 * ferryd deployed at scale: behind a load balancer (HAProxy with the PROXY protocol), where the
 * balancer's address must not stand for its clients in logs, limits and bans.
 */
package dev.ferry.it.scale;
