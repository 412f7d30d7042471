/**
 * ferryd on several nodes: users in PostgreSQL shared by every node, and the PROXY protocol
 * behind a load balancer.
 */
package dev.ferry.it.scale;
